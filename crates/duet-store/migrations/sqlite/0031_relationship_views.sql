-- See: the thresholds and weights of relationship signals are versioned — every change is a new
-- row with who made it, when and why, and the newest row of a signal is the one in force (none:
-- the defaults in `duet_core::relationships::thresholds`). Leaders' own views of a pair (how it
-- feels, the maturity they see, why) are kept beside the computed view, every one of them.

create table relationship_thresholds (
    id            integer primary key autoincrement,
    signal        text not null,
    healthy       real not null,
    concerning    real not null,
    min_evidence  integer not null,
    weight        real not null,
    changed_by    integer not null references users (id),
    changed_at    text not null,
    reason        text not null
);
create index relationship_thresholds_signal_idx on relationship_thresholds (signal, id desc);

create table relationship_judgements (
    id             integer primary key autoincrement,
    department_id  integer not null references departments (id),
    user_id        integer not null references users (id),
    feels          integer not null check (feels between 1 and 5),
    level          text,
    reason         text not null,
    created_at     text not null
);
create index relationship_judgements_department_idx on relationship_judgements (department_id, id desc);
