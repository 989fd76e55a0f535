-- Listen: instruments (versioned wording), campaigns, who took part, anonymous answers, and the
-- anonymous voice inbox.
--
-- Anonymity by construction: survey_responses and pain_points hold no person, account or time
-- finer than the day; their ids are random (in SQLite an `integer primary key` is the rowid, so
-- even the physical order is random). Participation is stored apart and cannot be joined to
-- answers: the only link is a keyed hash (owner_key) that needs the server secret to recompute.

create table instruments (
    id          integer primary key autoincrement,
    key         text not null,
    version     integer not null,
    kind        text not null check (kind in ('pulse', 'five_questions', 'maturity', 'custom')),
    title       text not null,
    definition  text not null,                 -- JSON of duet_core::listen::instruments::Definition
    builtin     boolean not null default false,
    created_by  integer references users (id),
    created_at  text not null,
    unique (key, version)
);

create table campaigns (
    id             integer primary key autoincrement,
    instrument_id  integer not null references instruments (id),
    title          text not null,
    opens_on       text not null,
    closes_on      text not null,
    remind_on      text not null,
    min_group      integer not null check (min_group >= 3),
    invited_at     text,
    reminded_at    text,
    created_by     integer not null references users (id),
    created_at     text not null
);

create table campaign_departments (
    campaign_id    integer not null references campaigns (id),
    department_id  integer not null references departments (id),
    primary key (campaign_id, department_id)
);

-- Who took part (for one response per person and the participation rate). No time, no answer id.
create table campaign_participation (
    campaign_id    integer not null references campaigns (id),
    person_id      integer not null references people (id),
    department_id  integer not null references departments (id),
    primary key (campaign_id, person_id)
);

create table survey_responses (
    id             integer primary key,        -- random
    campaign_id    integer not null references campaigns (id),
    owner_key      text not null unique,       -- HMAC(server secret, campaign, person): lets the author edit
    department_id  integer not null references departments (id),
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
    id             integer primary key,        -- random
    department_id  integer not null references departments (id),
    receipt_hash   text not null unique,       -- SHA-256 of the receipt code the author keeps
    text           text not null,
    posted_on      text not null,              -- the day only
    status         text not null check (status in ('new', 'answered', 'request', 'promise', 'closed')),
    public_answer  text,
    request_id     integer references requests (id),
    promise_id     integer references promises (id),
    updated_on     text not null
);
create index pain_points_department_idx on pain_points (department_id, status);

create table pain_point_messages (
    pain_point_id  integer not null references pain_points (id),
    seq            integer not null,
    from_author    boolean not null,
    user_id        integer references users (id),  -- the triager; null when the author wrote
    text           text not null,
    on_date        text not null,
    primary key (pain_point_id, seq)
);
