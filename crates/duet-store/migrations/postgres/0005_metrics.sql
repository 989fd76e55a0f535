-- Metrics: the catalogue, values per month and department, the outcomes business leaders care
-- about, and which metric measures which outcome.

create table metrics (
    id           bigint generated always as identity primary key,
    name         text not null,
    unit         text not null default '',
    direction    text not null check (direction in ('higher_better', 'lower_better')),
    target       double precision,
    owner_id     bigint references people (id),
    created_at   timestamptz not null,
    archived_at  timestamptz
);
create unique index metrics_name_key on metrics (lower(name));

create table metric_values (
    metric_id     bigint not null references metrics (id),
    department_id bigint not null references departments (id),
    period        text not null,                                   -- YYYY-MM
    value         double precision not null,
    primary key (metric_id, department_id, period)
);

create table outcomes (
    id            bigint generated always as identity primary key,
    department_id bigint not null references departments (id),
    title         text not null,
    weight        bigint not null check (weight between 1 and 5),
    created_by    bigint not null references users (id),
    created_at    timestamptz not null,
    archived_at   timestamptz
);
create index outcomes_department_idx on outcomes (department_id);

create table metric_outcomes (
    metric_id     bigint not null references metrics (id),
    outcome_id    bigint not null references outcomes (id),
    primary key (metric_id, outcome_id)
);
