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

/// Bytes of random nonce at the start of every answer box (XChaCha20's extended nonce, so
/// random nonces never repeat in practice).
const BOX_NONCE: usize = 24;

/// The cipher of open answers, keyed by HMAC(secret, "duet open answers v1"): a key of its own,
/// so it never doubles as the owner keys' HMAC key.
fn answer_cipher(secret: &[u8]) -> chacha20poly1305::XChaCha20Poly1305 {
    use chacha20poly1305::aead::KeyInit;
    let key = hmac_sha256(secret, b"duet open answers v1");
    chacha20poly1305::XChaCha20Poly1305::new(&key.into())
}

/// Boxes are padded to a multiple of this many bytes (after a 4-byte length), so a box's size
/// says nothing about its answer: without padding, a box in a backup taken while the campaign was
/// open (next to its participation row) and the sealed answer of the same length later would
/// pair up, comments almost one to one.
const BOX_PAD: usize = 4096;

/// `len (u32 LE) || plaintext || zeros`, to the next multiple of [`BOX_PAD`].
fn padded(plaintext: &[u8]) -> Result<Vec<u8>, FieldError> {
    let len = u32::try_from(plaintext.len())
        .map_err(|_| FieldError::new("answers", "the answers are too long to store"))?;
    let size = (4 + plaintext.len()).div_ceil(BOX_PAD) * BOX_PAD;
    let mut out = Vec::with_capacity(size);
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(plaintext);
    out.resize(size, 0);
    Ok(out)
}

/// What binds a box to its row: moved to another campaign or owner key, it no longer opens.
fn box_context(campaign: i64, owner_key: &str) -> Vec<u8> {
    format!("duet-open-answers:{campaign}:{owner_key}").into_bytes()
}

/// Encrypts a person's answers to an open campaign (authenticated; nonce || ciphertext). While a
/// campaign is open its answers are kept only like this, so the database files alone (without
/// the secret) show no answer, and a box cannot be paired with anything by its content.
pub fn seal_answers(
    secret: &[u8],
    campaign: i64,
    owner_key: &str,
    plaintext: &[u8],
) -> Result<Vec<u8>, FieldError> {
    use chacha20poly1305::aead::{Aead, Payload};
    let mut nonce = [0u8; BOX_NONCE];
    getrandom::fill(&mut nonce)
        .map_err(|_| FieldError::new("answers", "the system random generator failed"))?;
    let aad = box_context(campaign, owner_key);
    let msg = padded(plaintext)?;
    let sealed = answer_cipher(secret)
        .encrypt(
            &nonce.into(),
            Payload {
                msg: &msg,
                aad: &aad,
            },
        )
        .map_err(|_| FieldError::new("answers", "the answers could not be encrypted"))?;
    let mut out = Vec::with_capacity(BOX_NONCE + sealed.len());
    out.extend_from_slice(&nonce);
    out.extend_from_slice(&sealed);
    Ok(out)
}

/// Opens a box made by [`seal_answers`] for the same campaign and owner key; refused when the
/// secret differs or anything was changed.
pub fn open_answers(
    secret: &[u8],
    campaign: i64,
    owner_key: &str,
    boxed: &[u8],
) -> Result<Vec<u8>, FieldError> {
    use chacha20poly1305::aead::{Aead, Payload};
    let refused = || {
        FieldError::new(
            "answers",
            "stored answers do not open with this anonymity key (was DUET_ANONYMITY_KEY changed?)",
        )
    };
    if boxed.len() < BOX_NONCE {
        return Err(refused());
    }
    let (nonce, sealed) = boxed.split_at(BOX_NONCE);
    let nonce: [u8; BOX_NONCE] = nonce.try_into().map_err(|_| refused())?;
    let aad = box_context(campaign, owner_key);
    let msg = answer_cipher(secret)
        .decrypt(
            &nonce.into(),
            Payload {
                msg: sealed,
                aad: &aad,
            },
        )
        .map_err(|_| refused())?;
    // Unpad: the length first, then exactly that many bytes.
    let len = msg
        .get(..4)
        .and_then(|b| <[u8; 4]>::try_from(b).ok())
        .map(u32::from_le_bytes)
        .and_then(|n| usize::try_from(n).ok())
        .ok_or_else(refused)?;
    msg.get(4..4 + len).map(<[u8]>::to_vec).ok_or_else(refused)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn boxes_are_padded_so_their_size_says_nothing_of_the_answer() {
        let secret = b"a secret of the test";
        let short = seal_answers(secret, 1, "k", b"3333").unwrap();
        let long = seal_answers(secret, 1, "k", "a comment ".repeat(300).as_bytes()).unwrap();
        assert_eq!(short.len(), long.len(), "both fit one 4 KiB step");
        assert_eq!(open_answers(secret, 1, "k", &short).unwrap(), b"3333");
        let huge = "x".repeat(5000);
        let b = seal_answers(secret, 1, "k", huge.as_bytes()).unwrap();
        assert_eq!(b.len(), short.len() + BOX_PAD);
        assert_eq!(open_answers(secret, 1, "k", &b).unwrap(), huge.as_bytes());
        assert_eq!(
            open_answers(secret, 1, "k", b"").unwrap_err().field,
            "answers"
        );
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
    fn answer_boxes_open_only_for_their_secret_campaign_and_owner() {
        let key = owner_key(b"s1", 4, 9);
        let a = seal_answers(b"s1", 4, &key, b"plain comment").unwrap();
        let b = seal_answers(b"s1", 4, &key, b"plain comment").unwrap();
        assert_ne!(a, b, "a fresh nonce every time");
        assert!(!a.windows(5).any(|w| w == b"plain"));
        assert_eq!(open_answers(b"s1", 4, &key, &a).unwrap(), b"plain comment");
        assert!(open_answers(b"s2", 4, &key, &a).is_err());
        assert!(open_answers(b"s1", 5, &key, &a).is_err());
        assert!(open_answers(b"s1", 4, &owner_key(b"s1", 4, 8), &a).is_err());
        let mut t = a.clone();
        let last = t.len() - 1;
        t[last] ^= 1;
        assert!(open_answers(b"s1", 4, &key, &t).is_err());
        assert!(open_answers(b"s1", 4, &key, &a[..10]).is_err());
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
