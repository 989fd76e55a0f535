-- See: early warnings on a relationship. A warning is raised when one of a pair's signals turns
-- poor (its reason and the page with its evidence kept), sent to the department's leader, IT's
-- leaders and IT's partner for the department, acknowledged with a note by one of
-- them, and cleared by itself once the signal is no longer poor. At most one open warning per
-- department and signal.

create table relationship_warnings (
    id               bigint generated always as identity primary key,
    department_id    bigint not null references departments (id),
    signal           text not null,
    reason           text not null,
    evidence_href    text not null,
    raised_at        timestamptz not null,
    acknowledged_at  timestamptz,
    acknowledged_by  bigint references users (id),
    note             text,
    cleared_at       timestamptz
);
create unique index relationship_warnings_open_key on relationship_warnings (department_id, signal)
    where cleared_at is null;
create index relationship_warnings_department_idx on relationship_warnings (department_id, id desc);
