-- Issue 9 (reviews and metrics): the organisation calendar (holidays besides weekends), the
-- history of moved / cancelled / un-held reviews with their reasons, and the history of metric
-- values (who changed which value, when, from what to what).

-- year 0 means "every year on this day"; otherwise the holiday falls once, in that year.
create table holidays (
    id          bigint generated always as identity primary key,
    month       bigint not null check (month between 1 and 12),
    day         bigint not null check (day between 1 and 31),
    year        bigint not null default 0,
    name        text not null,
    unique (month, day, year)
);
insert into holidays (month, day, year, name) values
    (1, 1, 0, 'New Year''s Day'),
    (12, 25, 0, 'Christmas Day'),
    (12, 26, 0, 'Boxing Day');

create table review_changes (
    id          bigint generated always as identity primary key,
    review_id   bigint not null references reviews (id),
    kind        text not null check (kind in ('moved', 'cancelled', 'held_undone')),
    reason      text not null,
    from_at     timestamptz,
    to_at       timestamptz,
    created_by  bigint not null references users (id),
    created_at  timestamptz not null
);
create index review_changes_review_idx on review_changes (review_id, id);

create table metric_value_changes (
    id            bigint generated always as identity primary key,
    metric_id     bigint not null references metrics (id),
    department_id bigint not null references departments (id),
    period        text not null,
    old_value     double precision,
    new_value     double precision not null,
    changed_by    bigint references users (id),
    source        text not null check (source in ('entry', 'import')),
    changed_at    timestamptz not null
);
create index metric_value_changes_idx on metric_value_changes (metric_id, department_id, period);
