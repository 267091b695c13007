//! Webhook endpoints and deliveries on every engine: the old single URL migrates into an
//! endpoint for every event, deliveries are written in the notice's transaction (and vanish
//! with it), only subscribed and enabled endpoints get them, and a claimed delivery is not
//! claimed again while its lease runs.

use qx_core::access::Actor;
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::webhook::{DeliveryStatus, Event, Format};
use qx_store::Store;
use qx_store::notices::{NewNotice, notify};
use qx_store::testing;
use qx_store::webhooks::{EndpointForm, Outcome};

fn form(name: &str, events: &[Event], enabled: bool) -> EndpointForm {
    EndpointForm {
        name: name.into(),
        url: "http://10.0.0.1/hook".into(),
        secret: String::new(),
        format: Some(Format::Json),
        enabled,
        events: events.to_vec(),
    }
}

async fn notice(s: &Store, kind: NoticeKind, commit: bool) {
    let mut tx = s.begin().await.unwrap();
    notify(
        &mut tx,
        &NewNotice {
            audience: Audience::Office,
            kind,
            subject: Subject::Problem(7),
            text: Text::ProblemDeadline {
                id: 7,
                status: qx_core::problem::Status::Assigned,
                overdue: true,
                due: "2017-03-01".into(),
            },
            dedupe_key: None,
        },
    )
    .await
    .unwrap();
    if commit {
        tx.commit().await.unwrap();
    } else {
        tx.rollback().await.unwrap();
    }
}

#[tokio::test]
async fn the_old_webhook_url_becomes_an_endpoint_for_every_event() {
    for db in testing::all_at(21).await.unwrap() {
        let s = &db.store;
        let mut tx = s.begin().await.unwrap();
        Store::put_setting(&mut tx, "notify.webhook_url", " http://10.1.1.1:8080/qx ")
            .await
            .unwrap();
        tx.commit().await.unwrap();
        s.migrate().await.unwrap();
        let list = s.list_endpoints(&Actor::system()).await.unwrap();
        assert_eq!(list.len(), 1);
        assert_eq!(list[0].url, "http://10.1.1.1:8080/qx");
        assert_eq!(list[0].events, Event::ALL.to_vec());
        assert!(list[0].enabled);
        assert_eq!(list[0].secret.len(), 64);
        assert_eq!(s.get_setting("notify.webhook_url").await.unwrap(), None);
    }
    // Without the setting there is no endpoint.
    for db in testing::all().await.unwrap() {
        assert!(
            db.store
                .list_endpoints(&Actor::system())
                .await
                .unwrap()
                .is_empty()
        );
    }
}

#[tokio::test]
async fn deliveries_are_written_with_the_notice_for_subscribed_enabled_endpoints_only() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let office = Actor::system();
        let wants = s
            .create_endpoint(&office, &form("a", &[Event::ProblemOverdue], true))
            .await
            .unwrap();
        s.create_endpoint(&office, &form("b", &[Event::ReportLate], true))
            .await
            .unwrap();
        s.create_endpoint(&office, &form("c", &[Event::ProblemOverdue], false))
            .await
            .unwrap();
        // A rolled-back change announces nothing.
        notice(s, NoticeKind::ProblemOverdue, false).await;
        assert_eq!(s.pending_deliveries().await.unwrap(), 0);
        notice(s, NoticeKind::ProblemOverdue, true).await;
        assert_eq!(s.pending_deliveries().await.unwrap(), 1);
        let log = s.delivery_log(&office, 0, 10).await.unwrap();
        assert_eq!(log[0].endpoint_id, wants);
        assert_eq!(log[0].event, Event::ProblemOverdue);
        assert_eq!(log[0].message, "难题 #7「交办」已超期 (期限 2017-03-01)");

        // Claimed once: a second sender finds nothing until the lease runs out.
        let now = qx_store::now();
        let first = s.claim_due_deliveries(now, 10, 60).await.unwrap();
        assert_eq!(first.len(), 1);
        assert!(
            s.claim_due_deliveries(now, 10, 60)
                .await
                .unwrap()
                .is_empty()
        );
        assert_eq!(
            s.claim_due_deliveries(now + 61, 10, 60)
                .await
                .unwrap()
                .len(),
            1
        );
        // A failure a day old is given up, and stays in the log.
        let gone = s
            .record_attempt(
                first[0].id,
                &Outcome {
                    status_code: None,
                    error: "无法连接".into(),
                    duration_ms: 3,
                },
                now + 90_000,
                86_400,
            )
            .await
            .unwrap();
        assert_eq!(gone, DeliveryStatus::Failed);
        assert_eq!(s.pending_deliveries().await.unwrap(), 0);
        // 重新发送 makes it due again, and is audited.
        s.resend_delivery(&office, first[0].id).await.unwrap();
        assert_eq!(s.pending_deliveries().await.unwrap(), 1);
        assert_eq!(
            testing::audit_entries(s, "webhook.resend")
                .await
                .unwrap()
                .len(),
            1
        );
    }
}

#[tokio::test]
async fn only_the_office_keeps_endpoints_and_a_bad_form_is_refused() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let leader = Actor {
            role: qx_core::access::Role::Leader,
            ..Actor::system()
        };
        assert_eq!(
            s.list_endpoints(&leader).await.unwrap_err().to_string(),
            "无权访问 (forbidden): 只有办公室可以查看推送地址"
        );
        assert_eq!(
            s.delivery_log(&leader, 0, 10)
                .await
                .unwrap_err()
                .to_string(),
            "无权访问 (forbidden): 只有办公室可以查看消息推送记录"
        );
        let mut bad = form("a", &[], true);
        bad.url = "https://x".into();
        let problems: Vec<_> = bad.problems().into_iter().map(|p| p.field()).collect();
        assert_eq!(problems, vec!["url", "events"]);
        assert!(s.create_endpoint(&Actor::system(), &bad).await.is_err());
    }
}

#[tokio::test]
async fn an_issued_bulletin_is_an_event_though_no_inbox_gets_a_notice() {
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let office = Actor::system();
        s.create_endpoint(&office, &form("群", &[Event::BulletinIssued], true))
            .await
            .unwrap();
        let mut tx = s.begin().await.unwrap();
        qx_store::webhooks::enqueue_event(
            &mut tx,
            Event::BulletinIssued,
            Subject::Bulletin(3),
            "2017年11月工业强县工作快报 已印发",
        )
        .await
        .unwrap();
        tx.commit().await.unwrap();
        let log = s.delivery_log(&office, 0, 10).await.unwrap();
        assert_eq!(log.len(), 1);
        assert_eq!(log[0].event, Event::BulletinIssued);
        let due = s
            .claim_due_deliveries(qx_store::now(), 10, 60)
            .await
            .unwrap();
        let v: serde_json::Value = serde_json::from_str(&due[0].payload).unwrap();
        assert_eq!(v["path"], "/bulletins/3");
        assert_eq!(v["event_label"], "通报印发");
    }
}
