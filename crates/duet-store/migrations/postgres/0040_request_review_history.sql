-- Bring your history (requests and reviews): a request imported from another tool keeps its
-- number there (so the same export imported twice adds nothing twice) and says where it came
-- from; a review held before Duet says so too.

alter table requests add column imported_from text;
alter table requests add column external_ref text;
create unique index requests_external_ref_key on requests (imported_from, external_ref) where external_ref is not null;
alter table reviews add column imported_from text;
