-- The audit log records before → after for every change it keeps (accounts, roles, tokens,
-- people, departments, settings, survey campaigns), and the database itself keeps it
-- append-only: an entry can never be deleted, and what it says (who, what, to what, before,
-- after) can never be changed. Only `at` may move, which the demo's seeding alone does (its
-- fictional directory predates its back-dated campaigns); a live server never writes it.

alter table audit_log add column before_value text;
alter table audit_log add column after_value text;

create trigger audit_log_no_delete before delete on audit_log
begin
    select raise(abort, 'the audit log is append-only: entries cannot be deleted');
end;

create trigger audit_log_no_rewrite
before update of id, actor_user_id, action, subject_kind, subject_id, department_id, summary, before_value, after_value on audit_log
begin
    select raise(abort, 'the audit log is append-only: entries cannot be changed');
end;
