-- See: early warnings on a relationship. A warning is raised when one of a pair's signals turns
-- poor (its reason and the page with its evidence kept), sent to the department's leader, IT's
-- leaders and IT's partner for the department, acknowledged with a note by one of
-- them, and cleared by itself once the signal is no longer poor. At most one open warning per
-- department and signal.

create table relationship_warnings (
    id               integer primary key autoincrement,
    department_id    integer not null references departments (id),
    signal           text not null,
    reason           text not null,
    evidence_href    text not null,
    raised_at        text not null,
    acknowledged_at  text,
    acknowledged_by  integer references users (id),
    note             text,
    cleared_at       text
);
create unique index relationship_warnings_open_key on relationship_warnings (department_id, signal)
    where cleared_at is null;
create index relationship_warnings_department_idx on relationship_warnings (department_id, id desc);
