-- Credentials someone else put in place (issue 10, attack class 5, second review). An
-- administrator who sets another person's password, or creates an API token for their account,
-- could answer (or read the open answers of) a campaign as that person. So each password and
-- token remembers when it was last put in place by someone other than the account's owner (the
-- command line counts as someone else); a campaign whose population was fixed before that moment
-- does not take answers from, or show answers to, that account. A password the owner sets while
-- their account holds such a credential, and a token the owner creates then, keep that moment: an
-- administrator signed in with the password they set is indistinguishable from the owner.

-- When the password was last set by someone other than the owner (null: never known to be).
alter table users add column password_set_by_other_at timestamptz;
-- When the token was created by someone other than the owner, or by the owner while their
-- account held a credential someone else had put in place (null: the owner's own).
alter table api_tokens add column set_by_other_at timestamptz;

-- Filled from the audit log: the last time someone else created the account or set its password;
-- accounts older than the log were made by an administrator when they were created.
update users set password_set_by_other_at = coalesce(
    (select max(a.at) from audit_log a
     where a.subject_kind = 'user' and a.subject_id = users.id
       and a.action in ('user.create', 'user.password')
       and (a.actor_user_id is null or a.actor_user_id <> users.id)),
    users.created_at);

-- Tokens created by someone else (or on the command line) take the moment of their creation;
-- tokens the owner created take their password's moment as it stood then.
update api_tokens set set_by_other_at = coalesce(
    (select a.at from audit_log a
     where a.subject_kind = 'token' and a.subject_id = api_tokens.id and a.action = 'token.create'
       and (a.actor_user_id is null or a.actor_user_id <> api_tokens.user_id)),
    (select max(a.at) from audit_log a
     where a.subject_kind = 'user' and a.subject_id = api_tokens.user_id
       and a.action in ('user.create', 'user.password')
       and (a.actor_user_id is null or a.actor_user_id <> api_tokens.user_id)
       and a.at <= api_tokens.created_at),
    (select u.created_at from users u where u.id = api_tokens.user_id and u.created_at <= api_tokens.created_at));
