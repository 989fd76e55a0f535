//! The words the large organisation is made of: department names, people's names, what they ask for.

/// The 21 business departments added to the standard nine (IT and eight business ones).
pub(super) const DEPARTMENTS: [&str; 21] = [
    "Legal",
    "Procurement",
    "Logistics",
    "Manufacturing",
    "Quality Assurance",
    "Research & Development",
    "Product Management",
    "Facilities",
    "Treasury",
    "Internal Audit",
    "Compliance",
    "Communications",
    "Investor Relations",
    "Strategy",
    "Partnerships",
    "Field Service",
    "Training",
    "Payroll",
    "Risk Management",
    "E-commerce",
    "Customer Success",
];

/// Given names of the generated people.
pub(super) const FIRST: [&str; 40] = [
    "Ada", "Ben", "Chloe", "Dev", "Elena", "Farid", "Greta", "Hiro", "Ines", "Jonas", "Kemi",
    "Liam", "Maya", "Nikhil", "Olga", "Pablo", "Quinn", "Rosa", "Samir", "Tara", "Umar", "Vera",
    "Wen", "Xavier", "Yara", "Zane", "Anouk", "Bruno", "Carmen", "Dmitri", "Esi", "Felix", "Gita",
    "Hamza", "Ingrid", "Jae", "Kofi", "Lucia", "Mateo", "Noor",
];

/// Family names of the generated people.
pub(super) const LAST: [&str; 40] = [
    "Abbott",
    "Bianchi",
    "Castillo",
    "Dubois",
    "Eriksen",
    "Fischer",
    "Garcia",
    "Haddad",
    "Ito",
    "Jensen",
    "Kowalski",
    "Larsen",
    "Moreau",
    "Nakamura",
    "Okonkwo",
    "Petrov",
    "Quintero",
    "Reyes",
    "Schmidt",
    "Tanaka",
    "Usman",
    "Varga",
    "Weber",
    "Xu",
    "Yilmaz",
    "Zhou",
    "Adeyemi",
    "Brennan",
    "Costa",
    "Dimitrov",
    "Engel",
    "Fontaine",
    "Gupta",
    "Horvat",
    "Ivanova",
    "Jovanovic",
    "Kim",
    "Lindqvist",
    "Mendes",
    "Novak",
];

/// Request subjects, combined with a system name.
pub(super) const ASKS: [&str; 12] = [
    "Access to",
    "Report from",
    "Export from",
    "Faster approvals in",
    "Single sign-on for",
    "Mobile access to",
    "Automated reminders in",
    "Fix duplicate records in",
    "New dashboard in",
    "Integration between email and",
    "Bulk upload into",
    "Audit trail in",
];

/// Systems requests and promises are about.
pub(super) const SYSTEMS: [&str; 12] = [
    "the CRM",
    "the ERP",
    "the data warehouse",
    "the HR system",
    "the ticketing tool",
    "SharePoint",
    "the contract database",
    "the booking system",
    "the expense tool",
    "the planning spreadsheet",
    "the document archive",
    "the intranet",
];

/// What gets promised.
pub(super) const PROMISE_TEXTS: [&str; 8] = [
    "Send the monthly figures for",
    "Test the new release of",
    "Clean up the user list of",
    "Write the requirements for changes to",
    "Train the team on",
    "Fix the reported problems in",
    "Review access rights in",
    "Agree the priorities for",
];
