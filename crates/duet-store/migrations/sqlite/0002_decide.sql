-- Decide: requests (one intake, two lanes), their timeline, business cases, sign-offs,
-- goals, scoring weights (versioned), portfolio settings, realised benefits, notifications.

create table it_teams (
    id            integer primary key autoincrement,
    name          text not null
);
create unique index it_teams_name_key on it_teams (lower(name));

create table business_goals (
    id            integer primary key autoincrement,
    title         text not null,
    importance    integer not null check (importance between 1 and 5),
    created_by    integer not null references users (id),
    created_at    text not null,
    archived_at   text
);

create table requests (
    id                    integer primary key autoincrement,
    title                 text not null,
    problem               text not null,
    affected              text not null,
    desired_outcome       text not null,
    department_id         integer not null references departments (id),
    requester_id          integer not null references users (id),
    urgency               text not null check (urgency in ('low', 'normal', 'high', 'critical')),
    date_needed           text,
    lane                  text not null check (lane in ('service', 'portfolio')),
    status                text not null,
    it_team_id            integer references it_teams (id),
    need_statement        text,
    need_by               integer references users (id),     -- who wrote the current statement
    need_attempt_on       text,                               -- date IT recorded reaching out
    need_confirmed_at     text,
    first_response_at     text,
    decided_at            text,
    decision_note         text,
    decline_reason        text,
    deferred_until        text,
    security_risk         text,
    security_yes_if       text,
    champion_id           integer references users (id),
    self_champion_allowed boolean not null default false,
    risk                  text not null default 'medium' check (risk in ('low', 'medium', 'high')),
    person_days           integer,
    created_at            text not null,
    updated_at            text not null
);
create index requests_lane_status_idx on requests (lane, status);
create index requests_requester_idx on requests (requester_id);
create index requests_department_idx on requests (department_id);

create table request_alternatives (
    id            integer primary key autoincrement,
    request_id    integer not null references requests (id),
    kind          text not null,
    description   text not null,
    taken_up      boolean,                                     -- null until the requester says
    created_at    text not null
);
create index request_alternatives_request_idx on request_alternatives (request_id);

create table request_events (
    id            integer primary key autoincrement,
    request_id    integer not null references requests (id),
    at            text not null,
    actor_id      integer references users (id),
    kind          text not null,
    detail        text not null
);
create index request_events_request_idx on request_events (request_id, id);

create table notifications (
    id            integer primary key autoincrement,
    user_id       integer not null references users (id),
    request_id    integer references requests (id),
    message       text not null,
    created_at    text not null,
    read_at       text
);
create index notifications_user_idx on notifications (user_id, id);

create table business_cases (
    request_id    integer primary key references requests (id),
    horizon_years integer not null,
    discount_rate real not null,
    it_cost       integer not null,                            -- cached total IT cost, minor units
    npv           real not null,                               -- cached evaluation, for ranking
    updated_by    integer not null references users (id),
    updated_at    text not null
);

create table cash_flows (
    id            integer primary key autoincrement,
    request_id    integer not null references requests (id),
    year          integer not null,
    kind          text not null,
    amount        integer not null check (amount >= 0)
);
create index cash_flows_request_idx on cash_flows (request_id, year);

create table signoffs (
    id            integer primary key autoincrement,
    request_id    integer not null references requests (id),
    champion_id   integer not null references users (id),
    it_cost       integer not null,
    tolerance_pct real not null,
    signed_at     text not null
);
create index signoffs_request_idx on signoffs (request_id, id);

create table request_goals (
    request_id    integer not null references requests (id),
    goal_id       integer not null references business_goals (id),
    primary key (request_id, goal_id)
);

create table scoring_weights (
    version       integer primary key,
    value_weight  real not null,
    fit_weight    real not null,
    risk_weight   real not null,
    urgency_weight real not null,
    set_by        integer references users (id),
    set_at        text not null
);

create table portfolio_settings (
    id                integer primary key check (id = 1),
    budget            integer not null,                        -- minor units
    capacity_days     integer not null,
    tolerance_pct     real not null,
    wait_days         integer not null,                        -- working days before deciding unconfirmed
    revision          integer not null,                        -- bumped on every change that moves the ranking
    updated_at        text not null
);

create table benefit_actuals (
    request_id    integer not null references requests (id),
    year          integer not null,
    amount        integer not null check (amount >= 0),
    recorded_by   integer not null references users (id),
    recorded_at   text not null,
    primary key (request_id, year)
);
