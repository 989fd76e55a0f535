-- Promise: the trust ledger, in both directions between departments, at every level.

create table promises (
    id                     bigint generated always as identity primary key,
    promisor_person_id     bigint not null references people (id),
    promisor_department_id bigint not null references departments (id),  -- at the time it was made
    promisee_department_id bigint not null references departments (id),
    level                  text not null check (level in ('executive', 'manager', 'individual')),
    text                   text not null,
    due_on                 date not null,
    source                 text not null check (source in ('meeting', 'request', 'manual')),
    source_id              bigint,
    status                 text not null check (status in ('open', 'kept', 'broken')),
    renegotiations         bigint not null default 0,
    closed_on              date,
    recorded_by            bigint not null references users (id),
    created_at             timestamptz not null,
    updated_at             timestamptz not null
);
create index promises_pair_idx on promises (promisor_department_id, promisee_department_id);
create index promises_status_due_idx on promises (status, due_on);

create table promise_events (
    id          bigint generated always as identity primary key,
    promise_id  bigint not null references promises (id),
    on_date     date not null,                                -- the day it happened (trust is by day)
    at          timestamptz not null,
    actor_id    bigint references users (id),
    kind        text not null check (kind in ('made', 'kept_on_time', 'kept_late', 'broken', 'renegotiated')),
    detail      text not null
);
create index promise_events_promise_idx on promise_events (promise_id, id);
