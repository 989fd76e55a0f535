//! E-mail choices: the kinds of notice a person may take by e-mail or not, one by one, and
//! whether they come as they happen or in one daily digest.

wire_enum!(
    /// What a notice of the Duet inbox is about; each can be taken by e-mail or not.
    NoticeKind, "kind" {
        /// A new request for IT to understand (triagers).
        NewRequest = "new_request" / "New requests to understand (IT leaders)",
        /// A step on a request one asked for or champions: a need restated, a decision, delivery.
        RequestUpdate = "request_update" / "Steps on my requests: a need restated for me to confirm, a decision, delivery",
        /// A sign-off awaited or lapsed (champions).
        Signoff = "signoff" / "Sign-offs I am asked for, or that lapsed (champions)",
        /// A promise due soon, or due to be judged.
        Promise = "promise" / "Promises due soon, and promises to judge",
        /// A review invitation, moved or cancelled, with its calendar file.
        Review = "review" / "Review invitations, moves and cancellations (with a calendar file)",
        /// A survey's invitation and its one reminder (to everyone invited).
        Survey = "survey" / "Survey invitations and their one reminder",
        /// A success story waiting for my approval, or sent back to me.
        Story = "story" / "Success stories to approve, or sent back to me",
        /// An early warning on my department's relationship with IT (leaders, IT partners).
        Relationship = "relationship" / "Early warnings on a relationship with IT (leaders)",
        /// Rotation: an application to release (managers), my release, my placement.
        Rotation = "rotation" / "Rotation: applications to release, my release, my placement",
        /// Software: a renewal coming, a known vulnerability to look at (owners, reviewers).
        Software = "software" / "Software: renewals coming, known vulnerabilities to look at",
        /// Anything else.
        Other = "other" / "Anything else",
    }
);

impl NoticeKind {
    /// Whether someone of `role` ever gets this kind of notice (their e-mail page offers only
    /// those): new requests go to IT leaders, sign-offs to champions (executives), stories to
    /// their writers and owners.
    pub fn reaches(self, role: crate::auth::Role) -> bool {
        use crate::auth::Role::*;
        match self {
            NoticeKind::NewRequest => matches!(role, ItLeader),
            NoticeKind::Signoff => matches!(role, Executive),
            NoticeKind::Story | NoticeKind::Relationship => !matches!(role, Member),
            _ => true,
        }
    }
}

/// HTML-escapes text put into an e-mail's HTML part: every message Duet builds (posts,
/// editions, notices, digests, invitations) goes through this one function.
pub fn escape_html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// The kind of notice a request's timeline event sends its followers.
pub fn request_notice(event_kind: &str) -> NoticeKind {
    match event_kind {
        "championed" | "self_champion" | "signed_off" | "case_saved" => NoticeKind::Signoff,
        _ => NoticeKind::RequestUpdate,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_in_a_message_is_escaped() {
        assert_eq!(
            escape_html("<a href=\"x\">Tom & Jerry's</a>"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;"
        );
    }

    #[test]
    fn sign_off_steps_are_the_champions_kind() {
        assert_eq!(request_notice("signed_off"), NoticeKind::Signoff);
        assert_eq!(request_notice("need_stated"), NoticeKind::RequestUpdate);
        assert_eq!("survey".parse::<NoticeKind>().unwrap(), NoticeKind::Survey);
    }

    #[test]
    fn a_member_is_offered_only_the_kinds_that_reach_them() {
        use crate::auth::Role;
        let offered: Vec<NoticeKind> = NoticeKind::ALL
            .iter()
            .copied()
            .filter(|k| k.reaches(Role::Member))
            .collect();
        assert!(
            !offered.contains(&NoticeKind::NewRequest) && !offered.contains(&NoticeKind::Signoff)
        );
        assert!(
            offered.contains(&NoticeKind::Survey) && offered.contains(&NoticeKind::RequestUpdate)
        );
        assert!(NoticeKind::NewRequest.reaches(Role::ItLeader));
    }
}
