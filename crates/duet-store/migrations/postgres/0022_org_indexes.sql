-- Issue 11: the department read paths read what they show, not every person.
-- Each department's count of active people, kept per write by a trigger (so every writer, the CSV
-- import's upsert and the bulk loader included, keeps it): the department list and a department
-- read it instead of counting the department's people on every view.
alter table departments add column active_people bigint not null default 0;
update departments set active_people =
    (select count(*) from people p where p.department_id = departments.id and p.archived_at is null);
create function people_active_count() returns trigger language plpgsql as $$
begin
    if tg_op in ('UPDATE', 'DELETE') and old.archived_at is null then
        update departments set active_people = active_people - 1 where id = old.department_id;
    end if;
    if tg_op in ('INSERT', 'UPDATE') and new.archived_at is null then
        update departments set active_people = active_people + 1 where id = new.department_id;
    end if;
    return null;
end
$$;
create trigger people_active_count_insert after insert on people
for each row when (new.archived_at is null) execute function people_active_count();
create trigger people_active_count_delete after delete on people
for each row when (old.archived_at is null) execute function people_active_count();
create trigger people_active_count_update after update of department_id, archived_at on people
for each row when (old.department_id is distinct from new.department_id
    or (old.archived_at is null) <> (new.archived_at is null))
execute function people_active_count();
-- A department's active people by name: its page's first members and the pickers walk this
-- index and stop after their rows.
create index people_active_department_idx on people (department_id, name) where archived_at is null;
