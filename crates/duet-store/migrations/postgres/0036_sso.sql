-- Single sign-on with OpenID Connect. A sign-in in flight is kept here, not in the process, so
-- the provider may send the browser back to any replica: the state's hash (the state itself rides
-- in a cookie of the browser that started it), the nonce the ID token must carry, the PKCE
-- verifier, where to go afterwards, and the admin who is only testing the sign-in. A row is taken
-- (deleted) once, so a callback cannot be replayed. An identity links the provider's subject to
-- one account: the e-mail may change at the provider, the subject does not.

create table sso_logins (
    state_hash    text primary key,
    nonce         text not null,
    pkce_verifier text not null,
    next_path     text not null,
    test_by       bigint references users (id),
    created_at    timestamptz not null
);

create table sso_identities (
    issuer       text not null,
    subject      text not null,
    user_id      bigint not null references users (id),
    linked_at    timestamptz not null,
    last_seen_at timestamptz not null,
    primary key (issuer, subject)
);
create index sso_identities_user on sso_identities (user_id);
