-- A revision counter per area, bumped in the same transaction as every change to that area, so
-- any replica can tell with one tiny read whether what it cached is still current.
create table revisions (
    area          text primary key,
    n             integer not null
);
insert into revisions (area, n) values ('org', 1);
