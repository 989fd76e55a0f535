-- Sealing: when a campaign has closed, its answers are rewritten once in random order with fresh
-- random ids and owner keys, so nothing in the database (ids, order, transaction ids, keys) ties
-- an answer to the person who gave it any more. Results are computed only from sealed campaigns.
alter table campaigns add column sealed_at timestamptz;
