-- Metrics: the catalogue, values per month and department, the outcomes business leaders care
-- about, and which metric measures which outcome.

create table metrics (
    id           integer primary key autoincrement,
    name         text not null,
    unit         text not null default '',
    direction    text not null check (direction in ('higher_better', 'lower_better')),
    target       real,
    owner_id     integer references people (id),
    created_at   text not null,
    archived_at  text
);
create unique index metrics_name_key on metrics (lower(name));

create table metric_values (
    metric_id     integer not null references metrics (id),
    department_id integer not null references departments (id),
    period        text not null,                                   -- YYYY-MM
    value         real not null,
    primary key (metric_id, department_id, period)
);

create table outcomes (
    id            integer primary key autoincrement,
    department_id integer not null references departments (id),
    title         text not null,
    weight        integer not null check (weight between 1 and 5),
    created_by    integer not null references users (id),
    created_at    text not null,
    archived_at   text
);
create index outcomes_department_idx on outcomes (department_id);

create table metric_outcomes (
    metric_id     integer not null references metrics (id),
    outcome_id    integer not null references outcomes (id),
    primary key (metric_id, outcome_id)
);
