//! Home ("what needs you"): the short lists each person's home page is made of, read across the
//! areas, and when each account last looked.
//!
//! Every list here is exactly what its count says: the home page shows the first rows and the
//! total of the same query, so a count never disagrees with the list behind it.

use crate::Result;
use chrono::{DateTime, NaiveDate, Utc};

/// How many rows of each list the home page shows. Each list is one statement: its rows carry
/// the total of the same query (`count(*) over ()`, computed before the limit), so the home
/// page costs one round trip per list and the count cannot disagree with the list.
pub const SHOWN: i64 = 8;

/// A request on someone's home page.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct RequestLine {
    /// Id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Department it is for.
    pub department_name: String,
    /// Wire name of its status.
    pub status: String,
    /// Wire name of its urgency.
    pub urgency: String,
    /// Last change.
    pub updated_at: DateTime<Utc>,
    /// When the requester confirmed the need (if they did).
    pub need_confirmed_at: Option<DateTime<Utc>>,
    /// Rows of the whole list (the same on every row).
    #[serde(skip)]
    pub total: i64,
}

/// A list and the number of rows it has in all.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Counted<T> {
    /// The first [`SHOWN`] rows.
    pub items: Vec<T>,
    /// Rows in all.
    pub total: i64,
}

/// A row that carries its list's total.
trait WithTotal {
    fn total(&self) -> i64;
}

impl WithTotal for RequestLine {
    fn total(&self) -> i64 {
        self.total
    }
}

impl WithTotal for PromiseLine {
    fn total(&self) -> i64 {
        self.total
    }
}

fn counted<T: WithTotal>(items: Vec<T>) -> Counted<T> {
    let total = items.first().map_or(0, WithTotal::total);
    Counted { items, total }
}

/// The select of a home list of requests, with `total` counted by its own statement: a window
/// `count(*) over ()` joined and sorted every matching row before keeping six (66 ms for a
/// requester of 15,000 requests in the soak); an uncorrelated count is read once, from an index.
fn request_lines(total: &str) -> String {
    format!(
        "select r.id, r.title, d.name as department_name, r.status, r.urgency, r.updated_at, r.need_confirmed_at,
            ({total}) as total
         from requests r join departments d on d.id = r.department_id "
    )
}

/// The requests a requester still has moving.
const OPEN: &str =
    "('submitted', 'understanding', 'need_confirmed', 'accepted', 'deferred', 'in_delivery')";

/// Requests in one status (IT's queues: `submitted` waits for understanding, `need_confirmed`
/// for a decision), in the service queue's order: urgency, then first in first out.
pub async fn requests_in_status(db: &Db, status: &str) -> Result<Counted<RequestLine>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} where r.status = $1
         order by case r.urgency when 'critical' then 0 when 'high' then 1 when 'normal' then 2 else 3 end, r.id
         limit $2",
        request_lines("select count(*) from requests x where x.status = $1")
    ));
    let items = on_db!(db, |pool| sqlx::query_as::<_, RequestLine>(sql)
        .bind(status)
        .bind(SHOWN)
        .fetch_all(pool)
        .await)?;
    Ok(counted(items))
}

/// Someone's own requests in one status (`understanding`: IT restated the need and waits for
/// them to confirm it), oldest first.
pub async fn own_requests_in_status(
    db: &Db,
    requester: i64,
    status: &str,
) -> Result<Counted<RequestLine>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} where r.requester_id = $1 and r.status = $2 order by r.id limit $3",
        request_lines(
            "select count(*) from requests x where x.requester_id = $1 and x.status = $2"
        )
    ));
    let items = on_db!(db, |pool| sqlx::query_as::<_, RequestLine>(sql)
        .bind(requester)
        .bind(status)
        .bind(SHOWN)
        .fetch_all(pool)
        .await)?;
    Ok(counted(items))
}

/// Someone's own requests that are still moving (not declined, delivered or closed), the most
/// recently changed first.
pub async fn own_open_requests(db: &Db, requester: i64) -> Result<Counted<RequestLine>> {
    let sql = sqlx::AssertSqlSafe(format!(
        "{} where r.requester_id = $1 and r.status in {OPEN} order by r.updated_at desc, r.id desc limit $2",
        request_lines(&format!(
            "select count(*) from requests x where x.requester_id = $1 and x.status in {OPEN}"
        ))
    ));
    let items = on_db!(db, |pool| sqlx::query_as::<_, RequestLine>(sql)
        .bind(requester)
        .bind(SHOWN)
        .fetch_all(pool)
        .await)?;
    Ok(counted(items))
}

/// A portfolio item a champion has a business case for, with its latest sign-off (if any).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SignoffLine {
    /// Request id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Current IT cost of the case (minor units).
    pub case_cost: i64,
    /// IT cost the champion last signed (minor units).
    pub signed_cost: Option<i64>,
    /// Tolerance of that sign-off, in percent.
    pub tolerance_pct: Option<f64>,
}

/// The open portfolio items a champion has a business case for (the caller keeps those whose
/// sign-off is missing or lapsed, with `duet_core::requests::signoff_holds`).
pub async fn champion_cases(db: &Db, champion: i64) -> Result<Vec<SignoffLine>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, SignoffLine>(
        "select r.id, r.title, c.it_cost as case_cost, s.it_cost as signed_cost, s.tolerance_pct
         from requests r
         join business_cases c on c.request_id = r.id
         left join signoffs s on s.id = (select max(id) from signoffs where request_id = r.id)
         where r.champion_id = $1 and r.status in ('submitted', 'understanding', 'need_confirmed', 'accepted', 'deferred', 'in_delivery')
         order by r.id",
    ).bind(champion).fetch_all(pool).await
    })?)
}

/// An open promise on someone's home page.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct PromiseLine {
    /// Id.
    pub id: i64,
    /// What was promised.
    pub text: String,
    /// Due.
    pub due_on: NaiveDate,
    /// Department that promised.
    pub from_name: String,
    /// Department it was promised to.
    pub to_name: String,
    /// Rows of the whole list (the same on every row).
    #[serde(skip)]
    pub total: i64,
}

/// Which open promises a list holds.
#[derive(Debug, Clone, Copy)]
pub enum PromiseScope {
    /// Made by any IT department, due on or before the day; but not by `except` (the reader,
    /// whose own promises have a list of their own).
    ByIt {
        /// A person whose promises are left out.
        except: Option<i64>,
    },
    /// Made by this person, due on or before the day.
    ByPerson(i64),
    /// Made to this department, due on or before the day (theirs to judge kept or broken).
    ToDepartment(i64),
}

/// Open promises in `scope` due on or before `until`, soonest first.
pub async fn open_promises(
    db: &Db,
    scope: PromiseScope,
    until: NaiveDate,
) -> Result<Counted<PromiseLine>> {
    let (cond, id) = match scope {
        // No person has id 0, so `except: None` leaves nobody out.
        PromiseScope::ByIt { except } => (
            "f.kind = 'it' and p.promisor_person_id <> $1",
            except.unwrap_or(0),
        ),
        PromiseScope::ByPerson(p) => ("p.promisor_person_id = $1", p),
        PromiseScope::ToDepartment(d) => ("p.promisee_department_id = $1", d),
    };
    let from = "from promises p join departments f on f.id = p.promisor_department_id
         join departments t on t.id = p.promisee_department_id";
    let list = sqlx::AssertSqlSafe(format!(
        "select p.id, p.text, p.due_on, f.name as from_name, t.name as to_name, count(*) over () as total {from}
         where p.status = 'open' and p.due_on <= $2 and {cond} order by p.due_on, p.id limit $3"
    ));
    let items = on_db!(db, |pool| sqlx::query_as::<_, PromiseLine>(list)
        .bind(id)
        .bind(until)
        .bind(SHOWN)
        .fetch_all(pool)
        .await)?;
    Ok(counted(items))
}

/// A planned review on someone's home page.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct ReviewLine {
    /// Id.
    pub id: i64,
    /// Business department.
    pub department_id: i64,
    /// Its name.
    pub department_name: String,
    /// Start.
    pub scheduled_at: DateTime<Utc>,
}

/// Planned reviews starting between `from` and `to`, soonest first; one department's or all.
pub async fn planned_reviews(
    db: &Db,
    department: Option<i64>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Result<Vec<ReviewLine>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, ReviewLine>(
        "select r.id, r.department_id, d.name as department_name, r.scheduled_at from reviews r join departments d on d.id = r.department_id
         where r.status = 'planned' and r.scheduled_at >= $1 and r.scheduled_at < $2 and ($3 is null or r.department_id = $3)
         order by r.scheduled_at limit $4",
    ).bind(from).bind(to).bind(department).bind(SHOWN).fetch_all(pool).await
    })?)
}

/// An open survey someone is invited to and has not answered.
#[derive(Debug, Clone, sqlx::FromRow, serde::Serialize, utoipa::ToSchema)]
pub struct SurveyLine {
    /// Campaign id.
    pub id: i64,
    /// Title.
    pub title: String,
    /// Last day to answer.
    pub closes_on: NaiveDate,
}

/// Campaigns open on `today` that invite `department` and that `person` has not answered — and,
/// once a campaign's population is fixed, only if they are in it, from `department`, through
/// account `user` (issue 10: an account made later in someone's name learns nothing of whether
/// they answered).
pub async fn surveys_to_answer(
    db: &Db,
    person: i64,
    department: i64,
    today: NaiveDate,
    user: i64,
) -> Result<Vec<SurveyLine>> {
    Ok(on_db!(db, |pool| {
        sqlx::query_as::<_, SurveyLine>(
        "select c.id, c.title, c.closes_on from campaigns c
         join campaign_departments cd on cd.campaign_id = c.id and cd.department_id = $2
         where c.opens_on <= $3 and c.closes_on >= $3
           and not exists (select 1 from campaign_participation p where p.campaign_id = c.id and p.person_id = $1)
           and (c.population_at is null or exists (select 1 from campaign_population cp
               where cp.campaign_id = c.id and cp.person_id = $1 and cp.department_id = $2 and cp.user_id = $4))
         order by c.closes_on, c.id",
    ).bind(person).bind(department).bind(today).bind(user).fetch_all(pool).await
    })?)
}

/// Records that `user` looked at their home page now and returns when they looked before.
/// Written at most once a minute, so a reload is still a read.
pub async fn touch_home(db: &Db, user: i64, now: DateTime<Utc>) -> Result<Option<DateTime<Utc>>> {
    let (before,): (Option<DateTime<Utc>>,) = on_db!(db, |pool| sqlx::query_as(
        "select home_seen_at from users where id = $1"
    )
    .bind(user)
    .fetch_one(pool)
    .await)?;
    if before.is_none_or(|t| now - t > chrono::Duration::minutes(1)) {
        {
            let _turn = db.touch_turn().await;
            on_db!(db, |pool| sqlx::query(
                "update users set home_seen_at = $1 where id = $2"
            )
            .bind(now)
            .bind(user)
            .execute(pool)
            .await
            .map(|_| ()))
        }?;
    }
    Ok(before)
}

/// Tells the promisee department's leader, once per promise, that an open promise made to them
/// is due and theirs to judge (kept or broken). Claimed with a conditional update, so replicas
/// running this at once never notify twice. Returns how many promises were announced.
pub async fn send_judge_notices(db: &Db, today: NaiveDate) -> Result<u64> {
    let due: Vec<(i64, String, NaiveDate, String, i64)> = on_db!(db, |pool| sqlx::query_as(
        "select p.id, p.text, p.due_on, f.name, t.id from promises p
         join departments f on f.id = p.promisor_department_id
         join departments t on t.id = p.promisee_department_id
         where p.status = 'open' and p.judge_notified_at is null and p.due_on <= $1",
    )
    .bind(today)
    .fetch_all(pool)
    .await)?;
    let mut sent = 0;
    for (id, text, due_on, from, to) in due {
        let now = Utc::now();
        let mut tx = db.begin_write().await?;
        let claimed = {
            let n = on_db!(tx, |c| {
                sqlx::query("update promises set judge_notified_at = $1 where id = $2 and judge_notified_at is null")
                .bind(now).bind(id).execute(c).await.map(|r| r.rows_affected())
            })?;
            if n == 1 {
                on_db!(tx, |c| {
                    sqlx::query(
                    "insert into notifications (user_id, request_id, message, created_at, kind)
                     select u.id, null, $1, $2, 'promise' from departments d join users u on u.person_id = d.leader_id
                     where d.id = $3 and u.disabled_at is null",
                )
                .bind(format!("{from}'s promise (“{text}”) was due on {due_on}: say whether it was kept or broken: /promises/{id}"))
                .bind(now).bind(to).execute(c).await.map(|r| r.rows_affected())
                })?;
            }
            n == 1
        };
        tx.commit().await?;
        if claimed {
            sent += 1;
        }
    }
    Ok(sent)
}

use crate::Db;
