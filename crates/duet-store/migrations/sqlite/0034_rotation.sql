-- Swap: the job-rotation programme. A cycle (dates, length, full or part time, the departments
-- taking part, the share of a department that may be away at once) takes host departments'
-- placement offers and people's applications (host departments ranked; their manager releases
-- them or declines with a reason). The owner confirms a matching as placements (each with the
-- terms of its fit, kept as proposed); guests write reflections at the start, middle and end,
-- shared with the host or kept private, and may turn one into a request or a promise.

create table rotation_cycles (
    id              integer primary key autoincrement,
    title           text not null,
    call_closes_on  text not null,
    starts_on       text not null,
    ends_on         text not null,
    weeks           integer not null,
    commitment      text not null,
    away_percent    integer not null,
    owner_id        integer not null references users (id),
    confirmed_at    text,
    confirmed_by    integer references users (id),
    created_at      text not null
);
create index rotation_cycles_starts_idx on rotation_cycles (starts_on desc);

create table rotation_cycle_departments (
    cycle_id       integer not null references rotation_cycles (id),
    department_id  integer not null references departments (id),
    primary key (cycle_id, department_id)
);

create table rotation_offers (
    id             integer primary key autoincrement,
    cycle_id       integer not null references rotation_cycles (id),
    department_id  integer not null references departments (id),
    role           text not null,
    work           text not null,
    buddy_id       integer not null references people (id),
    capacity       integer not null,
    teaches        text not null,
    needs          text not null,
    created_by     integer not null references users (id),
    created_at     text not null
);
create index rotation_offers_cycle_idx on rotation_offers (cycle_id);

create table rotation_applications (
    id              integer primary key autoincrement,
    cycle_id        integer not null references rotation_cycles (id),
    person_id       integer not null references people (id),
    department_id   integer not null references departments (id),
    interests       text not null,
    brings          text not null,
    wants           text not null,
    availability    text not null,
    release_state   text not null default 'pending',
    release_reason  text not null default '',
    released_by     integer references users (id),
    released_at     text,
    created_at      text not null,
    unique (cycle_id, person_id)
);
create index rotation_applications_person_idx on rotation_applications (person_id);

create table rotation_choices (
    application_id  integer not null references rotation_applications (id),
    rank            integer not null,
    department_id   integer not null references departments (id),
    primary key (application_id, rank),
    unique (application_id, department_id)
);

create table rotation_placements (
    id                integer primary key autoincrement,
    cycle_id          integer not null references rotation_cycles (id),
    application_id    integer not null unique references rotation_applications (id),
    offer_id          integer not null references rotation_offers (id),
    person_id         integer not null references people (id),
    starts_on         text not null,
    ends_on           text not null,
    buddy_id          integer not null references people (id),
    learning_goals    text not null,
    fit_preference    real not null,
    fit_skills        real not null,
    fit_relationship  real not null,
    pinned            boolean not null,
    created_at        text not null
);
create index rotation_placements_cycle_idx on rotation_placements (cycle_id);
create index rotation_placements_person_idx on rotation_placements (person_id);

create table rotation_reflections (
    id            integer primary key autoincrement,
    placement_id  integer not null references rotation_placements (id),
    stage         text not null,
    surprised     text not null,
    pain_point    text not null,
    carry_back    text not null,
    shared        boolean not null,
    created_at    text not null,
    request_id    integer references requests (id),
    promise_id    integer references promises (id),
    unique (placement_id, stage)
);
