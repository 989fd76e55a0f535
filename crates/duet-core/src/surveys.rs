//! Survey campaigns: when an instrument is asked, of whom, and the keyed link that lets a
//! respondent edit their own answers without anyone else being able to find them.

use crate::listen::anonymity;
use crate::requests::parse_date;
use crate::{FieldError, ValidationErrors};
use chrono::NaiveDate;
use sha2::{Digest, Sha256};

wire_enum!(
    /// Where a campaign stands on a given day.
    CampaignPhase, "phase" {
        Upcoming = "upcoming" / "Not open yet",
        Open = "open" / "Open",
        Closed = "closed" / "Closed",
    }
);

/// The phase of a campaign open from `opens_on` to `closes_on` inclusive, on `today`.
pub fn phase(opens_on: NaiveDate, closes_on: NaiveDate, today: NaiveDate) -> CampaignPhase {
    if today < opens_on {
        CampaignPhase::Upcoming
    } else if today <= closes_on {
        CampaignPhase::Open
    } else {
        CampaignPhase::Closed
    }
}

/// A new campaign as entered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CampaignInput {
    /// The instrument asked.
    pub instrument: i64,
    /// What people see ("DUET pulse, spring 2027").
    pub title: String,
    /// First day answers are taken.
    pub opens_on: NaiveDate,
    /// Last day answers are taken (and edited); results appear the day after.
    pub closes_on: NaiveDate,
    /// The day the one reminder goes to those who have not answered.
    pub remind_on: NaiveDate,
    /// The departments whose people are invited.
    pub departments: Vec<i64>,
    /// The anonymity threshold k: no slice with fewer respondents is shown.
    pub min_group: u32,
}

impl CampaignInput {
    /// Validates every field: dates in order and not in the past, at least one department,
    /// k at least 3. The reminder defaults to three days before closing.
    #[allow(clippy::too_many_arguments)]
    pub fn parse(
        instrument: Option<i64>,
        title: &str,
        opens_on: &str,
        closes_on: &str,
        remind_on: &str,
        departments: &[i64],
        min_group: &str,
        today: NaiveDate,
    ) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let instrument = instrument.filter(|i| *i > 0);
        if instrument.is_none() {
            errs.0.push(FieldError::new(
                "instrument_id",
                "is required: which instrument to ask",
            ));
        }
        let title = errs.check(crate::error::bounded_text("title", title, 3, 140));
        let mut date = |field: &str, raw: &str, required: bool| match parse_date(field, raw) {
            Ok(Some(d)) => Some(d),
            Ok(None) if required => {
                errs.0.push(FieldError::new(field, "is required"));
                None
            }
            Ok(None) => None,
            Err(e) => {
                errs.0.push(e);
                None
            }
        };
        let opens = date("opens_on", opens_on, true);
        let closes = date("closes_on", closes_on, true);
        let remind = date("remind_on", remind_on, false);
        if let Some(o) = opens
            && o < today
        {
            errs.0
                .push(FieldError::new("opens_on", "must not be in the past"));
        }
        if let (Some(o), Some(c)) = (opens, closes)
            && c < o
        {
            errs.0.push(FieldError::new(
                "closes_on",
                "must be on or after the opening day",
            ));
        }
        let remind = match (remind, opens, closes) {
            (Some(r), Some(o), Some(c)) if r < o || r > c => {
                errs.0.push(FieldError::new(
                    "remind_on",
                    "must fall between the opening and closing days",
                ));
                None
            }
            (Some(r), _, _) => Some(r),
            (None, Some(o), Some(c)) => Some((c - chrono::Duration::days(3)).max(o)),
            _ => None,
        };
        let mut depts: Vec<i64> = departments.iter().copied().filter(|d| *d > 0).collect();
        depts.sort_unstable();
        depts.dedup();
        if depts.is_empty() {
            errs.0.push(FieldError::new(
                "departments",
                "choose at least one department to invite",
            ));
        }
        let k = errs.check(anonymity::parse_k(min_group));
        match (instrument, title, opens, closes, remind, k) {
            (
                Some(instrument),
                Some(title),
                Some(opens_on),
                Some(closes_on),
                Some(remind_on),
                Some(min_group),
            ) if errs.0.is_empty() => Ok(Self {
                instrument,
                title,
                opens_on,
                closes_on,
                remind_on,
                departments: depts,
                min_group,
            }),
            _ => Err(errs),
        }
    }
}

/// HMAC-SHA256 (RFC 2104), used to derive the respondent's key for a campaign.
pub fn hmac_sha256(key: &[u8], message: &[u8]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    inner.update(message);
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

/// The key under which a person's answers to a campaign are stored. Without the server secret
/// nobody can tell whose answers a row holds; with it, the server finds the author's own row so
/// they can edit it while the campaign is open.
pub fn owner_key(secret: &[u8], campaign: i64, person: i64) -> String {
    let mac = hmac_sha256(
        secret,
        format!("duet-response:{campaign}:{person}").as_bytes(),
    );
    mac.iter().map(|b| format!("{b:02x}")).collect()
}

/// A random id for an anonymous row: its value and order say nothing about when it was written.
pub fn random_id() -> Result<i64, FieldError> {
    let mut b = [0u8; 8];
    getrandom::fill(&mut b)
        .map_err(|_| FieldError::new("id", "the system random generator failed"))?;
    // Positive and never zero, so it fits every integer primary key.
    Ok((i64::from_le_bytes(b) & i64::MAX).max(1))
}

/// A fresh 256-bit secret, hex-encoded, for the server's anonymity key.
pub fn random_secret() -> Result<String, FieldError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b)
        .map_err(|_| FieldError::new("secret", "the system random generator failed"))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn hmac_matches_rfc4231_case_2() {
        let mac = hmac_sha256(b"Jefe", b"what do ya want for nothing?");
        let hex: String = mac.iter().map(|b| format!("{b:02x}")).collect();
        assert_eq!(
            hex,
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn owner_keys_differ_by_campaign_person_and_secret() {
        let a = owner_key(b"s1", 1, 7);
        assert_eq!(a, owner_key(b"s1", 1, 7));
        assert_ne!(a, owner_key(b"s1", 2, 7));
        assert_ne!(a, owner_key(b"s1", 1, 8));
        assert_ne!(a, owner_key(b"s2", 1, 7));
    }

    #[test]
    fn campaign_input_rules() {
        let today = d("2027-03-01");
        let ok = CampaignInput::parse(
            Some(1),
            "Spring pulse",
            "2027-03-02",
            "2027-03-20",
            "",
            &[3, 2, 3],
            "",
            today,
        )
        .unwrap();
        assert_eq!(ok.departments, vec![2, 3]);
        assert_eq!(ok.min_group, anonymity::DEFAULT_K);
        assert_eq!(ok.remind_on, d("2027-03-17"));
        let e = CampaignInput::parse(
            None,
            "x",
            "2027-02-01",
            "2027-01-01",
            "2027-05-01",
            &[],
            "2",
            today,
        )
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|f| f.field.as_str()).collect();
        for f in [
            "instrument_id",
            "title",
            "opens_on",
            "closes_on",
            "departments",
            "min_group",
        ] {
            assert!(fields.contains(&f), "{f} missing in {fields:?}");
        }
    }

    #[test]
    fn phases() {
        let (o, c) = (d("2027-03-02"), d("2027-03-20"));
        assert_eq!(phase(o, c, d("2027-03-01")), CampaignPhase::Upcoming);
        assert_eq!(phase(o, c, d("2027-03-20")), CampaignPhase::Open);
        assert_eq!(phase(o, c, d("2027-03-21")), CampaignPhase::Closed);
    }
}
