//! Instruments: what a survey asks. Three built in (the DUET pulse, the five questions of Today
//! and Tomorrow, and an alignment maturity self-assessment) plus custom ones written as plain
//! lines, all described by the same [`Definition`] so answering, storing and aggregating work the
//! same for every one of them.

use crate::error::bounded_text;
use crate::{FieldError, ValidationErrors};
use std::collections::{BTreeMap, BTreeSet};

wire_enum!(
    /// Which family an instrument belongs to, so results pages can explain what they show.
    InstrumentKind, "kind" {
        Pulse = "pulse" / "DUET pulse",
        FiveQuestions = "five_questions" / "Five questions",
        Maturity = "maturity" / "Alignment maturity",
        Custom = "custom" / "Custom",
    }
);

wire_enum!(
    /// The three levels relationships are observed at: power dynamics and culture between
    /// departments, overlaps and silos across processes, friendly or adversarial interactions
    /// between people.
    RelationshipLevel, "level" {
        Departments = "departments" / "Between departments",
        Processes = "processes" / "Across processes",
        People = "people" / "Between people",
    }
);

wire_enum!(
    /// Whether a question is about how things are (Today) or how they should be (Tomorrow), so
    /// the gap between the two can be shown.
    Horizon, "horizon" {
        Today = "today" / "Today",
        Tomorrow = "tomorrow" / "Tomorrow",
    }
);

/// The most items one instrument may have: longer surveys are abandoned half way.
pub const MAX_ITEMS: usize = 200;
/// The longest free-text answer or comment, in characters.
pub const MAX_TEXT: usize = 2000;

/// A group of items reported together (a DUET pillar, one of the five questions, …).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[schema(as = InstrumentSection)]
pub struct Section {
    /// Stable code, `[a-z0-9._-]`, used as the key of answers and comments.
    pub code: String,
    /// The heading shown to respondents and on results.
    pub title: String,
    /// Why the section is asked, in a sentence or two.
    pub description: String,
}

/// One question, rated on a 1..=5 scale.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Item {
    /// Unique in the instrument, `[a-z0-9._-]`, e.g. `discipline.1.departments`.
    pub code: String,
    /// The code of the [`Section`] it belongs to.
    pub section: String,
    /// The relationship level it asks about, if any.
    pub level: Option<RelationshipLevel>,
    /// Today or Tomorrow, if the item is one of a pair.
    pub horizon: Option<Horizon>,
    /// The statement or question shown.
    pub prompt: String,
    /// Whether "don't know" may be answered (better than a forced guess).
    pub dont_know: bool,
    /// Whether a free-text answer is asked besides the rating (the five questions).
    pub free_text: bool,
    /// Exactly five labels, for ratings 1..=5.
    pub scale: Vec<String>,
}

/// A whole instrument: what is asked, grouped into sections.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
pub struct Definition {
    /// The family it belongs to.
    pub kind: InstrumentKind,
    /// Its name.
    pub title: String,
    /// What it is for, shown above the questions.
    pub description: String,
    /// Sections, in the order shown.
    pub sections: Vec<Section>,
    /// Items, in the order shown; their index is their position in packed answers.
    pub items: Vec<Item>,
    /// Whether each section takes an optional comment (the pulse: one per pillar).
    pub section_comments: bool,
}

/// An instrument shipped with Duet, under a stable key and version so stored answers keep meaning.
#[derive(Debug, Clone)]
pub struct Builtin {
    /// Stable key (`duet-pulse`, `five-questions`, `alignment-maturity`).
    pub key: &'static str,
    /// Bumped whenever the items change, so old answers are read against their own version.
    pub version: i64,
    /// The instrument itself.
    pub definition: Definition,
}

/// One respondent's validated answers to one instrument.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answers {
    /// Per item, in item order: the rating 1..=5, or none for "don't know".
    pub ratings: Vec<Option<u8>>,
    /// Non-blank comments and free-text answers, keyed by section or item code.
    pub texts: BTreeMap<String, String>,
    /// The business department an IT respondent's answers are about (see [`about_rule`]), so
    /// they land on a department pair; none for everyone else (a business respondent answers
    /// about IT).
    pub about: Option<i64>,
}

/// Whether a campaign's IT respondents name the business department they answer about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AboutRule {
    /// Nobody names one (the instrument is not about a relationship).
    Never,
    /// IT respondents may name one (the DUET pulse: without it their answers count for IT only).
    Optional,
    /// IT respondents must name one (the mirror survey means nothing without its pair).
    Required,
}

/// Which instruments ask IT respondents for the department they answer about: the DUET pulse
/// (optional) and the mirror survey (required), so both land on a department pair.
pub fn about_rule(key: &str, kind: InstrumentKind) -> AboutRule {
    if key == MIRROR_KEY {
        AboutRule::Required
    } else if kind == InstrumentKind::Pulse {
        AboutRule::Optional
    } else {
        AboutRule::Never
    }
}

impl Answers {
    /// Packs the ratings into one char per item, in item order: `'1'..='5'`, `'0'` = don't know,
    /// so a response is stored as a short string that keeps its meaning with its instrument version.
    pub fn pack(&self) -> String {
        self.ratings
            .iter()
            .map(|r| match r {
                Some(n @ 1..=5) => char::from(b'0' + n),
                _ => '0',
            })
            .collect()
    }
}

/// Reads ratings packed by [`Answers::pack`]; the length must equal the instrument's item count,
/// so answers stored against another version are refused rather than misread.
pub fn unpack(def: &Definition, packed: &str) -> Result<Vec<Option<u8>>, FieldError> {
    let n = packed.chars().count();
    if n != def.items.len() {
        return Err(FieldError::new(
            "answers",
            format!(
                "has {n} ratings but the instrument has {} items",
                def.items.len()
            ),
        ));
    }
    packed
        .chars()
        .map(|c| match c {
            '0' => Ok(None),
            '1'..='5' => Ok(Some(c as u8 - b'0')),
            other => Err(FieldError::new(
                "answers",
                format!("'{other}' is not a rating: expected 0 (don't know) or 1 to 5"),
            )),
        })
        .collect()
}

fn valid_code(code: &str) -> bool {
    !code.is_empty()
        && code.len() <= 100
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '_' | '-'))
}

impl Item {
    /// Where the item sits besides its section — its level or its horizon — as shown above it.
    pub fn context_label(&self) -> Option<&'static str> {
        match (self.level, self.horizon) {
            (Some(l), _) => Some(l.label()),
            (None, Some(h)) => Some(h.label()),
            _ => None,
        }
    }
}

impl Definition {
    /// Checks the structure every page relies on: at least one and at most 200 items, unique valid
    /// codes, every item in an existing section and five scale labels per item.
    pub fn validate(&self) -> Result<(), ValidationErrors> {
        let mut errs = ValidationErrors::default();
        if self.title.trim().is_empty() {
            errs.0.push(FieldError::new("title", "is required"));
        }
        let mut section_codes = BTreeSet::new();
        for s in &self.sections {
            if !valid_code(&s.code) {
                errs.0.push(FieldError::new(
                    "sections",
                    format!(
                        "section code '{}' may only use a-z, 0-9, '.', '_' and '-'",
                        s.code
                    ),
                ));
            }
            if !section_codes.insert(s.code.as_str()) {
                errs.0.push(FieldError::new(
                    "sections",
                    format!("section code '{}' is used twice", s.code),
                ));
            }
            if s.title.trim().is_empty() {
                errs.0.push(FieldError::new(
                    "sections",
                    format!("section '{}' needs a title", s.code),
                ));
            }
        }
        if self.items.is_empty() {
            errs.0.push(FieldError::new(
                "items",
                "an instrument needs at least one item",
            ));
        }
        if self.items.len() > MAX_ITEMS {
            errs.0.push(FieldError::new(
                "items",
                format!(
                    "has {} items; at most {MAX_ITEMS} are allowed, as longer surveys are abandoned",
                    self.items.len()
                ),
            ));
        }
        let mut item_codes = BTreeSet::new();
        for it in &self.items {
            if !valid_code(&it.code) {
                errs.0.push(FieldError::new(
                    "items",
                    format!(
                        "item code '{}' may only use a-z, 0-9, '.', '_' and '-'",
                        it.code
                    ),
                ));
            }
            if !item_codes.insert(it.code.as_str()) {
                errs.0.push(FieldError::new(
                    "items",
                    format!("item code '{}' is used twice", it.code),
                ));
            }
            if !section_codes.contains(it.section.as_str()) {
                errs.0.push(FieldError::new(
                    "items",
                    format!(
                        "item '{}' belongs to section '{}', which does not exist",
                        it.code, it.section
                    ),
                ));
            }
            if it.prompt.trim().is_empty() {
                errs.0.push(FieldError::new(
                    "items",
                    format!("item '{}' needs a prompt", it.code),
                ));
            }
            if it.scale.len() != 5 || it.scale.iter().any(|l| l.trim().is_empty()) {
                errs.0.push(FieldError::new(
                    "items",
                    format!(
                        "item '{}' needs exactly five non-empty scale labels",
                        it.code
                    ),
                ));
            }
        }
        if errs.0.is_empty() { Ok(()) } else { Err(errs) }
    }

    /// The section with `code`, to title results and comments.
    pub fn section(&self, code: &str) -> Option<&Section> {
        self.sections.iter().find(|s| s.code == code)
    }

    /// The levels the items ask about, in [`RelationshipLevel::ALL`] order, so results only show
    /// level rows that exist.
    pub fn levels(&self) -> Vec<RelationshipLevel> {
        RelationshipLevel::ALL
            .iter()
            .copied()
            .filter(|l| self.items.iter().any(|i| i.level == Some(*l)))
            .collect()
    }

    /// Validates a submitted form: `ratings` maps each item code to `"1"`..`"5"` or `"dk"` (don't
    /// know, where allowed) and every item must be answered; `texts` maps a section code (when the
    /// instrument takes section comments) or a free-text item code to text. Blank texts are
    /// dropped. Every error is collected, named `item.<code>` or `text.<key>`, so the form can
    /// mark them all at once.
    pub fn parse_answers(
        &self,
        ratings: &BTreeMap<String, String>,
        texts: &BTreeMap<String, String>,
    ) -> Result<Answers, ValidationErrors> {
        let mut errs = ValidationErrors::default();
        let mut out = Vec::with_capacity(self.items.len());
        for it in &self.items {
            let field = format!("item.{}", it.code);
            let raw = ratings.get(&it.code).map(|s| s.trim()).unwrap_or("");
            let value = match raw {
                "" => Err(if it.dont_know {
                    "is required: choose a rating or \"don't know\""
                } else {
                    "is required: choose a rating"
                }),
                r if r.eq_ignore_ascii_case("dk") => {
                    if it.dont_know {
                        Ok(None)
                    } else {
                        Err(
                            "\"don't know\" is not an answer to this item: choose a rating from 1 to 5",
                        )
                    }
                }
                "1" => Ok(Some(1)),
                "2" => Ok(Some(2)),
                "3" => Ok(Some(3)),
                "4" => Ok(Some(4)),
                "5" => Ok(Some(5)),
                _ => Err("must be a rating from 1 to 5"),
            };
            match value {
                Ok(v) => out.push(v),
                Err(m) => {
                    out.push(None);
                    errs.0.push(FieldError::new(field, m));
                }
            }
        }
        for key in ratings.keys() {
            if !self.items.iter().any(|i| &i.code == key) {
                errs.0.push(FieldError::new(
                    format!("item.{key}"),
                    "is not an item of this instrument",
                ));
            }
        }
        let mut kept = BTreeMap::new();
        for (key, raw) in texts {
            let t = raw.trim();
            if t.is_empty() {
                continue;
            }
            let field = format!("text.{key}");
            let allowed = (self.section_comments && self.section(key).is_some())
                || self.items.iter().any(|i| &i.code == key && i.free_text);
            if !allowed {
                errs.0.push(FieldError::new(
                    field,
                    "this question takes no written answer",
                ));
                continue;
            }
            if t.chars().count() > MAX_TEXT {
                errs.0.push(FieldError::new(
                    field,
                    format!("must be at most {MAX_TEXT} characters"),
                ));
                continue;
            }
            if t.chars()
                .any(|c| c.is_control() && !matches!(c, '\n' | '\r' | '\t'))
            {
                errs.0.push(FieldError::new(
                    field,
                    "must not contain control characters",
                ));
                continue;
            }
            kept.insert(key.clone(), t.to_string());
        }
        if errs.0.is_empty() {
            Ok(Answers {
                ratings: out,
                texts: kept,
                about: None,
            })
        } else {
            Err(errs)
        }
    }
}

fn agreement_scale() -> Vec<String> {
    [
        "Strongly disagree",
        "Disagree",
        "Neither",
        "Agree",
        "Strongly agree",
    ]
    .map(String::from)
    .to_vec()
}

fn section(code: &str, title: &str, description: &str) -> Section {
    Section {
        code: code.into(),
        title: title.into(),
        description: description.into(),
    }
}

/// The DUET pillars, each with its three behaviours worded as the end of a statement that fits
/// every level's opening ("Between our departments, …").
const PILLARS: [(&str, &str, &str, [&str; 3]); 4] = [
    (
        "discipline",
        "Discipline",
        "Policies, procedures, rules and training made inside one department can rub against what another needs or can do.",
        [
            "we are aware of our own discipline, or the lack of it.",
            "we make no judgements about what business and IT are or are not doing.",
            "we communicate how business and IT processes affect each other.",
        ],
    ),
    (
        "unity",
        "Unity",
        "Each department aligns its goals with the organisation's; where those goals conflict, Us vs. Them begins.",
        [
            "we are aware of goals of ours that might affect others.",
            "decisions are made holistically rather than piecemeal.",
            "we communicate the effects of unity, or the lack of it, to each other.",
        ],
    ),
    (
        "empathy",
        "Empathy",
        "Taking other people's feelings and thoughts into account makes visible and invisible pain points understood.",
        [
            "we are aware of our own and others' biases.",
            "everyone is treated with dignity and respect regardless of position or title.",
            "pain points can be raised without the threat of repercussions.",
        ],
    ),
    (
        "trust",
        "Trust",
        "Trust is the invisible glue that holds departments together; it is earned and lost at every level.",
        [
            "we are aware of broken promises, wherever they happen.",
            "we understand that trust is about building relationships.",
            "we communicate how trust can be earned and lost.",
        ],
    ),
];

fn level_opening(level: RelationshipLevel) -> &'static str {
    match level {
        RelationshipLevel::Departments => "Between our departments, ",
        RelationshipLevel::Processes => "In the processes we share, ",
        RelationshipLevel::People => "Between the people I work with, ",
    }
}

fn pulse() -> Definition {
    let mut sections = Vec::new();
    let mut items = Vec::new();
    for (code, title, description, behaviours) in PILLARS {
        sections.push(section(code, title, description));
        for (n, behaviour) in behaviours.iter().enumerate() {
            for &level in RelationshipLevel::ALL {
                items.push(Item {
                    code: format!("{code}.{}.{}", n + 1, level.as_str()),
                    section: code.into(),
                    level: Some(level),
                    horizon: None,
                    prompt: format!("{}{behaviour}", level_opening(level)),
                    dont_know: true,
                    free_text: false,
                    scale: agreement_scale(),
                });
            }
        }
    }
    Definition {
        kind: InstrumentKind::Pulse,
        title: "DUET pulse".into(),
        description: "How Discipline, Unity, Empathy and Trust show up between departments, across processes and between people. Healthy Business-IT relationships take effort from everyone, not only from IT. Answer for what you see; choose \"don't know\" rather than guess.".into(),
        sections,
        items,
        section_comments: true,
    }
}

/// The five questions, each asked for Today and for Tomorrow.
const QUESTIONS: [(&str, &str, &str, &str); 5] = [
    (
        "who",
        "Who",
        "Who is responsible for creating healthy Business-IT relationships?",
        "Who should be responsible for creating healthy Business-IT relationships?",
    ),
    (
        "what",
        "What",
        "What communications, processes and tools are available to encourage healthy Business-IT relationships?",
        "What communications, processes and tools should be available to encourage healthy Business-IT relationships?",
    ),
    (
        "where",
        "Where",
        "Where are the current obstacles to healthy Business-IT relationships?",
        "Where would future obstacles diminish healthy Business-IT relationships?",
    ),
    (
        "when",
        "When",
        "When do healthy Business-IT relationships break down?",
        "When would healthy Business-IT relationships break down?",
    ),
    (
        "why",
        "Why",
        "Why do healthy Business-IT relationships matter for your organisation?",
        "Why should healthy Business-IT relationships matter for your organisation?",
    ),
];

fn five_questions() -> Definition {
    let today_scale = [
        "1 – poorly",
        "2 – weakly",
        "3 – partly",
        "4 – largely",
        "5 – fully",
    ]
    .map(String::from)
    .to_vec();
    let tomorrow_scale = [
        "1 – not at all",
        "2 – a little",
        "3 – somewhat",
        "4 – a lot",
        "5 – fully",
    ]
    .map(String::from)
    .to_vec();
    let mut sections = Vec::new();
    let mut items = Vec::new();
    for (code, title, today, tomorrow) in QUESTIONS {
        sections.push(section(
            code,
            title,
            &format!("Today: {today} Tomorrow: {tomorrow}"),
        ));
        items.push(Item {
            code: format!("{code}.today"),
            section: code.into(),
            level: None,
            horizon: Some(Horizon::Today),
            prompt: format!(
                "{today} Write your answer, then rate how well today's answer serves the relationship."
            ),
            dont_know: false,
            free_text: true,
            scale: today_scale.clone(),
        });
        items.push(Item {
            code: format!("{code}.tomorrow"),
            section: code.into(),
            level: None,
            horizon: Some(Horizon::Tomorrow),
            prompt: format!(
                "{tomorrow} Write your answer, then rate how much getting this right tomorrow matters."
            ),
            dont_know: false,
            free_text: true,
            scale: tomorrow_scale.clone(),
        });
    }
    Definition {
        kind: InstrumentKind::FiveQuestions,
        title: "Five questions".into(),
        description: "Self-reflecting questions about Business-IT relationships, each asked for Today (how it is) and Tomorrow (how it should be). The gap between how well things work today and how much they matter tomorrow shows where to start.".into(),
        sections,
        items,
        section_comments: false,
    }
}

/// Luftman's six criteria of strategic alignment maturity, with what each assesses.
const CRITERIA: [(&str, &str, &str); 6] = [
    (
        "communications",
        "Communications",
        "How well business and IT understand each other: the exchange of ideas, knowledge sharing, liaisons, and how well each understands the other's environment.",
    ),
    (
        "value_measurement",
        "Value measurement",
        "How IT's contribution is measured and shown: metrics the business cares about, service levels, benchmarking, reviews of investments and continuous improvement.",
    ),
    (
        "governance",
        "Governance",
        "Who decides IT priorities and resources, and how: strategic planning, budgeting, steering committees and the prioritisation of projects.",
    ),
    (
        "partnership",
        "Partnership",
        "How business and IT see each other: IT's role in strategy, shared goals, risks and rewards, trust, and executive sponsorship.",
    ),
    (
        "scope_architecture",
        "Scope and architecture",
        "How far IT reaches beyond the back office: standards, integration across the organisation and with partners, and how flexible the architecture is.",
    ),
    (
        "skills",
        "Skills",
        "The human side: a culture of innovation and readiness for change, career crossover between business and IT, education, hiring and retention.",
    ),
];

fn maturity() -> Definition {
    let scale = [
        "1 Initial/ad hoc",
        "2 Committed",
        "3 Established/focused",
        "4 Improved/managed",
        "5 Optimised",
    ]
    .map(String::from)
    .to_vec();
    Definition {
        kind: InstrumentKind::Maturity,
        title: "Alignment maturity".into(),
        description: "A self-assessment after Luftman's strategic alignment maturity model: for each of six criteria, choose the level that best describes your organisation today.".into(),
        sections: CRITERIA
            .iter()
            .map(|(code, title, what)| section(code, title, what))
            .collect(),
        items: CRITERIA
            .iter()
            .map(|(code, title, what)| Item {
                code: (*code).into(),
                section: (*code).into(),
                level: None,
                horizon: None,
                prompt: format!("{title}. {what}"),
                dont_know: false,
                free_text: false,
                scale: scale.clone(),
            })
            .collect(),
        section_comments: true,
    }
}

/// The instruments shipped with Duet, so every organisation can start listening without writing
/// a survey first.
pub fn builtins() -> Vec<Builtin> {
    vec![
        Builtin {
            key: "duet-pulse",
            version: 1,
            definition: pulse(),
        },
        Builtin {
            key: "five-questions",
            version: 1,
            definition: five_questions(),
        },
        Builtin {
            key: "alignment-maturity",
            version: 1,
            definition: maturity(),
        },
        Builtin {
            key: SERVICE_GAP_KEY,
            version: 1,
            definition: service_gap(),
        },
        Builtin {
            key: MIRROR_KEY,
            version: 1,
            definition: mirror(),
        },
    ]
}

/// One of the two rated aspects of a section (`{section}.{aspect}`, "don't know" allowed), as
/// the service gap and the mirror survey ask them.
fn aspect_item(section: &str, aspect: &str, prompt: String, scale: &[String]) -> Item {
    Item {
        code: format!("{section}.{aspect}"),
        section: section.to_string(),
        level: None,
        horizon: None,
        prompt,
        dont_know: true,
        free_text: false,
        scale: scale.to_vec(),
    }
}

/// The key of the mirror survey: See reads its closed campaigns by this key.
pub const MIRROR_KEY: &str = "relationship-mirror";

/// What the mirror survey asks each side about the relationship: (section code, statement).
pub const MIRROR_STATEMENTS: [(&str, &str); 5] = [
    (
        "overall",
        "Overall, the relationship between us is healthy.",
    ),
    ("priorities", "We understand each other's priorities."),
    ("promises", "Promises made between us are kept."),
    (
        "communication",
        "Communication between us is open and timely.",
    ),
    ("easy", "Working together is easy."),
];

/// The mirror survey: each side of a department pair rates the relationship and predicts how the
/// other side rates it ("how would Sales rate us?"), so the gap between what one side believes
/// and what the other says shows both ways. Items are `{statement}.own` and `{statement}.other`;
/// a business respondent answers about IT, an IT respondent names the business department
/// ([`AboutRule::Required`]). Built in as a custom-kind instrument found by [`MIRROR_KEY`].
pub fn mirror() -> Definition {
    let scale = agreement_scale();
    let mut sections = Vec::new();
    let mut items = Vec::new();
    for (code, statement) in MIRROR_STATEMENTS {
        sections.push(Section {
            code: code.to_string(),
            title: statement.trim_end_matches('.').to_string(),
            description: String::new(),
        });
        for (aspect, prompt) in [
            ("own", format!("Your view: {statement}")),
            (
                "other",
                format!("How would the other side answer? {statement}"),
            ),
        ] {
            items.push(aspect_item(code, aspect, prompt, &scale));
        }
    }
    Definition {
        kind: InstrumentKind::Custom,
        title: "Relationship mirror".into(),
        description: "How you see the relationship between your department and the other side, and how you think they see it. Business departments answer about IT; IT answers about the business department it names. Where one side's guess and the other's answer differ, the two have something to talk about.".into(),
        sections,
        items,
        section_comments: true,
    }
}

/// The key of the IT service gap instrument: See reads its closed campaigns by this key.
pub const SERVICE_GAP_KEY: &str = "it-service-gap";

/// The IT services the service gap asks about: (section code, name).
pub const IT_SERVICES: [(&str, &str); 8] = [
    ("service_desk", "the service desk"),
    ("network", "the network and Wi-Fi"),
    ("business_apps", "the business applications"),
    ("data_reporting", "data and reporting"),
    ("projects", "projects and change"),
    ("security", "security"),
    ("devices", "laptops, phones and other devices"),
    ("collaboration", "e-mail, chat and meetings"),
];

/// The IT service gap (after Info-Tech's CIO Business Vision): each business respondent rates
/// every IT service on how important it is to their work and how satisfied they are with it;
/// the gap between the two, per department, ranks what IT should fix first. Items are
/// `{service}.importance` and `{service}.satisfaction`; it is built in as a custom-kind instrument
/// and found by its key ([`SERVICE_GAP_KEY`]).
pub fn service_gap() -> Definition {
    let services: Vec<(String, String)> = IT_SERVICES
        .iter()
        .map(|(c, n)| (c.to_string(), capitalise(n)))
        .collect();
    service_gap_of(&services)
}

/// The most services a catalogue may hold (two statements each, in a survey people finish).
pub const MAX_SERVICES: usize = 20;

/// `s` with its first letter in capitals ("the service desk" → "The service desk").
fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

/// A service's name inside a sentence: its first letter in lower case unless the first word is
/// an acronym ("The service desk" → "the service desk", "CRM and sales tools" stays).
pub fn in_sentence(name: &str) -> String {
    let first = name.split_whitespace().next().unwrap_or("");
    if first.chars().filter(|c| c.is_alphabetic()).count() > 1
        && first.chars().all(|c| !c.is_lowercase())
    {
        return name.to_string();
    }
    let mut c = name.chars();
    c.next()
        .map(|f| f.to_lowercase().chain(c).collect())
        .unwrap_or_default()
}

/// The services of an IT service gap instrument: (code, name), in order.
pub fn services_of(def: &Definition) -> Vec<(String, String)> {
    def.sections
        .iter()
        .map(|s| (s.code.clone(), s.title.clone()))
        .collect()
}

/// Reads an edited service catalogue: one service per line, as people will read it ("Service
/// desk"); blank lines are skipped. A service whose name matches one of `current` (ignoring case)
/// keeps its code, so its figures stay comparable across versions; a new name gets a new code.
/// Every bad line is named ("line 3: …"), in the field `services`.
pub fn parse_catalogue(
    text: &str,
    current: &[(String, String)],
) -> Result<Vec<(String, String)>, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let mut out: Vec<(String, String)> = Vec::new();
    let mut seen: Vec<(String, usize)> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = i + 1;
        let name = raw.split_whitespace().collect::<Vec<_>>().join(" ");
        if name.is_empty() {
            continue;
        }
        let n = name.chars().count();
        let bad = |m: String| FieldError::new("services", format!("line {line}: {m}"));
        if name.chars().any(char::is_control) {
            errs.0
                .push(bad("must not contain control characters".into()));
            continue;
        }
        if !(2..=80).contains(&n) {
            errs.0.push(bad(format!(
                "a service's name is 2 to 80 characters; this one has {n}"
            )));
            continue;
        }
        let key = name.to_lowercase();
        if let Some((_, first)) = seen.iter().find(|(k, _)| *k == key) {
            errs.0.push(bad(format!(
                "\u{201c}{name}\u{201d} is already on line {first}"
            )));
            continue;
        }
        seen.push((key.clone(), line));
        let code = match current.iter().find(|(_, n)| n.to_lowercase() == key) {
            Some((c, _)) => c.clone(),
            None => {
                let base: String = slug(&name).replace('-', "_");
                let base = if base.is_empty() {
                    "service".to_string()
                } else {
                    base
                };
                let mut code = base.clone();
                let mut k = 2;
                while out.iter().any(|(c, _)| *c == code)
                    || current
                        .iter()
                        .any(|(c, n)| *c == code && n.to_lowercase() != key)
                {
                    code = format!("{base}_{k}");
                    k += 1;
                }
                code
            }
        };
        out.push((code, capitalise(&name)));
    }
    if out.is_empty() && errs.0.is_empty() {
        errs.0.push(FieldError::new(
            "services",
            "list at least one service, one per line",
        ));
    }
    if out.len() > MAX_SERVICES {
        errs.0.push(FieldError::new(
            "services",
            format!(
                "lists {} services; at most {MAX_SERVICES}, so people finish the survey",
                out.len()
            ),
        ));
    }
    if errs.0.is_empty() {
        Ok(out)
    } else {
        Err(errs)
    }
}

/// The IT service gap asking about `services` ((code, name) pairs; see [`service_gap`]).
pub fn service_gap_of(services: &[(String, String)]) -> Definition {
    let importance: Vec<String> = [
        "Not important",
        "Slightly important",
        "Important",
        "Very important",
        "Critical",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let satisfaction: Vec<String> = [
        "Very dissatisfied",
        "Dissatisfied",
        "Neither",
        "Satisfied",
        "Very satisfied",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let mut sections = Vec::new();
    let mut items = Vec::new();
    for (code, title) in services {
        let name = in_sentence(title);
        sections.push(Section {
            code: code.to_string(),
            title: title.clone(),
            description: String::new(),
        });
        for (aspect, prompt, scale) in [
            (
                "importance",
                format!("How important is {name} to your work?"),
                &importance,
            ),
            (
                "satisfaction",
                format!("How satisfied are you with {name} today?"),
                &satisfaction,
            ),
        ] {
            items.push(aspect_item(code, aspect, prompt, scale));
        }
    }
    Definition {
        kind: InstrumentKind::Custom,
        title: "IT service gap".into(),
        description: "How important each IT service is to your work, and how satisfied you are with it today. Where a service matters a lot and satisfies little, IT fixes it first. Choose \"don't know\" for a service you do not use.".into(),
        sections,
        items,
        section_comments: true,
    }
}

fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    while out.ends_with('-') {
        out.pop();
    }
    out.truncate(60);
    while out.ends_with('-') {
        out.pop();
    }
    out
}

/// Builds a custom instrument from plain lines `Section title | statement`, so anyone can ask
/// their own questions without a form builder. Sections appear in order of first mention; items
/// are rated on the agreement scale with "don't know" allowed. Errors name the field `items` and
/// the line (`line 3: …`).
pub fn custom(title: &str, description: &str, lines: &str) -> Result<Definition, ValidationErrors> {
    let mut errs = ValidationErrors::default();
    let title = errs.check(bounded_text("title", title, 3, 120));
    let description = errs.check(crate::error::prose_text(
        "description",
        description,
        0,
        2000,
    ));
    let mut sections: Vec<Section> = Vec::new();
    let mut items: Vec<Item> = Vec::new();
    for (i, line) in lines.lines().enumerate() {
        let n = i + 1;
        if line.trim().is_empty() {
            continue;
        }
        let err = |m: String| FieldError::new("items", format!("line {n}: {m}"));
        let Some((sec, statement)) = line.split_once('|') else {
            errs.0.push(err(
                "write \"Section title | statement\", with a | between them".into(),
            ));
            continue;
        };
        let sec_title = match bounded_text("section", sec, 1, 120) {
            Ok(t) => t,
            Err(e) => {
                errs.0.push(err(format!("the section title {}", e.message)));
                continue;
            }
        };
        let prompt = match bounded_text("statement", statement, 3, 500) {
            Ok(t) => t,
            Err(e) => {
                errs.0.push(err(format!("the statement {}", e.message)));
                continue;
            }
        };
        let code = slug(&sec_title);
        if code.is_empty() {
            errs.0.push(err(
                "the section title needs at least one letter or digit".into()
            ));
            continue;
        }
        if !sections.iter().any(|s| s.code == code) {
            sections.push(Section {
                code: code.clone(),
                title: sec_title,
                description: String::new(),
            });
        }
        let number = items.iter().filter(|it| it.section == code).count() + 1;
        items.push(Item {
            code: format!("{code}.{number}"),
            section: code,
            level: None,
            horizon: None,
            prompt,
            dont_know: true,
            free_text: false,
            scale: agreement_scale(),
        });
    }
    if items.is_empty() && errs.0.iter().all(|e| e.field != "items") {
        errs.0.push(FieldError::new(
            "items",
            "add at least one line \"Section title | statement\"",
        ));
    }
    if items.len() > MAX_ITEMS {
        errs.0.push(FieldError::new(
            "items",
            format!(
                "has {} statements; at most {MAX_ITEMS} are allowed, as longer surveys are abandoned",
                items.len()
            ),
        ));
    }
    match (title, description) {
        (Some(title), Some(description)) if errs.0.is_empty() => {
            let def = Definition {
                kind: InstrumentKind::Custom,
                title,
                description,
                sections,
                items,
                section_comments: true,
            };
            def.validate()?;
            Ok(def)
        }
        _ => Err(errs),
    }
}

#[cfg(test)]
mod tests;
