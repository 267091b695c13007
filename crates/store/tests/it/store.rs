//! The store's behaviour on every engine available (SQLite always; PostgreSQL when
//! `QX_TEST_DATABASE_URL` is set, as in CI).

use qx_core::access::{Actor, Role};
use qx_core::calendar::DayKind;
use qx_core::units::UnitKind;
use qx_store::audit::{AuditEntry, AuditQuery};
use qx_store::calendar::CalendarDay;
use qx_store::login::{LoginGate, Refusal};
use qx_store::testing::{self, TestDb};
use qx_store::units::{NewUnit, UnitUpdate};
use qx_store::users::NewUser;
use qx_store::{Engine, Store, StoreError};

fn unit(name: &str, kind: UnitKind, code: Option<&str>, aliases: &[&str]) -> NewUnit {
    NewUnit {
        kind,
        name: name.into(),
        full_name: format!("象山{name}"),
        region_code: code.map(Into::into),
        parent_id: None,
        slug: name.into(),
        aliases: aliases.iter().map(|a| (*a).to_string()).collect(),
        sort_order: 0,
    }
}

fn user(username: &str, role: Role, unit_id: Option<i64>) -> NewUser {
    NewUser {
        username: username.into(),
        display_name: "张三".into(),
        role,
        unit_id,
        enterprise_id: None,
        phone: String::new(),
        password_hash: "$argon2id$placeholder".into(),
    }
}

async fn engines() -> Vec<TestDb> {
    testing::all().await.expect("test databases")
}

#[tokio::test]
async fn units_resolve_by_name_full_name_and_alias() {
    for db in engines().await {
        let s = &db.store;
        let admin = Actor::system();
        let id = s
            .create_unit(
                &admin,
                &unit(
                    "县经信局",
                    UnitKind::Department,
                    None,
                    &["县经济和信息化局"],
                ),
            )
            .await
            .unwrap();
        assert_eq!(
            s.resolve_unit("县经信局").await.unwrap().unwrap().id,
            id,
            "{}",
            db.name
        );
        assert_eq!(
            s.resolve_unit("象山县经信局").await.unwrap().unwrap().id,
            id
        );
        assert_eq!(
            s.resolve_unit("县经济和信息化局")
                .await
                .unwrap()
                .unwrap()
                .id,
            id
        );
        assert!(s.resolve_unit("县不存在局").await.unwrap().is_none());

        // A duplicate alias is refused with a message and nothing is half-written.
        let err = s
            .create_unit(
                &admin,
                &unit(
                    "县发改局",
                    UnitKind::Department,
                    None,
                    &["县经济和信息化局"],
                ),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(err, StoreError::Conflict(_)),
            "{}: {err:?}",
            db.name
        );
        assert!(
            s.resolve_unit("县发改局").await.unwrap().is_none(),
            "{}: rolled back",
            db.name
        );
    }
}

#[tokio::test]
async fn unit_users_are_scoped_to_their_unit() {
    for db in engines().await {
        let s = &db.store;
        let admin = Actor::system();
        let a = s
            .create_unit(
                &admin,
                &unit("石浦镇", UnitKind::Town, Some("330225101"), &[]),
            )
            .await
            .unwrap();
        let b = s
            .create_unit(
                &admin,
                &unit("西周镇", UnitKind::Town, Some("330225102"), &[]),
            )
            .await
            .unwrap();
        let ua = s
            .create_user(&admin, &user("sp1", Role::Unit, Some(a)))
            .await
            .unwrap();
        let ub = s
            .create_user(&admin, &user("xz1", Role::Unit, Some(b)))
            .await
            .unwrap();
        let actor_a = s.get_user(ua).await.unwrap().actor();

        let visible: Vec<i64> = s
            .list_users(&actor_a)
            .await
            .unwrap()
            .iter()
            .map(|u| u.id)
            .collect();
        assert_eq!(visible, vec![ua], "{}", db.name);
        assert!(matches!(
            s.get_user_scoped(&actor_a, ub).await,
            Err(StoreError::NotFound(_))
        ));
        assert!(matches!(
            s.update_unit_contact(&actor_a, b, "李四", "13800000000")
                .await,
            Err(StoreError::Forbidden(_))
        ));
        s.update_unit_contact(&actor_a, a, "王五", "13900000000")
            .await
            .unwrap();
        assert_eq!(s.get_unit(a).await.unwrap().contact, "王五");
        assert_eq!(
            s.get_unit(b).await.unwrap().contact,
            "",
            "{}: other unit untouched",
            db.name
        );

        // Leaders read everything and write nothing.
        let leader = Actor {
            role: Role::Leader,
            unit_id: None,
            ..actor_a.clone()
        };
        assert_eq!(s.list_users(&leader).await.unwrap().len(), 2);
        assert!(s.update_unit_contact(&leader, a, "x", "y").await.is_err());
    }
}

#[tokio::test]
async fn lockout_counts_failures_and_resets_on_success() {
    for db in engines().await {
        let s = &db.store;
        let admin = Actor::system();
        let u = s
            .create_unit(&admin, &unit("县科技局", UnitKind::Department, None, &[]))
            .await
            .unwrap();
        let id = s
            .create_user(&admin, &user("kjj1", Role::Unit, Some(u)))
            .await
            .unwrap();
        let now = qx_store::now();
        for n in 1..=4 {
            let gate = s.take_login_attempt("kjj1", now, 5, 900).await.unwrap();
            let LoginGate::Check { attempt, .. } = gate else {
                panic!("attempt {n} is checked: {gate:?}")
            };
            assert_eq!(attempt, n);
            assert_eq!(
                s.settle_login_failure(id, attempt, now, 5, 900)
                    .await
                    .unwrap(),
                None
            );
        }
        let LoginGate::Check { attempt, .. } =
            s.take_login_attempt("kjj1", now, 5, 900).await.unwrap()
        else {
            panic!("the fifth attempt is still checked")
        };
        let until = s
            .settle_login_failure(id, attempt, now, 5, 900)
            .await
            .unwrap()
            .expect("fifth failure locks");
        assert!(matches!(
            s.take_login_attempt("kjj1", now, 5, 900).await.unwrap(),
            LoginGate::Refused {
                reason: Refusal::Locked { .. },
                ..
            }
        ));
        assert!(matches!(
            s.take_login_attempt("nobody", now, 5, 900).await.unwrap(),
            LoginGate::Unknown
        ));
        assert!(until >= qx_store::now() + 899);
        assert!(s.get_user(id).await.unwrap().is_locked(qx_store::now()));
        s.set_user_locked(&admin, id, false).await.unwrap();
        assert!(
            !s.get_user(id).await.unwrap().is_locked(qx_store::now()),
            "{}",
            db.name
        );
    }
}

/// Forty parallel guesses: only the first five are checked at all, the rest are refused
/// unchecked and the account is locked; the count is never lost to a race.
#[tokio::test]
async fn parallel_login_attempts_are_counted_before_they_are_checked() {
    for db in engines().await {
        let s = &db.store;
        let admin = Actor::system();
        let u = s
            .create_unit(&admin, &unit("县科技局", UnitKind::Department, None, &[]))
            .await
            .unwrap();
        let id = s
            .create_user(&admin, &user("kjj1", Role::Unit, Some(u)))
            .await
            .unwrap();
        let now = qx_store::now();
        let gates = futures_util::future::join_all(
            (0..40).map(|_| s.take_login_attempt("kjj1", now, 5, 900)),
        )
        .await;
        let mut checked: Vec<i64> = gates
            .iter()
            .filter_map(|g| match g.as_ref().unwrap() {
                LoginGate::Check { attempt, .. } => Some(*attempt),
                _ => None,
            })
            .collect();
        checked.sort();
        assert_eq!(checked, vec![1, 2, 3, 4, 5], "{}", db.name);
        assert!(s.get_user(id).await.unwrap().is_locked(now), "{}", db.name);

        // Per address: the count goes up atomically, a success gives its place back, and a
        // new window starts afresh.
        let counts = futures_util::future::join_all(
            (0..10).map(|_| s.take_address_attempt("203.0.113.9", now, 900)),
        )
        .await;
        let mut counts: Vec<i64> = counts.into_iter().map(|c| c.unwrap()).collect();
        counts.sort();
        assert_eq!(counts, (1..=10).collect::<Vec<_>>(), "{}", db.name);
        s.refund_address_attempt("203.0.113.9").await.unwrap();
        assert_eq!(
            s.take_address_attempt("203.0.113.9", now, 900)
                .await
                .unwrap(),
            10
        );
        assert_eq!(
            s.take_address_attempt("203.0.113.9", now + 901, 900)
                .await
                .unwrap(),
            1,
            "a new window"
        );
    }
}

/// What a full disk does to SQLite: the engine rolls a failed transaction back by itself, so
/// the ROLLBACK sent when it is dropped fails too and the connection believes it is still in
/// a transaction. Every later write used to fail on it ("attempted to call begin_with at
/// non-zero transaction depth"), logins included, until restart.
#[tokio::test]
async fn a_transaction_ended_under_us_does_not_block_later_writes() {
    for db in engines().await {
        let s = &db.store;
        for _ in 0..2 {
            let mut tx = s.begin().await.unwrap();
            sqlx::query("ROLLBACK").execute(&mut *tx).await.unwrap();
            drop(tx);
            let tx = s
                .begin()
                .await
                .unwrap_or_else(|e| panic!("{}: a later transaction starts: {e}", db.name));
            tx.commit().await.unwrap();
        }
        s.create_unit(
            &Actor::system(),
            &unit("县统计局", UnitKind::Department, None, &[]),
        )
        .await
        .unwrap();
        s.check_writes().await.unwrap();
    }
}

#[tokio::test]
async fn every_change_is_audited_with_before_and_after() {
    for db in engines().await {
        let s = &db.store;
        let admin = Actor::system();
        let id = s
            .create_unit(&admin, &unit("县财政局", UnitKind::Department, None, &[]))
            .await
            .unwrap();
        let update = UnitUpdate {
            kind: UnitKind::Department,
            name: "县财政局".into(),
            full_name: "象山县财政局(改)".into(),
            region_code: None,
            aliases: vec!["财政局".into()],
            active: true,
        };
        s.update_unit(&admin, id, &update).await.unwrap();
        let log = s
            .audit_list(
                &qx_core::access::Actor::system(),
                &AuditQuery {
                    entity: Some("unit".into()),
                    entity_id: Some(id.to_string()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
        assert_eq!(actions, vec!["unit.update", "unit.create"], "{}", db.name);
        assert!(
            log[0]
                .before_json
                .as_deref()
                .unwrap()
                .contains("象山县财政局")
        );
        assert!(
            log[0]
                .after_json
                .as_deref()
                .unwrap()
                .contains("象山县财政局(改)")
        );
        assert!(s.verify_audit().await.unwrap().ok());
    }
}

/// Bypasses the append-only trigger the way an attacker with file access would.
async fn tamper(db: &TestDb, seq: i64) {
    let s = &db.store;
    match s.engine() {
        Engine::Sqlite => {
            sqlx::raw_sql("DROP TRIGGER audit_log_no_update")
                .execute(s.pool())
                .await
                .unwrap();
        }
        Engine::Postgres => {
            sqlx::raw_sql("ALTER TABLE audit_log DISABLE TRIGGER USER")
                .execute(s.pool())
                .await
                .unwrap();
        }
    }
    sqlx::query("UPDATE audit_log SET actor = $1 WHERE seq = $2")
        .bind("someone-else")
        .bind(seq)
        .execute(s.pool())
        .await
        .unwrap();
}

#[tokio::test]
async fn audit_log_is_append_only_and_tampering_is_detected() {
    for db in engines().await {
        let s = &db.store;
        let admin = Actor::system();
        for i in 0..5 {
            s.audit(AuditEntry::new(&admin, "test.event", "thing", i))
                .await
                .unwrap();
        }
        assert_eq!(s.verify_audit().await.unwrap().entries, 5);
        let upd = sqlx::query("UPDATE audit_log SET actor = 'x' WHERE seq = 2")
            .execute(s.pool())
            .await;
        assert!(upd.is_err(), "{}: update refused", db.name);
        let del = sqlx::query("DELETE FROM audit_log WHERE seq = 5")
            .execute(s.pool())
            .await;
        assert!(del.is_err(), "{}: delete refused", db.name);

        tamper(&db, 3).await;
        let v = s.verify_audit().await.unwrap();
        assert_eq!(v.first_bad_seq, Some(3), "{}: {v:?}", db.name);
    }
}

/// On PostgreSQL the server hashes each entry from text the application prepared and text it
/// adds itself (sequence, time, entity id, previous hash); whatever an entry holds, the hash
/// must be the one the application recomputes when it verifies the chain.
#[tokio::test]
async fn the_chain_verifies_whatever_the_entries_hold() {
    for db in engines().await {
        let s = &db.store;
        let mut actor = Actor::system();
        actor.username = "办公室 \"王\" \\ tab\there".into();
        let awkward = [
            "plain",
            "quote \" and backslash \\",
            "line\nbreak\r\u{1}\u{1f}\u{7f}",
            "统一社会信用代码 91330225MA2AH2XK3F",
            "emoji 🏭 and ＦＵＬＬ－ｗｉｄｔｈ ８%",
            "",
        ];
        for (i, text) in awkward.iter().enumerate() {
            let seq = s
                .audit(
                    AuditEntry::new(&actor, "test.awkward", "thing", *text)
                        .before(serde_json::json!({ "text": text, "n": i }))
                        .after(serde_json::json!([text, null, 1.5]))
                        .ip("::1 \"proxy\""),
                )
                .await
                .unwrap();
            assert_eq!(seq, i as i64 + 1, "{}", db.name);
        }
        let v = s.verify_audit().await.unwrap();
        assert!(v.ok(), "{}: {v:?}", db.name);
        assert_eq!(v.entries, awkward.len() as i64, "{}", db.name);
        let stored = s
            .audit_list(
                &qx_core::access::Actor::system(),
                &AuditQuery {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let mut ids: Vec<String> = stored.iter().map(|e| e.entity_id.clone()).collect();
        ids.reverse();
        assert_eq!(ids, awkward, "{}: entity ids stored as given", db.name);
        // Times never run backwards along the chain.
        assert!(
            stored.windows(2).all(|w| w[0].at >= w[1].at),
            "{}: times follow the sequence",
            db.name
        );
    }
}

#[tokio::test]
async fn concurrent_appends_keep_one_unbroken_chain() {
    for db in engines().await {
        let s: Store = db.store.clone();
        let mut tasks = Vec::new();
        for t in 0..8 {
            let s = s.clone();
            tasks.push(tokio::spawn(async move {
                let actor = Actor::system();
                for i in 0..10 {
                    s.audit(AuditEntry::new(
                        &actor,
                        "test.concurrent",
                        "thing",
                        t * 100 + i,
                    ))
                    .await
                    .unwrap();
                }
            }));
        }
        for t in tasks {
            t.await.unwrap();
        }
        let v = s.verify_audit().await.unwrap();
        assert!(v.ok(), "{}: {v:?}", db.name);
        assert_eq!(v.entries, 80);
    }
}

#[tokio::test]
async fn calendar_days_are_editable_and_validated() {
    for db in engines().await {
        let s = &db.store;
        let admin = Actor::system();
        let day = CalendarDay {
            day: "2027-02-08".into(),
            kind: DayKind::Holiday,
            name: "春节".into(),
            source: "test".into(),
        };
        s.set_calendar_day(&admin, &day).await.unwrap();
        assert_eq!(s.calendar_days(2027).await.unwrap(), vec![day.clone()]);
        // A kind no code names cannot be stored, even by hand (the schema's CHECK); the
        // type keeps the store's own writes to the two codes.
        let forged =
            sqlx::query("UPDATE calendar_days SET kind = 'party' WHERE day = '2027-02-08'")
                .execute(s.pool())
                .await;
        assert!(forged.is_err(), "{}", db.name);
        let unit_user = Actor {
            role: Role::Unit,
            unit_id: Some(1),
            ..Actor::system()
        };
        assert!(matches!(
            s.set_calendar_day(&unit_user, &day).await,
            Err(StoreError::Forbidden(_))
        ));
        s.delete_calendar_day(&admin, "2027-02-08").await.unwrap();
        assert!(
            s.calendar_days(2027).await.unwrap().is_empty(),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn sqlite_backup_is_a_usable_copy() {
    let db = testing::sqlite().await.unwrap();
    let admin = Actor::system();
    db.store
        .create_unit(&admin, &unit("县统计局", UnitKind::Department, None, &[]))
        .await
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("backup.db");
    db.store.backup_to(&out, &db.url).await.unwrap();
    let copy = Store::connect(&format!("sqlite://{}", out.display()))
        .await
        .unwrap();
    assert!(copy.resolve_unit("县统计局").await.unwrap().is_some());
    assert!(copy.verify_audit().await.unwrap().ok());
    // Never overwrites.
    assert!(db.store.backup_to(&out, &db.url).await.is_err());
}

/// A test's PostgreSQL database is gone once the test is done with it, whether the test just
/// lets it go or discards it early (as benchmarks do): a full run leaves the server as it was.
#[tokio::test]
async fn test_databases_do_not_outlive_their_tests() {
    let Ok(server) = std::env::var("QX_TEST_DATABASE_URL") else {
        return;
    };
    for discard in [false, true] {
        let Some(db) = testing::postgres().await.unwrap() else {
            return;
        };
        let name = db.url.rsplit('/').next().unwrap();
        let name = name.split('?').next().unwrap().to_string();
        let admin = sqlx::AnyPool::connect(&server).await.unwrap();
        let exists = || async {
            let (n,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM pg_database WHERE datname = $1")
                    .bind(&name)
                    .fetch_one(&admin)
                    .await
                    .unwrap();
            n == 1
        };
        assert!(exists().await, "{name} was created");
        if discard {
            db.discard().await.unwrap();
        } else {
            drop(db);
        }
        assert!(!exists().await, "{name} is gone (discard: {discard})");
        admin.close().await;
    }
}

/// The office's own steps refuse anyone else with one sentence that names the step
/// (`office_only`), not a bare noun.
#[tokio::test]
async fn office_steps_refuse_others_with_a_sentence() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let leader = Actor {
            role: Role::Leader,
            ..Actor::system()
        };
        let update = qx_store::users::UserProfile {
            display_name: "王五".into(),
            role: Role::Leader,
            unit_id: None,
            enterprise_id: None,
            phone: String::new(),
        };
        let refusals = [
            s.update_user(&leader, 1, &update).await.unwrap_err(),
            s.set_user_locked(&leader, 1, true).await.unwrap_err(),
            s.set_baseline(&leader, 1, 1, "10").await.unwrap_err(),
            s.remind_unreported(&leader, 1).await.unwrap_err(),
        ]
        .map(|e| e.to_string());
        assert_eq!(
            refusals,
            [
                "无权访问 (forbidden): 只有办公室可以修改用户",
                "无权访问 (forbidden): 只有办公室可以锁定或解锁用户",
                "无权访问 (forbidden): 只有办公室可以录入上年同期基数",
                "无权访问 (forbidden): 只有办公室可以发送催报提醒",
            ],
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn only_the_office_sets_the_document_header_and_each_change_is_audited() {
    use qx_core::document::DocumentHeader;
    for db in engines().await {
        let s = &db.store;
        assert_eq!(
            s.document_header().await.unwrap(),
            DocumentHeader::default()
        );
        let jxj = s
            .create_unit(
                &Actor::system(),
                &unit("经信局", UnitKind::Department, None, &[]),
            )
            .await
            .unwrap();
        let unit_user = Actor {
            role: Role::Unit,
            unit_id: Some(jxj),
            ..Actor::system()
        };
        let wanted = DocumentHeader {
            issuer: "宁海县工业强县建设领导小组办公室".into(),
            doc_prefix: "宁工强办".into(),
            ..DocumentHeader::default()
        };
        let refused = s.set_document_header(&unit_user, &wanted).await;
        assert!(
            matches!(refused, Err(StoreError::Forbidden(_))),
            "{refused:?}"
        );
        let bad = DocumentHeader {
            doc_prefix: "宁工强办2017".into(),
            ..wanted.clone()
        };
        let refused = s.set_document_header(&Actor::system(), &bad).await;
        assert!(
            matches!(&refused, Err(StoreError::Invalid(m)) if m.starts_with("发文机关代字")),
            "{refused:?}"
        );
        assert_eq!(
            s.document_header().await.unwrap(),
            DocumentHeader::default()
        );

        s.set_document_header(&Actor::system(), &wanted)
            .await
            .unwrap();
        assert_eq!(s.document_header().await.unwrap(), wanted, "{}", db.name);
        let log = s
            .audit_list(
                &qx_core::access::Actor::system(),
                &AuditQuery {
                    entity: Some("settings".into()),
                    entity_id: Some(qx_store::settings::DOCUMENT_HEADER.into()),
                    limit: 10,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(log.len(), 1, "{}", db.name);
        assert!(log[0].before_json.as_deref().unwrap().contains("象工强办"));
        assert!(log[0].after_json.as_deref().unwrap().contains("宁工强办"));
        db.discard().await.unwrap();
    }
}
