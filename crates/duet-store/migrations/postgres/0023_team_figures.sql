-- Issue 11: how each IT team listens (`/requests/teams`) is counted by the database on indexes
-- it keeps up to date on every write, instead of reading every request into the process (half a
-- second at 50,000 requests). The hours to a first response and to a confirmed need are
-- generated columns, so every insert and update keeps them (and their indexes) true; a team's
-- median is then one step into its index.
alter table requests add column first_response_hours double precision
    generated always as ((extract(epoch from (first_response_at - created_at)) / 3600.0)::double precision) stored;
alter table requests add column confirmed_need_hours double precision
    generated always as ((extract(epoch from (need_confirmed_at - created_at)) / 3600.0)::double precision) stored;
create index requests_team_response_idx on requests (it_team_id, first_response_hours);
create index requests_team_confirmed_idx on requests (it_team_id, confirmed_need_hours);
-- Decisions per team (taken, and declined) are counted on this index alone.
create index requests_team_decided_idx on requests (it_team_id, decided_at, status);
