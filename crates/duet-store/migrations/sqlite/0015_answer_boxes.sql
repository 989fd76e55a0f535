-- Answers the database files cannot pair with their authors.
--
-- While a campaign is open its answers are kept only in open_answers, each as an authenticated
-- encryption (XChaCha20-Poly1305 under a key derived from the anonymity secret, bound to the
-- campaign and owner key) of (department, ratings, texts): participation and the box may be
-- written in the same commit because, without the key, the box says nothing. Sealing (after
-- closing) decrypts every box of the campaign, writes the plaintext answers into survey_responses
-- in one transaction in the order of fresh random ids with random owner keys, and deletes the
-- boxes; secure_delete (set on every connection) zeroes what is deleted and a checkpoint
-- afterwards empties the write-ahead log.
--
-- Both tables are WITHOUT ROWID: their physical order is their primary key — (campaign, person)
-- for participation, a random id for the boxes — never the order in which people answered.

create table campaign_participation_sorted (
    campaign_id    integer not null references campaigns (id),
    person_id      integer not null references people (id),
    department_id  integer not null references departments (id),
    primary key (campaign_id, person_id)
) without rowid;
insert into campaign_participation_sorted (campaign_id, person_id, department_id)
    select campaign_id, person_id, department_id from campaign_participation order by campaign_id, person_id;
drop table campaign_participation;
alter table campaign_participation_sorted rename to campaign_participation;

create table open_answers (
    id           integer not null primary key,  -- random
    campaign_id  integer not null references campaigns (id),
    owner_key    text not null unique,          -- HMAC(secret, campaign, person): lets the author edit
    answer_box   blob not null                  -- nonce || XChaCha20-Poly1305(department, ratings, texts)
) without rowid;
create index open_answers_campaign_idx on open_answers (campaign_id);

-- One-time maintenance already done on this database (so each replica does not repeat it): the
-- rewrite of the answer files that removes what seals before this version left in free space.
create table maintenance_done (
    name  text primary key
);
-- A database that never stored an answer has nothing to rewrite.
insert into maintenance_done (name)
    select 'answer-files-scrubbed-v1' where not exists (select 1 from survey_responses);
