-- Meet: each business department's review cadence, and the reviews themselves.

alter table departments add column review_interval_days integer not null default 30;

create table reviews (
    id             integer primary key autoincrement,
    department_id  integer not null references departments (id),
    scheduled_at   text not null,
    minutes        integer not null,
    organizer_id   integer not null references users (id),
    status         text not null check (status in ('planned', 'held', 'cancelled')),
    held_on        text,
    created_at     text not null
);
create index reviews_department_idx on reviews (department_id, scheduled_at);
