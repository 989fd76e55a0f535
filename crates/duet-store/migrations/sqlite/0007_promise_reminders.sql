-- Reminders: when a promise's reminder went out (once per promise, whichever replica sends it).
alter table promises add column reminded_at text;
