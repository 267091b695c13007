//! The demo's plan: the real 象山县 2017 plan, imported through the same importer the office
//! uses and published.

use qx_core::access::Actor;
use qx_store::Store;

/// The seed plan as published on the county's web site (a public government document).
pub const SEED_PLAN: &str = include_str!("../data/xiangshan-2017-plan.txt");
pub const SEED_PLAN_FILE: &str = "xiangshan-2017-plan.txt";

/// Imports and publishes the seed plan as the office; returns its id.
pub async fn seed(store: &Store, office: &Actor) -> Result<i64, crate::DemoError> {
    let imported = qx_app::plan_import::import_document(store, office, SEED_PLAN.as_bytes(), SEED_PLAN_FILE)
        .await
        .map_err(|e| crate::DemoError::Data(format!("seed plan: {e}")))?;
    store.publish_plan(office, imported.plan_id).await?;
    Ok(imported.plan_id)
}
