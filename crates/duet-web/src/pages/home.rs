//! The home page: "what needs you" for the signed-in person, then the organisation at a glance.

use crate::auth::SignedIn;
use crate::error::PageError;
use crate::html::{Layout, render};
use crate::service::home::{self as svc, Home};
use crate::state::AppState;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use duet_store::org::Department;

/// The home page.
#[derive(Template)]
#[template(path = "home/home.html")]
struct HomePage {
    layout: Layout,
    home: std::sync::Arc<Home>,
    departments: std::sync::Arc<Vec<Department>>,
    people: i64,
    missing_leader: usize,
    missing_partner: usize,
}

/// What needs you, every item linking to where it is done; below it, the organisation's map
/// and what is missing from it.
pub(crate) async fn home(
    State(state): State<AppState>,
    who: SignedIn,
) -> Result<Response, PageError> {
    let home = svc::cached_home(&state.home, &state.db, &who.user, state.config.time_zone).await?;
    let departments = svc::cached_departments(&state.home, &state.db).await?;
    let people: i64 = departments.iter().map(|d| d.people_count).sum();
    let business = departments
        .iter()
        .filter(|d| d.kind == duet_core::org::DepartmentKind::Business);
    let missing_leader = business.clone().filter(|d| d.leader_id.is_none()).count();
    let missing_partner = business.filter(|d| d.it_partner_id.is_none()).count();
    Ok(render(HomePage {
        layout: Layout::new(&who, "Home", "home"),
        home,
        departments,
        people,
        missing_leader,
        missing_partner,
    }))
}
