//! Decide's demo history for `duet demo`: the executives' business goals, accounts for the people
//! who raise, triage and champion requests, and about a year of requests in both lanes — triaged,
//! understood, decided (every decline with safe alternatives), championed, costed, signed off,
//! delivered and measured against their business cases.
//!
//! Like the people demo, everything comes from hand-written templates and a fixed-seed PRNG, so
//! every run tells the same story. The plan of each request's life is pure (and tested); the store
//! calls then replay it step by step, moving the request's history back in time between steps with
//! `shift_history`, so timelines, response times and team statistics look like a year of real use.

use anyhow::anyhow;
use chrono::{Duration, Utc};
use duet_core::FieldError;
use duet_core::auth::Role;
use duet_core::finance::{BusinessCase, CashFlow, FlowKind, Money};
use duet_core::org::{Email, Level};
use duet_core::portfolio::Weights;
use duet_core::requests::{
    Alternative, AlternativeKind, Decision, DeclineReason, RequestInput, Risk, Urgency,
    next_delivery_status,
};
use duet_store::accounts::{self, NewUser, User};
use duet_store::org::{self, Person};
use duet_store::requests::{self as rq, RequestFilter};
use duet_store::{Db, PageRequest, StoreError};
use std::collections::HashMap;

/// Fixed PRNG seed of the request history: changing it changes every request drawn.
const SEED: u64 = 0xDEC1_DE00_2026_0003;

/// Fixed PRNG seed for choosing which people get member accounts.
const ACCOUNT_SEED: u64 = 0xACC0_2026_0000_0003;

/// Requests in the history, both lanes together.
const REQUESTS: usize = 205;

/// Of those, the requests an executive champions into the portfolio lane.
const PORTFOLIO: usize = 55;

/// Of the portfolio items, how many see their IT cost rise past the sign-off's tolerance.
const LAPSED: usize = 8;

/// The history reaches back at most this far (hours): a year of use.
const MAX_AGE_HOURS: i64 = 360 * 24;

/// Store calls the seeding may make, so `duet demo` stays quick to start.
#[cfg(test)]
const CALL_BUDGET: usize = 2_500;

/// Store calls besides the requests' and the new accounts' and goals': reading the requests,
/// people, accounts (twice), departments, teams, goals and portfolio, and saving the settings and
/// the weights.
const SETUP_CALLS: usize = 10;

/// The goals the CFO sets, with their importance (1–5).
const GOALS: &[(&str, i64)] = &[
    ("Grow recurring revenue 15 %", 5),
    ("Cut customer wait times in half", 4),
    ("Pass the ISO 27001 audit", 5),
    ("Close the books in 3 days", 3),
    ("Reduce warehouse mis-picks below 0.5 %", 3),
    ("Keep staff turnover under 10 %", 2),
];

/// The IT teams that answer requests (the names of `duet_store::requests::STANDARD_TEAMS`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Team {
    Desk,
    Apps,
    Infra,
    Sec,
    Data,
}

impl Team {
    const ALL: [Team; 5] = [Team::Desk, Team::Apps, Team::Infra, Team::Sec, Team::Data];

    fn name(self) -> &'static str {
        match self {
            Team::Desk => "Service Desk",
            Team::Apps => "Applications",
            Team::Infra => "Infrastructure",
            Team::Sec => "Security",
            Team::Data => "Data & Analytics",
        }
    }

    /// The title of the IT manager who triages the team's requests (from the people demo).
    fn manager_title(self) -> &'static str {
        match self {
            Team::Desk => "IT Service Desk Manager",
            Team::Apps => "Enterprise Applications Manager",
            Team::Infra => "Infrastructure & Cloud Manager",
            Team::Sec => "Information Security Manager",
            Team::Data => "Data & Analytics Manager",
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Templates
// ---------------------------------------------------------------------------------------------

/// A request as its requester would write it. `{v}` in any text is replaced by one of the
/// variants, so one template yields several distinct requests.
struct Ask {
    title: &'static str,
    variants: &'static [&'static str],
    problem: &'static str,
    affected: &'static str,
    outcome: &'static str,
    /// IT's statement of the need, in the requester's terms.
    need: &'static str,
    team: Team,
}

/// A request IT declines, with the reason and the safe alternatives it offers.
struct Refusal {
    ask: Ask,
    reason: DeclineReason,
    note: &'static str,
    alternatives: &'static [(AlternativeKind, &'static str)],
    /// For security declines: the risk, and what would make it a yes.
    security: Option<(&'static str, &'static str)>,
}

/// A piece of work big enough for the portfolio, with the shape of its business case
/// (amounts in thousands of the major unit, before the per-request scale).
struct Project {
    ask: Ask,
    it_one_off: i64,
    it_yearly: i64,
    other_cost: i64,
    /// Yearly benefits at full run-rate, by kind.
    benefits: &'static [(FlowKind, i64)],
    risk: Risk,
    person_days: i64,
    /// Indexes into [`GOALS`].
    goals: &'static [usize],
}

/// One department's requests, and how much of each kind it raises.
struct DeptContent {
    /// Must match a standard department.
    name: &'static str,
    /// Member accounts to create for its requesters.
    members: usize,
    /// Relative share of service requests, declined requests and portfolio items.
    weights: [usize; 3],
    asks: &'static [Ask],
    refusals: &'static [Refusal],
    projects: &'static [Project],
}

use crate::demo::rng::Rng;
use AlternativeKind::{AnotherTool, ConditionForYes, LaterDate, Workaround};
use FlowKind::{Revenue, RiskAvoided, Savings};

const CONTENT: &[DeptContent] = &[
    DeptContent {
        name: "Sales",
        members: 17,
        weights: [24, 8, 8],
        asks: &[
            Ask {
                title: "CRM duplicates leads from {v}",
                variants: &["web forms", "trade-show imports", "the dealer portal"],
                problem: "Every lead that comes in from {v} shows up two or three times in the CRM, so reps call the same prospect twice and the pipeline looks bigger than it is.",
                affected: "Inside sales and the regional account executives, about 30 people",
                outcome: "Each lead appears once, with its source, and nobody double-calls a prospect.",
                need: "Leads arriving from {v} should be matched to existing CRM records before a new one is created, so every prospect appears once and keeps its source.",
                team: Team::Apps,
            },
            Ask {
                title: "Quote PDFs drop the discount line for {v}",
                variants: &["multi-year deals", "bundle orders", "dealer pricing"],
                problem: "When a quote includes {v}, the generated PDF leaves out the discount line, so customers see list price and call us confused or annoyed.",
                affected: "Account executives and the customers they quote",
                outcome: "Quotes show every approved discount exactly as agreed.",
                need: "Quote PDFs must print every approved discount line for {v}, so the customer sees the price we agreed with them.",
                team: Team::Apps,
            },
            Ask {
                title: "VPN drops on {v} during customer visits",
                variants: &["hotel Wi-Fi", "phone hotspots", "customer guest networks"],
                problem: "Field reps lose the VPN whenever they are on {v}, and the CRM app logs them out in the middle of a customer visit.",
                affected: "Field sales, about 25 reps",
                outcome: "Reps stay connected to the CRM for the whole visit.",
                need: "Field reps need a connection to the CRM that keeps working on {v}, without logging them out during a visit.",
                team: Team::Infra,
            },
            Ask {
                title: "Add a {v} field to opportunities",
                variants: &["competitor", "renewal date", "decision-maker role"],
                problem: "We track the {v} in a side spreadsheet because the opportunity form has no field for it, and the forecast never sees it.",
                affected: "Sales managers and sales operations",
                outcome: "The {v} is captured on every opportunity and appears in the forecast report.",
                need: "Opportunities need a {v} field that reps fill in and the forecast report can use.",
                team: Team::Apps,
            },
            Ask {
                title: "Commission report arrives late every {v}",
                variants: &["month-end", "quarter-end", "year-end"],
                problem: "The commission report depends on a manual export and arrives a week late at every {v}; reps dispute numbers they cannot check.",
                affected: "All commissioned sales staff and sales operations",
                outcome: "Reps can see their commission figures within two days of the close.",
                need: "Each rep should see their commission figures within two working days of every {v} close, from the same data payroll uses.",
                team: Team::Data,
            },
            Ask {
                title: "CRM territories out of date for {v}",
                variants: &["the East region", "the West region", "enterprise accounts"],
                problem: "Accounts in {v} are still assigned by last year's territories, so new reps cannot see their accounts and old owners get their alerts.",
                affected: "Account executives and sales managers for {v}",
                outcome: "Every account in {v} belongs to the right rep.",
                need: "Account ownership for {v} should follow this year's territory plan, so each rep sees exactly their own accounts.",
                team: Team::Apps,
            },
            Ask {
                title: "Shared mailbox for {v}",
                variants: &["dealer enquiries", "tender requests", "sample requests"],
                problem: "All {v} land in one person's mailbox; when they are away, enquiries wait for days without an answer.",
                affected: "The channel sales team and the dealers who write to us",
                outcome: "A shared mailbox the whole team can work, with nothing lost during holidays.",
                need: "The team needs {v} to arrive in a shared mailbox that several people can see, answer and mark as done.",
                team: Team::Desk,
            },
            Ask {
                title: "Lead-capture app for {v}",
                variants: &["the spring trade show", "regional dealer events"],
                problem: "At {v} we collect leads on paper cards and type them in a week later; the hot ones have gone cold by then.",
                affected: "Sales development and the events team",
                outcome: "Leads from {v} in the CRM the same day, with notes.",
                need: "Reps at {v} need to capture leads on a phone or tablet so they reach the CRM the same day, notes included.",
                team: Team::Apps,
            },
            Ask {
                title: "Price list in the CRM lags {v}",
                variants: &["the ERP by a week", "promotional prices"],
                problem: "The CRM price list is refreshed by hand and lags {v}, so quotes go out with wrong prices and have to be reissued.",
                affected: "Everyone who quotes, and finance who approves the corrections",
                outcome: "Quotes always use the current price.",
                need: "The CRM should pick up price changes from the ERP automatically, so no quote is built on an outdated price.",
                team: Team::Apps,
            },
        ],
        refusals: &[
            Refusal {
                ask: Ask {
                    title: "Personal Dropbox to share price lists with {v}",
                    variants: &["dealers", "distributors"],
                    problem: "Our {v} keep asking for the latest price lists and the e-mail attachments are too big; a personal Dropbox link would be quickest.",
                    affected: "Channel sales and our {v}",
                    outcome: "{v} always have the current price list without e-mail ping-pong.",
                    need: "The team needs a quick, reliable way to give {v} the current price list without large e-mail attachments.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "We want {v} to get price lists quickly, just not from personal accounts.",
                alternatives: &[
                    (
                        AnotherTool,
                        "The company SharePoint extranet with a page for {v}, set up within a week",
                    ),
                    (
                        ConditionForYes,
                        "Dropbox Business under the company tenant with single sign-on would be approved",
                    ),
                ],
                security: Some((
                    "Price lists and customer contacts would sit in personal accounts we cannot revoke when someone leaves, and links get forwarded.",
                    "Shared from a company-managed account with expiring links and named external users.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "LinkedIn scraping extension for {v} prospecting",
                    variants: &["enterprise", "mid-market"],
                    problem: "Building {v} prospect lists by hand takes reps hours a week; a browser extension could pull contacts straight from LinkedIn.",
                    affected: "Sales development representatives",
                    outcome: "Prospect lists built in minutes instead of hours.",
                    need: "Reps need a faster way to build {v} prospect lists with current contact details in the CRM.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "The goal is right; this extension is the wrong way to get there.",
                alternatives: &[(
                    AnotherTool,
                    "Sales Navigator seats with the official CRM connector, trialled with five reps",
                )],
                security: Some((
                    "The extension can read every page the browser opens, the CRM included, and breaks LinkedIn's terms, which gets accounts banned.",
                    "A vendor-approved integration such as Sales Navigator with CRM sync, reviewed by Security.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "A separate CRM for the {v} team",
                    variants: &["renewals", "channel", "key-account"],
                    problem: "The {v} team works differently from new-business sales and the main CRM pipeline gets in our way.",
                    affected: "The {v} team, about eight people",
                    outcome: "A pipeline that fits how the {v} team works.",
                    need: "The {v} team needs its own stages and views so its deals are not mixed with new business.",
                    team: Team::Apps,
                },
                reason: DeclineReason::Duplicate,
                note: "The CRM already supports separate pipelines; a second CRM would split the customer record.",
                alternatives: &[(
                    Workaround,
                    "A dedicated {v} pipeline, stages and dashboard in the existing CRM, set up in two weeks",
                )],
                security: None,
            },
            Refusal {
                ask: Ask {
                    title: "Video-call room kits for every {v} office",
                    variants: &["regional", "satellite", "overseas"],
                    problem: "Customer calls from the {v} offices are held on laptops; the sound is poor and we look small next to competitors.",
                    affected: "Sales staff in the {v} offices",
                    outcome: "Professional video calls from every office.",
                    need: "Reps in the {v} offices need rooms where customer video calls sound and look professional.",
                    team: Team::Infra,
                },
                reason: DeclineReason::Cost,
                note: "Kits and licences for every office would exceed this year's whole meeting-room budget.",
                alternatives: &[
                    (
                        Workaround,
                        "Portable conference speakers and webcams for the two busiest rooms this month",
                    ),
                    (
                        LaterDate,
                        "Room kits are in next year's workplace refresh, starting in March",
                    ),
                ],
                security: None,
            },
        ],
        projects: &[
            Project {
                ask: Ask {
                    title: "Configure-price-quote in the CRM",
                    variants: &[],
                    problem: "Quotes are built in spreadsheets and pasted into the CRM; errors cost us margin and a complex quote takes two days.",
                    affected: "All of sales, sales operations and finance approvers",
                    outcome: "Quotes built in the CRM in under an hour, with approvals and correct prices.",
                    need: "Sales needs quoting inside the CRM with product rules, price approvals and correct PDFs, replacing the spreadsheets.",
                    team: Team::Apps,
                },
                it_one_off: 420,
                it_yearly: 90,
                other_cost: 60,
                benefits: &[(Revenue, 380), (Savings, 90)],
                risk: Risk::Medium,
                person_days: 240,
                goals: &[0],
            },
            Project {
                ask: Ask {
                    title: "Reorder portal for {v}",
                    variants: &["dealers", "key accounts"],
                    problem: "{v} reorder by phone and e-mail; orders are re-keyed by inside sales, with errors and a day's delay.",
                    affected: "Our {v}, inside sales and order entry",
                    outcome: "{v} reorder online around the clock, straight into the ERP.",
                    need: "{v} should be able to reorder online, with their own prices and stock, directly into the ERP.",
                    team: Team::Apps,
                },
                it_one_off: 300,
                it_yearly: 60,
                other_cost: 40,
                benefits: &[(Revenue, 260), (Savings, 70)],
                risk: Risk::Medium,
                person_days: 180,
                goals: &[0, 1],
            },
            Project {
                ask: Ask {
                    title: "Sales forecasting on the data platform",
                    variants: &[],
                    problem: "The forecast is a weekly spreadsheet merge that takes sales operations a day and is out of date when it lands.",
                    affected: "Sales managers, sales operations and the executive team",
                    outcome: "A daily forecast everyone trusts, without the spreadsheet merge.",
                    need: "Sales needs a daily forecast built from the CRM on the data platform, replacing the weekly spreadsheet merge.",
                    team: Team::Data,
                },
                it_one_off: 180,
                it_yearly: 40,
                other_cost: 20,
                benefits: &[(Savings, 110), (Revenue, 60)],
                risk: Risk::Low,
                person_days: 120,
                goals: &[0],
            },
            Project {
                ask: Ask {
                    title: "Subscription billing for service contracts",
                    variants: &[],
                    problem: "Service contracts are billed by hand each quarter; renewals slip and we lose recurring revenue we have already earned.",
                    affected: "Renewals team, billing and customers on service contracts",
                    outcome: "Service contracts billed and renewed automatically.",
                    need: "Service contracts should bill and renew themselves on schedule, with renewals flagged to sales in advance.",
                    team: Team::Apps,
                },
                it_one_off: 750,
                it_yearly: 150,
                other_cost: 120,
                benefits: &[(Revenue, 620), (Savings, 80)],
                risk: Risk::High,
                person_days: 420,
                goals: &[0],
            },
            Project {
                ask: Ask {
                    title: "Mobile CRM for {v}",
                    variants: &["field reps", "sales engineers"],
                    problem: "{v} write visit notes on paper and type them in at night; half never reach the CRM.",
                    affected: "{v} and their managers",
                    outcome: "Visit notes and orders captured on the phone during the visit.",
                    need: "{v} need the CRM on their phones, working offline, to log visits and orders on the spot.",
                    team: Team::Apps,
                },
                it_one_off: 160,
                it_yearly: 70,
                other_cost: 20,
                benefits: &[(Revenue, 170)],
                risk: Risk::Low,
                person_days: 90,
                goals: &[0],
            },
            Project {
                ask: Ask {
                    title: "Sales incentive management",
                    variants: &[],
                    problem: "Commission plans are calculated in a spreadsheet of forty tabs; every quarter brings disputes and late payouts.",
                    affected: "All commissioned staff, sales operations and payroll",
                    outcome: "Commissions calculated automatically, with a statement each rep can check.",
                    need: "Sales needs commission plans calculated automatically from closed deals, with statements each rep can check.",
                    team: Team::Apps,
                },
                it_one_off: 140,
                it_yearly: 45,
                other_cost: 20,
                benefits: &[(Savings, 90), (Revenue, 60)],
                risk: Risk::Low,
                person_days: 70,
                goals: &[0, 5],
            },
        ],
    },
    DeptContent {
        name: "Customer Service",
        members: 15,
        weights: [22, 7, 7],
        asks: &[
            Ask {
                title: "Chatbot hands off {v} without context",
                variants: &["on the website", "in the app", "on WhatsApp"],
                problem: "When the chatbot {v} passes a customer to an agent, the transcript does not come along, so customers repeat everything and get angry.",
                affected: "Contact-centre agents and every customer who chats with us",
                outcome: "Agents see the whole bot conversation the moment they pick up a chat.",
                need: "When a chat {v} moves from the bot to an agent, the agent should see the full transcript and the customer's details straight away.",
                team: Team::Apps,
            },
            Ask {
                title: "Knowledge base search misses {v}",
                variants: &["product codes", "older manuals", "warranty terms"],
                problem: "Searching the knowledge base for {v} returns nothing useful, so agents put customers on hold to ask a colleague.",
                affected: "Contact-centre agents, especially new starters",
                outcome: "Agents find the right article on the first search.",
                need: "Agents need knowledge-base searches for {v} to find the right article, so they can answer without putting customers on hold.",
                team: Team::Apps,
            },
            Ask {
                title: "Headsets drop calls {v}",
                variants: &[
                    "after the softphone update",
                    "on the second floor",
                    "for home workers",
                ],
                problem: "Calls drop {v} several times a day; customers have to call back and wait in the queue again.",
                affected: "Contact-centre agents, about 40 people, and their callers",
                outcome: "Calls stay up for the whole shift.",
                need: "Calls {v} should stay up for the whole shift, without drops that send customers back into the queue.",
                team: Team::Infra,
            },
            Ask {
                title: "Show order status in the {v}",
                variants: &["ticket view", "phone screen-pop"],
                problem: "Agents switch between three systems to find where an order is, which adds about two minutes to every 'where is my order' call.",
                affected: "Contact-centre agents and customers waiting on the line",
                outcome: "Order and delivery status visible without switching systems.",
                need: "Agents should see an order's status and tracking in the {v} while they talk to the customer.",
                team: Team::Apps,
            },
            Ask {
                title: "Live wallboard for the {v} queue",
                variants: &["returns", "warranty", "trade customer"],
                problem: "Team leads cannot see how many customers wait in the {v} queue until it is too late to move agents.",
                affected: "Team leads and customers in the {v} queue",
                outcome: "A live view of waiting customers and times.",
                need: "Team leads need a live view of waiting customers and waiting times in the {v} queue, so they can move agents before it grows.",
                team: Team::Data,
            },
            Ask {
                title: "Refund approvals by e-mail take {v}",
                variants: &["three days", "a week"],
                problem: "Refunds above 200 need a manager's approval by e-mail, which takes {v}; customers chase us in the meantime.",
                affected: "Agents, team managers and customers waiting for refunds",
                outcome: "Refunds approved inside the ticket within a day.",
                need: "Refund approvals should happen inside the ticket, so managers approve in one click and customers are refunded within a day.",
                team: Team::Apps,
            },
            Ask {
                title: "Call recordings hard to find for {v}",
                variants: &["complaints", "quality reviews"],
                problem: "Finding the recording of a call for {v} means asking a team lead to search by time and extension; it takes days.",
                affected: "Quality analysts, escalations and team leads",
                outcome: "Recordings found from the ticket in seconds.",
                need: "Staff handling {v} need each call's recording linked to its ticket, so they can find it in seconds.",
                team: Team::Apps,
            },
            Ask {
                title: "Approved reply templates in {v}",
                variants: &["Spanish", "French", "German"],
                problem: "We have no approved reply templates in {v}, so agents translate on the fly and sometimes promise the wrong thing.",
                affected: "Agents who answer customers in {v}",
                outcome: "A set of approved templates in {v} for the twenty most common questions.",
                need: "Agents need approved reply templates in {v} for the most common questions, available in the ticket tool.",
                team: Team::Apps,
            },
        ],
        refusals: &[
            Refusal {
                ask: Ask {
                    title: "Agents' own WhatsApp for {v} photos",
                    variants: &["returns", "warranty"],
                    problem: "Customers want to send photos of damaged goods for {v} cases; agents could just use WhatsApp on their own phones.",
                    affected: "Agents handling {v} cases and their customers",
                    outcome: "Customers can send photos quickly and get an answer the same day.",
                    need: "Agents handling {v} cases need customers to be able to send photos easily, and to answer them the same day.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Photos from customers are a good idea; personal phones are not the place for them.",
                alternatives: &[
                    (
                        ConditionForYes,
                        "WhatsApp Business through the contact-centre platform, with messages kept in the ticket; a pilot can start next month",
                    ),
                    (
                        Workaround,
                        "Send customers the photo-upload link from the ticket in the meantime",
                    ),
                ],
                security: Some((
                    "Customer names, addresses and photos would live on personal phones with no retention or deletion control.",
                    "WhatsApp Business through the contact-centre platform, with messages stored in the ticket.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Free AI transcription for {v} calls",
                    variants: &["complaint", "escalation"],
                    problem: "Writing up {v} calls takes longer than the calls; a free transcription website would save hours each week.",
                    affected: "The escalations team",
                    outcome: "Call notes written automatically.",
                    need: "The team needs {v} call notes written up automatically so they can spend the time with customers.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Transcription is welcome; the free service is not.",
                alternatives: &[(
                    AnotherTool,
                    "The contact-centre platform's built-in transcription, switched on for the escalations team",
                )],
                security: Some((
                    "Recordings with card details and personal data would go to a free service that trains its models on them.",
                    "An enterprise plan with a data-processing agreement, EU hosting and no training on our data.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Admin rights to install {v}",
                    variants: &["browser extensions", "screen recorders"],
                    problem: "Every time we need {v} we wait for IT; admin rights on our PCs would let us help ourselves.",
                    affected: "Team leads in the contact centre",
                    outcome: "Tools available the same day they are needed.",
                    need: "Team leads need {v} on their PCs the same day they ask, without waiting in a queue.",
                    team: Team::Desk,
                },
                reason: DeclineReason::Policy,
                note: "Admin rights on contact-centre PCs are not granted, because the PCs handle card payments.",
                alternatives: &[
                    (
                        Workaround,
                        "Approved tools from the software portal install themselves within the hour",
                    ),
                    (
                        AnotherTool,
                        "The screen recorder already in the approved catalogue",
                    ),
                ],
                security: None,
            },
            Refusal {
                ask: Ask {
                    title: "Redesign the {v} web form",
                    variants: &["returns", "warranty-claim"],
                    problem: "Customers fill in the {v} form wrongly half the time, and we call them back to fix it.",
                    affected: "{v} agents and customers",
                    outcome: "A {v} form customers get right the first time.",
                    need: "Customers need a {v} form they complete correctly the first time, so agents stop calling them back.",
                    team: Team::Apps,
                },
                reason: DeclineReason::Capacity,
                note: "The web team is fully booked until the website refresh.",
                alternatives: &[
                    (LaterDate, "Part of the website refresh starting in April"),
                    (
                        Workaround,
                        "Clearer help text and a required order-number field this week",
                    ),
                ],
                security: None,
            },
        ],
        projects: &[
            Project {
                ask: Ask {
                    title: "Omnichannel contact-centre platform",
                    variants: &[],
                    problem: "Phone, e-mail, chat and social run in four tools; customers repeat themselves and we cannot see a whole conversation.",
                    affected: "All contact-centre staff and every customer who contacts us",
                    outcome: "One platform and one history per customer across every channel.",
                    need: "Customer Service needs one platform where every channel lands in a single customer history, with routing and reporting.",
                    team: Team::Apps,
                },
                it_one_off: 850,
                it_yearly: 220,
                other_cost: 120,
                benefits: &[(Savings, 520), (Revenue, 90)],
                risk: Risk::High,
                person_days: 360,
                goals: &[1],
            },
            Project {
                ask: Ask {
                    title: "Self-service order tracking {v}",
                    variants: &["on the website", "in the app"],
                    problem: "A third of all calls are 'where is my order'; customers cannot check it themselves {v}.",
                    affected: "Customers and contact-centre agents",
                    outcome: "Customers track orders themselves and call volume drops.",
                    need: "Customers should be able to track their orders and deliveries {v} without calling us.",
                    team: Team::Apps,
                },
                it_one_off: 220,
                it_yearly: 40,
                other_cost: 15,
                benefits: &[(Savings, 240)],
                risk: Risk::Low,
                person_days: 110,
                goals: &[1],
            },
            Project {
                ask: Ask {
                    title: "Workforce management for {v}",
                    variants: &["the contact centre", "the escalations team"],
                    problem: "Rotas for {v} are built in spreadsheets; we are overstaffed on Tuesdays and drowning on Mondays.",
                    affected: "Agents, team leads and planners in {v}",
                    outcome: "Rotas that follow forecast demand.",
                    need: "Planners need rotas for {v} built from forecast call volumes, with agents able to swap shifts themselves.",
                    team: Team::Apps,
                },
                it_one_off: 140,
                it_yearly: 45,
                other_cost: 20,
                benefits: &[(Savings, 160)],
                risk: Risk::Medium,
                person_days: 80,
                goals: &[1, 5],
            },
            Project {
                ask: Ask {
                    title: "AI-suggested answers for agents",
                    variants: &[],
                    problem: "New agents take three months to answer confidently; the answers exist in the knowledge base but are hard to find mid-call.",
                    affected: "Agents, especially in their first months",
                    outcome: "Suggested answers appear in the ticket as the customer describes the problem.",
                    need: "Agents need suggested answers from our own knowledge base while they handle a ticket, kept inside our tenant.",
                    team: Team::Data,
                },
                it_one_off: 300,
                it_yearly: 120,
                other_cost: 30,
                benefits: &[(Savings, 330)],
                risk: Risk::High,
                person_days: 160,
                goals: &[1],
            },
            Project {
                ask: Ask {
                    title: "Customer feedback analytics",
                    variants: &[],
                    problem: "Survey comments, complaints and reviews are not read systematically; we find out about problems when customers leave.",
                    affected: "Customer Service, product managers and the executive team",
                    outcome: "Themes from every comment, weekly, with trends.",
                    need: "Customer Service needs every survey comment, complaint and review grouped into themes weekly, with trends.",
                    team: Team::Data,
                },
                it_one_off: 110,
                it_yearly: 40,
                other_cost: 10,
                benefits: &[(Revenue, 90), (Savings, 40)],
                risk: Risk::Low,
                person_days: 60,
                goals: &[1, 0],
            },
        ],
    },
    DeptContent {
        name: "Operations",
        members: 13,
        weights: [20, 6, 10],
        asks: &[
            Ask {
                title: "Warehouse scanners drop Wi-Fi in {v}",
                variants: &[
                    "the Riverside cold store",
                    "Northgate aisles 30 to 42",
                    "the Port Ellis loading dock",
                ],
                problem: "Handheld scanners lose Wi-Fi in {v}; pickers walk back to the office to sync and orders miss the truck.",
                affected: "Pickers and shift supervisors, about 25 people per shift",
                outcome: "Scanners stay online everywhere in {v}.",
                need: "Pickers need their scanners to stay connected everywhere in {v}, so picks are recorded as they happen.",
                team: Team::Infra,
            },
            Ask {
                title: "Label printers stall at {v}",
                variants: &["Riverside", "Northgate", "Port Ellis"],
                problem: "The shipping-label queue at {v} stalls a few times a week and someone has to restart the print server.",
                affected: "Packing and dispatch at {v}",
                outcome: "Labels print without anyone restarting anything.",
                need: "Dispatch at {v} needs shipping labels to print reliably without manual restarts.",
                team: Team::Infra,
            },
            Ask {
                title: "Carrier rates missing for {v}",
                variants: &["pallet freight", "Ireland", "next-day parcels"],
                problem: "The shipping system has no rates for {v}, so we look them up by hand and often pick an expensive carrier.",
                affected: "Logistics coordinators",
                outcome: "The cheapest suitable carrier for {v} chosen automatically.",
                need: "Logistics needs current carrier rates for {v} in the shipping system, so the cheapest suitable carrier is picked.",
                team: Team::Apps,
            },
            Ask {
                title: "Cycle counts on paper at {v}",
                variants: &["Riverside", "Northgate"],
                problem: "Cycle counts at {v} are written on paper and typed in later; mistakes creep in and stock goes wrong.",
                affected: "Inventory planners and warehouse staff at {v}",
                outcome: "Counts entered on the scanner and posted straight away.",
                need: "Warehouse staff at {v} need to record cycle counts on their scanners, posted to stock immediately.",
                team: Team::Apps,
            },
            Ask {
                title: "Purchase orders stuck in approval for {v}",
                variants: &["maintenance spares", "packaging", "facilities work"],
                problem: "Purchase orders for {v} wait days for approval because the approver list is out of date.",
                affected: "Buyers and the people waiting for {v}",
                outcome: "Orders for {v} go to the right approver the same day.",
                need: "Purchase orders for {v} should route to the current approver automatically and be approved the same day.",
                team: Team::Apps,
            },
            Ask {
                title: "Forklift pre-use checks on paper at {v}",
                variants: &["Riverside", "Port Ellis"],
                problem: "Forklift checks at {v} are paper forms that get lost; we could not prove them at the last safety audit.",
                affected: "Forklift drivers and the facilities manager",
                outcome: "Checks recorded on a tablet with a history we can show auditors.",
                need: "Drivers at {v} need to record pre-use checks digitally, with a history the safety auditor can see.",
                team: Team::Apps,
            },
            Ask {
                title: "Dashboard of late {v}",
                variants: &[
                    "inbound containers",
                    "supplier deliveries",
                    "customer shipments",
                ],
                problem: "We find out about late {v} when someone complains; the data exists but nobody sees it in time.",
                affected: "Supply chain and logistics managers",
                outcome: "A daily view of late {v} with who is affected.",
                need: "Managers need a daily list of late {v} and whom they affect, early enough to act.",
                team: Team::Data,
            },
        ],
        refusals: &[
            Refusal {
                ask: Ask {
                    title: "Chiller vendor remote access at {v}",
                    variants: &["Riverside", "Port Ellis"],
                    problem: "The chiller vendor wants to install their remote-access tool at {v} so they can fix faults without a site visit.",
                    affected: "Facilities at {v}",
                    outcome: "Faster chiller repairs.",
                    need: "Facilities needs the chiller vendor to diagnose faults at {v} remotely, so repairs do not wait for a visit.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Remote support is fine; an always-open tunnel into the warehouse network is not.",
                alternatives: &[(
                    ConditionForYes,
                    "Vendor access through our privileged-access gateway, approved per session; ready in two weeks",
                )],
                security: Some((
                    "The vendor's tool opens a permanent inbound connection to the warehouse network, which also carries the scanners and the WMS.",
                    "Vendor access through the privileged-access gateway, time-limited and recorded.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Free route-planning app for {v}",
                    variants: &["van deliveries", "the Port Ellis drivers"],
                    problem: "Planning routes for {v} by hand takes two hours a day; a free app found online does it in minutes.",
                    affected: "Transport planners and drivers",
                    outcome: "Routes planned in minutes.",
                    need: "Planners need routes for {v} planned automatically from the day's orders.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Route planning is worth automating, with a tool under contract.",
                alternatives: &[(
                    AnotherTool,
                    "The route-optimiser module of our transport system, licensed for five drivers as a trial",
                )],
                security: Some((
                    "Customer names and addresses would be uploaded to a free app with no data agreement.",
                    "A paid plan with a data-processing agreement and single sign-on.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Replace every handheld at {v} now",
                    variants: &["Riverside", "Northgate"],
                    problem: "The handhelds at {v} are five years old, batteries die mid-shift and screens crack.",
                    affected: "All pickers at {v}",
                    outcome: "Reliable handhelds for every picker.",
                    need: "Pickers at {v} need handhelds that last a full shift.",
                    team: Team::Infra,
                },
                reason: DeclineReason::Cost,
                note: "A full replacement now would use the whole hardware budget for the year.",
                alternatives: &[
                    (
                        Workaround,
                        "Swap the twelve worst devices and all batteries from the spares pool this month",
                    ),
                    (LaterDate, "Full replacement in the Q3 hardware cycle"),
                ],
                security: None,
            },
            Refusal {
                ask: Ask {
                    title: "New stock app for {v} consumables",
                    variants: &["facilities", "maintenance"],
                    problem: "We track {v} consumables in a spreadsheet and run out of things; a small stock app would help.",
                    affected: "The {v} team",
                    outcome: "We know what we have and reorder in time.",
                    need: "The {v} team needs to see consumable stock levels and reorder before running out.",
                    team: Team::Apps,
                },
                reason: DeclineReason::Duplicate,
                note: "The WMS already does this; a second stock system would drift from it.",
                alternatives: &[(
                    Workaround,
                    "A consumables location with reorder points in the WMS, set up by Applications",
                )],
                security: None,
            },
        ],
        projects: &[
            Project {
                ask: Ask {
                    title: "Warehouse management system upgrade",
                    variants: &[],
                    problem: "Our WMS is out of support next year, cannot do wave picking and is the main cause of mis-picks.",
                    affected: "All three distribution centres and everyone who promises delivery dates",
                    outcome: "A supported WMS with wave picking and fewer mis-picks.",
                    need: "Operations needs a supported WMS with wave picking and scanner-guided picking across all three sites.",
                    team: Team::Apps,
                },
                it_one_off: 1200,
                it_yearly: 180,
                other_cost: 150,
                benefits: &[(Savings, 560), (RiskAvoided, 120)],
                risk: Risk::High,
                person_days: 560,
                goals: &[4],
            },
            Project {
                ask: Ask {
                    title: "Pick-by-voice at {v}",
                    variants: &["Riverside", "Northgate", "Port Ellis"],
                    problem: "Pickers at {v} juggle paper lists and scanners; mis-picks run at 1.2 %.",
                    affected: "Pickers and customers at {v}",
                    outcome: "Hands-free picking and mis-picks below 0.5 %.",
                    need: "Pickers at {v} need hands-free, voice-guided picking that confirms each pick.",
                    team: Team::Apps,
                },
                it_one_off: 260,
                it_yearly: 40,
                other_cost: 50,
                benefits: &[(Savings, 250)],
                risk: Risk::Medium,
                person_days: 150,
                goals: &[4],
            },
            Project {
                ask: Ask {
                    title: "Transport management system",
                    variants: &[],
                    problem: "Carriers are booked by phone and spreadsheet; we overpay on freight and cannot tell customers when goods arrive.",
                    affected: "Logistics, customer service and customers",
                    outcome: "Automatic carrier selection, tracking and freight audit.",
                    need: "Logistics needs carrier booking, tracking and freight-invoice checks in one system linked to the ERP.",
                    team: Team::Apps,
                },
                it_one_off: 500,
                it_yearly: 110,
                other_cost: 60,
                benefits: &[(Savings, 420)],
                risk: Risk::Medium,
                person_days: 260,
                goals: &[1, 4],
            },
            Project {
                ask: Ask {
                    title: "Demand forecasting with machine learning",
                    variants: &[],
                    problem: "Planners forecast from last year's sales plus gut feel; we are overstocked on some lines and out of others.",
                    affected: "Demand planners, buyers and sales",
                    outcome: "Forecasts by product and week that planners trust.",
                    need: "Planners need weekly forecasts per product that learn from sales, seasons and promotions.",
                    team: Team::Data,
                },
                it_one_off: 350,
                it_yearly: 90,
                other_cost: 40,
                benefits: &[(Savings, 300), (Revenue, 80)],
                risk: Risk::High,
                person_days: 200,
                goals: &[4, 0],
            },
            Project {
                ask: Ask {
                    title: "Predictive maintenance on {v}",
                    variants: &["conveyors", "the cold-store chillers"],
                    problem: "Breakdowns of {v} stop a whole site for hours; we only find out when they fail.",
                    affected: "All warehouse staff and the customers whose orders are late",
                    outcome: "Failures of {v} predicted and fixed in planned downtime.",
                    need: "Facilities needs early warning of {v} failures from sensor data, so repairs happen in planned downtime.",
                    team: Team::Data,
                },
                it_one_off: 150,
                it_yearly: 30,
                other_cost: 40,
                benefits: &[(RiskAvoided, 170)],
                risk: Risk::Medium,
                person_days: 90,
                goals: &[4],
            },
            Project {
                ask: Ask {
                    title: "Yard management at {v}",
                    variants: &["Riverside", "Northgate"],
                    problem: "Trucks queue outside {v} for hours because dock slots are booked by phone.",
                    affected: "Carriers, dock staff and inbound planners at {v}",
                    outcome: "Dock slots booked online and trucks unloaded on time.",
                    need: "Carriers should book dock slots at {v} online, and dock staff should see arrivals as they happen.",
                    team: Team::Apps,
                },
                it_one_off: 120,
                it_yearly: 30,
                other_cost: 15,
                benefits: &[(Savings, 110)],
                risk: Risk::Low,
                person_days: 60,
                goals: &[4],
            },
        ],
    },
    DeptContent {
        name: "Marketing",
        members: 8,
        weights: [13, 6, 6],
        asks: &[
            Ask {
                title: "Web analytics misses {v} conversions",
                variants: &["newsletter", "paid social", "dealer-locator"],
                problem: "Our analytics do not count {v} conversions, so we cannot tell whether that budget works.",
                affected: "Digital marketing and the CMO's monthly report",
                outcome: "{v} conversions counted and reported.",
                need: "Marketing needs {v} conversions tracked end to end, so the monthly report shows what that spend returns.",
                team: Team::Data,
            },
            Ask {
                title: "Landing pages for {v} wait weeks",
                variants: &["seasonal campaigns", "trade shows", "product launches"],
                problem: "Every landing page for {v} goes through a developer, so pages go live after the campaign has started.",
                affected: "Digital marketing and campaign owners",
                outcome: "Marketing publishes approved landing pages the same day.",
                need: "Marketing needs to build and publish landing pages for {v} from approved templates without a developer.",
                team: Team::Apps,
            },
            Ask {
                title: "Newsletter sign-ups missing from the {v} list",
                variants: &["trade", "consumer"],
                problem: "People who sign up on the website do not reach the {v} mailing list for days, if at all.",
                affected: "Marketing operations and new subscribers",
                outcome: "Sign-ups appear on the {v} list within minutes.",
                need: "Website sign-ups should reach the {v} mailing list within minutes, with their consent recorded.",
                team: Team::Apps,
            },
            Ask {
                title: "Share large video files with {v}",
                variants: &["our agency", "photographers", "dealers"],
                problem: "Video files are too big for e-mail, so we post USB sticks to {v}.",
                affected: "The content team and {v}",
                outcome: "Large files shared by link, safely.",
                need: "The content team needs to send large video files to {v} by link, with access that expires.",
                team: Team::Desk,
            },
            Ask {
                title: "Product feed errors on {v}",
                variants: &["Google Shopping", "Amazon", "dealer websites"],
                problem: "Hundreds of products are rejected on {v} because of missing attributes in the feed.",
                affected: "E-commerce and marketing",
                outcome: "Every active product listed on {v}.",
                need: "The product feed to {v} needs the missing attributes, so no active product is rejected.",
                team: Team::Data,
            },
            Ask {
                title: "Event registrations export for {v}",
                variants: &["the spring trade show", "webinars"],
                problem: "Registrations for {v} sit in the event tool and are copied into the CRM by hand afterwards.",
                affected: "Events team and sales follow-up",
                outcome: "Registrations flow into the CRM as they happen.",
                need: "Registrations for {v} should flow into the CRM as leads automatically, with the event recorded.",
                team: Team::Apps,
            },
        ],
        refusals: &[
            Refusal {
                ask: Ask {
                    title: "Use Canva for {v}",
                    variants: &["campaign assets", "social posts"],
                    problem: "Designers are swamped; with Canva the team could make {v} themselves in minutes.",
                    affected: "The whole marketing team",
                    outcome: "Marketers make on-brand {v} without waiting for a designer.",
                    need: "Marketers need to produce on-brand {v} themselves, quickly, from approved templates.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Canva itself is fine; personal accounts holding our brand files are the problem.",
                alternatives: &[
                    (
                        ConditionForYes,
                        "Canva for Teams on the company domain with single sign-on; IT sets it up as soon as Marketing names an admin",
                    ),
                    (
                        AnotherTool,
                        "Adobe Express, already included in our Creative Cloud licences",
                    ),
                ],
                security: Some((
                    "Personal Canva accounts would hold unreleased product images and brand files outside company control, with no single sign-on and no way to remove leavers.",
                    "Canva for Teams on the company domain with single sign-on and an admin who removes leavers.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Connect a free AI copywriter to {v}",
                    variants: &["the CMS", "the e-mail platform"],
                    problem: "A free AI writing tool could draft copy straight into {v} and halve the time to launch a campaign.",
                    affected: "Copywriters and campaign managers",
                    outcome: "First drafts in minutes.",
                    need: "Copywriters need AI help with first drafts for {v}, without slowing down approval.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "AI drafting is welcome through a tool that keeps our content inside the company.",
                alternatives: &[(
                    AnotherTool,
                    "Copilot in our Microsoft 365 tenant, already licensed, keeps drafts inside the company",
                )],
                security: Some((
                    "The tool asks for full read and write access and sends unreleased content to a service that trains on it.",
                    "An enterprise plan with no training on our data and access limited to drafts.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Shared admin login to {v} for the agency",
                    variants: &["the website CMS", "our ad accounts"],
                    problem: "The agency waits for us to make every change in {v}; one shared admin login would let them get on with it.",
                    affected: "Digital marketing and the agency",
                    outcome: "The agency makes changes directly.",
                    need: "The agency needs to make approved changes in {v} directly, without waiting for us.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "The agency can work directly, each person with their own account.",
                alternatives: &[(
                    ConditionForYes,
                    "Named editor accounts with MFA for each agency person, ending with the contract",
                )],
                security: Some((
                    "A shared admin login gives full control, including user management, with no record of who changed what.",
                    "Named agency accounts with editor rights, MFA and an end date.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Buy a mailing list of {v} contacts",
                    variants: &["boating-club", "outdoor-retail"],
                    problem: "A vendor offers twenty thousand {v} contacts; mailing them could fill the spring pipeline.",
                    affected: "Marketing and sales development",
                    outcome: "More leads for the spring campaign.",
                    need: "Marketing needs more {v} leads for the spring campaign, quickly.",
                    team: Team::Data,
                },
                reason: DeclineReason::Policy,
                note: "Bought lists break our consent policy and the mailing platform's terms; our domain could be blocked.",
                alternatives: &[(
                    Workaround,
                    "A co-branded sign-up offer with {v} partners, so contacts opt in themselves",
                )],
                security: None,
            },
            Refusal {
                ask: Ask {
                    title: "IT to design the {v} brochure",
                    variants: &["spring catalogue", "dealer"],
                    problem: "We have no designer free for the {v} brochure and IT has people who know the product data.",
                    affected: "Marketing and sales",
                    outcome: "The {v} brochure printed on time.",
                    need: "Marketing needs the {v} brochure designed in time for print, with correct product data.",
                    team: Team::Data,
                },
                reason: DeclineReason::OutOfScope,
                note: "Brochure design is not something IT can do well.",
                alternatives: &[
                    (
                        AnotherTool,
                        "The design agency retainer covers brochures; marketing operations can book it",
                    ),
                    (
                        Workaround,
                        "IT provides the product data export the designers need",
                    ),
                ],
                security: None,
            },
        ],
        projects: &[
            Project {
                ask: Ask {
                    title: "Marketing automation platform",
                    variants: &[],
                    problem: "Campaigns are sent by hand from a basic newsletter tool; we cannot nurture leads or measure what works.",
                    affected: "Marketing, sales development and every lead we generate",
                    outcome: "Automated nurture journeys linked to the CRM, with attribution.",
                    need: "Marketing needs automated, consent-aware nurture journeys linked to the CRM, with reporting on what converts.",
                    team: Team::Apps,
                },
                it_one_off: 280,
                it_yearly: 120,
                other_cost: 60,
                benefits: &[(Revenue, 380)],
                risk: Risk::Medium,
                person_days: 160,
                goals: &[0],
            },
            Project {
                ask: Ask {
                    title: "Product information management",
                    variants: &[],
                    problem: "Product data lives in five spreadsheets; the website, catalogue and marketplaces all disagree.",
                    affected: "Marketing, e-commerce, sales and customers",
                    outcome: "One source of product data feeding every channel.",
                    need: "Marketing needs one product-information system feeding the website, catalogue and marketplaces.",
                    team: Team::Apps,
                },
                it_one_off: 420,
                it_yearly: 70,
                other_cost: 80,
                benefits: &[(Revenue, 260), (Savings, 90)],
                risk: Risk::Medium,
                person_days: 220,
                goals: &[0],
            },
            Project {
                ask: Ask {
                    title: "Website replatform to a headless CMS",
                    variants: &[],
                    problem: "The website is slow, hard to change and runs on a CMS version that is out of support.",
                    affected: "Customers, dealers and the marketing team",
                    outcome: "A fast, supported website marketing can update itself.",
                    need: "Marketing needs a fast, supported website it can update itself, with the shop and dealer locator kept.",
                    team: Team::Apps,
                },
                it_one_off: 900,
                it_yearly: 120,
                other_cost: 90,
                benefits: &[(Revenue, 420), (RiskAvoided, 80)],
                risk: Risk::High,
                person_days: 380,
                goals: &[0, 1],
            },
            Project {
                ask: Ask {
                    title: "Customer data platform for {v}",
                    variants: &["the online shop", "shop and dealer channels"],
                    problem: "We cannot see one customer across {v}; offers go to people who just bought.",
                    affected: "Marketing, e-commerce and customers",
                    outcome: "One consented customer profile for {v}.",
                    need: "Marketing needs one consented customer profile across {v}, to target offers and stop irrelevant ones.",
                    team: Team::Data,
                },
                it_one_off: 500,
                it_yearly: 150,
                other_cost: 50,
                benefits: &[(Revenue, 400)],
                risk: Risk::High,
                person_days: 250,
                goals: &[0],
            },
            Project {
                ask: Ask {
                    title: "Digital asset management",
                    variants: &[],
                    problem: "Product photos and brand files are spread across drives and agencies; we pay twice for shoots we cannot find.",
                    affected: "Marketing, e-commerce, dealers and agencies",
                    outcome: "One library of approved images and files, with rights and expiry.",
                    need: "Marketing needs one library of approved images and brand files, with usage rights, shared with dealers and agencies.",
                    team: Team::Apps,
                },
                it_one_off: 130,
                it_yearly: 50,
                other_cost: 20,
                benefits: &[(Savings, 120)],
                risk: Risk::Low,
                person_days: 60,
                goals: &[0],
            },
        ],
    },
    DeptContent {
        name: "Finance",
        members: 7,
        weights: [11, 3, 7],
        asks: &[
            Ask {
                title: "Automate month-end accruals for {v}",
                variants: &["freight", "utilities", "contractor costs"],
                problem: "Accruals for {v} are calculated in a spreadsheet each month-end and posted by hand, which takes a day.",
                affected: "The FP&A team at every month-end",
                outcome: "Accruals for {v} calculated and posted automatically.",
                need: "Finance needs accruals for {v} calculated from open orders and posted as a journal automatically at month-end.",
                team: Team::Apps,
            },
            Ask {
                title: "Budget workbook locks up with {v}",
                variants: &["more than twenty users", "linked workbooks"],
                problem: "The budget workbook freezes with {v}; people overwrite each other and lose work.",
                affected: "Budget holders across the company during budget season",
                outcome: "Budget input without freezes or lost work.",
                need: "Budget holders need to enter their budgets at the same time without freezes or overwritten work.",
                team: Team::Apps,
            },
            Ask {
                title: "Bank statement import fails for {v}",
                variants: &["the USD account", "the deposit account", "card settlements"],
                problem: "The daily bank import rejects {v}, so treasury keys the lines in by hand.",
                affected: "Treasury analysts",
                outcome: "Statements for {v} import every day.",
                need: "Treasury needs {v} statements imported automatically every morning like the other accounts.",
                team: Team::Apps,
            },
            Ask {
                title: "FX rates typed in by hand every {v}",
                variants: &["morning", "month-end"],
                problem: "Someone copies exchange rates from the bank's website into the ERP every {v}; a typo last quarter cost us a restatement.",
                affected: "Treasury and the accounting close",
                outcome: "Rates loaded automatically from a trusted source.",
                need: "Finance needs exchange rates loaded into the ERP automatically every {v} from a trusted source.",
                team: Team::Apps,
            },
            Ask {
                title: "Expense approvals lost for {v}",
                variants: &["travel", "client entertainment"],
                problem: "Expense reports for {v} sit unapproved because the approval e-mail goes to the wrong manager.",
                affected: "Staff who travel, their managers and the expenses team",
                outcome: "Expenses for {v} approved within a week.",
                need: "Expense reports for {v} should go to the right approver automatically, with reminders.",
                team: Team::Apps,
            },
            Ask {
                title: "Cash forecast report for {v}",
                variants: &["the treasury meeting", "the board pack"],
                problem: "The cash forecast for {v} is assembled from three exports every week.",
                affected: "Treasury and the CFO",
                outcome: "A cash forecast report for {v} refreshed daily.",
                need: "Treasury needs a cash forecast for {v} refreshed daily from the ERP and bank data.",
                team: Team::Data,
            },
            Ask {
                title: "Audit trail export for {v}",
                variants: &["the external auditors", "internal audit"],
                problem: "Every request from {v} for change history means a developer running queries.",
                affected: "The controller and {v}",
                outcome: "Audit trail exports available on request, without a developer.",
                need: "Finance needs to export the ERP's change history for {v} without asking a developer.",
                team: Team::Data,
            },
        ],
        refusals: &[
            Refusal {
                ask: Ask {
                    title: "Upload {v} to a free AI tool for analysis",
                    variants: &["the ledger", "payroll costs"],
                    problem: "Variance analysis of {v} takes days; a free AI chatbot could explain the movements in minutes.",
                    affected: "FP&A analysts",
                    outcome: "Variance commentary drafted in minutes.",
                    need: "FP&A needs help drafting variance commentary on {v} quickly, without weakening confidentiality.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Help with variance analysis, yes; unpublished results in a consumer AI tool, no.",
                alternatives: &[
                    (
                        AnotherTool,
                        "Copilot in Excel under the company licence, which keeps data in our tenant",
                    ),
                    (
                        Workaround,
                        "The FP&A variance template with commentary prompts",
                    ),
                ],
                security: Some((
                    "Unpublished financial results would go to a consumer AI service with no confidentiality terms: an insider-information risk.",
                    "A company-licensed AI assistant under our data agreement, with the data staying in our tenant.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Share the finance drive with {v} by personal e-mail",
                    variants: &["the auditors", "the tax advisers"],
                    problem: "{v} need dozens of files; sharing the drive with their personal e-mail addresses would save the back and forth.",
                    affected: "The finance team and {v}",
                    outcome: "{v} get what they need without a stream of attachments.",
                    need: "Finance needs to give {v} the files they ask for quickly, for the length of the engagement.",
                    team: Team::Desk,
                },
                reason: DeclineReason::Policy,
                note: "Finance data is not shared with personal addresses.",
                alternatives: &[(
                    AnotherTool,
                    "A secure external workspace for {v} with access that ends with the engagement",
                )],
                security: None,
            },
            Refusal {
                ask: Ask {
                    title: "Separate BI licence for {v}",
                    variants: &["FP&A", "treasury"],
                    problem: "{v} wants its own BI tool because the company dashboards do not show what we need.",
                    affected: "The {v} team",
                    outcome: "Dashboards that answer {v}'s questions.",
                    need: "The {v} team needs dashboards that answer its questions, refreshed daily.",
                    team: Team::Data,
                },
                reason: DeclineReason::Duplicate,
                note: "The company BI platform can do this; a second tool would mean two versions of the numbers.",
                alternatives: &[(
                    Workaround,
                    "Data & Analytics builds the {v} dashboards on the existing BI platform this quarter",
                )],
                security: None,
            },
        ],
        projects: &[
            Project {
                ask: Ask {
                    title: "Financial close automation",
                    variants: &[],
                    problem: "The month-end close takes eight days of checklists, reconciliations and e-mails.",
                    affected: "Finance and accounting at every month-end, and everyone waiting for the numbers",
                    outcome: "The books closed in three days.",
                    need: "Finance needs close tasks, reconciliations and journals automated and tracked, so the close takes three days.",
                    team: Team::Apps,
                },
                it_one_off: 240,
                it_yearly: 60,
                other_cost: 30,
                benefits: &[(Savings, 220)],
                risk: Risk::Medium,
                person_days: 140,
                goals: &[3],
            },
            Project {
                ask: Ask {
                    title: "Treasury management system",
                    variants: &[],
                    problem: "Cash positions, hedges and bank accounts are tracked in spreadsheets; one mistake could cost more than the system.",
                    affected: "Treasury and the CFO",
                    outcome: "Daily cash positions and controlled payments in one system.",
                    need: "Treasury needs daily cash positions, hedges and payment controls in one system linked to the banks.",
                    team: Team::Apps,
                },
                it_one_off: 320,
                it_yearly: 80,
                other_cost: 30,
                benefits: &[(RiskAvoided, 240), (Savings, 60)],
                risk: Risk::Medium,
                person_days: 120,
                goals: &[3],
            },
            Project {
                ask: Ask {
                    title: "Rolling forecast platform",
                    variants: &[],
                    problem: "The budget is out of date by March; re-forecasting in spreadsheets takes FP&A three weeks.",
                    affected: "FP&A and every budget holder",
                    outcome: "A quarterly rolling forecast in days.",
                    need: "FP&A needs a planning tool for quarterly rolling forecasts, fed from the ERP and the CRM.",
                    team: Team::Data,
                },
                it_one_off: 200,
                it_yearly: 60,
                other_cost: 20,
                benefits: &[(Savings, 140)],
                risk: Risk::Low,
                person_days: 90,
                goals: &[3, 0],
            },
            Project {
                ask: Ask {
                    title: "Spend analytics for {v}",
                    variants: &["indirect spend", "freight spend"],
                    problem: "Nobody can say what we spend on {v} by supplier or category without a week of work.",
                    affected: "Procurement, finance and budget holders",
                    outcome: "A live view of {v} and where to save.",
                    need: "Finance needs {v} classified by supplier and category, refreshed monthly, to find savings.",
                    team: Team::Data,
                },
                it_one_off: 150,
                it_yearly: 35,
                other_cost: 10,
                benefits: &[(Savings, 190)],
                risk: Risk::Low,
                person_days: 70,
                goals: &[3],
            },
            Project {
                ask: Ask {
                    title: "Automated credit checks for {v}",
                    variants: &["new trade customers", "dealer limit reviews"],
                    problem: "Credit checks for {v} are done by hand from agency reports; orders wait and bad debts slip through.",
                    affected: "Credit control, sales and customers waiting for their orders",
                    outcome: "Credit decisions in minutes, with limits watched daily.",
                    need: "Finance needs credit decisions for {v} made in minutes from agency data, with limits monitored daily.",
                    team: Team::Apps,
                },
                it_one_off: 90,
                it_yearly: 25,
                other_cost: 10,
                benefits: &[(RiskAvoided, 120), (Revenue, 40)],
                risk: Risk::Low,
                person_days: 45,
                goals: &[3, 0],
            },
        ],
    },
    DeptContent {
        name: "Accounting",
        members: 6,
        weights: [10, 3, 5],
        asks: &[
            Ask {
                title: "Export GL to Excel without macros for {v}",
                variants: &["month-end reviews", "the auditors", "cost-centre owners"],
                problem: "The GL export for {v} only works through an old macro that breaks with every Excel update.",
                affected: "Accountants who prepare and review the export",
                outcome: "A clean GL export to Excel, no macros.",
                need: "Accounting needs a reliable GL export to Excel for {v} that does not depend on macros.",
                team: Team::Apps,
            },
            Ask {
                title: "Invoice scanning misreads {v}",
                variants: &[
                    "supplier VAT numbers",
                    "credit notes",
                    "multi-page invoices",
                ],
                problem: "The invoice scanner misreads {v}, and every one has to be corrected by hand before payment.",
                affected: "Accounts payable specialists",
                outcome: "{v} read correctly the first time.",
                need: "Accounts payable needs the scanner to read {v} correctly, so invoices go to approval without manual fixes.",
                team: Team::Apps,
            },
            Ask {
                title: "Payment run file rejected for {v}",
                variants: &["domestic suppliers", "euro payments"],
                problem: "The payment file for {v} is rejected by the bank about once a month, and suppliers are paid late.",
                affected: "Accounts payable and our suppliers",
                outcome: "Every payment run accepted the first time.",
                need: "Accounts payable needs payment files for {v} that the bank accepts every time.",
                team: Team::Apps,
            },
            Ask {
                title: "Customer statements show {v}",
                variants: &["paid invoices as open", "the old address"],
                problem: "Customer statements show {v}, so customers call to query them.",
                affected: "Accounts receivable, customer service and customers",
                outcome: "Statements customers do not need to query.",
                need: "Accounts receivable needs customer statements that are correct, so customers stop querying {v}.",
                team: Team::Apps,
            },
            Ask {
                title: "Fixed-asset register differs from {v}",
                variants: &["the ledger", "the insurance list"],
                problem: "The fixed-asset register does not agree with {v}, and reconciling it takes two days a quarter.",
                affected: "The fixed-asset accountant",
                outcome: "Register and {v} agree automatically.",
                need: "Accounting needs the fixed-asset register and {v} to agree without a manual reconciliation.",
                team: Team::Apps,
            },
            Ask {
                title: "Payroll journal re-keyed for {v}",
                variants: &["overtime", "bonuses"],
                problem: "The payroll journal for {v} is re-typed from a PDF into the ERP each month.",
                affected: "Payroll and general-ledger accountants",
                outcome: "Payroll journals for {v} imported, not typed.",
                need: "Accounting needs payroll journals for {v} imported straight from the payroll system.",
                team: Team::Apps,
            },
            Ask {
                title: "Dunning letters sent to {v}",
                variants: &[
                    "customers on payment plans",
                    "dealers with open credit notes",
                ],
                problem: "Automatic dunning letters go to {v}, which upsets good customers.",
                affected: "Accounts receivable and customers",
                outcome: "No dunning letters to {v}.",
                need: "Dunning should skip {v}, so good customers stop getting reminders they do not deserve.",
                team: Team::Apps,
            },
        ],
        refusals: &[
            Refusal {
                ask: Ask {
                    title: "Free online PDF merger for {v}",
                    variants: &["invoice batches", "audit evidence"],
                    problem: "We merge {v} into single PDFs every week; a free website does it in seconds.",
                    affected: "Accounts payable and the audit file",
                    outcome: "{v} merged in seconds.",
                    need: "Accounting needs to merge {v} into single PDFs quickly.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Merging PDFs is easy to solve safely.",
                alternatives: &[(
                    AnotherTool,
                    "Adobe Acrobat Standard from the software portal, installed the same day",
                )],
                security: Some((
                    "Invoices with bank details would be uploaded to an unknown website, a known route to invoice fraud.",
                    "A desktop PDF tool from the approved catalogue, or an online one under a company contract.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "One shared login for the {v} portal",
                    variants: &["bank", "tax authority"],
                    problem: "Only one person has a login to the {v} portal; a shared login would cover holidays.",
                    affected: "Accounts payable and the controller",
                    outcome: "The {v} portal covered when someone is away.",
                    need: "Accounting needs at least two people able to use the {v} portal so nothing waits for holidays.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Cover for holidays, yes, with individual logins.",
                alternatives: &[(
                    ConditionForYes,
                    "Individual logins with approval limits for two more people; IT will request them",
                )],
                security: Some((
                    "With a shared login nobody can tell who approved a payment or a filing.",
                    "Individual logins with MFA and dual approval.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Automate {v} reconciliation",
                    variants: &["intercompany", "credit-card"],
                    problem: "{v} balances are reconciled by hand every month and rarely agree the first time.",
                    affected: "General-ledger accountants",
                    outcome: "{v} balances matched automatically.",
                    need: "Accounting needs {v} balances matched automatically, leaving only the differences to investigate.",
                    team: Team::Apps,
                },
                reason: DeclineReason::Capacity,
                note: "Applications is fully committed to the close-automation work this half-year.",
                alternatives: &[
                    (
                        LaterDate,
                        "Included in the second phase of close automation",
                    ),
                    (
                        Workaround,
                        "A matching template on the BI platform this month",
                    ),
                ],
                security: None,
            },
        ],
        projects: &[
            Project {
                ask: Ask {
                    title: "Accounts payable automation",
                    variants: &[],
                    problem: "Every supplier invoice is keyed, matched and chased by hand; we miss early-payment discounts.",
                    affected: "Accounts payable, approvers and suppliers",
                    outcome: "Invoices matched and routed automatically; discounts taken.",
                    need: "Accounts payable needs invoices captured, matched to orders and routed for approval automatically.",
                    team: Team::Apps,
                },
                it_one_off: 180,
                it_yearly: 50,
                other_cost: 20,
                benefits: &[(Savings, 200)],
                risk: Risk::Low,
                person_days: 100,
                goals: &[3],
            },
            Project {
                ask: Ask {
                    title: "E-invoicing for {v}",
                    variants: &["customers", "suppliers"],
                    problem: "Invoices to and from {v} are still PDFs; e-invoicing becomes mandatory in two years.",
                    affected: "Accounting, {v} and the tax team",
                    outcome: "Compliant e-invoicing with {v}.",
                    need: "Accounting needs compliant e-invoicing with {v} before the mandate starts.",
                    team: Team::Apps,
                },
                it_one_off: 120,
                it_yearly: 30,
                other_cost: 15,
                benefits: &[(Savings, 70), (RiskAvoided, 60)],
                risk: Risk::Low,
                person_days: 70,
                goals: &[3],
            },
            Project {
                ask: Ask {
                    title: "Revenue recognition module",
                    variants: &[],
                    problem: "Revenue on multi-year contracts is recognised in a spreadsheet; the auditors flagged it last year.",
                    affected: "Revenue accountants, the controller and the auditors",
                    outcome: "Revenue recognised by the ERP with an audit trail.",
                    need: "Accounting needs revenue on multi-year contracts recognised in the ERP with a full audit trail.",
                    team: Team::Apps,
                },
                it_one_off: 280,
                it_yearly: 45,
                other_cost: 30,
                benefits: &[(RiskAvoided, 150), (Savings, 40)],
                risk: Risk::Medium,
                person_days: 130,
                goals: &[3],
            },
            Project {
                ask: Ask {
                    title: "Expense management app",
                    variants: &[],
                    problem: "Receipts are glued to paper forms and keyed in by accounts payable; claims take a month to repay.",
                    affected: "Everyone who travels, their approvers and accounts payable",
                    outcome: "Receipts photographed, claims approved and repaid within a week.",
                    need: "Staff need to claim expenses from their phones, with approvals and card matching, repaid within a week.",
                    team: Team::Apps,
                },
                it_one_off: 90,
                it_yearly: 40,
                other_cost: 15,
                benefits: &[(Savings, 110)],
                risk: Risk::Low,
                person_days: 50,
                goals: &[3, 5],
            },
        ],
    },
    DeptContent {
        name: "Human Resources",
        members: 5,
        weights: [10, 3, 5],
        asks: &[
            Ask {
                title: "Onboarding accounts take five days for {v}",
                variants: &["warehouse staff", "contact-centre agents", "office hires"],
                problem: "New {v} wait up to five days for their accounts and sit idle in their first week.",
                affected: "New {v}, their managers and HR",
                outcome: "Accounts ready on the first morning.",
                need: "New {v} should have every account they need ready on their first morning.",
                team: Team::Desk,
            },
            Ask {
                title: "Leavers keep access to {v}",
                variants: &["the CRM", "shared mailboxes"],
                problem: "People who leave keep access to {v} for weeks because nobody tells IT in time.",
                affected: "HR, IT and everyone whose data is in {v}",
                outcome: "Access to {v} ends on the last day.",
                need: "Access to {v} should end automatically on an employee's last day, from the date HR records.",
                team: Team::Sec,
            },
            Ask {
                title: "Training records spread across {v}",
                variants: &["spreadsheets", "three systems"],
                problem: "Mandatory training records sit across {v}; we cannot prove compliance quickly.",
                affected: "HR, managers and auditors",
                outcome: "One record of who completed which training.",
                need: "HR needs one place that shows who has completed which mandatory training.",
                team: Team::Data,
            },
            Ask {
                title: "Holiday requests lost in {v}",
                variants: &["e-mail", "the old form"],
                problem: "Holiday requests sent by {v} get lost and rotas clash.",
                affected: "All staff and their managers",
                outcome: "Holiday requested and approved in one place.",
                need: "Staff need to request holiday in the HR system and managers approve it there, instead of by {v}.",
                team: Team::Apps,
            },
            Ask {
                title: "Job adverts re-typed into {v}",
                variants: &["three job boards", "the careers site"],
                problem: "Recruiters re-type every advert into {v}.",
                affected: "Recruiters",
                outcome: "Adverts published to {v} from the applicant-tracking system.",
                need: "Recruiters need adverts published from the applicant-tracking system to {v} in one step.",
                team: Team::Apps,
            },
            Ask {
                title: "Payslips for {v}",
                variants: &["staff without a company e-mail", "weekend shift workers"],
                problem: "Payslips for {v} are printed and posted, and some go missing.",
                affected: "{v} and payroll",
                outcome: "Payslips available securely on a phone.",
                need: "{v} need secure access to their payslips on their own phones.",
                team: Team::Apps,
            },
        ],
        refusals: &[
            Refusal {
                ask: Ask {
                    title: "Run {v} on a free form tool",
                    variants: &["the engagement survey", "exit interviews"],
                    problem: "We want to run {v} online; a free form builder is quick to set up.",
                    affected: "All staff and HR",
                    outcome: "Honest answers collected quickly.",
                    need: "HR needs to collect honest answers for {v} online, quickly and confidentially.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Online surveys, yes; personal answers in a free tool, no.",
                alternatives: &[(
                    AnotherTool,
                    "Microsoft Forms in our tenant, with anonymous responses switched on",
                )],
                security: Some((
                    "Personal answers linked to names would sit in a free tool outside our data agreements.",
                    "A survey tool under contract with EU hosting and anonymity settings reviewed by Security.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Keep candidate CVs in {v}",
                    variants: &["a shared Google Drive", "personal OneDrive folders"],
                    problem: "Hiring managers cannot find CVs in the applicant-tracking system; {v} would be easier.",
                    affected: "Recruiters and hiring managers",
                    outcome: "Hiring managers find CVs quickly.",
                    need: "Hiring managers need to find and review candidates' CVs quickly.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "The applicant-tracking system can do this; it needs setting up properly.",
                alternatives: &[(
                    Workaround,
                    "Hiring-manager views in the applicant-tracking system and a 30-minute session run by IT",
                )],
                security: Some((
                    "CVs are personal data; {v} cannot enforce retention or deletion requests.",
                    "CVs kept in the applicant-tracking system with retention rules.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "New HR system just for {v}",
                    variants: &["recruiting", "learning"],
                    problem: "Our HR system is poor at {v}; a specialist tool would do it better.",
                    affected: "HR",
                    outcome: "A good tool for {v}.",
                    need: "HR needs a usable tool for {v} that shares data with the HR system.",
                    team: Team::Apps,
                },
                reason: DeclineReason::Duplicate,
                note: "The {v} module of the current HR system is licensed and unused.",
                alternatives: &[(
                    Workaround,
                    "Applications switches on and configures the {v} module we already pay for",
                )],
                security: None,
            },
        ],
        projects: &[
            Project {
                ask: Ask {
                    title: "Automated joiner-mover-leaver process",
                    variants: &[],
                    problem: "Accounts are created and removed from e-mails; joiners wait and leavers keep access.",
                    affected: "HR, IT, every manager and every new starter",
                    outcome: "Access follows HR records automatically.",
                    need: "HR and IT need access granted, changed and removed automatically from the HR system's records.",
                    team: Team::Sec,
                },
                it_one_off: 200,
                it_yearly: 40,
                other_cost: 20,
                benefits: &[(RiskAvoided, 140), (Savings, 60)],
                risk: Risk::Medium,
                person_days: 120,
                goals: &[2, 5],
            },
            Project {
                ask: Ask {
                    title: "Learning management system",
                    variants: &[],
                    problem: "Training is booked by e-mail and tracked in spreadsheets; staff say there is no development.",
                    affected: "All staff and HR",
                    outcome: "Courses, records and development plans in one place.",
                    need: "HR needs one place for courses, mandatory training records and development plans.",
                    team: Team::Apps,
                },
                it_one_off: 120,
                it_yearly: 50,
                other_cost: 30,
                benefits: &[(Savings, 110)],
                risk: Risk::Low,
                person_days: 60,
                goals: &[5],
            },
            Project {
                ask: Ask {
                    title: "Employee self-service app for {v}",
                    variants: &["shift workers", "all staff"],
                    problem: "{v} have no way to see rotas, payslips or request holiday without a PC.",
                    affected: "{v} and their managers",
                    outcome: "Rotas, payslips and holiday on the phone.",
                    need: "{v} need rotas, payslips and holiday requests on their phones.",
                    team: Team::Apps,
                },
                it_one_off: 150,
                it_yearly: 40,
                other_cost: 15,
                benefits: &[(Savings, 120)],
                risk: Risk::Low,
                person_days: 80,
                goals: &[5],
            },
            Project {
                ask: Ask {
                    title: "Applicant tracking system replacement",
                    variants: &[],
                    problem: "Our applicant-tracking system is out of support, hiring managers avoid it and CVs end up in inboxes.",
                    affected: "Recruiters, hiring managers and candidates",
                    outcome: "A hiring process managers actually use, with CVs kept safely.",
                    need: "HR needs an applicant-tracking system hiring managers use, with retention rules and job-board posting.",
                    team: Team::Apps,
                },
                it_one_off: 160,
                it_yearly: 55,
                other_cost: 20,
                benefits: &[(Savings, 100), (RiskAvoided, 50)],
                risk: Risk::Medium,
                person_days: 90,
                goals: &[5, 2],
            },
        ],
    },
    DeptContent {
        name: "Business Development",
        members: 5,
        weights: [8, 3, 4],
        asks: &[
            Ask {
                title: "Partner contracts hard to find in {v}",
                variants: &["the shared drive", "SharePoint"],
                problem: "Finding a partner's current contract in {v} takes half an hour; versions are everywhere.",
                affected: "Partner managers and legal",
                outcome: "The current contract found in a minute.",
                need: "Partner managers need to find each partner's current signed contract in under a minute.",
                team: Team::Desk,
            },
            Ask {
                title: "Market data access for {v}",
                variants: &["new analysts", "the partnerships team"],
                problem: "{v} wait weeks for access to the market data subscription.",
                affected: "{v}",
                outcome: "Access within a day of joining.",
                need: "{v} need access to the market data subscription within a day.",
                team: Team::Desk,
            },
            Ask {
                title: "Proposal template breaks {v}",
                variants: &["the table of contents", "the pricing annex"],
                problem: "The proposal template breaks {v} whenever two people edit at once.",
                affected: "Proposal writers",
                outcome: "A template that survives co-editing.",
                need: "Proposal writers need a template that keeps {v} intact when several people edit it.",
                team: Team::Apps,
            },
            Ask {
                title: "Partner deals missing from {v}",
                variants: &["the CRM", "the forecast"],
                problem: "Deals sourced by partners are not in {v}, so nobody sees the partner pipeline.",
                affected: "Business development and the sales leadership",
                outcome: "Partner-sourced deals visible in {v}.",
                need: "Partner-sourced deals should appear in {v} with the partner credited.",
                team: Team::Apps,
            },
            Ask {
                title: "Video calls with {v} fail on our network",
                variants: &["partners in Asia", "marketplace vendors"],
                problem: "Calls with {v} freeze or drop from the office network.",
                affected: "Partner managers",
                outcome: "Stable video calls with {v}.",
                need: "Partner managers need stable video calls with {v} from the office.",
                team: Team::Infra,
            },
        ],
        refusals: &[
            Refusal {
                ask: Ask {
                    title: "Guest access for partners to {v}",
                    variants: &["our whole Teams workspace", "the roadmap site"],
                    problem: "Partners keep asking for updates; guest access to {v} would let them help themselves.",
                    affected: "Partner managers and partners",
                    outcome: "Partners informed without constant e-mails.",
                    need: "Partners need up-to-date information without partner managers e-mailing it each time.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Partners can have their own space, not the whole of {v}.",
                alternatives: &[(
                    ConditionForYes,
                    "A dedicated partner channel with named guests, reviewed each quarter",
                )],
                security: Some((
                    "Guest access to {v} would expose unannounced products and pricing to partners who also work with competitors.",
                    "A separate partner channel with named guests and a quarterly access review.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Personal e-signature app for {v}",
                    variants: &["NDAs", "partner agreements"],
                    problem: "Getting {v} signed takes a week of printing and scanning; a personal e-signature app is free.",
                    affected: "Business development",
                    outcome: "{v} signed the same day.",
                    need: "Business development needs {v} signed electronically the same day.",
                    team: Team::Sec,
                },
                reason: DeclineReason::Security,
                note: "Same-day signatures, yes, in the company account.",
                alternatives: &[(
                    AnotherTool,
                    "The company e-signature account; Legal can add business development this week",
                )],
                security: Some((
                    "Signed contracts would be stored in personal accounts with no audit trail.",
                    "The company e-signature account with a team licence.",
                )),
            },
            Refusal {
                ask: Ask {
                    title: "Market intelligence platform for {v}",
                    variants: &["partner scouting", "competitor tracking"],
                    problem: "We research {v} by hand; a market intelligence platform would do it better.",
                    affected: "Business development analysts",
                    outcome: "Better {v} in less time.",
                    need: "Analysts need faster, better-sourced research for {v}.",
                    team: Team::Data,
                },
                reason: DeclineReason::Cost,
                note: "The platform costs more than the team's whole tools budget.",
                alternatives: &[(
                    Workaround,
                    "The existing market data subscription plus saved searches set up by Data & Analytics",
                )],
                security: None,
            },
        ],
        projects: &[
            Project {
                ask: Ask {
                    title: "Partner relationship management portal",
                    variants: &[],
                    problem: "Partners register deals and get materials by e-mail; deals conflict and nobody knows who sourced what.",
                    affected: "Partners, business development and sales",
                    outcome: "Partners register deals and find materials in one portal.",
                    need: "Business development needs a partner portal for deal registration, materials and partner performance.",
                    team: Team::Apps,
                },
                it_one_off: 260,
                it_yearly: 70,
                other_cost: 30,
                benefits: &[(Revenue, 300)],
                risk: Risk::Medium,
                person_days: 150,
                goals: &[0],
            },
            Project {
                ask: Ask {
                    title: "Marketplace integration with {v}",
                    variants: &["Amazon Business", "a B2B marketplace"],
                    problem: "We cannot sell on {v} without typing orders in by hand.",
                    affected: "Business development, e-commerce and fulfilment",
                    outcome: "Orders from {v} flow into the ERP.",
                    need: "We need products listed on {v} and its orders flowing into the ERP automatically.",
                    team: Team::Apps,
                },
                it_one_off: 200,
                it_yearly: 50,
                other_cost: 40,
                benefits: &[(Revenue, 330)],
                risk: Risk::Medium,
                person_days: 110,
                goals: &[0],
            },
            Project {
                ask: Ask {
                    title: "Contract lifecycle management",
                    variants: &[],
                    problem: "Contracts renew silently and obligations are missed; nobody knows what we have signed.",
                    affected: "Business development, legal, procurement and finance",
                    outcome: "Every contract, its dates and obligations in one place.",
                    need: "The business needs every contract stored with its dates, renewals and obligations, and alerts before they fall due.",
                    team: Team::Apps,
                },
                it_one_off: 180,
                it_yearly: 45,
                other_cost: 25,
                benefits: &[(Savings, 90), (RiskAvoided, 80)],
                risk: Risk::Low,
                person_days: 90,
                goals: &[2],
            },
        ],
    },
    DeptContent {
        name: "IT",
        members: 4,
        weights: [4, 1, 5],
        asks: &[
            Ask {
                title: "Password manager for {v}",
                variants: &["the service desk", "the network team"],
                problem: "Shared admin passwords for {v} live in a spreadsheet.",
                affected: "{v}",
                outcome: "Shared credentials in a password manager with access logs.",
                need: "{v} needs shared credentials in a password manager with per-person access and logs.",
                team: Team::Sec,
            },
            Ask {
                title: "Alerts for {v} go to one person",
                variants: &["backup failures", "expiring certificates"],
                problem: "Alerts for {v} go to one engineer's mailbox; when they are away nobody sees them.",
                affected: "Infrastructure engineers and everyone who depends on the systems behind them",
                outcome: "Alerts for {v} reach the on-call rota.",
                need: "Alerts for {v} should reach whoever is on call, with escalation if nobody responds.",
                team: Team::Infra,
            },
            Ask {
                title: "Test environment for {v}",
                variants: &["the ERP", "the website"],
                problem: "Changes to {v} are tested in production because the test environment is years out of date.",
                affected: "Developers and every user of {v}",
                outcome: "A current test environment for {v}.",
                need: "Developers need a test environment for {v} refreshed from production monthly, with masked data.",
                team: Team::Infra,
            },
        ],
        refusals: &[Refusal {
            ask: Ask {
                title: "Rewrite the intranet in a new framework",
                variants: &[],
                problem: "The intranet is built on an old framework that nobody enjoys working on.",
                affected: "The web developers",
                outcome: "A modern intranet codebase.",
                need: "The developers want an intranet that is easier to maintain.",
                team: Team::Apps,
            },
            reason: DeclineReason::Capacity,
            note: "No business need drives it now, and the team is committed to portfolio work.",
            alternatives: &[
                (
                    LaterDate,
                    "Reconsider when the intranet platform reaches end of support next year",
                ),
                (
                    Workaround,
                    "Upgrade the framework's minor version and remove unused plugins",
                ),
            ],
            security: None,
        }],
        projects: &[
            Project {
                ask: Ask {
                    title: "Replace end-of-life core switches",
                    variants: &[],
                    problem: "The core network switches are out of vendor support; a failure would stop every site.",
                    affected: "Everyone at every site",
                    outcome: "Supported, redundant core switches.",
                    need: "The business needs a core network that is supported and survives a single failure.",
                    team: Team::Infra,
                },
                it_one_off: 600,
                it_yearly: 40,
                other_cost: 20,
                benefits: &[(RiskAvoided, 260)],
                risk: Risk::Medium,
                person_days: 160,
                goals: &[2],
            },
            Project {
                ask: Ask {
                    title: "ISO 27001 readiness programme",
                    variants: &[],
                    problem: "Two large customers now require ISO 27001; we have policies but no management system or evidence.",
                    affected: "Sales to regulated customers, IT and every department that holds data",
                    outcome: "Certification at the first audit.",
                    need: "The company needs an information-security management system and evidence ready for the ISO 27001 audit.",
                    team: Team::Sec,
                },
                it_one_off: 400,
                it_yearly: 120,
                other_cost: 80,
                benefits: &[(RiskAvoided, 260), (Revenue, 200)],
                risk: Risk::Medium,
                person_days: 300,
                goals: &[2],
            },
            Project {
                ask: Ask {
                    title: "Single sign-on for every business app",
                    variants: &[],
                    problem: "Staff juggle a dozen passwords; resets are a quarter of service-desk calls and leavers keep access.",
                    affected: "All staff and the service desk",
                    outcome: "One sign-in, MFA everywhere, access removed in one place.",
                    need: "Staff need one sign-in with MFA for every business app, and access removed in one place.",
                    team: Team::Sec,
                },
                it_one_off: 250,
                it_yearly: 60,
                other_cost: 20,
                benefits: &[(Savings, 120), (RiskAvoided, 110)],
                risk: Risk::Low,
                person_days: 140,
                goals: &[2, 5],
            },
            Project {
                ask: Ask {
                    title: "Cloud backup and disaster recovery",
                    variants: &[],
                    problem: "Backups go to tapes in the server room; a fire or ransomware would take everything.",
                    affected: "Every department",
                    outcome: "Off-site, immutable backups and a tested recovery.",
                    need: "The business needs immutable off-site backups and a recovery tested twice a year.",
                    team: Team::Infra,
                },
                it_one_off: 350,
                it_yearly: 90,
                other_cost: 20,
                benefits: &[(RiskAvoided, 330)],
                risk: Risk::Medium,
                person_days: 150,
                goals: &[2],
            },
            Project {
                ask: Ask {
                    title: "Endpoint detection and response",
                    variants: &[],
                    problem: "Our antivirus only catches known malware; the last phishing incident went unnoticed for two days.",
                    affected: "Every laptop and server, and the security team",
                    outcome: "Attacks detected and contained in minutes, around the clock.",
                    need: "The company needs every laptop and server watched for attacks, with a response service around the clock.",
                    team: Team::Sec,
                },
                it_one_off: 180,
                it_yearly: 110,
                other_cost: 10,
                benefits: &[(RiskAvoided, 300)],
                risk: Risk::Medium,
                person_days: 70,
                goals: &[2],
            },
        ],
    },
];

/// A decline of a portfolio item: its reason, note and safe alternatives.
type PortfolioDecline = (
    DeclineReason,
    &'static str,
    &'static [(AlternativeKind, &'static str)],
);

/// Declines of portfolio items: a business case that does not hold up, or no capacity this year.
const PORTFOLIO_DECLINES: &[PortfolioDecline] = &[
    (
        DeclineReason::Cost,
        "At today's estimate the case does not pay back within its horizon.",
        &[
            (
                ConditionForYes,
                "Bring back a first phase at under half the IT cost, with the savings proven in a three-month pilot",
            ),
            (
                LaterDate,
                "Resubmit in the next budget round with firm vendor quotes",
            ),
        ],
    ),
    (
        DeclineReason::Capacity,
        "The delivery teams are fully committed to higher-ranked portfolio work this year.",
        &[
            (
                LaterDate,
                "Reconsidered first when the warehouse system upgrade goes live",
            ),
            (
                Workaround,
                "IT configures what the current systems already support in the meantime",
            ),
        ],
    ),
];

/// Why IT defers a request, in its own words.
const DEFER_NOTES: &[&str] = &[
    "Worth doing, but the team is on the ERP upgrade until it goes live; we pick this up right after.",
    "Depends on the new identity platform, which is being rolled out this quarter.",
    "Agreed with the requester to revisit after the peak-season change freeze.",
    "Bundled with similar requests for the next planning round, so they are solved once.",
    "The vendor's next release fixes this without custom work; we revisit when it ships.",
];

/// How a requester corrects IT's statement of the need.
const CORRECTIONS: &[&str] = &[
    "To be precise: it is not just me, the whole team hits this every day, and it is worst at month-end.",
    "Almost. What matters most is not losing the history we already have.",
    "Yes, and it must also work for colleagues on the late shift, when nobody from IT is around.",
    "Close: we do not need a new tool, just the one we have set up properly, and a short training.",
    "One correction: this affects customers directly, not only our internal reporting.",
];

/// What IT notes when it records an attempt to reach the requester.
const ATTEMPT_NOTES: &[&str] = &[
    "called twice and left a voicemail",
    "sent a Teams message and an e-mail",
    "no reply to two e-mails; asked their manager to nudge",
];

// ---------------------------------------------------------------------------------------------
// The plan: pure and deterministic
// ---------------------------------------------------------------------------------------------

/// Which template list a request comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A service-lane request IT accepts, defers or is still understanding.
    Service,
    /// A service-lane request IT declines with alternatives.
    Refused,
    /// Work an executive champions into the portfolio.
    Project,
}

/// Where a request's life ends up today.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fate {
    /// Nobody in IT has responded yet.
    Submitted,
    /// IT stated the need; the requester has not confirmed it (yet).
    Understanding,
    /// The need is confirmed and the request waits for a decision.
    Waiting,
    Deferred,
    Declined,
    /// Accepted, then moved this many steps along delivery.
    Accepted(u8),
}

/// How far a portfolio item's business case got.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Stage {
    /// Championed, no case yet.
    Championed,
    /// Case saved, not signed off.
    Costed,
    /// Case saved and signed off.
    Signed,
    /// Signed off, then the IT cost rose past the tolerance.
    Lapsed,
}

/// A decision, with what varies between requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Accept,
    /// Revisit `days` from today (`future`) or from the day of the decision.
    Defer {
        days: i64,
        future: bool,
        note: usize,
    },
    Decline,
}

/// One store call (or two) in a request's life.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    Submit,
    /// Assign the team and state the need.
    Triage,
    Attempt {
        note: usize,
    },
    Confirm,
    /// The requester rewrites the need (which confirms it).
    Correct {
        text: usize,
    },
    Champion,
    /// Save the business case with the IT costs at `it_pct` % of the first estimate.
    SaveCase {
        it_pct: i64,
    },
    SignOff,
    Decide(Verdict),
    /// The requester answers the first alternative offered.
    Answer {
        taken_up: bool,
    },
    Advance,
    /// Benefits realised in `year` of the case, as a percentage of those expected.
    Benefit {
        year: u32,
        pct: i64,
    },
}

impl Step {
    /// Store calls the step makes.
    fn calls(self) -> usize {
        match self {
            Step::Triage | Step::Answer { .. } => 2,
            _ => 1,
        }
    }
}

/// Steps taken at the same moment, then the time that passes before the next moment (or, for the
/// last one, before today).
#[derive(Debug, Clone, PartialEq)]
struct Moment {
    steps: Vec<Step>,
    gap_hours: i64,
}

/// A business case's parameters for one portfolio item.
#[derive(Debug, Clone, PartialEq)]
struct CasePlan {
    horizon: u32,
    rate: f64,
    /// The project's amounts scaled by this percentage.
    scale_pct: i64,
    risk: Risk,
    person_days: i64,
    /// Indexes into [`GOALS`].
    goals: Vec<usize>,
}

/// One request's whole life, before any store call.
#[derive(Debug, Clone, PartialEq)]
struct Plan {
    /// Index into [`CONTENT`].
    dept: usize,
    kind: Kind,
    template: usize,
    variant: usize,
    urgency: Urgency,
    fate: Fate,
    stage: Option<Stage>,
    /// Two draws; the requester is the smaller of them modulo the pool, so a few people raise
    /// more requests than most.
    requester_draw: (usize, usize),
    /// Days after submission the requester needs it by, if they said.
    needed_in_days: Option<i64>,
    /// The CIO triages this one herself instead of the team's manager.
    cio_triages: bool,
    /// Index into [`PORTFOLIO_DECLINES`].
    portfolio_decline: usize,
    /// Raised by the first member of the department's pool: the demo's member sign-in.
    spotlight: bool,
    case: Option<CasePlan>,
    moments: Vec<Moment>,
}

impl Plan {
    fn ask(&self) -> Option<&'static Ask> {
        let d = CONTENT.get(self.dept)?;
        match self.kind {
            Kind::Service => d.asks.get(self.template),
            Kind::Refused => d.refusals.get(self.template).map(|r| &r.ask),
            Kind::Project => d.projects.get(self.template).map(|p| &p.ask),
        }
    }

    fn project(&self) -> Option<&'static Project> {
        match self.kind {
            Kind::Project => CONTENT.get(self.dept)?.projects.get(self.template),
            _ => None,
        }
    }

    fn variant_text(&self) -> &'static str {
        self.ask()
            .and_then(|a| a.variants.get(self.variant))
            .copied()
            .unwrap_or("")
    }

    fn title(&self) -> String {
        self.ask()
            .map(|a| fill(a.title, self.variant_text()))
            .unwrap_or_default()
    }

    /// Hours from submission to today.
    fn age_hours(&self) -> i64 {
        self.moments.iter().map(|m| m.gap_hours).sum()
    }

    /// Store calls replaying the plan makes (each gap is one `shift_history`).
    fn store_calls(&self) -> usize {
        self.moments
            .iter()
            .map(|m| {
                usize::from(m.gap_hours > 0) + m.steps.iter().map(|s| s.calls()).sum::<usize>()
            })
            .sum()
    }

    fn has(&self, want: impl Fn(&Step) -> bool) -> bool {
        self.moments.iter().flat_map(|m| &m.steps).any(want)
    }

    /// The decline IT gives, with its alternatives.
    fn decline(&self) -> Decision {
        let v = self.variant_text();
        if let Some(r) = CONTENT
            .get(self.dept)
            .and_then(|d| d.refusals.get(self.template))
            .filter(|_| self.kind == Kind::Refused)
        {
            return decline_of(r.reason, r.note, r.alternatives, r.security, v);
        }
        let (reason, note, alternatives) =
            PORTFOLIO_DECLINES[self.portfolio_decline % PORTFOLIO_DECLINES.len()];
        decline_of(reason, note, alternatives, None, v)
    }
}

/// A decline with every `{v}` filled in.
fn decline_of(
    reason: DeclineReason,
    note: &str,
    alternatives: &[(AlternativeKind, &str)],
    security: Option<(&str, &str)>,
    v: &str,
) -> Decision {
    Decision::Decline {
        reason,
        note: fill(note, v),
        alternatives: alternatives
            .iter()
            .map(|(kind, description)| Alternative {
                kind: *kind,
                description: fill(description, v),
            })
            .collect(),
        security_risk: security.map(|(risk, _)| fill(risk, v)),
        security_yes_if: security.map(|(_, yes_if)| fill(yes_if, v)),
    }
}

/// Replaces `{v}` by the variant and starts the text with a capital, as a sentence does.
fn fill(template: &str, variant: &str) -> String {
    let text = template.replace("{v}", variant);
    let mut chars = text.chars();
    match chars.next() {
        Some(first) if first.is_lowercase() => first.to_uppercase().chain(chars).collect(),
        _ => text,
    }
}

/// `percent` % of `n`, rounded.
fn pct(n: usize, percent: usize) -> usize {
    (n * percent + 50) / 100
}

/// Splits `total` in proportion to `weights` (largest remainder), so the parts add up exactly.
fn apportion(total: usize, weights: &[usize]) -> Vec<usize> {
    let sum: usize = weights.iter().sum();
    if sum == 0 {
        return vec![0; weights.len()];
    }
    let mut parts: Vec<usize> = weights.iter().map(|w| total * w / sum).collect();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    // Largest remainder first; ties to the earlier entry.
    order.sort_by_key(|&i| (std::cmp::Reverse(total * weights[i] % sum), i));
    let mut left = total - parts.iter().sum::<usize>();
    for i in order {
        if left == 0 {
            break;
        }
        parts[i] += 1;
        left -= 1;
    }
    parts
}

/// `counts[i]` copies of `items[i]`, in order.
fn repeat<T: Copy>(items: &[T], counts: &[usize]) -> Vec<T> {
    items
        .iter()
        .zip(counts)
        .flat_map(|(item, n)| std::iter::repeat_n(*item, *n))
        .collect()
}

/// Plans the whole history: which department raises what, with which urgency, and how each
/// request's life unfolds. Pure: the same plan every time.
fn plan_history() -> Vec<Plan> {
    let mut rng = Rng::new(SEED);
    let n = REQUESTS;
    let p = PORTFOLIO.min(n);

    // The mix of outcomes over all requests: ~20 % declined, ~10 % deferred, ~45 % accepted, the
    // rest still being understood or waiting for a decision.
    let p_parts = apportion(p, &[50, 28, 10, 12]);
    let (p_acc, p_wait, p_def, p_decl) = (p_parts[0], p_parts[1], p_parts[2], p_parts[3]);
    let refused = pct(n, 20).saturating_sub(p_decl);
    let service = n.saturating_sub(p + refused);
    let s_acc = pct(n, 45).saturating_sub(p_acc).min(service);
    let s_def = pct(n, 10).saturating_sub(p_def).min(service - s_acc);
    let s_sub = pct(n, 5).min(service - s_acc - s_def);
    let s_und = pct(n, 10).min(service - s_acc - s_def - s_sub);
    let s_wait = service - s_acc - s_def - s_sub - s_und;

    let mut service_fates = repeat(
        &[
            Fate::Submitted,
            Fate::Understanding,
            Fate::Waiting,
            Fate::Deferred,
        ],
        &[s_sub, s_und, s_wait, s_def],
    );
    service_fates.extend(repeat(
        &[0, 1, 2, 3].map(Fate::Accepted),
        &apportion(s_acc, &[15, 25, 20, 40]),
    ));
    let mut project_fates = repeat(
        &[Fate::Waiting, Fate::Deferred, Fate::Declined],
        &[p_wait, p_def, p_decl],
    );
    project_fates.extend(repeat(
        &[0, 1, 2, 3, 4].map(Fate::Accepted),
        &apportion(p_acc, &[15, 35, 20, 20, 10]),
    ));
    rng.shuffle(&mut service_fates);
    rng.shuffle(&mut project_fates);

    // Business-case stages: a few items are still waiting for their case or its sign-off, and
    // some see their IT cost rise past the tolerance (half before a decision, half in delivery).
    let mut stages = Vec::with_capacity(project_fates.len());
    let (mut waiting_seen, mut lapsed_waiting, mut lapsed_delivery) = (0, 0, 0);
    for fate in &project_fates {
        let stage = match fate {
            Fate::Waiting => {
                waiting_seen += 1;
                match waiting_seen {
                    1 | 2 => Stage::Championed,
                    3..=5 => Stage::Costed,
                    _ if lapsed_waiting < LAPSED / 2 => {
                        lapsed_waiting += 1;
                        Stage::Lapsed
                    }
                    _ => Stage::Signed,
                }
            }
            Fate::Accepted(steps) if *steps <= 1 && lapsed_delivery < LAPSED - LAPSED / 2 => {
                lapsed_delivery += 1;
                Stage::Lapsed
            }
            Fate::Deferred if rng.chance(50) => Stage::Costed,
            Fate::Declined => Stage::Costed,
            _ => Stage::Signed,
        };
        stages.push(stage);
    }

    // Departments and templates: each kind is shared out by the departments' weights, and each
    // department walks a shuffled list of its (template, variant) pairs so titles rarely repeat.
    let mut slots: Vec<(usize, Kind, usize, usize)> = Vec::with_capacity(n);
    for (k, (kind, total)) in [
        (Kind::Service, service),
        (Kind::Refused, refused),
        (Kind::Project, p),
    ]
    .into_iter()
    .enumerate()
    {
        let weights: Vec<usize> = CONTENT.iter().map(|d| d.weights[k]).collect();
        for (d, count) in apportion(total, &weights).into_iter().enumerate() {
            let mut pairs = template_pairs(d, kind);
            rng.shuffle(&mut pairs);
            let chosen = if kind == Kind::Refused {
                // About 40 % of the service lane's declines are for security (with the portfolio's
                // declines, about a third of all), the rest for cost, capacity, policy and the like.
                let (security, other): (Vec<_>, Vec<_>) = pairs.into_iter().partition(|&(t, _)| {
                    CONTENT
                        .get(d)
                        .and_then(|c| c.refusals.get(t))
                        .is_some_and(|r| r.security.is_some())
                });
                let want = match (security.is_empty(), other.is_empty()) {
                    (true, _) => 0,
                    (false, true) => count,
                    _ => pct(count, 40),
                };
                let mut chosen = take_cycled(&security, want);
                chosen.extend(take_cycled(&other, count - want));
                chosen
            } else {
                take_cycled(&pairs, count)
            };
            slots.extend(chosen.into_iter().map(|(t, v)| (d, kind, t, v)));
        }
    }
    rng.shuffle(&mut slots);

    let mut urgencies = repeat(
        &[
            Urgency::Critical,
            Urgency::High,
            Urgency::Normal,
            Urgency::Low,
        ],
        &apportion(slots.len(), &[10, 25, 45, 20]),
    );
    rng.shuffle(&mut urgencies);

    let (mut next_service, mut next_project) = (0, 0);
    let mut plans = Vec::with_capacity(slots.len());
    for (i, &(dept, kind, template, variant)) in slots.iter().enumerate() {
        let (fate, stage) = match kind {
            Kind::Service => {
                next_service += 1;
                (
                    service_fates
                        .get(next_service - 1)
                        .copied()
                        .unwrap_or(Fate::Waiting),
                    None,
                )
            }
            Kind::Refused => (Fate::Declined, None),
            Kind::Project => {
                next_project += 1;
                let j = next_project - 1;
                (
                    project_fates.get(j).copied().unwrap_or(Fate::Waiting),
                    stages.get(j).copied(),
                )
            }
        };
        let urgency = urgencies.get(i).copied().unwrap_or(Urgency::Normal);
        let needed_in_days = match urgency {
            Urgency::Critical if rng.chance(70) => Some(rng.range(3, 21)),
            _ if rng.chance(30) => Some(rng.range(21, 120)),
            _ => None,
        };
        let mut plan = Plan {
            dept,
            kind,
            template,
            variant,
            urgency,
            fate,
            stage,
            requester_draw: (rng.below(1 << 20), rng.below(1 << 20)),
            needed_in_days,
            cio_triages: rng.chance(20),
            portfolio_decline: rng.below(PORTFOLIO_DECLINES.len()),
            spotlight: false,
            case: None,
            moments: Vec::new(),
        };
        if let Some(project) = plan.project() {
            plan.case = Some(plan_case(project, &mut rng));
        }
        plan.moments = life(&plan, &mut rng);
        plans.push(plan);
    }
    spotlight(&mut plans);
    // Oldest first, so request ids follow submission dates.
    plans.sort_by_key(|p| std::cmp::Reverse(p.age_hours()));
    plans
}

/// The first `n` items, starting over when they run out (none when there are none).
fn take_cycled<T: Copy>(items: &[T], n: usize) -> Vec<T> {
    items
        .iter()
        .copied()
        .cycle()
        .take(if items.is_empty() { 0 } else { n })
        .collect()
}

/// The department of the demo's member sign-in.
const SPOTLIGHT_DEPT: &str = "Customer Service";

/// Gives the demo's member sign-in a little of everything: a need statement waiting for their
/// confirmation (stated today, so its notification is still unread), a decline whose alternatives
/// they have not answered yet, delivered work and a deferral.
fn spotlight(plans: &mut [Plan]) {
    let Some(dept) = CONTENT.iter().position(|d| d.name == SPOTLIGHT_DEPT) else {
        return;
    };
    let wanted: [fn(&Plan) -> bool; 4] = [
        |p| p.fate == Fate::Understanding && !p.has(|s| matches!(s, Step::Attempt { .. })),
        |p| p.kind == Kind::Refused && !p.has(|s| matches!(s, Step::Answer { .. })),
        |p| p.kind == Kind::Service && matches!(p.fate, Fate::Accepted(2..)),
        |p| p.kind == Kind::Service && p.fate == Fate::Deferred,
    ];
    for (i, want) in wanted.into_iter().enumerate() {
        let Some(plan) = plans
            .iter_mut()
            .find(|p| p.dept == dept && !p.spotlight && want(p))
        else {
            continue;
        };
        plan.spotlight = true;
        if i == 0
            && let Some(last) = plan.moments.last_mut()
        {
            last.gap_hours = 0;
        }
    }
}

/// Every (template, variant) pair of one department's list of `kind`.
fn template_pairs(dept: usize, kind: Kind) -> Vec<(usize, usize)> {
    let Some(d) = CONTENT.get(dept) else {
        return Vec::new();
    };
    let variants: Vec<usize> = match kind {
        Kind::Service => d.asks.iter().map(|a| a.variants.len()).collect(),
        Kind::Refused => d.refusals.iter().map(|r| r.ask.variants.len()).collect(),
        Kind::Project => d.projects.iter().map(|p| p.ask.variants.len()).collect(),
    };
    variants
        .iter()
        .enumerate()
        .flat_map(|(t, &n)| (0..n.max(1)).map(move |v| (t, v)))
        .collect()
}

/// A business case's parameters: horizon 3–7 years, rate 6–12 %, amounts scaled 75–130 %.
fn plan_case(project: &Project, rng: &mut Rng) -> CasePlan {
    const RATES: [f64; 6] = [0.06, 0.07, 0.08, 0.09, 0.10, 0.12];
    let risk = match (project.risk, rng.below(10)) {
        (Risk::Low, 0) | (Risk::High, 0) => Risk::Medium,
        (Risk::Medium, 0) => Risk::Low,
        (Risk::Medium, 1) => Risk::High,
        (r, _) => r,
    };
    let mut goals: Vec<usize> = project.goals.to_vec();
    if rng.chance(15) {
        goals.clear();
    } else if rng.chance(30) {
        let extra = rng.below(GOALS.len());
        if !goals.contains(&extra) && goals.len() < 3 {
            goals.push(extra);
        }
    }
    CasePlan {
        horizon: rng.range(3, 7) as u32,
        rate: RATES[rng.below(RATES.len())],
        scale_pct: rng.range(75, 130),
        risk,
        person_days: (project.person_days * rng.range(70, 140) / 100).clamp(20, 600),
        goals,
    }
}

/// Collects steps into moments separated by waits.
struct Timeline {
    moments: Vec<Moment>,
    current: Vec<Step>,
}

impl Timeline {
    fn new() -> Self {
        Self {
            moments: Vec::new(),
            current: Vec::new(),
        }
    }

    fn then(&mut self, step: Step) {
        self.current.push(step);
    }

    /// Time passes; the next step happens `hours` later (0: at the same moment).
    fn wait(&mut self, hours: i64) {
        if hours <= 0 {
            return;
        }
        if self.current.is_empty() {
            if let Some(last) = self.moments.last_mut() {
                last.gap_hours += hours;
            }
            return;
        }
        let steps = std::mem::take(&mut self.current);
        self.moments.push(Moment {
            steps,
            gap_hours: hours,
        });
    }

    fn elapsed(&self) -> i64 {
        self.moments.iter().map(|m| m.gap_hours).sum()
    }

    /// Ends the life `final_hours` before today.
    fn finish(mut self, final_hours: i64) -> Vec<Moment> {
        self.wait(final_hours.max(0));
        if !self.current.is_empty() {
            let steps = std::mem::take(&mut self.current);
            self.moments.push(Moment {
                steps,
                gap_hours: 0,
            });
        }
        self.moments
    }

    /// Ends the life so that it began about `lo..=hi` days ago (never less than a few hours
    /// after the last step).
    fn finish_aged(self, rng: &mut Rng, lo: i64, hi: i64) -> Vec<Moment> {
        let target = days(rng, lo, hi);
        let rest = (target - self.elapsed()).max(rng.range(2, 72));
        self.finish(rest)
    }
}

/// A random span of `lo..=hi` days, in hours.
fn days(rng: &mut Rng, lo: i64, hi: i64) -> i64 {
    rng.range(lo * 24, hi * 24)
}

/// Hours until IT first responds: usually within the urgency's target, sometimes well after it.
fn first_response_hours(urgency: Urgency, rng: &mut Rng) -> i64 {
    let target = urgency.target_response_days() * 24 * 7 / 5;
    if rng.chance(82) {
        rng.range(1, target)
    } else {
        rng.range(target + 1, target * 2)
    }
}

/// The moments of one request's life, from submission to today.
fn life(plan: &Plan, rng: &mut Rng) -> Vec<Moment> {
    let mut t = Timeline::new();
    t.then(Step::Submit);
    if plan.fate == Fate::Submitted {
        return t.finish(rng.range(1, 96));
    }
    t.wait(first_response_hours(plan.urgency, rng));
    t.then(Step::Triage);
    if plan.fate == Fate::Understanding {
        if rng.chance(45) {
            t.wait(days(rng, 3, 8));
            t.then(Step::Attempt {
                note: rng.below(ATTEMPT_NOTES.len()),
            });
            return t.finish(days(rng, 1, 12));
        }
        return t.finish(days(rng, 1, 20));
    }
    // A few requesters never answer: IT records its attempt and, after the configured ten working
    // days, decides without them.
    let decided = matches!(
        plan.fate,
        Fate::Deferred | Fate::Declined | Fate::Accepted(_)
    );
    if plan.kind != Kind::Project && decided && rng.chance(12) {
        t.wait(days(rng, 3, 8));
        t.then(Step::Attempt {
            note: rng.below(ATTEMPT_NOTES.len()),
        });
        t.wait(days(rng, 15, 22));
    } else {
        t.wait(rng.range(2, 6 * 24));
        t.then(if rng.chance(20) {
            Step::Correct {
                text: rng.below(CORRECTIONS.len()),
            }
        } else {
            Step::Confirm
        });
    }
    let mut moments = if plan.kind == Kind::Project {
        project_life(t, plan, rng)
    } else {
        service_life(t, plan, rng)
    };
    // Keep the history within a year: squeeze every gap in proportion.
    let total: i64 = moments.iter().map(|m| m.gap_hours).sum();
    if total > MAX_AGE_HOURS {
        for m in &mut moments {
            if m.gap_hours > 0 {
                m.gap_hours = (m.gap_hours * MAX_AGE_HOURS / total).max(1);
            }
        }
    }
    moments
}

fn defer(rng: &mut Rng) -> Step {
    let future = rng.chance(80);
    Step::Decide(Verdict::Defer {
        days: if future {
            rng.range(14, 120)
        } else {
            rng.range(30, 75)
        },
        future,
        note: rng.below(DEFER_NOTES.len()),
    })
}

fn answer(t: &mut Timeline, rng: &mut Rng) {
    if rng.chance(50) {
        t.wait(days(rng, 2, 14));
        t.then(Step::Answer {
            taken_up: rng.chance(60),
        });
    }
}

/// After the need is understood: the service lane's decision and delivery.
fn service_life(mut t: Timeline, plan: &Plan, rng: &mut Rng) -> Vec<Moment> {
    match plan.fate {
        Fate::Deferred => {
            t.wait(days(rng, 2, 20));
            t.then(defer(rng));
            t.finish_aged(rng, 30, 300)
        }
        Fate::Declined => {
            t.wait(days(rng, 1, 15));
            t.then(Step::Decide(Verdict::Decline));
            answer(&mut t, rng);
            t.finish_aged(rng, 15, 340)
        }
        Fate::Accepted(steps) => {
            // Small requests are often accepted the moment the need is confirmed.
            if !rng.chance(40) {
                t.wait(days(rng, 1, 10));
            }
            t.then(Step::Decide(Verdict::Accept));
            if steps >= 1 {
                if !rng.chance(50) {
                    t.wait(days(rng, 1, 14));
                }
                t.then(Step::Advance);
            }
            if steps >= 2 {
                t.wait(days(rng, 5, 60));
                t.then(Step::Advance);
            }
            if steps >= 3 {
                if rng.chance(50) {
                    t.wait(days(rng, 1, 10));
                }
                t.then(Step::Advance);
            }
            let (lo, hi) = match steps {
                0 => (5, 60),
                1 => (20, 150),
                2 => (45, 300),
                _ => (60, 355),
            };
            t.finish_aged(rng, lo, hi)
        }
        _ => t.finish(days(rng, 1, 12)),
    }
}

/// After the need is understood: champion, business case, sign-off, decision, delivery, benefits.
fn project_life(mut t: Timeline, plan: &Plan, rng: &mut Rng) -> Vec<Moment> {
    let stage = plan.stage.unwrap_or(Stage::Signed);
    t.wait(days(rng, 3, 25));
    t.then(Step::Champion);
    if stage == Stage::Championed {
        return t.finish(days(rng, 2, 30));
    }
    t.wait(days(rng, 10, 40));
    t.then(Step::SaveCase { it_pct: 100 });
    if plan.fate == Fate::Declined {
        t.wait(days(rng, 5, 20));
        t.then(Step::Decide(Verdict::Decline));
        answer(&mut t, rng);
        return t.finish_aged(rng, 40, 330);
    }
    if stage != Stage::Costed {
        if !rng.chance(50) {
            t.wait(days(rng, 2, 12));
        }
        t.then(Step::SignOff);
    }
    let lapse = |t: &mut Timeline, rng: &mut Rng| {
        if stage == Stage::Lapsed {
            t.wait(days(rng, 10, 45));
            t.then(Step::SaveCase {
                it_pct: rng.range(115, 130),
            });
        }
    };
    match plan.fate {
        Fate::Deferred => {
            t.wait(days(rng, 5, 25));
            t.then(defer(rng));
            t.finish_aged(rng, 60, 330)
        }
        Fate::Accepted(steps) => {
            t.wait(days(rng, 3, 21));
            t.then(Step::Decide(Verdict::Accept));
            if steps >= 1 {
                t.wait(days(rng, 5, 30));
                t.then(Step::Advance);
            }
            if steps >= 2 {
                t.wait(days(rng, 40, 120));
                t.then(Step::Advance);
                t.wait(days(rng, 30, 90));
                t.then(Step::Benefit {
                    year: 1,
                    pct: rng.range(60, 120),
                });
            }
            if steps >= 3 {
                t.wait(days(rng, 30, 90));
                t.then(Step::Benefit {
                    year: 2,
                    pct: rng.range(60, 120),
                });
                t.then(Step::Advance);
            }
            if steps >= 4 {
                t.wait(days(rng, 14, 60));
                t.then(Step::Advance);
            }
            lapse(&mut t, rng);
            let (lo, hi) = match steps {
                0 => (40, 150),
                1 => (80, 300),
                _ => (200, 355),
            };
            t.finish_aged(rng, lo, hi)
        }
        _ => {
            lapse(&mut t, rng);
            t.finish(days(rng, 1, 30))
        }
    }
}

/// Thousands of the major unit, scaled by percentages, in minor units rounded to 100.00.
fn amount(thousands: i64, pcts: &[i64]) -> i64 {
    let mut minor = thousands * 100_000;
    for p in pcts {
        minor = minor * p / 100;
    }
    (minor + 5_000) / 10_000 * 10_000
}

/// The business case of a project: IT one-off in year 0, IT recurring and benefits in years
/// 1..=horizon (benefits ramp up over the first two years and then grow 3 % a year), other
/// costs in year 0. `it_pct` scales IT's costs (100 for the first estimate).
fn build_case(project: &Project, plan: &CasePlan, it_pct: i64) -> anyhow::Result<BusinessCase> {
    let scale = plan.scale_pct;
    let mut flows = vec![CashFlow {
        year: 0,
        kind: FlowKind::ItOneOff,
        amount: Money(amount(project.it_one_off, &[scale, it_pct])),
    }];
    if project.other_cost > 0 {
        flows.push(CashFlow {
            year: 0,
            kind: FlowKind::OtherCost,
            amount: Money(amount(project.other_cost, &[scale])),
        });
    }
    for year in 1..=plan.horizon {
        flows.push(CashFlow {
            year,
            kind: FlowKind::ItRecurring,
            amount: Money(amount(project.it_yearly, &[scale, it_pct])),
        });
        let ramp = match year {
            1 => 50,
            2 => 85,
            y => 100 + 3 * (i64::from(y) - 3),
        };
        for (kind, yearly) in project.benefits {
            flows.push(CashFlow {
                year,
                kind: *kind,
                amount: Money(amount(*yearly, &[scale, ramp])),
            });
        }
    }
    BusinessCase::new(plan.horizon, plan.rate, flows)
        .map_err(|e| anyhow!("demo business case: {e:?}"))
}

/// Benefits the case expects in `year`, minor units.
fn expected_benefit(case: &BusinessCase, year: u32) -> i64 {
    case.flows
        .iter()
        .filter(|f| f.year == year && !f.kind.is_cost())
        .map(|f| f.amount.0)
        .sum()
}

/// The index the two draws pick in a pool of `len`: the smaller of the two, so the first people
/// in a pool raise more requests than the rest.
fn pick_skewed(draw: (usize, usize), len: usize) -> usize {
    if len == 0 {
        0
    } else {
        (draw.0 % len).min(draw.1 % len)
    }
}

// ---------------------------------------------------------------------------------------------
// Seeding: accounts, goals, then the plan replayed through the store
// ---------------------------------------------------------------------------------------------

/// Seeds Decide's history unless requests already exist: goals, IT teams (already created by
/// ensure_decide_defaults), member accounts for the people who raise requests, executive accounts
/// for every department's executive, and a realistic history of requests in both lanes.
pub async fn seed_requests(db: &Db, password_hash: &str) -> anyhow::Result<()> {
    let existing = rq::list_requests(
        db,
        &RequestFilter::default(),
        PageRequest::new(Some(1), None),
    )
    .await?
    .total;
    if existing > 0 {
        tracing::info!(
            requests = existing,
            "requests already exist; Decide history not seeded again"
        );
        return Ok(());
    }
    let plans = plan_history();
    let people = org::all_people(db).await?;
    let Some(ctx) = Ctx::prepare(db, &people, password_hash).await? else {
        return Ok(());
    };

    let mut created = 0;
    let mut skipped = 0;
    for (i, plan) in plans.iter().enumerate() {
        match ctx.replay(plan, i).await {
            Ok(true) => created += 1,
            Ok(false) => skipped += 1,
            Err(e) => {
                if matches!(
                    e.downcast_ref::<StoreError>(),
                    Some(StoreError::Db(_) | StoreError::Migrate(_))
                ) {
                    return Err(e.context(format!("seeding the demo request '{}'", plan.title())));
                }
                skipped += 1;
                tracing::warn!(title = %plan.title(), "demo request left incomplete: {e:#}");
            }
        }
    }

    // A funding line worth looking at: accepted work is paid for first, then the budget covers
    // about 55 % of what the signed-off items still competing ask of IT, and the people half
    // their effort.
    let rows = duet_store::portfolio::portfolio_rows(db).await?;
    let committed = |status: &str| {
        matches!(
            status,
            "accepted" | "in_delivery" | "delivered" | "benefits_realised"
        )
    };
    let committed_cost: i64 = rows
        .iter()
        .filter(|r| committed(&r.status))
        .filter_map(|r| r.it_cost)
        .sum();
    let committed_days: i64 = rows
        .iter()
        .filter(|r| committed(&r.status))
        .filter_map(|r| r.person_days)
        .sum();
    let fundable = |r: &&duet_store::portfolio::PortfolioRow| {
        !committed(&r.status)
            && matches!((r.it_cost, r.signed_cost, r.signed_tolerance), (Some(c), Some(s), Some(t)) if duet_core::requests::signoff_holds(s, c, t))
    };
    let open_cost: i64 = rows.iter().filter(fundable).filter_map(|r| r.it_cost).sum();
    let open_days: i64 = rows
        .iter()
        .filter(fundable)
        .filter_map(|r| r.person_days)
        .sum();
    let budget = (committed_cost + open_cost * 55 / 100 + 500_000) / 1_000_000 * 1_000_000;
    let capacity = (committed_days + open_days / 2).max(1);
    duet_store::portfolio::update_settings(db, budget.max(1_000_000), capacity, 10.0, 10).await?;
    let weights = Weights::new(45.0, 30.0, 10.0, 15.0).map_err(|e| anyhow!("{e:?}"))?;
    duet_store::portfolio::insert_weights(db, ctx.cio, &weights).await?;

    tracing::info!(
        requests = created,
        skipped,
        portfolio = rows.len(),
        store_calls = plans.iter().map(Plan::store_calls).sum::<usize>() + ctx.setup_calls,
        "Decide demo history seeded"
    );
    Ok(())
}

/// Who plays which part, and the ids the plan's indexes stand for.
struct Ctx<'a> {
    db: &'a Db,
    /// The CIO: triages some requests herself, decides portfolio items, sets the weights.
    cio: i64,
    /// Champions for departments whose executive has no executive account (or raised it).
    fallback_champions: [i64; 2],
    /// Per [`CONTENT`] entry: the department's id.
    dept_ids: Vec<Option<i64>>,
    /// Per [`CONTENT`] entry: the accounts that raise its requests.
    pools: Vec<Vec<i64>>,
    /// Per [`CONTENT`] entry: its executive's account, if it has the executive role.
    execs: Vec<Option<i64>>,
    /// Per [`Team`]: its id, and the manager who triages for it.
    teams: HashMap<Team, (i64, i64)>,
    /// Per [`GOALS`] entry: the goal's id.
    goal_ids: Vec<i64>,
    /// Store calls made preparing all this.
    setup_calls: usize,
}

impl<'a> Ctx<'a> {
    /// Creates the accounts and goals the history needs; `None` (with a warning) when the
    /// directory is not the demo organisation's.
    async fn prepare(
        db: &'a Db,
        people: &[Person],
        password_hash: &str,
    ) -> anyhow::Result<Option<Ctx<'a>>> {
        let key = |e: &str| e.trim().to_lowercase();
        let before: HashMap<String, User> = accounts::list_users(db)
            .await?
            .into_iter()
            .map(|u| (key(&u.email), u))
            .collect();
        let exec_of = |dept: &str| {
            people
                .iter()
                .find(|p| p.department_name == dept && p.level == Level::Executive)
        };
        let manager_titles: Vec<&str> = Team::ALL.iter().map(|t| t.manager_title()).collect();

        // Executives and the IT managers who triage get accounts; then ~80 requesters.
        let mut to_create: Vec<(&Person, Role)> = Vec::new();
        for p in people.iter().filter(|p| p.level == Level::Executive) {
            to_create.push((p, Role::Executive));
        }
        for p in people.iter().filter(|p| {
            p.department_name == "IT"
                && p.level == Level::Manager
                && manager_titles.contains(&p.title.as_str())
        }) {
            to_create.push((p, Role::ItLeader));
        }
        let mut rng = Rng::new(ACCOUNT_SEED);
        let mut new_members: Vec<Vec<String>> = Vec::with_capacity(CONTENT.len());
        for d in CONTENT {
            let mut candidates: Vec<&Person> = people
                .iter()
                .filter(|p| {
                    p.department_name == d.name
                        && p.level != Level::Executive
                        && !p.title.starts_with("Business Relationship Manager")
                        && !manager_titles.contains(&p.title.as_str())
                        && !before.contains_key(&key(&p.email))
                })
                .collect();
            candidates.sort_by(|a, b| a.email.cmp(&b.email));
            rng.shuffle(&mut candidates);
            candidates.truncate(d.members);
            new_members.push(candidates.iter().map(|p| key(&p.email)).collect());
            to_create.extend(candidates.into_iter().map(|p| (p, Role::Member)));
        }
        let mut created = 0;
        for (person, role) in to_create {
            if before.contains_key(&key(&person.email)) {
                continue;
            }
            let new = NewUser {
                email: Email::parse(&person.email)?,
                name: person.name.clone(),
                role,
                password_hash: password_hash.to_string(),
            };
            match accounts::insert_user(db, &new).await {
                Ok(_) => created += 1,
                Err(StoreError::Conflict(e)) => {
                    tracing::debug!(email = %person.email, "demo account not created: {e}");
                }
                Err(e) => return Err(e.into()),
            }
        }
        tracing::info!(accounts = created, "Decide demo accounts created");

        let users: HashMap<String, User> = accounts::list_users(db)
            .await?
            .into_iter()
            .map(|u| (key(&u.email), u))
            .collect();
        let user_of = |p: Option<&Person>| p.and_then(|p| users.get(&key(&p.email)));
        let executive = |dept: &str| {
            user_of(exec_of(dept))
                .filter(|u| u.role == Role::Executive)
                .map(|u| u.id)
        };
        let cio = user_of(exec_of("IT"))
            .or_else(|| {
                users
                    .values()
                    .filter(|u| u.role == Role::ItLeader)
                    .min_by_key(|u| u.id)
            })
            .map(|u| u.id);
        let first_exec = users
            .values()
            .filter(|u| u.role == Role::Executive)
            .min_by_key(|u| u.id)
            .map(|u| u.id);
        let cfo = executive("Finance").or(first_exec);
        let (Some(cio), Some(cfo)) = (cio, cfo) else {
            tracing::warn!("no CIO or executive account; Decide demo history not seeded");
            return Ok(None);
        };
        let coo = executive("Operations").unwrap_or(cfo);

        let departments = org::list_departments(db, false).await?;
        let dept_ids = CONTENT
            .iter()
            .map(|d| {
                departments
                    .iter()
                    .find(|x| x.name.eq_ignore_ascii_case(d.name))
                    .map(|x| x.id)
            })
            .collect();

        // Requesters: existing members first (the demo's member sign-in raises the most), then the
        // new accounts, then any business leader, who rarely raises one.
        let dept_of = |u: &User| {
            people
                .iter()
                .find(|p| key(&p.email) == key(&u.email))
                .map(|p| p.department_name.as_str())
        };
        let mut existing: Vec<&User> = before.values().collect();
        existing.sort_by_key(|u| u.id);
        let pools = CONTENT
            .iter()
            .zip(&new_members)
            .map(|(d, fresh)| {
                let old = |role: Role| {
                    existing
                        .iter()
                        .filter(move |u| {
                            u.role == role && u.disabled_at.is_none() && dept_of(u) == Some(d.name)
                        })
                        .map(|u| u.id)
                };
                old(Role::Member)
                    .chain(fresh.iter().filter_map(|e| users.get(e)).map(|u| u.id))
                    .chain(old(Role::BusinessLeader))
                    .collect()
            })
            .collect();
        let execs = CONTENT.iter().map(|d| executive(d.name)).collect();

        let team_rows = rq::teams(db).await?;
        let Some(any_team) = team_rows.first().map(|t| t.id) else {
            tracing::warn!("no IT teams; Decide demo history not seeded");
            return Ok(None);
        };
        let teams = Team::ALL
            .iter()
            .map(|t| {
                let id = team_rows
                    .iter()
                    .find(|r| r.name.eq_ignore_ascii_case(t.name()))
                    .map_or(any_team, |r| r.id);
                let manager = people
                    .iter()
                    .find(|p| p.department_name == "IT" && p.title == t.manager_title())
                    .and_then(|p| users.get(&key(&p.email)))
                    .map_or(cio, |u| u.id);
                (*t, (id, manager))
            })
            .collect();

        // The CFO sets the goals (ones left by an interrupted earlier run are reused).
        let existing_goals = duet_store::portfolio::goals(db).await?;
        let mut goal_ids = Vec::with_capacity(GOALS.len());
        let mut new_goals = 0;
        for (title, importance) in GOALS {
            match existing_goals.iter().find(|g| g.title == *title) {
                Some(g) => goal_ids.push(g.id),
                None => {
                    goal_ids.push(
                        duet_store::portfolio::insert_goal(db, cfo, title, *importance)
                            .await?
                            .id,
                    );
                    new_goals += 1;
                }
            }
        }

        Ok(Some(Ctx {
            db,
            cio,
            fallback_champions: [cfo, coo],
            dept_ids,
            pools,
            execs,
            teams,
            goal_ids,
            setup_calls: SETUP_CALLS + created + new_goals,
        }))
    }

    /// Replays one plan through the store; `false` when its department or requesters are missing.
    async fn replay(&self, plan: &Plan, index: usize) -> anyhow::Result<bool> {
        let db = self.db;
        let (Some(ask), Some(Some(dept_id)), Some(pool)) = (
            plan.ask(),
            self.dept_ids.get(plan.dept),
            self.pools.get(plan.dept),
        ) else {
            return Ok(false);
        };
        let pick = if plan.spotlight {
            0
        } else {
            pick_skewed(plan.requester_draw, pool.len())
        };
        let Some(&requester) = pool.get(pick) else {
            return Ok(false);
        };
        let v = plan.variant_text();
        let (team, manager) = self.teams.get(&ask.team).copied().unwrap_or((0, self.cio));
        let triager = if plan.cio_triages { self.cio } else { manager };
        let champion = match self.execs.get(plan.dept).copied().flatten() {
            Some(exec) if exec != requester => exec,
            _ => self.fallback_champions[index % 2],
        };
        let decider = if plan.kind == Kind::Project {
            self.cio
        } else {
            triager
        };

        let now = Utc::now();
        let today = now.date_naive();
        let mut ago = plan.age_hours();
        let submitted_on = (now - Duration::hours(ago)).date_naive();
        let date_needed = plan
            .needed_in_days
            .map(|d| {
                (submitted_on + Duration::days(d))
                    .format("%Y-%m-%d")
                    .to_string()
            })
            .unwrap_or_default();
        let input = RequestInput::parse(
            &fill(ask.title, v),
            &fill(ask.problem, v),
            &fill(ask.affected, v),
            &fill(ask.outcome, v),
            Some(*dept_id),
            plan.urgency.as_str(),
            &date_needed,
        )
        .map_err(|e| anyhow!("demo request '{}' is invalid: {e:?}", ask.title))?;
        let need = fill(ask.need, v);
        let first_case = match (plan.project(), &plan.case) {
            (Some(p), Some(c)) => Some(build_case(p, c, 100)?),
            _ => None,
        };
        let goals: Vec<i64> = plan
            .case
            .iter()
            .flat_map(|c| &c.goals)
            .filter_map(|g| self.goal_ids.get(*g).copied())
            .collect();

        let mut id = 0;
        for moment in &plan.moments {
            for step in &moment.steps {
                match *step {
                    Step::Submit => id = rq::insert_request(db, requester, &input).await?.id,
                    Step::Triage => {
                        rq::assign_team(db, id, triager, team).await?;
                        rq::state_need(db, id, triager, &need).await?;
                    }
                    Step::Attempt { note } => {
                        let note = ATTEMPT_NOTES.get(note).copied().unwrap_or_default();
                        rq::record_attempt(db, id, triager, today, note).await?;
                    }
                    Step::Confirm => {
                        rq::confirm_need(db, id, requester).await?;
                    }
                    Step::Correct { text } => {
                        let correction = CORRECTIONS.get(text).copied().unwrap_or_default();
                        rq::state_need(db, id, requester, &format!("{need} {correction}")).await?;
                    }
                    Step::Champion => {
                        rq::champion(db, id, champion).await?;
                    }
                    Step::SaveCase { it_pct } => {
                        let (Some(project), Some(c)) = (plan.project(), &plan.case) else {
                            continue;
                        };
                        let case = build_case(project, c, it_pct)?;
                        // The champion presents the first case; IT's re-estimate comes later.
                        let by = if it_pct == 100 { champion } else { triager };
                        rq::save_business_case(db, id, by, &case, c.risk, c.person_days, &goals)
                            .await?;
                    }
                    Step::SignOff => {
                        rq::sign_off(db, id, champion).await?;
                    }
                    Step::Decide(verdict) => {
                        let decision = match verdict {
                            Verdict::Accept => Decision::Accept,
                            Verdict::Defer { days, future, note } => {
                                let decided_on = (now - Duration::hours(ago)).date_naive();
                                let from = if future { today } else { decided_on };
                                Decision::Defer {
                                    until: from + Duration::days(days),
                                    note: DEFER_NOTES
                                        .get(note)
                                        .copied()
                                        .unwrap_or_default()
                                        .to_string(),
                                }
                            }
                            Verdict::Decline => plan.decline(),
                        };
                        rq::decide(db, id, decider, &decision, |_| Ok(())).await?;
                    }
                    Step::Answer { taken_up } => {
                        if let Some(first) = rq::alternatives(db, id).await?.first() {
                            rq::answer_alternative(db, id, first.id, requester, taken_up).await?;
                        }
                    }
                    Step::Advance => {
                        rq::advance(db, id, triager, |status, lane, _| {
                            next_delivery_status(status, lane)
                                .ok_or_else(|| FieldError::new("status", "no next step"))
                        })
                        .await?;
                    }
                    Step::Benefit { year, pct } => {
                        let Some(case) = &first_case else { continue };
                        let actual = (expected_benefit(case, year) * pct / 100 + 50) / 100 * 100;
                        rq::record_benefit(db, id, champion, i64::from(year), Money(actual))
                            .await?;
                    }
                }
            }
            if moment.gap_hours > 0 {
                rq::shift_history(db, id, Duration::hours(moment.gap_hours)).await?;
            }
            ago -= moment.gap_hours;
        }
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use duet_core::requests::{DecisionFields, Lane, Status, parse_need, signoff_holds};
    use std::collections::HashSet;

    fn all_asks() -> Vec<(&'static str, &'static Ask)> {
        let mut out = Vec::new();
        for d in CONTENT {
            out.extend(d.asks.iter().map(|a| (d.name, a)));
            out.extend(d.refusals.iter().map(|r| (d.name, &r.ask)));
            out.extend(d.projects.iter().map(|p| (d.name, &p.ask)));
        }
        out
    }

    fn variants(ask: &Ask) -> Vec<&'static str> {
        if ask.variants.is_empty() {
            vec![""]
        } else {
            ask.variants.to_vec()
        }
    }

    #[test]
    fn every_template_makes_a_valid_request_and_need() {
        for (dept, ask) in all_asks() {
            let texts = [ask.title, ask.problem, ask.affected, ask.outcome, ask.need];
            if ask.variants.is_empty() {
                assert!(
                    texts.iter().all(|t| !t.contains("{v}")),
                    "{dept}: {}",
                    ask.title
                );
            } else {
                assert!(
                    ask.title.contains("{v}"),
                    "{dept}: variants need a slot in the title: {}",
                    ask.title
                );
            }
            for v in variants(ask) {
                let input = RequestInput::parse(
                    &fill(ask.title, v),
                    &fill(ask.problem, v),
                    &fill(ask.affected, v),
                    &fill(ask.outcome, v),
                    Some(1),
                    "normal",
                    "",
                );
                assert!(input.is_ok(), "{dept}: {} ({v}): {input:?}", ask.title);
                let need = fill(ask.need, v);
                assert!(parse_need(&need).is_ok(), "{need}");
                for c in CORRECTIONS {
                    assert!(parse_need(&format!("{need} {c}")).is_ok());
                }
                assert!(!fill(ask.problem, v).contains('{'), "{}", ask.problem);
            }
        }
    }

    #[test]
    fn every_decline_offers_a_safe_alternative_and_security_ones_name_the_risk() {
        let mut security = 0;
        let mut total = 0;
        for d in CONTENT {
            for r in d.refusals {
                for v in variants(&r.ask) {
                    let Decision::Decline {
                        reason,
                        note,
                        alternatives,
                        security_risk,
                        security_yes_if,
                    } = decline_of(r.reason, r.note, r.alternatives, r.security, v)
                    else {
                        panic!("not a decline");
                    };
                    // The same decision must pass the rules a user's form goes through.
                    let fields = DecisionFields {
                        decision: "decline",
                        until: "",
                        note: &note,
                        reason: reason.as_str(),
                        alternatives: alternatives
                            .iter()
                            .map(|a| (a.kind.as_str(), a.description.as_str()))
                            .collect(),
                        security_risk: security_risk.as_deref().unwrap_or(""),
                        security_yes_if: security_yes_if.as_deref().unwrap_or(""),
                    };
                    assert!(
                        Decision::parse(&fields).is_ok(),
                        "{}: {:?}",
                        r.ask.title,
                        Decision::parse(&fields)
                    );
                    assert!((1..=2).contains(&alternatives.len()), "{}", r.ask.title);
                    assert_eq!(
                        reason == DeclineReason::Security,
                        r.security.is_some(),
                        "{}",
                        r.ask.title
                    );
                    total += 1;
                    security += usize::from(reason == DeclineReason::Security);
                }
            }
        }
        assert!(
            security * 3 >= total,
            "{security} of {total} templates are security declines"
        );
        for (reason, note, alternatives) in PORTFOLIO_DECLINES {
            assert_ne!(*reason, DeclineReason::Security);
            assert!(!note.is_empty() && !alternatives.is_empty());
        }
    }

    #[test]
    fn the_plan_is_deterministic() {
        assert_eq!(plan_history(), plan_history());
    }

    #[test]
    fn the_outcome_mix_follows_the_brief() {
        let plans = plan_history();
        let n = plans.len() as f64;
        assert_eq!(plans.len(), REQUESTS);
        let share = |f: &dyn Fn(&Plan) -> bool| plans.iter().filter(|p| f(p)).count() as f64 / n;
        let open = share(&|p| matches!(p.fate, Fate::Submitted | Fate::Understanding));
        let accepted = share(&|p| matches!(p.fate, Fate::Accepted(_)));
        let deferred = share(&|p| p.fate == Fate::Deferred);
        let declined = share(&|p| p.fate == Fate::Declined);
        assert!((0.13..=0.17).contains(&open), "open {open}");
        assert!((0.43..=0.47).contains(&accepted), "accepted {accepted}");
        assert!((0.08..=0.12).contains(&deferred), "deferred {deferred}");
        assert!((0.18..=0.22).contains(&declined), "declined {declined}");
        let with_attempt = plans
            .iter()
            .filter(|p| {
                p.fate == Fate::Understanding && p.has(|s| matches!(s, Step::Attempt { .. }))
            })
            .count();
        assert!(
            with_attempt >= 5,
            "{with_attempt} open requests with an attempt"
        );

        let projects: Vec<&Plan> = plans.iter().filter(|p| p.kind == Kind::Project).collect();
        assert_eq!(projects.len(), PORTFOLIO);
        let accepted_projects = projects
            .iter()
            .filter(|p| matches!(p.fate, Fate::Accepted(_)))
            .count();
        assert!((PORTFOLIO * 45 / 100..=PORTFOLIO * 55 / 100).contains(&accepted_projects));
        let lapsed = projects
            .iter()
            .filter(|p| p.stage == Some(Stage::Lapsed))
            .count();
        assert_eq!(lapsed, LAPSED);
        let delivered = projects
            .iter()
            .filter(|p| matches!(p.fate, Fate::Accepted(2..)))
            .count();
        assert!(delivered >= 10, "{delivered} delivered portfolio items");

        let declines: Vec<Decision> = plans
            .iter()
            .filter(|p| p.fate == Fate::Declined)
            .map(Plan::decline)
            .collect();
        let security = declines
            .iter()
            .filter(|d| {
                matches!(
                    d,
                    Decision::Decline {
                        reason: DeclineReason::Security,
                        ..
                    }
                )
            })
            .count() as f64
            / declines.len() as f64;
        assert!(
            (0.25..=0.45).contains(&security),
            "security share of declines {security}"
        );
        let answered = plans
            .iter()
            .filter(|p| p.fate == Fate::Declined && p.has(|s| matches!(s, Step::Answer { .. })))
            .count() as f64
            / declines.len() as f64;
        assert!((0.35..=0.65).contains(&answered), "answered {answered}");
    }

    #[test]
    fn the_urgency_mix_follows_the_brief() {
        let plans = plan_history();
        let share = |u: Urgency| {
            plans.iter().filter(|p| p.urgency == u).count() as f64 / plans.len() as f64
        };
        assert!((0.09..=0.11).contains(&share(Urgency::Critical)));
        assert!((0.24..=0.26).contains(&share(Urgency::High)));
        assert!((0.44..=0.46).contains(&share(Urgency::Normal)));
        assert!((0.19..=0.21).contains(&share(Urgency::Low)));
    }

    #[test]
    fn titles_rarely_repeat_and_every_department_takes_part() {
        let plans = plan_history();
        let titles: HashSet<String> = plans.iter().map(Plan::title).collect();
        assert!(
            titles.len() * 100 >= plans.len() * 90,
            "{} distinct titles in {}",
            titles.len(),
            plans.len()
        );
        for (d, content) in CONTENT.iter().enumerate() {
            assert!(plans.iter().any(|p| p.dept == d), "{}", content.name);
        }
        assert!(
            plans
                .iter()
                .filter(|p| CONTENT[p.dept].name == "IT")
                .count()
                >= 3
        );
    }

    #[test]
    fn the_history_spans_about_a_year_oldest_first() {
        let plans = plan_history();
        let ages: Vec<i64> = plans.iter().map(Plan::age_hours).collect();
        assert!(ages.windows(2).all(|w| w[0] >= w[1]), "oldest first");
        assert!(ages[0] <= MAX_AGE_HOURS + 24 * 7, "{}", ages[0] / 24);
        assert!(ages[0] >= 300 * 24, "{}", ages[0] / 24);
        let recent = ages.iter().filter(|a| **a < 30 * 24).count();
        assert!(recent >= 20, "{recent} requests from the last month");
        for p in &plans {
            assert!(
                p.moments
                    .iter()
                    .all(|m| !m.steps.is_empty() && m.gap_hours >= 0)
            );
            assert_eq!(
                p.moments.first().and_then(|m| m.steps.first()),
                Some(&Step::Submit)
            );
        }
    }

    /// Replays a plan against the store's rules (statuses, lanes, sign-off) without a database.
    fn simulate(plan: &Plan) -> Result<(Status, Lane), String> {
        let mut status: Option<Status> = None;
        let mut lane = Lane::Service;
        let mut cost: Option<i64> = None;
        let mut signed: Option<i64> = None;
        let mut attempt_at: Option<i64> = None;
        let mut elapsed = 0;
        let holds = |signed: Option<i64>, cost: Option<i64>| match (signed, cost) {
            (Some(s), Some(c)) => signoff_holds(s, c, 10.0),
            _ => false,
        };
        for m in &plan.moments {
            for step in &m.steps {
                let s = status;
                let bad = || format!("{step:?} while {s:?} ({})", plan.title());
                status = Some(match (*step, status) {
                    (Step::Submit, None) => Status::Submitted,
                    (Step::Triage, Some(Status::Submitted)) => Status::Understanding,
                    (Step::Attempt { .. }, Some(Status::Understanding)) => {
                        attempt_at = Some(elapsed);
                        Status::Understanding
                    }
                    (Step::Confirm | Step::Correct { .. }, Some(Status::Understanding)) => {
                        Status::NeedConfirmed
                    }
                    (Step::Champion, Some(st))
                        if !matches!(st, Status::Declined | Status::Closed) =>
                    {
                        lane = Lane::Portfolio;
                        st
                    }
                    (Step::SaveCase { it_pct }, Some(st))
                        if lane == Lane::Portfolio
                            && !matches!(st, Status::Declined | Status::Closed) =>
                    {
                        cost = Some(it_pct);
                        st
                    }
                    (Step::SignOff, Some(st)) if cost.is_some() => {
                        signed = cost;
                        st
                    }
                    (Step::Decide(v), Some(st)) => {
                        let understood = st == Status::NeedConfirmed
                            || (st == Status::Understanding
                                && attempt_at.is_some_and(|a| elapsed - a >= 14 * 24));
                        if !understood {
                            return Err(bad());
                        }
                        match v {
                            Verdict::Accept if lane == Lane::Portfolio && !holds(signed, cost) => {
                                return Err(bad());
                            }
                            Verdict::Accept => Status::Accepted,
                            Verdict::Defer { .. } => Status::Deferred,
                            Verdict::Decline => Status::Declined,
                        }
                    }
                    (Step::Answer { .. }, Some(Status::Declined)) => Status::Declined,
                    (Step::Advance, Some(st)) => {
                        if lane == Lane::Portfolio && !holds(signed, cost) {
                            return Err(bad());
                        }
                        next_delivery_status(st, lane).ok_or_else(bad)?
                    }
                    (Step::Benefit { year, .. }, Some(st))
                        if matches!(
                            st,
                            Status::Delivered | Status::BenefitsRealised | Status::Closed
                        ) && plan.case.as_ref().is_some_and(|c| year <= c.horizon) =>
                    {
                        st
                    }
                    _ => return Err(bad()),
                });
            }
            // Time passes after the moment; the attempt's wait is measured across it.
            elapsed += m.gap_hours;
        }
        status
            .map(|s| (s, lane))
            .ok_or_else(|| "never submitted".to_string())
    }

    #[test]
    fn every_life_follows_the_store_rules_and_ends_where_planned() {
        for plan in plan_history() {
            let (status, lane) = simulate(&plan).unwrap_or_else(|e| panic!("{e}"));
            let expected = match plan.fate {
                Fate::Submitted => Status::Submitted,
                Fate::Understanding => Status::Understanding,
                Fate::Waiting => Status::NeedConfirmed,
                Fate::Deferred => Status::Deferred,
                Fate::Declined => Status::Declined,
                Fate::Accepted(steps) => {
                    let mut s = Status::Accepted;
                    for _ in 0..steps {
                        s = next_delivery_status(s, lane).unwrap();
                    }
                    s
                }
            };
            assert_eq!(status, expected, "{}", plan.title());
            assert_eq!(
                lane == Lane::Portfolio,
                plan.kind == Kind::Project,
                "{}",
                plan.title()
            );
        }
    }

    #[test]
    fn business_cases_are_plausible_and_rises_lapse_the_sign_off() {
        let plans = plan_history();
        let mut npv_signs = (0, 0);
        for plan in plans.iter().filter(|p| p.kind == Kind::Project) {
            let (project, c) = (plan.project().unwrap(), plan.case.as_ref().unwrap());
            assert!((3..=7).contains(&c.horizon));
            assert!((0.06..=0.12).contains(&c.rate));
            assert!((20..=600).contains(&c.person_days));
            assert!(c.goals.len() <= 3 && c.goals.iter().all(|g| *g < GOALS.len()));
            let case = build_case(project, c, 100).unwrap();
            let one_off: i64 = case
                .flows
                .iter()
                .filter(|f| f.kind == FlowKind::ItOneOff)
                .map(|f| f.amount.0)
                .sum();
            assert!(
                (5_000_000..=250_000_000).contains(&one_off),
                "{}: {one_off}",
                plan.title()
            );
            if case.evaluate().npv > 0.0 {
                npv_signs.0 += 1;
            } else {
                npv_signs.1 += 1;
            }
            for m in &plan.moments {
                for step in &m.steps {
                    if let Step::SaveCase { it_pct } = step {
                        let again = build_case(project, c, *it_pct).unwrap();
                        let holds = signoff_holds(case.it_cost().0, again.it_cost().0, 10.0);
                        assert_eq!(holds, *it_pct == 100, "{}", plan.title());
                    }
                    if let Step::Benefit { year, .. } = step {
                        assert!(expected_benefit(&case, *year) > 0);
                    }
                }
            }
        }
        assert!(
            npv_signs.0 > npv_signs.1 && npv_signs.1 > 0,
            "positive/negative NPVs {npv_signs:?}"
        );
    }

    #[test]
    fn seeding_stays_within_the_store_call_budget() {
        let calls: usize = plan_history().iter().map(Plan::store_calls).sum();
        // Member accounts, an executive per department and the IT team managers.
        let accounts: usize =
            CONTENT.iter().map(|d| d.members).sum::<usize>() + CONTENT.len() + Team::ALL.len();
        let total = calls + accounts + GOALS.len() + SETUP_CALLS;
        assert!(total <= CALL_BUDGET, "{total} store calls");
    }

    #[test]
    fn the_member_sign_in_has_one_request_of_each_kind_and_a_need_to_confirm_today() {
        let plans = plan_history();
        let lit: Vec<&Plan> = plans.iter().filter(|p| p.spotlight).collect();
        assert_eq!(lit.len(), 4);
        assert!(lit.iter().all(|p| CONTENT[p.dept].name == SPOTLIGHT_DEPT));
        let waiting = lit.iter().find(|p| p.fate == Fate::Understanding).unwrap();
        assert_eq!(waiting.moments.last().map(|m| m.gap_hours), Some(0));
        assert!(lit.iter().any(|p| p.fate == Fate::Declined));
    }

    #[test]
    fn apportion_adds_up_and_follows_the_weights() {
        assert_eq!(apportion(10, &[1, 1, 1]), vec![4, 3, 3]);
        assert_eq!(apportion(7, &[0, 5]), vec![0, 7]);
        assert_eq!(apportion(5, &[0, 0]), vec![0, 0]);
        for total in 0..50 {
            assert_eq!(
                apportion(total, &[15, 25, 20, 40]).iter().sum::<usize>(),
                total
            );
        }
    }

    #[test]
    fn fill_substitutes_and_capitalises() {
        assert_eq!(
            fill("{v} need access", "new analysts"),
            "New analysts need access"
        );
        assert_eq!(
            fill("Use Canva for {v}", "social posts"),
            "Use Canva for social posts"
        );
        assert_eq!(fill("", "x"), "");
    }

    #[test]
    fn the_skewed_pick_favours_the_front_of_the_pool() {
        let mut rng = Rng::new(7);
        let mut counts = [0; 10];
        for _ in 0..10_000 {
            counts[pick_skewed((rng.below(1 << 20), rng.below(1 << 20)), 10)] += 1;
        }
        assert!(counts[0] > counts[9] * 5, "{counts:?}");
        assert_eq!(pick_skewed((3, 4), 0), 0);
    }

    #[test]
    fn team_names_match_the_standard_teams() {
        for t in Team::ALL {
            assert!(rq::STANDARD_TEAMS.contains(&t.name()), "{}", t.name());
        }
    }
}
