//! Sealing a closed campaign's answers, and reading them back (one's own, or all for results).

use super::*;

/// Seals a closed campaign (closing day before `today`): its encrypted boxes (and any plaintext
/// answer left from before boxes existed) are opened with `secret`, deleted, and the answers are
/// written into `survey_responses` in one transaction, in the order of fresh random ids, each
/// with a random owner key. After that no id, row order, transaction id (on PostgreSQL every
/// sealed row has the seal's one xmin, and their physical order is the random-id order) or key
/// links an answer to its author, and nobody can change them. Then, outside the transaction,
/// SQLite's write-ahead log is checkpointed and truncated (secure_delete has zeroed the deleted
/// boxes and owner keys in the pages) and PostgreSQL's two tables are vacuumed, so no pre-seal
/// copy stays behind in the files; both are best effort (a warning on failure).
///
/// A box that does not open (another secret) refuses the whole seal: nothing is lost, and the
/// campaign stays unsealed until the right key is configured. Returns whether this call sealed
/// it (false: already sealed, or not closed yet). Safe from several replicas at once.
pub async fn seal(db: &Db, campaign: i64, secret: &[u8], today: NaiveDate) -> Result<bool> {
    let now = Utc::now();
    let mut tx = db.begin_write().await?;
    let sealed: bool = {
        let claimed = on_db!(tx, |c| {
            sqlx::query("update campaigns set sealed_at = $1 where id = $2 and sealed_at is null and closes_on < $3")
            .bind(now).bind(campaign).bind(today).execute(c).await.map(|r| r.rows_affected())
        })?;
        if claimed == 0 {
            false
        } else {
            let mut rows: Vec<(i64, String, String, Option<i64>)> = on_db!(tx, |c| {
                sqlx::query_as(
                "select department_id, ratings, texts, about_department_id from survey_responses where campaign_id = $1"
            )
            .bind(campaign)
            .fetch_all(c)
            .await
            })?;
            let boxes: Vec<(String, Vec<u8>)> = on_db!(tx, |c| sqlx::query_as(
                "select owner_key, answer_box from open_answers where campaign_id = $1"
            )
            .bind(campaign)
            .fetch_all(c)
            .await)?;
            for (key, boxed) in &boxes {
                let a = open_box(secret, campaign, key, boxed)?;
                rows.push((a.department, a.ratings, a.texts, a.about));
            }
            on_db!(tx, |c| sqlx::query(
                "delete from survey_responses where campaign_id = $1"
            )
            .bind(campaign)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            on_db!(tx, |c| sqlx::query(
                "delete from open_answers where campaign_id = $1"
            )
            .bind(campaign)
            .execute(c)
            .await
            .map(|r| r.rows_affected()))?;
            let mut fresh = Vec::with_capacity(rows.len());
            for (dept, ratings, texts, about) in rows {
                let id = campaigns::random_id().map_err(StoreError::Invalid)?;
                let key = campaigns::random_secret().map_err(StoreError::Invalid)?;
                fresh.push((id, key, dept, ratings, texts, about));
            }
            // Written in random-id order, so neither the file order nor PostgreSQL's ctid follows
            // the order in which the boxes (or people) came.
            fresh.sort_by_key(|r| r.0);
            for chunk in fresh.chunks(500) {
                let done = on_db!(tx, |c| {
                    let mut q = sqlx::QueryBuilder::new(
                        "insert into survey_responses (id, campaign_id, owner_key, department_id, ratings, texts, about_department_id) ",
                    );
                    q.push_values(chunk, |mut b, (id, key, dept, ratings, texts, about)| {
                        b.push_bind(*id)
                            .push_bind(campaign)
                            .push_bind(key.as_str())
                            .push_bind(*dept)
                            .push_bind(ratings.as_str())
                            .push_bind(texts.as_str())
                            .push_bind(*about);
                    });
                    q.build().execute(c).await.map(|r| r.rows_affected())
                });
                done?;
            }
            true
        }
    };
    tx.commit().await?;
    if sealed {
        scrub_files(db).await;
    }
    Ok(sealed)
}

/// Removes pre-seal copies from the database files after deletions: on SQLite (where
/// `secure_delete` has already zeroed the deleted rows in their pages) a truncating checkpoint
/// writes the pages back and empties the write-ahead log, which still held the older page
/// images; on PostgreSQL a VACUUM of the answer tables reclaims the dead tuples. Best effort:
/// a failure (a long reader holding the log, say) is logged, and the next seal tries again.
pub(super) async fn scrub_files(db: &Db) {
    match db {
        Db::Sqlite(pool) => {
            let _turn = crate::db::SQLITE_WRITER.lock().await;
            let done: std::result::Result<(i64, i64, i64), sqlx::Error> =
                sqlx::query_as("pragma wal_checkpoint(truncate)")
                    .fetch_one(pool)
                    .await;
            match done {
                Ok((0, _, _)) => {}
                Ok(_) => tracing::warn!(
                    "sealed survey answers: the write-ahead log could not be truncated now (a reader is active); the old pages stay in it until the next checkpoint"
                ),
                Err(e) => {
                    tracing::warn!(error = %e, "sealed survey answers: write-ahead log checkpoint failed")
                }
            }
        }
        Db::Postgres(pool) => {
            if let Err(e) = sqlx::raw_sql("vacuum survey_responses, open_answers")
                .execute(pool)
                .await
            {
                tracing::warn!(error = %e, "sealed survey answers: vacuum failed");
            }
        }
    }
}

/// Seals every campaign that has closed (housekeeping) with the anonymity `secret`; returns how
/// many were sealed.
pub async fn seal_closed(db: &Db, secret: &[u8], today: NaiveDate) -> Result<u64> {
    let due: Vec<(i64,)> = on_db!(db, |pool| sqlx::query_as(
        "select id from campaigns where sealed_at is null and closes_on < $1"
    )
    .bind(today)
    .fetch_all(pool)
    .await)?;
    let mut n = 0;
    for (id,) in due {
        if seal(db, id, secret, today).await? {
            n += 1;
        }
    }
    Ok(n)
}

/// Moves plaintext answers of unsealed campaigns — written before open answers were encrypted —
/// into `open_answers` boxes under `secret`, keeping each owner key (so authors still find and
/// edit them), in one transaction; then scrubs the files like a seal. Run at start with the
/// secret the server uses; afterwards every open answer takes the one encrypted path. Returns
/// how many answers were moved.
pub async fn encrypt_legacy_open_answers(db: &Db, secret: &[u8]) -> Result<u64> {
    type Legacy = (i64, String, i64, String, String, Option<i64>);
    let found: Option<(i64,)> = on_db!(db, |pool| {
        sqlx::query_as(
        "select r.id from survey_responses r join campaigns c on c.id = r.campaign_id where c.sealed_at is null limit 1")
        .fetch_optional(pool).await
    })?;
    if found.is_none() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let moved: u64 = {
        let rows: Vec<Legacy> = on_db!(tx, |c| {
            sqlx::query_as(
            "select r.campaign_id, r.owner_key, r.department_id, r.ratings, r.texts, r.about_department_id
             from survey_responses r join campaigns c on c.id = r.campaign_id where c.sealed_at is null")
            .fetch_all(c).await
        })?;
        let mut boxes = Vec::with_capacity(rows.len());
        for (campaign, key, dept, ratings, texts, about) in rows {
            let boxed = seal_box(secret, campaign, &key, dept, ratings, texts, about)?;
            boxes.push((
                campaigns::random_id().map_err(StoreError::Invalid)?,
                campaign,
                key,
                boxed,
            ));
        }
        on_db!(tx, |c| {
            sqlx::query("delete from survey_responses where campaign_id in (select id from campaigns where sealed_at is null)")
            .execute(c).await.map(|r| r.rows_affected())
        })?;
        for (id, campaign, key, boxed) in &boxes {
            on_db!(tx, |c| {
                sqlx::query("insert into open_answers (id, campaign_id, owner_key, answer_box) values ($1, $2, $3, $4)")
                .bind(id).bind(campaign).bind(key).bind(boxed).execute(c).await.map(|r| r.rows_affected())
            })?;
        }
        boxes.len() as u64
    };
    tx.commit().await?;
    scrub_files(db).await;
    Ok(moved)
}

/// Rewrites the answer tables once per database, so that what seals made before secure_delete
/// and the answer boxes existed left in free space (plaintext answers beside their old owner
/// keys) is gone from the files: SQLite's whole file is rebuilt (`VACUUM`, then the log is
/// truncated); on PostgreSQL `VACUUM FULL` writes the two answer tables into new files (it locks
/// them meanwhile: done at start). A database that had no answer when migration 0015 ran is
/// marked done there. Returns whether it ran now. Best effort across replicas: two starting
/// together may both run it, which is harmless.
pub async fn scrub_answer_files_once(db: &Db) -> Result<bool> {
    const NAME: &str = "answer-files-scrubbed-v1";
    let done: Option<(String,)> = on_db!(db, |pool| sqlx::query_as(
        "select name from maintenance_done where name = $1"
    )
    .bind(NAME)
    .fetch_optional(pool)
    .await)?;
    if done.is_some() {
        return Ok(false);
    }
    match db {
        Db::Sqlite(pool) => {
            let _turn = crate::db::SQLITE_WRITER.lock().await;
            sqlx::raw_sql("vacuum").execute(pool).await?;
        }
        Db::Postgres(pool) => {
            sqlx::raw_sql("vacuum full survey_responses, open_answers")
                .execute(pool)
                .await?;
        }
    }
    scrub_files(db).await;
    {
        let _turn = db.write_turn().await;
        on_db!(db, |pool| sqlx::query(
            "insert into maintenance_done (name) values ($1) on conflict (name) do nothing"
        )
        .bind(NAME)
        .execute(pool)
        .await
        .map(|r| r.rows_affected()))
    }?;
    Ok(true)
}

/// The person's own answers (found through their owner key and decrypted), to prefill the form.
pub async fn own_response(
    db: &Db,
    campaign: i64,
    person: i64,
    secret: &[u8],
    def: &Definition,
) -> Result<Option<Answers>> {
    let key = campaigns::owner_key(secret, campaign, person);
    let row: Option<(Vec<u8>,)> = on_db!(db, |pool| sqlx::query_as(
        "select answer_box from open_answers where owner_key = $1 and campaign_id = $2"
    )
    .bind(&key)
    .bind(campaign)
    .fetch_optional(pool)
    .await)?;
    let Some((boxed,)) = row else {
        return Ok(None);
    };
    let a = open_box(secret, campaign, &key, &boxed)?;
    let ratings = instruments::unpack(def, &a.ratings).map_err(StoreError::Invalid)?;
    let texts: BTreeMap<String, String> = serde_json::from_str(&a.texts).unwrap_or_default();
    Ok(Some(Answers {
        ratings,
        texts,
        about: a.about,
    }))
}

/// Every response of a campaign, for the results (which decide what may be shown). Only sealed
/// campaigns have any: an open campaign's answers are encrypted boxes until the seal.
pub async fn responses(db: &Db, campaign: i64, def: &Definition) -> Result<Vec<Response>> {
    let rows: Vec<(i64, String, String, Option<i64>)> = on_db!(db, |pool| {
        sqlx::query_as(
        "select department_id, ratings, texts, about_department_id from survey_responses where campaign_id = $1"
    )
    .bind(campaign)
    .fetch_all(pool)
    .await
    })?;
    rows.into_iter()
        .map(|(department, ratings, texts, about)| {
            Ok(Response {
                department,
                about,
                ratings: instruments::unpack(def, &ratings).map_err(StoreError::Invalid)?,
                texts: serde_json::from_str(&texts).unwrap_or_default(),
            })
        })
        .collect()
}
