//! Roles and the one permission function every handler calls.
//!
//! Keeping every rule in `can` means the role × action matrix is written once and tested once;
//! handlers never compare roles themselves.

use crate::org::{DepartmentId, UserId};

wire_enum!(
    /// What an account may do in Duet, from running it to taking part in it.
    Role, "role" {
        /// Runs Duet: accounts, roles, the organisation itself.
        Admin = "admin" / "Admin",
        /// CIO and IT managers: keep the organisation map and the IT side of every relationship.
        ItLeader = "it_leader" / "IT leader",
        /// Head of a business department: looks after the people of their own department.
        BusinessLeader = "business_leader" / "Business leader",
        /// Executives: see everything, champion work.
        Executive = "executive" / "Executive",
        /// Every employee.
        Member = "member" / "Member",
    }
);

/// Who is acting: the signed-in account, its role and (when linked to a person) its department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Actor {
    /// The account.
    pub user: UserId,
    /// Its role.
    pub role: Role,
    /// The department of the person behind the account, if the account is linked to one.
    pub department: Option<DepartmentId>,
}

/// Everything an actor can attempt, with the resource it touches where that matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// See departments and people (the organisation directory).
    ViewOrg,
    /// Create, rename, archive departments; name their leader and IT partner.
    ManageDepartments,
    /// Create, edit or archive a person of the given department.
    ManagePerson(DepartmentId),
    /// Move a person from one department to another.
    MovePerson {
        from: DepartmentId,
        to: DepartmentId,
    },
    /// Import people from CSV (any department).
    ImportPeople,
    /// Export the directory with e-mail addresses as CSV.
    ExportPeople,
    /// See the list of accounts and their roles.
    ViewUsers,
    /// Create accounts, change roles, disable accounts.
    ManageUsers,
    /// Create or revoke API tokens owned by the given account.
    ManageTokens(UserId),
    /// Submit a request (anyone signed in).
    SubmitRequest,
    /// Raise a request on behalf of `department`: people raise requests for their own
    /// department; IT leaders, executives and admins for any.
    RaiseRequestFor { department: DepartmentId },
    /// See a request, its timeline and its business case.
    ViewRequest {
        requester: UserId,
        department: DepartmentId,
    },
    /// Triage: state the need, record attempts, assign a team, decide, move delivery on.
    TriageRequest,
    /// Write or correct the need statement of a request raised by `requester`.
    EditNeed { requester: UserId },
    /// Confirm the need statement, or say whether an offered alternative was taken up.
    RespondAsRequester { requester: UserId },
    /// Escalate a request to IT's leaders (declined, or undecided too long): its requester, or a
    /// business leader or executive of its department.
    EscalateRequest {
        requester: UserId,
        department: DepartmentId,
    },
    /// Adopt a request as its executive champion (promotes it to the portfolio).
    Champion {
        requester: UserId,
        self_allowed: bool,
    },
    /// Let a requester champion their own request.
    AllowSelfChampion,
    /// Edit the business case of an item championed by `champion`.
    EditBusinessCase { champion: Option<UserId> },
    /// Sign off the IT costs of an item championed by `champion`.
    SignOff { champion: Option<UserId> },
    /// Record realised benefits of an item championed by `champion`.
    RecordBenefits { champion: Option<UserId> },
    /// See the ranked portfolio and the funding line (transparent to everyone).
    ViewPortfolio,
    /// Set scoring weights, budget, capacity and sign-off tolerance.
    ManagePortfolio,
    /// Set the business goals portfolio items are scored against.
    ManageGoals,
    /// Record a promise in the name of a person of `promisor_department`, whose account (if
    /// they have one) is `promisor`: only they, their department's business leader, an IT
    /// leader or an admin may, so nobody puts words in someone else's mouth.
    RecordPromise {
        promisor_department: DepartmentId,
        promisor: Option<UserId>,
    },
    /// Schedule reviews with a department, mark them held, set its cadence.
    ManageReviews { department: DepartmentId },
    /// Edit the organisation calendar (the holidays reviews are never planned on).
    ManageCalendar,
    /// Sign a review's record for IT (`it_side`) or for the business department.
    SignReview {
        department: DepartmentId,
        it_side: bool,
    },
    /// Keep the metric catalogue and its values (IT measures; the business says what matters).
    ManageMetrics,
    /// Say what a department cares about (its outcomes and their weights).
    ManageOutcomes { department: DepartmentId },
    /// Close (kept or broken) or renegotiate a promise made to `promisee`: only the promisee
    /// department's people may, since trust is theirs to give.
    AnswerPromise { promisee: DepartmentId },
    /// Run survey campaigns: choose the instrument, invite departments, set dates and k.
    ManageCampaigns,
    /// Add instruments (their wording is then fixed; a change is a new version).
    ManageInstruments,
    /// Read a closed campaign's results. Everyone may: only anonymous aggregates are ever shown.
    ViewSurveyResults,
    /// Read, answer, publish or convert pain points addressed to `department`.
    TriageVoice { department: DepartmentId },
    /// Read the audit log of changes to people, accounts and API tokens. Everyone may: an
    /// administrator's changes are meant to be seen.
    ViewAuditLog,
    /// Write a post (Tell): IT leaders, business leaders, and admins.
    WritePost,
    /// Edit a post written by `author`: its author, or a moderator.
    EditPost { author: UserId },
    /// Hide or restore any post, remove any comment.
    ModeratePosts,
    /// Approve (or send back) a success story: its business owner — the leader of the requesting
    /// department or the champion of the work it tells.
    ApproveStory {
        leader: Option<UserId>,
        champion: Option<UserId>,
    },
    /// Read a published post; `meant_for_reader` when it is for everyone or the reader's
    /// department.
    ReadPost { meant_for_reader: bool },
    /// Read a post not (yet) published: its author, the story's owner, or a moderator.
    ReadUnpublishedPost { author: UserId, story_owner: bool },
    /// Remove a comment written by `author`: its author, or a moderator.
    HideComment { author: UserId },
    /// See the e-mail outbox and send a held message after all.
    ManageMail,
    /// Edit, preview and schedule the monthly edition (the newsletter drafted from data): the
    /// IT leaders who run the relationship, and admins.
    EditEditions,
    /// Change the thresholds and weights of relationship signals (each change is a new version,
    /// kept with who made it): IT leaders and admins.
    SetRelationshipThresholds,
    /// Edit the catalogue of IT services the IT service gap survey asks about (each edit is a new
    /// version of the instrument): IT leaders, who run the services, and admins.
    EditServiceCatalogue,
    /// Record one's own view of `department`'s relationship with IT (how it feels, the maturity
    /// one sees, why): IT leaders, executives, and that department's business leader.
    JudgeRelationship { department: DepartmentId },
    /// Run the rotation programme: open cycles, propose and adjust the matching, confirm
    /// placements (the programme owner: IT leaders and admins).
    RunRotation,
    /// Offer placements in `department` for a rotation cycle: its business leaders and
    /// executives, IT leaders (for IT and on a department's behalf) and admins.
    OfferPlacement { department: DepartmentId },
    /// Apply to a rotation cycle: every employee (the service checks the account is a person).
    ApplyToRotation,
    /// Release an applicant for a rotation, or decline to: only their manager (`manager`, the
    /// account of their department's leader).
    ReleaseForRotation { manager: Option<UserId> },
    /// See an application to a rotation (interests, skills, the manager's answer): the
    /// applicant, their manager (`manager`, the account of their department's leader), and the
    /// programme owner who matches them.
    ViewApplication {
        applicant: Option<UserId>,
        manager: Option<UserId>,
    },
    /// Declare a tool `department` uses in the software register: its own people (declaring is
    /// safe: it opens a conversation about the need), IT leaders and admins for any department.
    DeclareSoftware { department: DepartmentId },
    /// Edit a register entry of `department`: that department's leaders (business leader,
    /// executive), IT leaders and admins.
    EditSoftware { department: DepartmentId },
    /// Record a security review ("yes, safely"), mark one of its conditions met, or confirm or
    /// dismiss a known-vulnerability finding: IT leaders and admins (the department may say a
    /// condition is met; IT, who set it, checks it).
    ReviewSoftware,
    /// Import advisory files (KEV, OSV): admins.
    ImportAdvisories,
    /// Bring an organisation's history into Duet (promises with their original dates): admins.
    ImportHistory,
    /// Write a reflection on a placement: only its guest (`guest`, their account).
    ReflectOnPlacement { guest: Option<UserId> },
    /// Read a reflection: its guest always; the host department's people when the guest shared
    /// it; nobody else, the programme owner included (a private reflection stays private).
    ReadReflection {
        guest: Option<UserId>,
        shared: bool,
        host: DepartmentId,
    },
}

/// A question asked of a whole list rather than of one record: which of its rows may this actor
/// see or act on. Handlers narrow their queries by the answer ([`scope`]) instead of comparing
/// roles themselves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Question {
    /// Which requests they may list (the rows `ViewRequest` allows).
    SeeRequests,
    /// Whose reviews are in their calendar feed.
    SeeReviews,
    /// In which departments they may add people (`ManagePerson`).
    ManagePeople,
    /// Which published posts they may read (the ones `ReadPost` allows).
    ReadPosts,
    /// Whose relationship with IT they may see: every department's for IT leaders, executives
    /// and admins; a business leader their own department's; members none.
    SeeRelationships,
}

/// The answer to a [`Question`]: every row, one department's, the actor's own, or none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// Every row.
    All,
    /// The rows of this department only.
    Department(DepartmentId),
    /// The actor's own rows only (for requests: the ones they raised).
    Own,
    /// No row.
    Nothing,
}

/// Which rows of a list `actor` may see or act on; agrees with [`can`] on each row.
pub fn scope(actor: &Actor, question: Question) -> Scope {
    use Role::*;
    let department = || actor.department.map_or(Scope::Nothing, Scope::Department);
    match (question, actor.role) {
        (Question::SeeRequests, Admin | ItLeader | Executive) => Scope::All,
        (Question::SeeRequests, BusinessLeader) => {
            actor.department.map_or(Scope::Own, Scope::Department)
        }
        (Question::SeeRequests, Member) => Scope::Own,
        (Question::SeeReviews | Question::ManagePeople, Admin | ItLeader) => Scope::All,
        (Question::SeeReviews, BusinessLeader | Executive | Member) => department(),
        (Question::ManagePeople, BusinessLeader) => department(),
        (Question::ManagePeople, Executive | Member) => Scope::Nothing,
        (Question::ReadPosts, Admin | ItLeader | Executive) => Scope::All,
        (Question::ReadPosts, BusinessLeader | Member) => department(),
        (Question::SeeRelationships, Admin | ItLeader | Executive) => Scope::All,
        (Question::SeeRelationships, BusinessLeader) => department(),
        (Question::SeeRelationships, Member) => Scope::Nothing,
    }
}

/// Why an action was refused, in words safe to show to the actor.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("you are not allowed to {0}")]
pub struct Denied(pub &'static str);

/// The permission function: `Ok` when `actor` may perform `action`.
pub fn can(actor: &Actor, action: Action) -> Result<(), Denied> {
    use Role::*;
    let own_dept = |d: DepartmentId| actor.department == Some(d);
    let allowed = match action {
        Action::ViewOrg | Action::ViewAuditLog => true,
        Action::ManageDepartments => matches!(actor.role, Admin | ItLeader),
        Action::ManagePerson(d) => match actor.role {
            Admin | ItLeader => true,
            BusinessLeader => own_dept(d),
            Executive | Member => false,
        },
        Action::MovePerson { from, to } => match actor.role {
            Admin | ItLeader => true,
            BusinessLeader => own_dept(from) && own_dept(to),
            Executive | Member => false,
        },
        Action::ImportPeople | Action::ExportPeople => matches!(actor.role, Admin | ItLeader),
        Action::ViewUsers | Action::ManageUsers => actor.role == Admin,
        Action::ManageTokens(owner) => owner == actor.user || actor.role == Admin,
        Action::SubmitRequest | Action::ViewPortfolio => true,
        Action::RaiseRequestFor { department } => match actor.role {
            Admin | ItLeader | Executive => true,
            // Someone not linked to a department has no own department to be held to.
            BusinessLeader | Member => actor.department.is_none_or(|own| own == department),
        },
        Action::ViewRequest {
            requester,
            department,
        } => match actor.role {
            Admin | ItLeader | Executive => true,
            BusinessLeader => requester == actor.user || own_dept(department),
            Member => requester == actor.user,
        },
        Action::TriageRequest | Action::ManagePortfolio => matches!(actor.role, Admin | ItLeader),
        Action::EditNeed { requester } => {
            requester == actor.user || matches!(actor.role, Admin | ItLeader)
        }
        Action::RespondAsRequester { requester } => requester == actor.user,
        Action::EscalateRequest {
            requester,
            department,
        } => {
            requester == actor.user
                || (matches!(actor.role, BusinessLeader | Executive)
                    && actor.department == Some(department))
        }
        Action::Champion {
            requester,
            self_allowed,
        } => actor.role == Executive && (requester != actor.user || self_allowed),
        Action::AllowSelfChampion => actor.role == Admin,
        Action::EditBusinessCase { champion } | Action::RecordBenefits { champion } => {
            champion == Some(actor.user) || matches!(actor.role, Admin | ItLeader)
        }
        Action::SignOff { champion } => champion == Some(actor.user) && actor.role == Executive,
        Action::ManageGoals => matches!(actor.role, Admin | Executive),
        Action::RecordPromise {
            promisor_department,
            promisor,
        } => {
            promisor == Some(actor.user)
                || matches!(actor.role, Admin | ItLeader)
                || (actor.role == BusinessLeader && own_dept(promisor_department))
        }
        Action::AnswerPromise { promisee } => own_dept(promisee),
        Action::ManageMetrics => matches!(actor.role, Admin | ItLeader),
        Action::SignReview {
            department,
            it_side: true,
        } => actor.role == ItLeader && !own_dept(department),
        Action::SignReview {
            department,
            it_side: false,
        } => matches!(actor.role, BusinessLeader | Executive) && own_dept(department),
        Action::ManageReviews { department } => {
            matches!(actor.role, Admin | ItLeader)
                || (actor.role == BusinessLeader && own_dept(department))
        }
        Action::ManageCampaigns => matches!(actor.role, Admin | ItLeader),
        Action::ManageCalendar => actor.role == Admin,
        Action::ManageInstruments => actor.role == Admin,
        Action::ViewSurveyResults => true,
        Action::TriageVoice { department } => match actor.role {
            Admin | ItLeader => true,
            BusinessLeader | Executive => own_dept(department),
            Member => false,
        },
        Action::ManageOutcomes { department } => match actor.role {
            Admin | Executive => true,
            BusinessLeader => own_dept(department),
            ItLeader | Member => false,
        },
        Action::WritePost => matches!(actor.role, Admin | ItLeader | BusinessLeader),
        Action::EditPost { author } | Action::HideComment { author } => {
            author == actor.user || actor.role == Admin
        }
        Action::ModeratePosts | Action::ManageMail => actor.role == Admin,
        Action::EditEditions | Action::SetRelationshipThresholds | Action::EditServiceCatalogue => {
            matches!(actor.role, Admin | ItLeader)
        }
        Action::JudgeRelationship { department } => match actor.role {
            ItLeader | Executive => true,
            BusinessLeader => own_dept(department),
            Admin | Member => false,
        },
        Action::RunRotation => matches!(actor.role, Admin | ItLeader),
        Action::OfferPlacement { department } => match actor.role {
            Admin | ItLeader => true,
            BusinessLeader | Executive => own_dept(department),
            Member => false,
        },
        Action::ApplyToRotation => true,
        Action::DeclareSoftware { department } => {
            matches!(actor.role, Admin | ItLeader) || own_dept(department)
        }
        Action::EditSoftware { department } => match actor.role {
            Admin | ItLeader => true,
            BusinessLeader | Executive => own_dept(department),
            Member => false,
        },
        Action::ReviewSoftware => matches!(actor.role, Admin | ItLeader),
        Action::ImportAdvisories | Action::ImportHistory => actor.role == Admin,
        Action::ReleaseForRotation { manager } => manager == Some(actor.user),
        Action::ViewApplication { applicant, manager } => {
            applicant == Some(actor.user)
                || manager == Some(actor.user)
                || matches!(actor.role, Admin | ItLeader)
        }
        Action::ReflectOnPlacement { guest } => guest == Some(actor.user),
        Action::ReadReflection {
            guest,
            shared,
            host,
        } => guest == Some(actor.user) || (shared && own_dept(host)),
        Action::ApproveStory { leader, champion } => {
            leader == Some(actor.user) || champion == Some(actor.user)
        }
        Action::ReadPost { meant_for_reader } => {
            meant_for_reader || matches!(actor.role, Admin | ItLeader | Executive)
        }
        Action::ReadUnpublishedPost {
            author,
            story_owner,
        } => author == actor.user || story_owner || actor.role == Admin,
    };
    if allowed {
        Ok(())
    } else {
        Err(Denied(describe(action)))
    }
}

fn describe(action: Action) -> &'static str {
    match action {
        Action::ViewOrg => "view the organisation",
        Action::ManageDepartments => "manage departments",
        Action::ManagePerson(_) => "manage people of this department",
        Action::MovePerson { .. } => "move people between these departments",
        Action::ImportPeople => "import people",
        Action::ExportPeople => "export people",
        Action::ViewUsers => "view accounts",
        Action::ManageUsers => "manage accounts",
        Action::ManageTokens(_) => "manage another account's API tokens",
        Action::SubmitRequest => "submit requests",
        Action::RaiseRequestFor { .. } => "raise requests for another department",
        Action::ViewRequest { .. } => "see this request",
        Action::TriageRequest => "triage and decide requests (IT leaders only)",
        Action::EditNeed { .. } => {
            "edit this need statement (only its requester or an IT triager may)"
        }
        Action::RespondAsRequester { .. } => "answer for the requester",
        Action::EscalateRequest { .. } => {
            "escalate this request (its requester, or a leader of its department)"
        }
        Action::Champion { .. } => {
            "champion this request (an executive other than its requester, unless an admin allowed it)"
        }
        Action::AllowSelfChampion => "let requesters champion their own requests",
        Action::EditBusinessCase { .. } => "edit this business case",
        Action::SignOff { .. } => {
            "sign off these IT costs (only the item's executive champion may)"
        }
        Action::RecordBenefits { .. } => "record benefits for this item",
        Action::ViewPortfolio => "see the portfolio",
        Action::ManagePortfolio => "change the portfolio's weights, budget or capacity",
        Action::ManageGoals => "set business goals",
        Action::RecordPromise { .. } => {
            "record a promise in this person's name (only they, their department's business leader, an IT leader or an admin may)"
        }
        Action::ManageMetrics => "change the metric catalogue or its values",
        Action::ManageReviews { .. } => "schedule reviews with this department",
        Action::SignReview { it_side: true, .. } => "sign this record for IT (an IT leader signs)",
        Action::SignReview { it_side: false, .. } => {
            "sign this record for the department (its business leader or executive signs)"
        }
        Action::ManageOutcomes { .. } => "set what this department cares about",
        Action::AnswerPromise { .. } => {
            "close or renegotiate this promise (only its promisee department may)"
        }
        Action::ManageCampaigns => "run survey campaigns",
        Action::ManageCalendar => "edit the organisation calendar (admins only)",
        Action::ManageInstruments => "add survey instruments",
        Action::ViewSurveyResults => "see survey results",
        Action::TriageVoice { .. } => "triage pain points addressed to this department",
        Action::ViewAuditLog => "read the audit log",
        Action::WritePost => "write posts",
        Action::EditPost { .. } => "edit this post",
        Action::ModeratePosts => "moderate posts",
        Action::ApproveStory { .. } => "approve this story: only its business owner may",
        Action::ReadPost { .. } | Action::ReadUnpublishedPost { .. } => "read this post",
        Action::HideComment { .. } => "remove this comment",
        Action::ManageMail => "manage the e-mail outbox",
        Action::EditEditions => "edit and schedule the monthly edition",
        Action::SetRelationshipThresholds => {
            "change the thresholds of relationship signals (IT leaders and admins)"
        }
        Action::EditServiceCatalogue => "edit the catalogue of IT services (IT leaders and admins)",
        Action::JudgeRelationship { .. } => {
            "record a view of this relationship (its department's leader, IT leaders and executives)"
        }
        Action::RunRotation => "run the rotation programme (IT leaders and admins)",
        Action::OfferPlacement { .. } => {
            "offer placements for this department (its business leader, IT leaders and admins)"
        }
        Action::ApplyToRotation => "apply to a rotation",
        Action::ReleaseForRotation { .. } => {
            "release this applicant: only their manager (their department's leader) may"
        }
        Action::ReflectOnPlacement { .. } => {
            "write a reflection on this placement: only its guest may"
        }
        Action::ReadReflection { .. } => "read this reflection",
        Action::DeclareSoftware { .. } => {
            "declare a tool for this department (its own people, IT leaders and admins)"
        }
        Action::EditSoftware { .. } => {
            "change this tool's entry (its department's leaders, IT leaders and admins)"
        }
        Action::ReviewSoftware => "review software or decide a finding (IT leaders and admins)",
        Action::ImportAdvisories => "import advisory files (admins)",
        Action::ImportHistory => "import history (admins)",
        Action::ViewApplication { .. } => {
            "see this application (the applicant, their manager and the programme owner)"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, dept: Option<i64>) -> Actor {
        Actor {
            user: UserId(1),
            role,
            department: dept.map(DepartmentId),
        }
    }

    #[test]
    fn business_leader_manages_only_own_department() {
        let bl = actor(Role::BusinessLeader, Some(3));
        assert!(can(&bl, Action::ManagePerson(DepartmentId(3))).is_ok());
        assert!(can(&bl, Action::ManagePerson(DepartmentId(4))).is_err());
        assert!(
            can(
                &bl,
                Action::MovePerson {
                    from: DepartmentId(3),
                    to: DepartmentId(4)
                }
            )
            .is_err()
        );
        let unlinked = actor(Role::BusinessLeader, None);
        assert!(can(&unlinked, Action::ManagePerson(DepartmentId(3))).is_err());
    }

    #[test]
    fn listening_roles() {
        use Role::*;
        for r in Role::ALL {
            let a = actor(*r, Some(3));
            assert_eq!(
                can(&a, Action::ManageCampaigns).is_ok(),
                matches!(r, Admin | ItLeader),
                "{r:?}"
            );
            assert_eq!(
                can(&a, Action::ManageInstruments).is_ok(),
                *r == Admin,
                "{r:?}"
            );
            assert!(
                can(&a, Action::ViewSurveyResults).is_ok(),
                "aggregates are for everyone"
            );
            let own = can(
                &a,
                Action::TriageVoice {
                    department: DepartmentId(3),
                },
            )
            .is_ok();
            let other = can(
                &a,
                Action::TriageVoice {
                    department: DepartmentId(4),
                },
            )
            .is_ok();
            let (want_own, want_other) = match r {
                Admin | ItLeader => (true, true),
                BusinessLeader | Executive => (true, false),
                Member => (false, false),
            };
            assert_eq!((own, other), (want_own, want_other), "{r:?}");
        }
    }

    #[test]
    fn tokens_belong_to_their_owner_unless_admin() {
        let m = actor(Role::Member, None);
        assert!(can(&m, Action::ManageTokens(UserId(1))).is_ok());
        assert!(can(&m, Action::ManageTokens(UserId(2))).is_err());
        assert!(can(&actor(Role::Admin, None), Action::ManageTokens(UserId(2))).is_ok());
    }

    #[test]
    fn a_promise_is_recorded_by_its_promisor_their_leader_or_it() {
        use Role::*;
        let action = |promisor: Option<i64>| Action::RecordPromise {
            promisor_department: DepartmentId(3),
            promisor: promisor.map(UserId),
        };
        for r in Role::ALL {
            let own_dept = actor(*r, Some(3));
            let other_dept = actor(*r, Some(4));
            let for_someone = can(&own_dept, action(Some(2))).is_ok();
            let elsewhere = can(&other_dept, action(None)).is_ok();
            let (want_someone, want_elsewhere) = match r {
                Admin | ItLeader => (true, true),
                BusinessLeader => (true, false),
                Executive | Member => (false, false),
            };
            assert_eq!(
                (for_someone, elsewhere),
                (want_someone, want_elsewhere),
                "{r:?}"
            );
            assert!(
                can(&own_dept, action(Some(1))).is_ok(),
                "{r:?} records their own promise"
            );
        }
    }

    #[test]
    fn only_admins_manage_accounts() {
        for r in Role::ALL {
            assert_eq!(
                can(&actor(*r, None), Action::ManageUsers).is_ok(),
                *r == Role::Admin
            );
        }
    }
    /// Which variant an action is. Exhaustive on purpose: a new `Action` does not compile until
    /// it is numbered here, and then `every_role_and_action` fails until it has a row.
    fn variant(a: &Action) -> usize {
        match a {
            Action::ViewOrg => 0,
            Action::ManageDepartments => 1,
            Action::ManagePerson(_) => 2,
            Action::MovePerson { .. } => 3,
            Action::ImportPeople => 4,
            Action::ExportPeople => 5,
            Action::ViewUsers => 6,
            Action::ManageUsers => 7,
            Action::ManageTokens(_) => 8,
            Action::SubmitRequest => 9,
            Action::RaiseRequestFor { .. } => 10,
            Action::ViewRequest { .. } => 11,
            Action::TriageRequest => 12,
            Action::EditNeed { .. } => 13,
            Action::RespondAsRequester { .. } => 14,
            Action::Champion { .. } => 15,
            Action::AllowSelfChampion => 16,
            Action::EditBusinessCase { .. } => 17,
            Action::SignOff { .. } => 18,
            Action::RecordBenefits { .. } => 19,
            Action::ViewPortfolio => 20,
            Action::ManagePortfolio => 21,
            Action::ManageGoals => 22,
            Action::RecordPromise { .. } => 23,
            Action::ManageReviews { .. } => 24,
            Action::ManageCalendar => 25,
            Action::SignReview { .. } => 26,
            Action::ManageMetrics => 27,
            Action::ManageOutcomes { .. } => 28,
            Action::AnswerPromise { .. } => 29,
            Action::ManageCampaigns => 30,
            Action::ManageInstruments => 31,
            Action::ViewSurveyResults => 32,
            Action::TriageVoice { .. } => 33,
            Action::ViewAuditLog => 34,
            Action::WritePost => 35,
            Action::EditPost { .. } => 36,
            Action::ModeratePosts => 37,
            Action::ApproveStory { .. } => 38,
            Action::ReadPost { .. } => 39,
            Action::ReadUnpublishedPost { .. } => 40,
            Action::HideComment { .. } => 41,
            Action::ManageMail => 42,
            Action::EditEditions => 43,
            Action::SetRelationshipThresholds => 44,
            Action::JudgeRelationship { .. } => 45,
            Action::EditServiceCatalogue => 46,
            Action::EscalateRequest { .. } => 47,
            Action::RunRotation => 48,
            Action::OfferPlacement { .. } => 49,
            Action::ApplyToRotation => 50,
            Action::ReleaseForRotation { .. } => 51,
            Action::ReflectOnPlacement { .. } => 52,
            Action::ReadReflection { .. } => 53,
            Action::ViewApplication { .. } => 54,
            Action::DeclareSoftware { .. } => 55,
            Action::EditSoftware { .. } => 56,
            Action::ReviewSoftware => 57,
            Action::ImportAdvisories => 58,
            Action::ImportHistory => 59,
        }
    }
    const VARIANTS: usize = 60;

    /// The whole role × action matrix. The actor is account 1 in department 3; "own" resources
    /// are account 1 and department 3, "other" ones account 2 and department 4. Each row names
    /// the roles allowed: A admin, I IT leader, B business leader, E executive, M member.
    #[test]
    fn every_role_and_action() {
        let (me, other, own, away) = (UserId(1), UserId(2), DepartmentId(3), DepartmentId(4));
        let everyone = "AIBEM";
        let rows: Vec<(Action, &str)> = vec![
            (Action::ViewOrg, everyone),
            (Action::ManageDepartments, "AI"),
            (Action::ManagePerson(own), "AIB"),
            (Action::ManagePerson(away), "AI"),
            (Action::MovePerson { from: own, to: own }, "AIB"),
            (
                Action::MovePerson {
                    from: own,
                    to: away,
                },
                "AI",
            ),
            (Action::ImportPeople, "AI"),
            (Action::ExportPeople, "AI"),
            (Action::ViewUsers, "A"),
            (Action::ManageUsers, "A"),
            (Action::ManageTokens(me), everyone),
            (Action::ManageTokens(other), "A"),
            (Action::SubmitRequest, everyone),
            (Action::RaiseRequestFor { department: own }, everyone),
            (Action::RaiseRequestFor { department: away }, "AIE"),
            (
                Action::ViewRequest {
                    requester: me,
                    department: away,
                },
                everyone,
            ),
            (
                Action::ViewRequest {
                    requester: other,
                    department: own,
                },
                "AIBE",
            ),
            (
                Action::ViewRequest {
                    requester: other,
                    department: away,
                },
                "AIE",
            ),
            (Action::TriageRequest, "AI"),
            (Action::EditNeed { requester: me }, everyone),
            (Action::EditNeed { requester: other }, "AI"),
            (Action::RespondAsRequester { requester: me }, everyone),
            (Action::RespondAsRequester { requester: other }, ""),
            (
                Action::EscalateRequest {
                    requester: me,
                    department: away,
                },
                everyone,
            ),
            (
                Action::EscalateRequest {
                    requester: other,
                    department: own,
                },
                "BE",
            ),
            (
                Action::EscalateRequest {
                    requester: other,
                    department: away,
                },
                "",
            ),
            (
                Action::Champion {
                    requester: other,
                    self_allowed: false,
                },
                "E",
            ),
            (
                Action::Champion {
                    requester: me,
                    self_allowed: false,
                },
                "",
            ),
            (
                Action::Champion {
                    requester: me,
                    self_allowed: true,
                },
                "E",
            ),
            (Action::AllowSelfChampion, "A"),
            (Action::EditBusinessCase { champion: Some(me) }, everyone),
            (
                Action::EditBusinessCase {
                    champion: Some(other),
                },
                "AI",
            ),
            (Action::EditBusinessCase { champion: None }, "AI"),
            (Action::SignOff { champion: Some(me) }, "E"),
            (
                Action::SignOff {
                    champion: Some(other),
                },
                "",
            ),
            (Action::RecordBenefits { champion: Some(me) }, everyone),
            (
                Action::RecordBenefits {
                    champion: Some(other),
                },
                "AI",
            ),
            (Action::ViewPortfolio, everyone),
            (Action::ManagePortfolio, "AI"),
            (Action::ManageGoals, "AE"),
            (
                Action::RecordPromise {
                    promisor_department: own,
                    promisor: Some(me),
                },
                everyone,
            ),
            (
                Action::RecordPromise {
                    promisor_department: own,
                    promisor: Some(other),
                },
                "AIB",
            ),
            (
                Action::RecordPromise {
                    promisor_department: away,
                    promisor: None,
                },
                "AI",
            ),
            (Action::ManageReviews { department: own }, "AIB"),
            (Action::ManageReviews { department: away }, "AI"),
            (Action::ManageCalendar, "A"),
            // IT signs for IT only about another department; the department signs its own.
            (
                Action::SignReview {
                    department: own,
                    it_side: true,
                },
                "",
            ),
            (
                Action::SignReview {
                    department: away,
                    it_side: true,
                },
                "I",
            ),
            (
                Action::SignReview {
                    department: own,
                    it_side: false,
                },
                "BE",
            ),
            (
                Action::SignReview {
                    department: away,
                    it_side: false,
                },
                "",
            ),
            (Action::ManageMetrics, "AI"),
            (Action::ManageOutcomes { department: own }, "ABE"),
            (Action::ManageOutcomes { department: away }, "AE"),
            (Action::AnswerPromise { promisee: own }, everyone),
            (Action::AnswerPromise { promisee: away }, ""),
            (Action::ManageCampaigns, "AI"),
            (Action::ManageInstruments, "A"),
            (Action::ViewSurveyResults, everyone),
            (Action::TriageVoice { department: own }, "AIBE"),
            (Action::TriageVoice { department: away }, "AI"),
            (Action::ViewAuditLog, everyone),
            (Action::WritePost, "AIB"),
            (Action::EditPost { author: me }, everyone),
            (Action::EditPost { author: other }, "A"),
            (Action::ModeratePosts, "A"),
            (
                Action::ApproveStory {
                    leader: Some(me),
                    champion: None,
                },
                everyone,
            ),
            (
                Action::ApproveStory {
                    leader: Some(other),
                    champion: Some(me),
                },
                everyone,
            ),
            (
                Action::ApproveStory {
                    leader: Some(other),
                    champion: None,
                },
                "",
            ),
            (
                Action::ReadPost {
                    meant_for_reader: true,
                },
                everyone,
            ),
            (
                Action::ReadPost {
                    meant_for_reader: false,
                },
                "AIE",
            ),
            (
                Action::ReadUnpublishedPost {
                    author: me,
                    story_owner: false,
                },
                everyone,
            ),
            (
                Action::ReadUnpublishedPost {
                    author: other,
                    story_owner: true,
                },
                everyone,
            ),
            (
                Action::ReadUnpublishedPost {
                    author: other,
                    story_owner: false,
                },
                "A",
            ),
            (Action::HideComment { author: me }, everyone),
            (Action::HideComment { author: other }, "A"),
            (Action::ManageMail, "A"),
            (Action::EditEditions, "AI"),
            (Action::SetRelationshipThresholds, "AI"),
            (Action::EditServiceCatalogue, "AI"),
            (Action::JudgeRelationship { department: own }, "IBE"),
            (Action::JudgeRelationship { department: away }, "IE"),
            (Action::RunRotation, "AI"),
            (Action::OfferPlacement { department: own }, "AIBE"),
            (Action::OfferPlacement { department: away }, "AI"),
            (Action::ApplyToRotation, everyone),
            (Action::ReleaseForRotation { manager: Some(me) }, everyone),
            (
                Action::ReleaseForRotation {
                    manager: Some(other),
                },
                "",
            ),
            (Action::ReleaseForRotation { manager: None }, ""),
            (
                Action::ViewApplication {
                    applicant: Some(me),
                    manager: None,
                },
                everyone,
            ),
            (
                Action::ViewApplication {
                    applicant: Some(other),
                    manager: Some(me),
                },
                everyone,
            ),
            (
                Action::ViewApplication {
                    applicant: Some(other),
                    manager: Some(other),
                },
                "AI",
            ),
            (Action::DeclareSoftware { department: own }, everyone),
            (Action::DeclareSoftware { department: away }, "AI"),
            (Action::EditSoftware { department: own }, "AIBE"),
            (Action::EditSoftware { department: away }, "AI"),
            (Action::ReviewSoftware, "AI"),
            (Action::ImportAdvisories, "A"),
            (Action::ImportHistory, "A"),
            (Action::ReflectOnPlacement { guest: Some(me) }, everyone),
            (Action::ReflectOnPlacement { guest: Some(other) }, ""),
            (
                Action::ReadReflection {
                    guest: Some(other),
                    shared: true,
                    host: own,
                },
                everyone,
            ),
            (
                Action::ReadReflection {
                    guest: Some(other),
                    shared: false,
                    host: own,
                },
                "",
            ),
            (
                Action::ReadReflection {
                    guest: Some(me),
                    shared: false,
                    host: away,
                },
                everyone,
            ),
            (
                Action::ReadReflection {
                    guest: Some(other),
                    shared: true,
                    host: away,
                },
                "",
            ),
        ];
        let mut seen = [false; VARIANTS];
        for (action, allowed) in &rows {
            seen[variant(action)] = true;
            for (role, letter) in [
                (Role::Admin, 'A'),
                (Role::ItLeader, 'I'),
                (Role::BusinessLeader, 'B'),
                (Role::Executive, 'E'),
                (Role::Member, 'M'),
            ] {
                assert_eq!(
                    can(&actor(role, Some(3)), *action).is_ok(),
                    allowed.contains(letter),
                    "{role:?} {action:?}"
                );
            }
        }
        let missing: Vec<usize> = (0..VARIANTS).filter(|v| !seen[*v]).collect();
        assert!(missing.is_empty(), "actions without a row: {missing:?}");
    }

    #[test]
    fn list_scopes_agree_with_the_row_rules() {
        use Role::*;
        let d = DepartmentId(3);
        let want = [
            (Admin, Scope::All, Scope::All, Scope::All),
            (ItLeader, Scope::All, Scope::All, Scope::All),
            (
                BusinessLeader,
                Scope::Department(d),
                Scope::Department(d),
                Scope::Department(d),
            ),
            (Executive, Scope::All, Scope::Department(d), Scope::Nothing),
            (Member, Scope::Own, Scope::Department(d), Scope::Nothing),
        ];
        for (role, requests, reviews, people) in want {
            let a = actor(role, Some(3));
            assert_eq!(scope(&a, Question::SeeRequests), requests, "{role:?}");
            assert_eq!(scope(&a, Question::SeeReviews), reviews, "{role:?}");
            assert_eq!(scope(&a, Question::ManagePeople), people, "{role:?}");
            // Published posts: everything for those `ReadPost` lets read any, else their
            // department's (and everyone's).
            let all = can(
                &a,
                Action::ReadPost {
                    meant_for_reader: false,
                },
            )
            .is_ok();
            let want = if all {
                Scope::All
            } else {
                Scope::Department(d)
            };
            assert_eq!(scope(&a, Question::ReadPosts), want, "{role:?}");
        }
        // Relationships: the whole picture for IT, executives and admins; a leader their own.
        for (role, want) in [
            (Admin, Scope::All),
            (ItLeader, Scope::All),
            (Executive, Scope::All),
            (BusinessLeader, Scope::Department(d)),
            (Member, Scope::Nothing),
        ] {
            assert_eq!(
                scope(&actor(role, Some(3)), Question::SeeRelationships),
                want,
                "{role:?}"
            );
        }
        // Without a department: a business leader sees their own requests, nobody's reviews.
        let unlinked = actor(BusinessLeader, None);
        assert_eq!(scope(&unlinked, Question::SeeRelationships), Scope::Nothing);
        assert_eq!(scope(&unlinked, Question::SeeRequests), Scope::Own);
        assert_eq!(scope(&unlinked, Question::SeeReviews), Scope::Nothing);
        assert_eq!(scope(&unlinked, Question::ManagePeople), Scope::Nothing);
        // An actor without a department may raise a request for any.
        assert!(
            can(
                &actor(Member, None),
                Action::RaiseRequestFor { department: d }
            )
            .is_ok()
        );
    }
}
