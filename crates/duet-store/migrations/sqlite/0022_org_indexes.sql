-- Issue 11: the department read paths read what they show, not every person.
-- Each department's count of active people, kept per write by triggers (so every writer, the CSV
-- import's upsert and the bulk loader included, keeps it): the department list and a department
-- read it instead of counting the department's people on every view.
alter table departments add column active_people integer not null default 0;
update departments set active_people =
    (select count(*) from people p where p.department_id = departments.id and p.archived_at is null);
create trigger people_active_count_insert after insert on people when new.archived_at is null
begin
    update departments set active_people = active_people + 1 where id = new.department_id;
end;
create trigger people_active_count_delete after delete on people when old.archived_at is null
begin
    update departments set active_people = active_people - 1 where id = old.department_id;
end;
create trigger people_active_count_update after update of department_id, archived_at on people
when old.department_id is not new.department_id or (old.archived_at is null) <> (new.archived_at is null)
begin
    update departments set active_people = active_people - 1
    where id = old.department_id and old.archived_at is null;
    update departments set active_people = active_people + 1
    where id = new.department_id and new.archived_at is null;
end;
-- A department's active people by name: its page's first members and the pickers walk this
-- index and stop after their rows.
create index people_active_department_idx on people (department_id, name) where archived_at is null;
