-- Listen: instruments (versioned wording), campaigns, who took part, anonymous answers, and the
-- anonymous voice inbox.
--
-- Anonymity by construction: survey_responses and pain_points hold no person, account or time
-- finer than the day; their ids are random (in SQLite an `integer primary key` is the rowid, so
-- even the physical order is random). Participation is stored apart and cannot be joined to
-- answers: the only link is a keyed hash (owner_key) that needs the server secret to recompute.

create table instruments (
    id          bigint generated always as identity primary key,
    key         text not null,
    version     bigint not null,
    kind        text not null check (kind in ('pulse', 'five_questions', 'maturity', 'custom')),
    title       text not null,
    definition  text not null,                 -- JSON of duet_core::listen::instruments::Definition
    builtin     boolean not null default false,
    created_by  bigint references users (id),
    created_at  timestamptz not null,
    unique (key, version)
);

create table campaigns (
    id             bigint generated always as identity primary key,
    instrument_id  bigint not null references instruments (id),
    title          text not null,
    opens_on       date not null,
    closes_on      date not null,
    remind_on      date not null,
    min_group      bigint not null check (min_group >= 3),
    invited_at     timestamptz,
    reminded_at    timestamptz,
    created_by     bigint not null references users (id),
    created_at     timestamptz not null
);

create table campaign_departments (
    campaign_id    bigint not null references campaigns (id),
    department_id  bigint not null references departments (id),
    primary key (campaign_id, department_id)
);

-- Who took part (for one response per person and the participation rate). No time, no answer id.
create table campaign_participation (
    campaign_id    bigint not null references campaigns (id),
    person_id      bigint not null references people (id),
    department_id  bigint not null references departments (id),
    primary key (campaign_id, person_id)
);

create table survey_responses (
    id             bigint primary key,        -- random
    campaign_id    bigint not null references campaigns (id),
    owner_key      text not null unique,       -- HMAC(server secret, campaign, person): lets the author edit
    department_id  bigint not null references departments (id),
    ratings        text not null,              -- one char per item: 1-5, 0 = don't know
    texts          text not null               -- JSON object: comments and free-text answers
);
create index survey_responses_campaign_idx on survey_responses (campaign_id);

-- Secrets the server generates once and shares between replicas (the anonymity key).
create table server_secrets (
    name   text primary key,
    value  text not null
);

create table pain_points (
    id             bigint primary key,        -- random
    department_id  bigint not null references departments (id),
    receipt_hash   text not null unique,       -- SHA-256 of the receipt code the author keeps
    text           text not null,
    posted_on      date not null,              -- the day only
    status         text not null check (status in ('new', 'answered', 'request', 'promise', 'closed')),
    public_answer  text,
    request_id     bigint references requests (id),
    promise_id     bigint references promises (id),
    updated_on     date not null
);
create index pain_points_department_idx on pain_points (department_id, status);

create table pain_point_messages (
    pain_point_id  bigint not null references pain_points (id),
    seq            bigint not null,
    from_author    boolean not null,
    user_id        bigint references users (id),  -- the triager; null when the author wrote
    text           text not null,
    on_date        date not null,
    primary key (pain_point_id, seq)
);
