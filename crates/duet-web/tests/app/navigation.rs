//! The navigation (issue 9): trust and coverage are reachable from it, entries a role cannot use
//! are not shown, and on a phone it folds behind a "Menu" toggle that needs no JavaScript.

use crate::app_test;
use crate::common::TestApp;
use duet_core::auth::Role;

app_test! {
    async fn trust_and_coverage_are_reachable_from_the_promises_and_metrics_pages(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        for (page, link) in [("/promises", "/trust"), ("/trust", "/promises"), ("/measures", "/coverage"), ("/coverage", "/measures")] {
            let (status, body) = b.get(page).await;
            assert_eq!(status, 200, "{page}");
            let subnav = &body[body.find("class=\"subnav\"").unwrap_or_else(|| panic!("{page} has a sub-navigation"))..];
            assert!(subnav.contains(&format!("href=\"{link}\"")), "{page} links to {link}");
            assert!(subnav.contains("aria-current=\"page\""), "{page} marks itself");
        }
    }

    async fn the_accounts_entry_is_shown_only_to_those_who_can_manage_accounts(app: &TestApp) {
        for (role, shown) in [(Role::Admin, true), (Role::ItLeader, false), (Role::BusinessLeader, false), (Role::Executive, false), (Role::Member, false)] {
            let b = app.browser_as(role, Some("Sales")).await;
            let (_, body) = b.get("/requests").await;
            assert_eq!(body.contains("href=\"/admin/users\""), shown, "{role:?}");
        }
    }

    async fn the_menu_folds_behind_a_toggle_that_needs_no_javascript(app: &TestApp) {
        let b = app.browser_as(Role::Member, Some("Sales")).await;
        let (_, body) = b.get("/requests").await;
        assert!(body.contains("type=\"checkbox\" id=\"menu-toggle\""), "{body}");
        assert!(body.contains("<label for=\"menu-toggle\""), "{body}");
        assert!(!body.contains("<script"), "no JavaScript");
        let (_, css) = b.get("/static/duet.css").await;
        assert!(css.contains(".menu-toggle:checked ~ .menu"), "the toggle opens the menu");
    }
}
