-- The record of a review: the agenda as edited, attendees, notes, feedback on metrics, the two
-- leaders' signatures (both signed = locked), decisions (which may become promises) and
-- corrections appended after locking.

create table review_records (
    review_id          integer primary key references reviews (id),
    agenda             text not null default '',
    attendees          text not null default '',
    notes              text not null default '',
    metric_feedback    text not null default '',
    it_signed_by       integer references users (id),
    it_signed_at       text,
    business_signed_by integer references users (id),
    business_signed_at text,
    locked_at          text,
    updated_at         text not null
);

create table review_decisions (
    id          integer primary key autoincrement,
    review_id   integer not null references reviews (id),
    text        text not null,
    promise_id  integer references promises (id),
    created_by  integer not null references users (id),
    created_at  text not null
);

create table review_corrections (
    id          integer primary key autoincrement,
    review_id   integer not null references reviews (id),
    text        text not null,
    created_by  integer not null references users (id),
    created_at  text not null
);
