//! A campaign's population: who is invited, fixed once, and the credentials that hold an account back.

use super::*;

/// Whether `person`, signed in as account `user`, may answer `campaign` (the rule
/// `prepare_submission` applies, to decide whether to show the form): once the campaign's
/// population is fixed, they must be in it, still in the department they were in at opening,
/// and answering through the account linked to them then. Before that (an upcoming campaign),
/// whether their department is invited.
pub async fn is_invited(db: &Db, campaign: i64, person: i64, user: i64) -> Result<bool> {
    const SQL: &str = concat!(
        "select case when c.population_at is null then exists (
                select 1 from people pe join campaign_departments cd on cd.department_id = pe.department_id
                where cd.campaign_id = c.id and pe.id = $2 and pe.archived_at is null)
            else exists (
                select 1 from campaign_population cp join people pe on pe.id = cp.person_id
                where cp.campaign_id = c.id and cp.person_id = $2 and cp.user_id = $3
                  and pe.department_id = cp.department_id and pe.archived_at is null)
                and not ",
        borrowed_sql!("$3"),
        " end from campaigns c where c.id = $1"
    );
    let row: Option<(bool,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(campaign)
        .bind(person)
        .bind(user)
        .fetch_optional(pool)
        .await)?;
    Ok(row.is_some_and(|r| r.0))
}

// ---- The population of a campaign (issue 10, attack class 5) -------------------------------
//
// A campaign's population is fixed when it opens — by its invitations (`dispatch_notices`) or by
// the first answer, whichever comes first: the active people of its invited departments, each
// with their department and their enabled account as of then. Only they can answer, from that
// department, through that account; so nobody reaches k with invented people, moves someone into
// a small department, or answers (or reads open answers) through an account made later in a real
// person's name. What changed during the campaign is counted from the audit log.

/// The population as the directory stands now: the active people of the invited departments
/// (`$1`) and their enabled account.
pub(super) const POPULATION_NOW: &str =
    "insert into campaign_population (campaign_id, person_id, department_id, user_id)
     select cd.campaign_id, pe.id, pe.department_id, u.id
     from campaign_departments cd
     join people pe on pe.department_id = cd.department_id and pe.archived_at is null
     left join users u on u.person_id = pe.id and u.disabled_at is null
     where cd.campaign_id = $1 on conflict do nothing";

/// The population as the directory stood at `$2`, rebuilt from the audit log (each person entry
/// carries the department after the change, none when archived). A person's department then is
/// that of their last entry before `$2`; with none before, their first entry after decides:
/// created later — not there; only renamed or retitled later — that entry's department; moved,
/// archived or restored later — unknown, so left out (they cannot answer, which is the safe
/// side); with no entry at all, the directory as it is now (people older than the log). Their
/// account then: one linked to them (accounts are linked when created) created before `$2` and
/// enabled at `$2` (by the last enable/disable entry before, else the first after, else now).
pub(super) const POPULATION_AS_OF: &str = "insert into campaign_population (campaign_id, person_id, department_id, user_id)
     with before_t as (
         select a.subject_id as person_id, a.department_id,
             row_number() over (partition by a.subject_id order by a.at desc, a.id desc) as rn
         from audit_log a where a.subject_kind = 'person' and a.at < $2
     ), after_t as (
         select a.subject_id as person_id, a.action, a.department_id,
             row_number() over (partition by a.subject_id order by a.at, a.id) as rn
         from audit_log a where a.subject_kind = 'person' and a.at >= $2
     ), state as (
         select pe.id as person_id,
             case when b.person_id is not null then b.department_id
                  when f.person_id is not null then (case when f.action = 'person.update' then f.department_id end)
                  when pe.archived_at is null and pe.created_at < $2 then pe.department_id
             end as department_id
         from people pe
         left join before_t b on b.person_id = pe.id and b.rn = 1
         left join after_t f on f.person_id = pe.id and f.rn = 1
     )
     select cd.campaign_id, s.person_id, s.department_id,
         (select min(u.id) from users u
          where u.person_id = s.person_id and u.created_at < $2
            and coalesce(
                (select e.action = 'user.enable' from audit_log e
                 where e.subject_kind = 'user' and e.subject_id = u.id and e.action in ('user.enable', 'user.disable') and e.at < $2
                 order by e.at desc, e.id desc limit 1),
                (select e.action = 'user.disable' from audit_log e
                 where e.subject_kind = 'user' and e.subject_id = u.id and e.action in ('user.enable', 'user.disable') and e.at >= $2
                 order by e.at, e.id limit 1),
                u.disabled_at is null))
     from campaign_departments cd join state s on s.department_id = cd.department_id
     where cd.campaign_id = $1 on conflict do nothing";

/// Fixes the population of an open campaign, if its invitations have not done it yet (the first
/// answer can come before the hourly housekeeping sends them), as it stood at the start of its
/// opening day. Safe to call again, and from several replicas at once.
pub async fn fix_population(db: &Db, campaign: i64) -> Result<bool> {
    let mut tx = db.begin_write().await?;
    let fixed = fix_population_in(&mut tx, campaign, None).await?;
    tx.commit().await?;
    Ok(fixed)
}

/// What a person is told when their account holds a credential someone else put in place after
/// the survey opened (see `credentials_borrowed`).
pub const BORROWED_CREDENTIALS: &str = "Your password (or an API token of your account) was set by someone else after this survey opened, so your account cannot be used to answer or read answers here. Setting your own password now does not change that for this survey, because whoever set it could do the same; it does for the next one.";

/// Whether account `user`, the account of someone in `campaign`'s population, holds a password or
/// live API token that someone else (another account, or the command line) put in place after
/// that population was fixed. Such an account neither answers that campaign nor reads or learns
/// of answers to it: an administrator who resets a person's password, or makes a token for them,
/// must not answer or read in their name. (Accounts outside the population are refused anyway.)
pub async fn credentials_borrowed(db: &Db, campaign: i64, user: i64) -> Result<bool> {
    const SQL: &str = concat!(
        "select ",
        borrowed_sql!("$2"),
        " and exists (select 1 from campaign_population cp where cp.campaign_id = c.id and cp.user_id = $2)
         from campaigns c where c.id = $1"
    );
    let row: Option<(bool,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(campaign)
        .bind(user)
        .fetch_optional(pool)
        .await)?;
    Ok(row.is_some_and(|r| r.0))
}

/// Whether account `user` is the one that was linked to `person` when `campaign`'s population
/// was fixed (true while it is not fixed yet), and holds no credential someone else put in place
/// since (`credentials_borrowed`). Guards a person's open answers: an account created or linked
/// later in a real person's name, or taken over by resetting its password, must not read them.
pub async fn in_population(db: &Db, campaign: i64, person: i64, user: i64) -> Result<bool> {
    const SQL: &str = concat!(
        "select (c.population_at is null or exists (
                select 1 from campaign_population cp
                where cp.campaign_id = c.id and cp.person_id = $2 and cp.user_id = $3))
            and not ",
        borrowed_sql!("$3"),
        " from campaigns c where c.id = $1"
    );
    let row: Option<(bool,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(campaign)
        .bind(person)
        .bind(user)
        .fetch_optional(pool)
        .await)?;
    Ok(row.is_some_and(|r| r.0))
}

/// Whether `person` has answered `campaign`, as account `user` may learn it: only the account
/// linked to them when the population was fixed (any, before that) is told.
pub async fn answered_as(db: &Db, campaign: i64, person: i64, user: i64) -> Result<bool> {
    Ok(has_answered(db, campaign, person).await?
        && in_population(db, campaign, person, user).await?)
}

/// Every campaign `person` has answered as account `user` may learn it (`answered_as` for all
/// campaigns in one statement, for the campaign list).
pub async fn answered_campaigns(db: &Db, person: i64, user: i64) -> Result<Vec<i64>> {
    const SQL: &str = concat!(
        "select c.id from campaigns c
         where exists (select 1 from campaign_participation p where p.campaign_id = c.id and p.person_id = $1)
           and (c.population_at is null or exists (
                select 1 from campaign_population cp
                where cp.campaign_id = c.id and cp.person_id = $1 and cp.user_id = $2))
           and not ",
        borrowed_sql!("$2")
    );
    let rows: Vec<(i64,)> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(person)
        .bind(user)
        .fetch_all(pool)
        .await)?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

/// How an invited department's population changed in the 30 days before a campaign's population
/// was fixed (`POPULATION_LOOKBACK_DAYS`) and while the campaign ran: an administrator who adds
/// people just before opening is flagged as surely as one who adds them after.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PopulationChange {
    /// The department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// People in it at closing who were not in it when the population was fixed (created,
    /// moved in, restored).
    pub joined: i64,
    /// People in it when the population was fixed who were not at closing (moved out, archived).
    pub left: i64,
    /// People of its population who came into it (created, moved in, restored) in the 30 days
    /// before the population was fixed.
    pub added_before: i64,
    /// People who went out of it (moved out, archived) in the 30 days before the population was
    /// fixed and were not in it then.
    pub left_before: i64,
    /// People of its population whose account was created (and linked to them) in the 30 days
    /// before the population was fixed.
    pub accounts_before: i64,
}

/// How far before the population was fixed changes to an invited department are reported.
pub const POPULATION_LOOKBACK_DAYS: i64 = 30;

/// The invited departments of `campaign` whose population changed in the 30 days before it was
/// fixed, or between then and the end of the closing day (or now, if earlier). During: who was
/// in each department then (`campaign_population`) against where the audit log's last entry of
/// each person before the end puts them. Before: entries in the 30 days before that brought a
/// person of the population into the department, took someone out of it, or created an account
/// of a person of it. Counted from the log, which is written with every change and never
/// rewritten, so the figures stay the same however people move after closing. Departments that
/// did not change are left out; empty while the population is not fixed.
pub async fn population_changes(db: &Db, campaign: i64) -> Result<Vec<PopulationChange>> {
    let row: Option<(NaiveDate, Option<DateTime<Utc>>)> = on_db!(db, |pool| sqlx::query_as(
        "select closes_on, population_at from campaigns where id = $1"
    )
    .bind(campaign)
    .fetch_optional(pool)
    .await)?;
    let Some((closes, Some(from))) = row else {
        return match row {
            None => Err(StoreError::NotFound("campaign")),
            Some(_) => Ok(Vec::new()),
        };
    };
    let end = closes
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
        .unwrap_or(DateTime::<Utc>::MAX_UTC)
        .min(Utc::now());
    // The 30 days before the population was fixed (never past the end: a campaign created after
    // it closed counts nothing after its closing day).
    let since = from - chrono::Duration::days(POPULATION_LOOKBACK_DAYS);
    const SQL: &str = "with ranked as (
            select a.subject_id as person_id, a.department_id,
                row_number() over (partition by a.subject_id order by a.at desc, a.id desc) as rn
            from audit_log a
            where a.subject_kind = 'person' and a.at > $2 and a.at <= $3
        ), at_end as (select person_id, department_id from ranked where rn = 1),
        steps as (
            select a.subject_id as person_id, a.action, a.at, a.department_id,
                lag(a.department_id) over (partition by a.subject_id order by a.at, a.id) as was_in,
                row_number() over (partition by a.subject_id order by a.at, a.id) as n
            from audit_log a
            where a.subject_kind = 'person' and a.at <= $5
        ), window_steps as (select * from steps where at > $4)
        select cd.department_id, d.name as department_name,
            (select count(*) from at_end x where x.department_id = cd.department_id
               and not exists (select 1 from campaign_population cp
                   where cp.campaign_id = cd.campaign_id and cp.person_id = x.person_id and cp.department_id = cd.department_id)) as joined,
            (select count(*) from campaign_population cp join at_end x on x.person_id = cp.person_id
               where cp.campaign_id = cd.campaign_id and cp.department_id = cd.department_id
                 and (x.department_id is null or x.department_id <> cd.department_id)) as departed,
            (select count(*) from campaign_population cp
               where cp.campaign_id = cd.campaign_id and cp.department_id = cd.department_id
                 and exists (select 1 from window_steps w where w.person_id = cp.person_id
                     and w.department_id = cd.department_id
                     and (w.n = 1 or w.was_in is null or w.was_in <> cd.department_id))) as added_before,
            (select count(distinct w.person_id) from window_steps w
               where w.was_in = cd.department_id and w.n > 1
                 and (w.department_id is null or w.department_id <> cd.department_id)
                 and not exists (select 1 from campaign_population cp
                     where cp.campaign_id = cd.campaign_id and cp.person_id = w.person_id and cp.department_id = cd.department_id)) as left_before,
            (select count(*) from campaign_population cp
               where cp.campaign_id = cd.campaign_id and cp.department_id = cd.department_id and cp.user_id is not null
                 and exists (select 1 from audit_log a where a.subject_kind = 'user' and a.subject_id = cp.user_id
                     and a.action in ('user.create', 'user.link') and a.at > $4 and a.at <= $5)) as accounts_before
        from campaign_departments cd join departments d on d.id = cd.department_id
        where cd.campaign_id = $1 order by d.name";
    type Row = (i64, String, i64, i64, i64, i64, i64);
    let rows: Vec<Row> = on_db!(db, |pool| sqlx::query_as(SQL)
        .bind(campaign)
        .bind(from)
        .bind(end)
        .bind(since)
        .bind(from.min(end))
        .fetch_all(pool)
        .await)?;
    Ok(rows
        .into_iter()
        .filter(|r| r.2 > 0 || r.3 > 0 || r.4 > 0 || r.5 > 0 || r.6 > 0)
        .map(
            |(
                department_id,
                department_name,
                joined,
                left,
                added_before,
                left_before,
                accounts_before,
            )| {
                PopulationChange {
                    department_id,
                    department_name,
                    joined,
                    left,
                    added_before,
                    left_before,
                    accounts_before,
                }
            },
        )
        .collect())
}
