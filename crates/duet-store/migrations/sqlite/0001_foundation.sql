-- Foundation: the organisation (departments, people), accounts, sessions, API tokens, login throttle.
-- Times are RFC 3339 UTC text written by the application (never SQLite defaults, whose format differs).

create table departments (
    id            integer primary key autoincrement,
    name          text not null,
    kind          text not null check (kind in ('it', 'business')),
    leader_id     integer references people (id),      -- business leader (business departments)
    it_partner_id integer references people (id),      -- IT partner (business departments)
    archived_at   text,
    created_at    text not null,
    updated_at    text not null
);
create unique index departments_name_key on departments (lower(name));

create table people (
    id            integer primary key autoincrement,
    name          text not null,
    email         text not null,                        -- lower-cased by the application
    department_id integer not null references departments (id),
    title         text not null default '',
    level         text not null check (level in ('executive', 'manager', 'individual')),
    archived_at   text,
    created_at    text not null,
    updated_at    text not null
);
create unique index people_email_key on people (email);
create index people_department_idx on people (department_id, name);
create index people_name_idx on people (name, id);

create table users (
    id            integer primary key autoincrement,
    email         text not null,
    name          text not null,
    role          text not null check (role in ('admin', 'it_leader', 'business_leader', 'executive', 'member')),
    password_hash text not null,
    person_id     integer references people (id),       -- the person behind the account, if any
    disabled_at   text,
    last_login_at text,
    created_at    text not null
);
create unique index users_email_key on users (email);
create unique index users_person_key on users (person_id);

create table sessions (
    id_hash       text primary key,                     -- sha-256 of the cookie value
    user_id       integer not null references users (id) on delete cascade,
    csrf_token    text not null,
    flash         text,                                 -- one message shown on the next page
    created_at    text not null,
    expires_at    text not null
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expiry_idx on sessions (expires_at);

create table api_tokens (
    id            integer primary key autoincrement,
    user_id       integer not null references users (id) on delete cascade,
    name          text not null,
    token_hash    text not null,                        -- sha-256 of the token
    prefix        text not null,                        -- first characters, to recognise a token
    created_at    text not null,
    last_used_at  text,
    revoked_at    text
);
create unique index api_tokens_hash_key on api_tokens (token_hash);
create index api_tokens_user_idx on api_tokens (user_id);

create table login_throttle (
    key           text primary key,                     -- 'account:<email>' or 'ip:<address>'
    failures      integer not null,
    window_start  text not null,
    locked_until  text
);
