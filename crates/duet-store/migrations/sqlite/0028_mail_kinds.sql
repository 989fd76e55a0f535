-- E-mail by kind of notice: each notice says what it is about, a person may turn any kind off,
-- and may take notices in one daily digest instead of as they come. A review invitation carries
-- its calendar file (METHOD:REQUEST, or CANCEL when called off).

alter table notifications add column kind text not null default 'other';
update notifications set kind = 'survey' where message like '%/listen/campaigns/%';
update notifications set kind = 'new_request' where message like 'New request to understand: %';

-- Kinds a person does not take by e-mail (absent: taken).
create table mail_muted_kinds (
    user_id  integer not null references users (id),
    kind     text not null,
    primary key (user_id, kind)
);

-- Daily digest instead of one e-mail per notice; the digest covers notices after digest_last_id
-- and goes at most once a day (digest_day: the last day one went).
alter table mail_preferences add column digest boolean not null default false;
alter table mail_preferences add column digest_last_id integer not null default 0;
alter table mail_preferences add column digest_day text;

alter table mail_messages add column calendar text;
