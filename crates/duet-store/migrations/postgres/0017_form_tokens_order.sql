-- SQLite rebuilds form_tokens WITHOUT ROWID here (no rowid in submission order). PostgreSQL has
-- no rowid; its rows carry no person, session or time of day and are pruned after a day.
select 1;
