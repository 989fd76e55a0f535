-- E-mail: each message once (subject and both parts), a durable outbox with one row per
-- (message, recipient) so a crash, a restart, a retry or several replicas never send anything
-- twice, and each person's mail preferences. Each outbox row carries its recipient's one-time
-- unsubscribe link (RFC 8058 one-click); only the token's SHA-256 is looked up.

create table mail_messages (
    key         text primary key,              -- what is sent, e.g. 'post:12'
    subject     text not null,
    text_body   text not null,
    html_body   text not null,
    created_at  timestamptz not null
);

create table outbox (
    id               bigint generated always as identity primary key,
    message_key      text not null references mail_messages (key),
    recipient        text not null,
    user_id          bigint references users (id),
    unsubscribe_url  text,
    unsubscribe_hash text unique,
    unsubscribed_at  timestamptz,
    status           text not null check (status in ('queued', 'sending', 'sent', 'failed', 'held')),
    attempts         bigint not null default 0,
    not_before       timestamptz not null,            -- when it may go (publish time, or after a retry's wait)
    claimed_at       timestamptz,
    sent_at          timestamptz,
    last_error       text,
    created_at       timestamptz not null,
    unique (message_key, recipient)
);
create index outbox_due_idx on outbox (status, not_before);

-- Each person's choice; no row = the defaults (newsletter on).
create table mail_preferences (
    user_id     bigint primary key references users (id),
    newsletter  boolean not null,
    updated_at  timestamptz not null
);

-- A post to be e-mailed to its audience once it is published.
alter table posts add column email_audience boolean not null default false;
