-- Meet: each business department's review cadence, and the reviews themselves.

alter table departments add column review_interval_days bigint not null default 30;

create table reviews (
    id             bigint generated always as identity primary key,
    department_id  bigint not null references departments (id),
    scheduled_at   timestamptz not null,
    minutes        bigint not null,
    organizer_id   bigint not null references users (id),
    status         text not null check (status in ('planned', 'held', 'cancelled')),
    held_on        date,
    created_at     timestamptz not null
);
create index reviews_department_idx on reviews (department_id, scheduled_at);
