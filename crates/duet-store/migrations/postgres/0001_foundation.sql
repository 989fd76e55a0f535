-- Foundation: the organisation (departments, people), accounts, sessions, API tokens, login throttle.

create table departments (
    id            bigint generated always as identity primary key,
    name          text not null,
    kind          text not null check (kind in ('it', 'business')),
    leader_id     bigint,                               -- business leader (business departments)
    it_partner_id bigint,                               -- IT partner (business departments)
    archived_at   timestamptz,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);
create unique index departments_name_key on departments (lower(name));

create table people (
    id            bigint generated always as identity primary key,
    name          text not null,
    email         text not null,                        -- lower-cased by the application
    department_id bigint not null references departments (id),
    title         text not null default '',
    level         text not null check (level in ('executive', 'manager', 'individual')),
    archived_at   timestamptz,
    created_at    timestamptz not null,
    updated_at    timestamptz not null
);
create unique index people_email_key on people (email);
create index people_department_idx on people (department_id, name);
create index people_name_idx on people (name, id);

alter table departments add constraint departments_leader_fk foreign key (leader_id) references people (id);
alter table departments add constraint departments_it_partner_fk foreign key (it_partner_id) references people (id);

create table users (
    id            bigint generated always as identity primary key,
    email         text not null,
    name          text not null,
    role          text not null check (role in ('admin', 'it_leader', 'business_leader', 'executive', 'member')),
    password_hash text not null,
    person_id     bigint references people (id),        -- the person behind the account, if any
    disabled_at   timestamptz,
    last_login_at timestamptz,
    created_at    timestamptz not null
);
create unique index users_email_key on users (email);
create unique index users_person_key on users (person_id);

create table sessions (
    id_hash       text primary key,                     -- sha-256 of the cookie value
    user_id       bigint not null references users (id) on delete cascade,
    csrf_token    text not null,
    flash         text,                                 -- one message shown on the next page
    created_at    timestamptz not null,
    expires_at    timestamptz not null
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expiry_idx on sessions (expires_at);

create table api_tokens (
    id            bigint generated always as identity primary key,
    user_id       bigint not null references users (id) on delete cascade,
    name          text not null,
    token_hash    text not null,                        -- sha-256 of the token
    prefix        text not null,                        -- first characters, to recognise a token
    created_at    timestamptz not null,
    last_used_at  timestamptz,
    revoked_at    timestamptz
);
create unique index api_tokens_hash_key on api_tokens (token_hash);
create index api_tokens_user_idx on api_tokens (user_id);

create table login_throttle (
    key           text primary key,                     -- 'account:<email>' or 'ip:<address>'
    failures      integer not null,
    window_start  timestamptz not null,
    locked_until  timestamptz
);
