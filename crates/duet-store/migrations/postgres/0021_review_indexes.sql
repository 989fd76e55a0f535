-- Issue 11: a review's agenda reads what it shows, not the department's whole history.
-- Requests: the open ones (by status) and the ones settled in the review's window (by status,
-- then day of the last change), found in this index instead of reading every request.
create index requests_agenda_idx on requests (department_id, status, updated_at);
-- Promises between the department and IT: the open ones, and the ones kept or broken in the
-- window (by status, then closing day), per direction.
create index promises_agenda_idx on promises (promisor_department_id, promisee_department_id, status, closed_on);
-- The review list (newest first, all departments) walks this index and stops after its page
-- instead of sorting every review.
create index reviews_scheduled_idx on reviews (scheduled_at, id);
-- The cadence dashboard's last review held and next review planned per department, and the
-- agenda's last review held before it: one index seek each instead of the department's reviews.
create index reviews_held_idx on reviews (department_id, status, held_on);
create index reviews_planned_idx on reviews (department_id, status, scheduled_at);
