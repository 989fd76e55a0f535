-- Issue 11: the promises ledger and trust read what a page shows, not the whole history.
-- The ledger's order (open first, then soonest due, then id): a page walks this index and stops
-- after its rows instead of sorting every promise. The rank is written exactly as
-- `list_promises` writes it, so the planner matches it.
create index promises_ledger_idx on promises ((case when status = 'open' then 0 else 1 end), due_on, id);
-- Trust scores count only the last 90 days' events: found by day, not by reading them all.
create index promise_events_day_idx on promise_events (on_date);
-- How many trust-moving events (kept, kept late, broken, renegotiated) each department pair and
-- direction has had, kept per write by a trigger (so every writer, the bulk loader included,
-- keeps it): the trust table lists every pair with any such event and says how many no longer
-- count, without counting the whole history on a read.
create table trust_pair_events (
    promisor_department_id bigint not null,
    promisee_department_id bigint not null,
    events                 bigint not null,
    primary key (promisor_department_id, promisee_department_id)
);
insert into trust_pair_events (promisor_department_id, promisee_department_id, events)
select p.promisor_department_id, p.promisee_department_id, count(*)
from promise_events e join promises p on p.id = e.promise_id
where e.kind <> 'made'
group by p.promisor_department_id, p.promisee_department_id;
create function trust_pair_events_count() returns trigger language plpgsql as $$
begin
    insert into trust_pair_events (promisor_department_id, promisee_department_id, events)
    select promisor_department_id, promisee_department_id, 1 from promises where id = new.promise_id
    on conflict (promisor_department_id, promisee_department_id)
    do update set events = trust_pair_events.events + 1;
    return new;
end
$$;
create trigger trust_pair_events_count after insert on promise_events
for each row when (new.kind <> 'made') execute function trust_pair_events_count();
