-- Issue 11: the request list pages its ids on an index that matches each filter and sort, so a
-- page costs the same with 10,000 requests as with 200. Each index ends with the id, so
-- "column = $1, newest first" reads the page straight off it; the (column, id) indexes replace
-- the single-column ones of 0002, which they cover.
create index requests_lane_id_idx on requests (lane, id);
create index requests_status_id_idx on requests (status, id);
create index requests_requester_id_idx on requests (requester_id, id);
drop index requests_requester_idx;
create index requests_department_id_idx on requests (department_id, id);
drop index requests_department_idx;
create index requests_champion_id_idx on requests (champion_id, id);
-- A department's queue and lanes (what a business leader sees) are counted on the index alone.
create index requests_department_lane_status_idx on requests (department_id, lane, status);
-- The queue of each lane: open requests, most urgent first, then first in first out (the open
-- requests of both lanes are merged from the two). The urgency rank and the open statuses are
-- written exactly as `list_requests` writes them, so the planner matches them.
create index requests_queue_idx on requests (
    lane, (case urgency when 'critical' then 0 when 'high' then 1 when 'normal' then 2 else 3 end), id
) where status in ('submitted', 'understanding', 'need_confirmed', 'deferred');
-- Deleting or looking up a request's notifications no longer scans all of them.
create index notifications_request_idx on notifications (request_id);
