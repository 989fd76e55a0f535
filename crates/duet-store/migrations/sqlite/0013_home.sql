-- The home page ("what needs you"): when each account last looked, so it can say what is new
-- since then; and when a promise's promisee was told it is due to be judged (once per promise,
-- whichever replica sends it).
alter table users add column home_seen_at text;
alter table promises add column judge_notified_at text;
