-- Decide: requests (one intake, two lanes), their timeline, business cases, sign-offs,
-- goals, scoring weights (versioned), portfolio settings, realised benefits, notifications.

create table it_teams (
    id            bigint generated always as identity primary key,
    name          text not null
);
create unique index it_teams_name_key on it_teams (lower(name));

create table business_goals (
    id            bigint generated always as identity primary key,
    title         text not null,
    importance    bigint not null check (importance between 1 and 5),
    created_by    bigint not null references users (id),
    created_at    timestamptz not null,
    archived_at   timestamptz
);

create table requests (
    id                    bigint generated always as identity primary key,
    title                 text not null,
    problem               text not null,
    affected              text not null,
    desired_outcome       text not null,
    department_id         bigint not null references departments (id),
    requester_id          bigint not null references users (id),
    urgency               text not null check (urgency in ('low', 'normal', 'high', 'critical')),
    date_needed           date,
    lane                  text not null check (lane in ('service', 'portfolio')),
    status                text not null,
    it_team_id            bigint references it_teams (id),
    need_statement        text,
    need_by               bigint references users (id),     -- who wrote the current statement
    need_attempt_on       date,                               -- date IT recorded reaching out
    need_confirmed_at     timestamptz,
    first_response_at     timestamptz,
    decided_at            timestamptz,
    decision_note         text,
    decline_reason        text,
    deferred_until        date,
    security_risk         text,
    security_yes_if       text,
    champion_id           bigint references users (id),
    self_champion_allowed boolean not null default false,
    risk                  text not null default 'medium' check (risk in ('low', 'medium', 'high')),
    person_days           bigint,
    created_at            timestamptz not null,
    updated_at            timestamptz not null
);
create index requests_lane_status_idx on requests (lane, status);
create index requests_requester_idx on requests (requester_id);
create index requests_department_idx on requests (department_id);

create table request_alternatives (
    id            bigint generated always as identity primary key,
    request_id    bigint not null references requests (id),
    kind          text not null,
    description   text not null,
    taken_up      boolean,                                     -- null until the requester says
    created_at    timestamptz not null
);
create index request_alternatives_request_idx on request_alternatives (request_id);

create table request_events (
    id            bigint generated always as identity primary key,
    request_id    bigint not null references requests (id),
    at            timestamptz not null,
    actor_id      bigint references users (id),
    kind          text not null,
    detail        text not null
);
create index request_events_request_idx on request_events (request_id, id);

create table notifications (
    id            bigint generated always as identity primary key,
    user_id       bigint not null references users (id),
    request_id    bigint references requests (id),
    message       text not null,
    created_at    timestamptz not null,
    read_at       timestamptz
);
create index notifications_user_idx on notifications (user_id, id);

create table business_cases (
    request_id    bigint primary key references requests (id),
    horizon_years bigint not null,
    discount_rate double precision not null,
    it_cost       bigint not null,                            -- cached total IT cost, minor units
    npv           double precision not null,                               -- cached evaluation, for ranking
    updated_by    bigint not null references users (id),
    updated_at    timestamptz not null
);

create table cash_flows (
    id            bigint generated always as identity primary key,
    request_id    bigint not null references requests (id),
    year          bigint not null,
    kind          text not null,
    amount        bigint not null check (amount >= 0)
);
create index cash_flows_request_idx on cash_flows (request_id, year);

create table signoffs (
    id            bigint generated always as identity primary key,
    request_id    bigint not null references requests (id),
    champion_id   bigint not null references users (id),
    it_cost       bigint not null,
    tolerance_pct double precision not null,
    signed_at     timestamptz not null
);
create index signoffs_request_idx on signoffs (request_id, id);

create table request_goals (
    request_id    bigint not null references requests (id),
    goal_id       bigint not null references business_goals (id),
    primary key (request_id, goal_id)
);

create table scoring_weights (
    version       bigint primary key,
    value_weight  double precision not null,
    fit_weight    double precision not null,
    risk_weight   double precision not null,
    urgency_weight double precision not null,
    set_by        bigint references users (id),
    set_at        timestamptz not null
);

create table portfolio_settings (
    id                bigint primary key check (id = 1),
    budget            bigint not null,                        -- minor units
    capacity_days     bigint not null,
    tolerance_pct     double precision not null,
    wait_days         bigint not null,                        -- working days before deciding unconfirmed
    revision          bigint not null,                        -- bumped on every change that moves the ranking
    updated_at        timestamptz not null
);

create table benefit_actuals (
    request_id    bigint not null references requests (id),
    year          bigint not null,
    amount        bigint not null check (amount >= 0),
    recorded_by   bigint not null references users (id),
    recorded_at   timestamptz not null,
    primary key (request_id, year)
);
