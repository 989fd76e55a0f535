-- Participation published once a day. While a campaign is open, every participation figure Duet
-- shows comes from here, not from campaign_participation: a count that moved with each answer
-- would tell anyone watching it when someone answered (and, next to who was seen at work then,
-- who). One row per invited department holds the count taken at the first read (or housekeeping
-- tick) of `on_day`; it is replaced at most once a day, so only the latest is kept. Once a
-- campaign has closed (a row dated after its closing day), the live counts are shown instead:
-- they no longer move.
create table participation_snapshots (
    campaign_id    bigint not null references campaigns (id),
    department_id  bigint not null references departments (id),
    on_day         date not null,
    responded      bigint not null,
    primary key (campaign_id, department_id)
);
