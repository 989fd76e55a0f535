-- Answers the database files cannot pair with their authors.
--
-- While a campaign is open its answers are kept only in open_answers, each as an authenticated
-- encryption (XChaCha20-Poly1305 under a key derived from the anonymity secret, bound to the
-- campaign and owner key) of (department, ratings, texts): participation and the box may be
-- written in the same transaction (same xmin) because, without the key, the box says nothing.
-- Sealing (after closing) decrypts every box of the campaign and writes the plaintext answers
-- into survey_responses in one transaction — one xmin for all of them — in the order of fresh
-- random ids with random owner keys, deletes the boxes, and then vacuums both tables so the dead
-- pre-seal tuples are reclaimed.
--
-- (SQLite's version of this migration also rebuilds campaign_participation WITHOUT ROWID so its
-- file order is not the order of answering; PostgreSQL has no rowid, and the only thing a
-- participation tuple's xmin or position can be paired with is a box, which is opaque.)

create table open_answers (
    id           bigint primary key,            -- random
    campaign_id  bigint not null references campaigns (id),
    owner_key    text not null unique,          -- HMAC(secret, campaign, person): lets the author edit
    answer_box   bytea not null                 -- nonce || XChaCha20-Poly1305(department, ratings, texts)
);
create index open_answers_campaign_idx on open_answers (campaign_id);

-- One-time maintenance already done on this database (so each replica does not repeat it): the
-- rewrite of the answer files that removes what seals before this version left in free space.
create table maintenance_done (
    name  text primary key
);
-- A database that never stored an answer has nothing to rewrite.
insert into maintenance_done (name)
    select 'answer-files-scrubbed-v1' where not exists (select 1 from survey_responses);
