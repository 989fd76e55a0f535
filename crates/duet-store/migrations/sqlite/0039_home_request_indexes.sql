-- The home page's request lists read six rows in their own order from an index instead of
-- sorting every match (the soak of issue 17: one requester with 15,000 open requests made each
-- home page 66 ms): IT's queue by status, then urgency, then first in first out; a requester's
-- own requests by status, and by last change.
create index requests_status_rank_idx on requests (
    status, (case urgency when 'critical' then 0 when 'high' then 1 when 'normal' then 2 else 3 end), id
);
create index requests_requester_status_idx on requests (requester_id, status, id);
create index requests_requester_updated_idx on requests (requester_id, updated_at, id);
