//! The catalogue of IT services the IT service gap survey asks about: the newest version of the
//! built-in `it-service-gap` instrument. IT leaders edit it (one service per line); each edit is
//! the instrument's next version, so closed surveys keep the services they asked, new campaigns
//! ask the newest, and a service whose name is kept keeps its code and so its trend.

use super::Sources;
use crate::error::AppError;
use duet_core::auth::{Action, Actor, can};
use duet_core::listen::instruments::{
    SERVICE_GAP_KEY, parse_catalogue, service_gap_of, services_of,
};

/// One IT service of the catalogue.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Service {
    /// Its code (stable while its name is kept).
    pub code: String,
    /// Its name, as people read it.
    pub name: String,
}

/// The catalogue in force.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct Catalogue {
    /// The instrument version that asks it (choose it for a new IT service gap campaign).
    pub instrument_id: i64,
    /// Its version.
    pub version: i64,
    /// The services, in the order the survey asks them.
    pub services: Vec<Service>,
    /// Whether the reader may edit it (IT leaders and admins).
    pub may_edit: bool,
}

/// An edited catalogue (form or JSON).
#[derive(Debug, Clone, Default, serde::Deserialize, utoipa::ToSchema)]
pub struct CatalogueFields {
    /// One service per line, as people will read it ("Service desk"); blank lines are skipped.
    #[serde(default)]
    pub services: String,
}

/// The catalogue in force, for anyone who may see relationships.
pub async fn catalogue(
    caches: &super::RelationshipCaches,
    src: Sources<'_>,
    actor: &Actor,
) -> Result<Catalogue, AppError> {
    super::seen_by(actor)?;
    let inst = caches.catalogue.get_or_load(|| newest(src)).await?;
    Ok(Catalogue {
        instrument_id: inst.id,
        version: inst.version,
        services: services_of(&inst.definition)
            .into_iter()
            .map(|(code, name)| Service { code, name })
            .collect(),
        may_edit: can(actor, Action::EditServiceCatalogue).is_ok(),
    })
}

/// Records an edited catalogue as the next version (IT leaders and admins); every bad line is
/// named and nothing is written. Returns whether anything changed.
pub async fn edit(src: Sources<'_>, actor: &Actor, f: &CatalogueFields) -> Result<bool, AppError> {
    can(actor, Action::EditServiceCatalogue)?;
    let inst = newest(src).await?;
    let current = services_of(&inst.definition);
    let services = parse_catalogue(&f.services, &current)?;
    if services == current {
        return Ok(false);
    }
    let names: Vec<&str> = services.iter().map(|(_, n)| n.as_str()).collect();
    let summary = format!(
        "IT service catalogue version {}: {}",
        inst.version + 1,
        names.join(", ")
    );
    duet_store::listen::insert_version(
        src.db,
        actor.user.0,
        SERVICE_GAP_KEY,
        &service_gap_of(&services),
        Some(&summary),
    )
    .await?;
    Ok(true)
}

/// The newest version of the IT service gap instrument.
async fn newest(src: Sources<'_>) -> Result<duet_store::listen::Instrument, AppError> {
    Ok(duet_store::listen::newest_instrument(src.db, SERVICE_GAP_KEY).await?)
}
