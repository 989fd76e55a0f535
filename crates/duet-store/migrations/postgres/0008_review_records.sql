-- The record of a review: the agenda as edited, attendees, notes, feedback on metrics, the two
-- leaders' signatures (both signed = locked), decisions (which may become promises) and
-- corrections appended after locking.

create table review_records (
    review_id          bigint primary key references reviews (id),
    agenda             text not null default '',
    attendees          text not null default '',
    notes              text not null default '',
    metric_feedback    text not null default '',
    it_signed_by       bigint references users (id),
    it_signed_at       timestamptz,
    business_signed_by bigint references users (id),
    business_signed_at timestamptz,
    locked_at          timestamptz,
    updated_at         timestamptz not null
);

create table review_decisions (
    id          bigint generated always as identity primary key,
    review_id   bigint not null references reviews (id),
    text        text not null,
    promise_id  bigint references promises (id),
    created_by  bigint not null references users (id),
    created_at  timestamptz not null
);

create table review_corrections (
    id          bigint generated always as identity primary key,
    review_id   bigint not null references reviews (id),
    text        text not null,
    created_by  bigint not null references users (id),
    created_at  timestamptz not null
);
