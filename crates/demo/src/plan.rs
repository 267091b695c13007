//! The demo's plan: the real 象山县 2017 plan, imported through the same importer the office
//! uses and published.

use qx_core::access::Actor;
use qx_core::units::TaskRole;
use qx_store::Store;

/// The seed plan as published on the county's web site (a public government document).
pub const SEED_PLAN: &str = include_str!("../data/xiangshan-2017-plan.txt");
pub const SEED_PLAN_FILE: &str = "xiangshan-2017-plan.txt";

/// Imports and publishes the seed plan as the office; returns its id.
pub async fn seed(store: &Store, office: &Actor) -> Result<i64, crate::DemoError> {
    let imported =
        qx_app::plan_import::import_document(store, office, SEED_PLAN.as_bytes(), SEED_PLAN_FILE)
            .await
            .map_err(|e| crate::DemoError::Data(format!("seed plan: {e}")))?;
    // The office sets 时间节点 on some tasks during review, as a real office would.
    let items = store.plan_items(office, imported.plan_id).await?;
    for (n, (item, units)) in items
        .iter()
        .filter(|(_, u)| !u.is_empty())
        .enumerate()
        .filter(|(n, _)| n % 8 == 3)
    {
        let names = |role: TaskRole| {
            units
                .iter()
                .filter(|u| u.role == role)
                .map(|u| u.name.clone())
                .collect::<Vec<_>>()
        };
        let edit = qx_store::plans::ItemEdit {
            heading: item.heading.clone(),
            text: item.text.clone(),
            deadline: format!("2017年{}月底前", [3, 6, 9, 10][n % 4]),
            lead: names(TaskRole::Lead),
            support: names(TaskRole::Support),
        };
        store
            .update_plan_item(office, imported.plan_id, item.id, &edit)
            .await?;
    }
    store.publish_plan(office, imported.plan_id).await?;
    Ok(imported.plan_id)
}
