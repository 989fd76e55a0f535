-- A crowd nobody can manufacture (issue 10, attack class 5). A campaign's population — the
-- active people of its invited departments and the account linked to each — is fixed when the
-- campaign opens: people or accounts created, moved or re-linked after that cannot answer it, and
-- a new account for a real person cannot read their open answers. Every change to people,
-- accounts and API tokens is written to the audit log, in the same transaction as the change,
-- where every signed-in user can read who changed what, and when.

-- When the population was fixed (the invitations, or the first answer if that came first).
alter table campaigns add column population_at text;

-- `without rowid`: rows are kept in key order, so the file says nothing about the order in which
-- people were added.
create table campaign_population (
    campaign_id    integer not null references campaigns (id),
    person_id      integer not null references people (id),
    department_id  integer not null references departments (id),  -- their department at opening
    user_id        integer references users (id),                -- their enabled account then, if any
    primary key (campaign_id, person_id)
) without rowid;

create table audit_log (
    id             integer primary key autoincrement,
    at             text not null,
    actor_user_id  integer references users (id),     -- null: the command line or the system
    action         text not null,                     -- e.g. person.move, user.create, token.revoke
    subject_kind   text not null,                     -- person, user, token, import
    subject_id     integer not null,
    department_id  integer references departments (id), -- people: their department after the change (null: archived)
    summary        text not null
);
create index audit_log_subject_idx on audit_log (subject_kind, at);

-- Campaigns already invited keep working: their population is taken from the directory as it is
-- now (the best that can be known), and counted as fixed when the invitations went out.
insert into campaign_population (campaign_id, person_id, department_id, user_id)
select c.id, pe.id, pe.department_id, u.id
from campaigns c
join campaign_departments cd on cd.campaign_id = c.id
join people pe on pe.department_id = cd.department_id and pe.archived_at is null
left join users u on u.person_id = pe.id and u.disabled_at is null
where c.invited_at is not null;
update campaigns set population_at = invited_at where invited_at is not null;
