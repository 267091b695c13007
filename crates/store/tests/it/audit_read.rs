//! The audit log is the office's to read, enforced in the store on every engine: it names every
//! account and what it did, so a leader, a unit or an enterprise is refused, whatever it asks.

use qx_core::access::{Actor, Role};
use qx_core::units::UnitKind;
use qx_store::StoreError;
use qx_store::audit::AuditQuery;
use qx_store::testing::{self, TestDb};
use qx_store::units::NewUnit;

#[tokio::test]
async fn only_the_office_reads_the_audit_log() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let unit = s
            .create_unit(
                &Actor::system(),
                &NewUnit {
                    kind: UnitKind::Town,
                    name: "石浦镇".into(),
                    full_name: "石浦镇".into(),
                    region_code: None,
                    parent_id: None,
                    slug: "shipu".into(),
                    aliases: vec![],
                    sort_order: 0,
                },
            )
            .await
            .unwrap();
        let reader = |role, unit_id, enterprise_id| Actor {
            user_id: 7,
            username: format!("{role:?}"),
            role,
            unit_id,
            enterprise_id,
            ip: String::new(),
        };
        let all = AuditQuery {
            limit: 500,
            ..Default::default()
        };
        let office = reader(Role::Admin, None, None);
        for who in [&office, &Actor::system()] {
            let seen = s.audit_list(who, &all).await.unwrap();
            assert!(
                seen.iter().any(|r| r.entity_id == unit.to_string()),
                "{name}: {seen:?}"
            );
        }
        for who in [
            reader(Role::Leader, None, None),
            reader(Role::Unit, Some(unit), None),
            reader(Role::Enterprise, None, Some(1)),
        ] {
            // Its own unit's entries included: the log is not a scoped list.
            let own = AuditQuery {
                entity_id: Some(unit.to_string()),
                ..all.clone()
            };
            for q in [&all, &own] {
                let refused = s.audit_list(&who, q).await;
                assert!(
                    matches!(&refused, Err(StoreError::Forbidden(m)) if m.contains("审计日志")),
                    "{name}: {} read the audit log: {refused:?}",
                    who.username
                );
            }
        }
    }
}
