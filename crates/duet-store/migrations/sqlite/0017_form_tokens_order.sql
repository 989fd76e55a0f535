-- The idempotency tokens of create forms (the anonymous voice form and survey answering use them
-- too) are kept WITHOUT ROWID, ordered by their random key hash: a rowid would follow submission
-- order and place an anonymous post between two ordinary forms of the same day (issue 10).
create table form_tokens_new (
    key_hash text primary key,
    location text,
    created_on text not null
) without rowid;
insert into form_tokens_new (key_hash, location, created_on)
    select key_hash, location, created_on from form_tokens;
drop table form_tokens;
alter table form_tokens_new rename to form_tokens;
create index form_tokens_created_on on form_tokens (created_on);
