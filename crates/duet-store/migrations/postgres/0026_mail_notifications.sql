-- Notices from the Duet inbox go by e-mail too, for those who take them (on unless turned off).
-- The watermark is the last notification considered, so each is queued once, and a server that
-- gains an SMTP server later does not mail the whole history.
alter table mail_preferences add column notifications boolean not null default true;

create table mail_watermarks (
    name     text primary key,
    last_id  bigint not null
);
