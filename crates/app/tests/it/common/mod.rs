//! What the app's tests set up again and again: accounts, and the seed county with its plan.

use qx_app::plan_import::import_document;
use qx_core::access::{Actor, Role};
use qx_store::Store;
use qx_store::users::NewUser;

/// An account of `role` in the unit with id `unit_id`.
pub async fn user_of(store: &Store, name: &str, role: Role, unit_id: i64) -> Actor {
    let u = NewUser {
        username: name.into(),
        display_name: name.into(),
        role,
        unit_id: Some(unit_id),
        enterprise_id: None,
        phone: String::new(),
        password_hash: "x".into(),
    };
    let id = store.create_user(&Actor::system(), &u).await.unwrap();
    store.get_user(id).await.unwrap().actor()
}

/// An account of `role` in the registered unit named `unit`.
pub async fn user(store: &Store, name: &str, role: Role, unit: &str) -> Actor {
    let unit_id = store.resolve_unit(unit).await.unwrap().unwrap().id;
    user_of(store, name, role, unit_id).await
}

/// The built-in registry and the seed plan imported and published by the office's `admin`.
/// Returns that account and the plan's id. Publishing makes the cultivation counts (新增规模以上企业
/// …) fill from the 企业培育库; these tests' county keeps none, so the office switches them back
/// to the units' figures, as such a county would.
pub async fn published_seed_plan(store: &Store) -> (Actor, i64) {
    qx_demo::registry::seed_registry(store).await.unwrap();
    let office = user(store, "admin", Role::Admin, "县工业强县办").await;
    let plan = import_document(store, &office, qx_demo::plan::SEED_PLAN.as_bytes(), "p.txt")
        .await
        .unwrap()
        .plan_id;
    store.publish_plan(&office, plan).await.unwrap();
    for (id, source) in store.indicator_sources(plan).await.unwrap() {
        if source.cultivation_milestone().is_some() {
            store
                .set_indicator_source(
                    &office,
                    id,
                    qx_store::indicator_source::IndicatorSource::Manual,
                )
                .await
                .unwrap();
        }
    }
    (office, plan)
}
