//! Submitting answers: sealed boxes until the campaign closes, written without who or when.

use super::*;

/// Whether a submission creates the response or edits the one already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubmitMode {
    /// The first answer: refused if the person already answered.
    New,
    /// A change: refused if there is nothing to change.
    Edit,
}

/// A checked submission, ready to write: what `prepare_submission` found and computed.
#[derive(Debug, Clone)]
pub struct Prepared {
    campaign: i64,
    person: i64,
    department: i64,
    answered_in: Option<i64>,
    mode: SubmitMode,
    id: i64,
    key: String,
    answer_box: Vec<u8>,
    closes: NaiveDate,
}

impl Prepared {
    /// Whether this is a first answer (the kind `write_first_answers` takes in batches).
    pub fn is_new(&self) -> bool {
        self.mode == SubmitMode::New
    }
}

/// "Not sealed" as part of a write's own condition; on PostgreSQL it also locks the campaign
/// row, so a seal running at the same moment waits for this answer or refuses it.
pub(super) fn not_sealed(db: &Db) -> &'static str {
    match db.backend() {
        crate::Backend::Postgres => {
            "exists (select 1 from campaigns where id = $1 and sealed_at is null for update)"
        }
        crate::Backend::Sqlite => {
            "exists (select 1 from campaigns where id = $1 and sealed_at is null)"
        }
    }
}

pub(super) fn closed_error(closes: NaiveDate) -> StoreError {
    StoreError::Conflict(FieldError::new(
        "campaign",
        format!("this campaign closed on {closes}; answers can no longer be given or changed"),
    ))
}

/// What an answer box holds: the answers and the department they count for.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct BoxedAnswers {
    pub(super) department: i64,
    pub(super) ratings: String,
    pub(super) texts: String,
    /// The business department an IT respondent answered about (boxes sealed before it existed
    /// read as none).
    #[serde(default)]
    pub(super) about: Option<i64>,
}

/// A stored box that does not open is the server's fault (another key), never the user's.
pub(super) fn unreadable(e: impl std::fmt::Display) -> StoreError {
    StoreError::Db(sqlx::Error::Decode(
        format!("open survey answers: {e}").into(),
    ))
}

/// Encrypts a person's answers for `open_answers`, bound to the campaign and owner key.
pub(super) fn seal_box(
    secret: &[u8],
    campaign: i64,
    key: &str,
    department: i64,
    ratings: String,
    texts: String,
    about: Option<i64>,
) -> Result<Vec<u8>> {
    let plain = serde_json::to_vec(&BoxedAnswers {
        department,
        ratings,
        texts,
        about,
    })
    .map_err(|e| StoreError::Invalid(FieldError::new("answers", e.to_string())))?;
    campaigns::seal_answers(secret, campaign, key, &plain).map_err(StoreError::Invalid)
}

/// Decrypts a box of `open_answers`.
pub(super) fn open_box(
    secret: &[u8],
    campaign: i64,
    key: &str,
    boxed: &[u8],
) -> Result<BoxedAnswers> {
    let plain =
        campaigns::open_answers(secret, campaign, key, boxed).map_err(|e| unreadable(e.message))?;
    serde_json::from_slice(&plain).map_err(unreadable)
}

/// Stores a person's answers: `prepare_submission`, then `write_submission`. No account is
/// checked (seeding and tests); the web answers through `prepare_submission` with the account.
#[allow(clippy::too_many_arguments)]
pub async fn submit_response(
    db: &Db,
    campaign: i64,
    person: i64,
    secret: &[u8],
    answers: &Answers,
    mode: SubmitMode,
    today: NaiveDate,
) -> Result<()> {
    // Seeding and tests answer in a person's name without an account.
    let p = prepare_submission(db, campaign, person, None, secret, answers, mode, today).await?;
    write_submission(db, &p).await
}

/// Checks a submission with one read: refused unless the campaign is open on `today` (and not
/// sealed), the person is in its population (see `population_changes`) and still in the
/// department they were in when it was fixed, `user` (the answering account; none only for
/// seeding) is the account linked to them then, and (for `New`) they have not answered yet.
/// Nothing is written, except the population itself by the first answer of a campaign whose
/// invitations have not gone out yet; the writes re-check what could change in between.
#[allow(clippy::too_many_arguments)]
pub async fn prepare_submission(
    db: &Db,
    campaign: i64,
    person: i64,
    user: Option<i64>,
    secret: &[u8],
    answers: &Answers,
    mode: SubmitMode,
    today: NaiveDate,
) -> Result<Prepared> {
    let key = campaigns::owner_key(secret, campaign, person);
    let packed = answers.pack();
    let texts = to_json(&answers.texts)?;
    let id = campaigns::random_id().map_err(StoreError::Invalid)?;
    // The campaign; whether its population is fixed; the person's department and account in it;
    // whether their department now is an invited one (and which); where they answered; whether
    // the answering account holds a credential someone else put in place since it was fixed.
    const FACTS: &str = concat!("select c.opens_on, c.closes_on, c.sealed_at is not null, c.population_at is not null,
            (select cp.department_id from campaign_population cp where cp.campaign_id = c.id and cp.person_id = $2),
            (select cp.user_id from campaign_population cp where cp.campaign_id = c.id and cp.person_id = $2),
            (select pe.department_id from people pe join campaign_departments cd on cd.department_id = pe.department_id
              where cd.campaign_id = c.id and pe.id = $2 and pe.archived_at is null),
            (select p.department_id from campaign_participation p where p.campaign_id = c.id and p.person_id = $2),
            (select i.key from instruments i where i.id = c.instrument_id),
            (select i.kind from instruments i where i.id = c.instrument_id), ",
        borrowed_sql!("$3"),
        " from campaigns c where c.id = $1");
    type Facts = (
        NaiveDate,
        NaiveDate,
        bool,
        bool,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        Option<i64>,
        String,
        String,
        bool,
    );
    let read = || async {
        let facts: Option<Facts> = on_db!(db, |pool| sqlx::query_as(FACTS)
            .bind(campaign)
            .bind(person)
            .bind(user)
            .fetch_optional(pool)
            .await)?;
        facts.ok_or(StoreError::NotFound("campaign"))
    };
    let mut facts = read().await?;
    if !facts.3 && !facts.2 && campaigns::phase(facts.0, facts.1, today) == CampaignPhase::Open {
        fix_population(db, campaign).await?;
        facts = read().await?;
    }
    let (
        opens,
        closes,
        sealed,
        _,
        at_opening,
        account,
        now_in,
        answered_in,
        key_of,
        kind,
        borrowed,
    ) = facts;
    let closed = || {
        StoreError::Conflict(FieldError::new(
            "campaign",
            format!("this campaign closed on {closes}; answers can no longer be given or changed"),
        ))
    };
    match campaigns::phase(opens, closes, today) {
        CampaignPhase::Open if !sealed => {}
        CampaignPhase::Upcoming => {
            return Err(StoreError::Conflict(FieldError::new(
                "campaign",
                format!("this campaign opens on {opens}; answers are not taken yet"),
            )));
        }
        _ => return Err(closed()),
    }
    let Some(dept) = at_opening else {
        return Err(match now_in {
            Some(_) => StoreError::Conflict(FieldError::new(
                "campaign",
                "you joined this department after the survey opened, so you cannot answer it; this keeps anyone from adding people to reach the minimum group size",
            )),
            None => StoreError::Invalid(FieldError::new(
                "campaign",
                "your department is not invited to this campaign",
            )),
        });
    };
    if now_in != Some(dept) {
        return Err(StoreError::Conflict(FieldError::new(
            "campaign",
            "you changed department after the survey opened, so you cannot answer it; this keeps anyone from moving people to reach the minimum group size",
        )));
    }
    if user.is_some() && user != account {
        return Err(StoreError::Conflict(FieldError::new(
            "campaign",
            "this account was created or linked to you after the survey opened, so it cannot answer it; this keeps anyone from answering in someone else's name",
        )));
    }
    if borrowed {
        return Err(StoreError::Conflict(FieldError::new(
            "campaign",
            BORROWED_CREDENTIALS,
        )));
    }
    match (mode, answered_in) {
        (SubmitMode::New, Some(_)) => {
            return Err(StoreError::Conflict(FieldError::new(
                "campaign",
                "you have already answered this campaign; change your answers instead",
            )));
        }
        (SubmitMode::Edit, None) => return Err(StoreError::NotFound("response")),
        _ => {}
    }
    let kind = InstrumentKind::try_from(kind).map_err(StoreError::Invalid)?;
    check_about(db, campaign, dept, answers.about, about_rule(&key_of, kind)).await?;
    Ok(Prepared {
        campaign,
        person,
        department: dept,
        answered_in,
        mode,
        id,
        answer_box: seal_box(secret, campaign, &key, dept, packed, texts, answers.about)?,
        key,
        closes,
    })
}

/// Writes one checked submission. A plain change is one guarded statement replacing the box
/// (atomic on its own, so no explicit transaction); a first answer or a change of department is
/// one transaction.
pub async fn write_submission(db: &Db, p: &Prepared) -> Result<()> {
    let edit_sql = format!(
        "update open_answers set answer_box = $2
         where campaign_id = $1 and owner_key = $3 and {}",
        not_sealed(db)
    );
    if p.mode == SubmitMode::Edit && p.answered_in == Some(p.department) {
        let changed = {
            let _turn = db.write_turn().await;
            on_db!(db, |pool| sqlx::query(sqlx::AssertSqlSafe(
                edit_sql.as_str()
            ))
            .bind(p.campaign)
            .bind(&p.answer_box)
            .bind(&p.key)
            .execute(pool)
            .await?
            .rows_affected())
        };
        return if changed == 0 {
            Err(closed_error(p.closes))
        } else {
            Ok(())
        };
    }
    if p.mode == SubmitMode::New {
        return write_first_answers(db, std::slice::from_ref(p))
            .await?
            .into_iter()
            .next()
            .unwrap_or(Ok(()));
    }
    let mut tx = db.begin_write().await?;
    let changed = on_db!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(edit_sql.as_str()))
        .bind(p.campaign)
        .bind(&p.answer_box)
        .bind(&p.key)
        .execute(c)
        .await
        .map(|r| r.rows_affected()))?;
    if changed == 0 {
        return Err(closed_error(p.closes));
    }
    on_db!(tx, |c| {
        sqlx::query("update campaign_participation set department_id = $1 where campaign_id = $2 and person_id = $3")
        .bind(p.department).bind(p.campaign).bind(p.person).execute(c).await.map(|r| r.rows_affected())
    })?;
    tx.commit().await?;
    Ok(())
}

/// Writes many first answers in one transaction (group commit: with many people answering at
/// once, SQLite's single write lock is taken once per batch rather than once per person). Each
/// answer succeeds or fails on its own — a double answer or a just-sealed campaign refuses that
/// one and writes nothing of it; a database error fails the whole batch. The participation row
/// and the encrypted box share the commit: without the key the box cannot be read, so the
/// pairing tells nothing (see migration 0015).
pub async fn write_first_answers(db: &Db, batch: &[Prepared]) -> Result<Vec<Result<()>>> {
    let join_sql = format!(
        "insert into campaign_participation (campaign_id, person_id, department_id)
         select cast($1 as bigint), cast($2 as bigint), cast($3 as bigint) where {} on conflict do nothing",
        not_sealed(db)
    );
    let mut tx = db.begin_write().await?;
    let out = {
        let mut out = Vec::with_capacity(batch.len());
        for p in batch {
            let joined = on_db!(tx, |c| sqlx::query(sqlx::AssertSqlSafe(join_sql.as_str()))
                .bind(p.campaign)
                .bind(p.person)
                .bind(p.department)
                .execute(c)
                .await
                .map(|r| r.rows_affected()))?;
            if joined == 0 {
                out.push(Err(StoreError::Conflict(FieldError::new(
                    "campaign",
                    "this campaign has just closed, or you have already answered it",
                ))));
                continue;
            }
            on_db!(tx, |c| {
                sqlx::query("insert into open_answers (id, campaign_id, owner_key, answer_box) values ($1, $2, $3, $4)")
                .bind(p.id).bind(p.campaign).bind(&p.key).bind(&p.answer_box).execute(c).await.map(|r| r.rows_affected())
            })?;
            out.push(Ok(()));
        }
        out
    };
    tx.commit().await?;
    Ok(out)
}

/// Refuses a named department that the campaign's rule does not take (see
/// `instruments::about_rule`): only an IT respondent names one, only a business department
/// invited to the campaign, and the mirror survey requires it of IT respondents.
async fn check_about(
    db: &Db,
    campaign: i64,
    dept: i64,
    about: Option<i64>,
    rule: AboutRule,
) -> Result<()> {
    if rule == AboutRule::Never {
        return match about {
            None => Ok(()),
            Some(_) => Err(StoreError::Invalid(FieldError::new(
                "about",
                "this survey is not about a department pair, so it takes no department to answer about",
            ))),
        };
    }
    let (respondent_in_it, about_ok): (bool, bool) = on_db!(db, |pool| {
        sqlx::query_as(
        "select exists (select 1 from departments where id = $1 and kind = 'it'),
                exists (select 1 from campaign_departments cd join departments d on d.id = cd.department_id
                        where cd.campaign_id = $2 and d.id = $3 and d.kind = 'business')"
    )
    .bind(dept)
    .bind(campaign)
    .bind(about.unwrap_or(-1))
    .fetch_one(pool)
    .await
    })?;
    let invalid = |m: &str| Err(StoreError::Invalid(FieldError::new("about", m)));
    match (respondent_in_it, about) {
        (false, Some(_)) => invalid(
            "only IT respondents name the department they answer about; yours answers about IT",
        ),
        (true, Some(_)) if !about_ok => {
            invalid("choose one of the business departments invited to this survey")
        }
        (true, None) if rule == AboutRule::Required => invalid(
            "choose the business department you answer about: this survey compares both sides of one pair",
        ),
        _ => Ok(()),
    }
}
