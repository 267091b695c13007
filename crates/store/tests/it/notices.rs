//! 站内通知 on every engine: who sees a notice, per-person read marks, once-only notices,
//! unreadable rows, and links only to what the reader may open.

use qx_core::access::{Actor, Role};
use qx_core::notice::{Audience, NoticeKind, Subject, Text};
use qx_core::units::UnitKind;
use qx_store::notices::{InboxQuery, NewNotice, notify};
use qx_store::testing::{self, TestDb};
use qx_store::units::NewUnit;
use qx_store::users::NewUser;
use qx_store::{Store, StoreError};

fn unit(name: &str) -> NewUnit {
    NewUnit {
        kind: UnitKind::Town,
        name: name.into(),
        full_name: name.into(),
        region_code: None,
        parent_id: None,
        slug: name.into(),
        aliases: vec![],
        sort_order: 0,
    }
}

async fn person(s: &Store, name: &str, role: Role, unit_id: Option<i64>) -> Actor {
    let id = s
        .create_user(
            &Actor::system(),
            &NewUser {
                username: name.into(),
                display_name: name.into(),
                role,
                unit_id,
                enterprise_id: None,
                phone: String::new(),
                password_hash: "x".into(),
            },
        )
        .await
        .unwrap();
    Actor {
        user_id: id,
        username: name.into(),
        role,
        unit_id,
        enterprise_id: None,
        ip: String::new(),
    }
}

async fn add(
    s: &Store,
    audience: Audience,
    kind: NoticeKind,
    message: &str,
    key: Option<&str>,
) -> Option<i64> {
    let mut tx = s.begin().await.unwrap();
    let id = notify(
        &mut tx,
        &NewNotice {
            audience,
            kind,
            subject: Subject::None,
            // A sentence with a name in it: the name is what the tests follow.
            text: Text::LeadAssigned {
                investor: message.into(),
            },
            dedupe_key: key.map(Into::into),
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();
    id
}

/// The names the notices were added with ([`add`]), read back from their stored text.
fn messages(list: &[qx_store::notices::Notice]) -> Vec<&str> {
    list.iter()
        .map(|n| match &n.text {
            Some(Text::LeadAssigned { investor }) => investor.as_str(),
            other => panic!("notice {} stored without its text: {other:?}", n.id),
        })
        .collect()
}

#[tokio::test]
async fn each_person_sees_their_own_audiences_and_reads_for_themselves() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let sys = Actor::system();
        let shipu = s.create_unit(&sys, &unit("石浦镇")).await.unwrap();
        let xizhou = s.create_unit(&sys, &unit("西周镇")).await.unwrap();
        let a1 = person(&s, "sp1", Role::Unit, Some(shipu)).await;
        let a2 = person(&s, "sp2", Role::Unit, Some(shipu)).await;
        let b = person(&s, "xz1", Role::Unit, Some(xizhou)).await;
        let ban = s.create_unit(&sys, &unit("领导小组办公室")).await.unwrap();
        let office = person(&s, "office", Role::Admin, Some(ban)).await;
        let leader = person(&s, "leader", Role::Leader, Some(ban)).await;

        add(
            &s,
            Audience::Unit(shipu),
            NoticeKind::ReportRemind,
            "石浦请报送",
            None,
        )
        .await;
        add(
            &s,
            Audience::Unit(xizhou),
            NoticeKind::ReportRemind,
            "西周请报送",
            None,
        )
        .await;
        add(
            &s,
            Audience::Office,
            NoticeKind::ReportSubmitted,
            "待审核",
            None,
        )
        .await;
        add(
            &s,
            Audience::County,
            NoticeKind::ProblemEscalated,
            "难题升级",
            None,
        )
        .await;
        add(
            &s,
            Audience::User(a2.user_id),
            NoticeKind::ReportReturned,
            "给sp2",
            None,
        )
        .await;

        let q = InboxQuery::default();
        assert_eq!(
            messages(&s.inbox(&a1, q).await.unwrap()),
            ["石浦请报送"],
            "{name}"
        );
        assert_eq!(
            messages(&s.inbox(&a2, q).await.unwrap()),
            ["给sp2", "石浦请报送"],
            "{name}"
        );
        assert_eq!(
            messages(&s.inbox(&b, q).await.unwrap()),
            ["西周请报送"],
            "{name}"
        );
        assert_eq!(
            messages(&s.inbox(&office, q).await.unwrap()),
            ["难题升级", "待审核"],
            "{name}"
        );
        assert_eq!(
            messages(&s.inbox(&leader, q).await.unwrap()),
            ["难题升级"],
            "{name}"
        );

        // One liaison reading the unit's notice leaves it unread for the other.
        let unit_notice = s.inbox(&a1, q).await.unwrap()[0].id;
        assert_eq!(s.unread_notices(&a1).await.unwrap(), 1, "{name}");
        assert_eq!(
            s.mark_notices_read(&a1, &[unit_notice]).await.unwrap(),
            1,
            "{name}"
        );
        assert_eq!(
            s.mark_notices_read(&a1, &[unit_notice]).await.unwrap(),
            0,
            "twice: {name}"
        );
        assert_eq!(s.unread_notices(&a1).await.unwrap(), 0, "{name}");
        assert!(s.inbox(&a1, q).await.unwrap()[0].read, "{name}");
        assert_eq!(s.unread_notices(&a2).await.unwrap(), 2, "{name}");
        let unread = InboxQuery { unread: true, ..q };
        assert_eq!(
            messages(&s.inbox(&a2, unread).await.unwrap()),
            ["给sp2", "石浦请报送"]
        );
        assert!(s.inbox(&a1, unread).await.unwrap().is_empty(), "{name}");

        // Another unit's notice cannot be marked read by a stranger (it stays unread for its own).
        let xz_notice = s.inbox(&b, q).await.unwrap()[0].id;
        assert_eq!(
            s.mark_notices_read(&a1, &[xz_notice, 999_999])
                .await
                .unwrap(),
            0,
            "{name}"
        );
        assert_eq!(s.unread_notices(&b).await.unwrap(), 1, "{name}");

        assert_eq!(s.mark_all_notices_read(&office).await.unwrap(), 2, "{name}");
        assert_eq!(s.unread_notices(&office).await.unwrap(), 0, "{name}");
        // The county notice the office read is still unread for the leader.
        assert_eq!(s.unread_notices(&leader).await.unwrap(), 1, "{name}");

        // Paging: older than a given id.
        let all = s.inbox(&a2, q).await.unwrap();
        let older = s
            .inbox(
                &a2,
                InboxQuery {
                    before: Some(all[0].id),
                    ..q
                },
            )
            .await
            .unwrap();
        assert_eq!(messages(&older), ["石浦请报送"], "{name}");
    }
}

/// Opening one notice by id is the inbox's own rule: each audience's members get it (with
/// their own read mark), anyone else "not found", as if it did not exist.
#[tokio::test]
async fn a_notice_opens_only_for_its_audience() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let sys = Actor::system();
        let shipu = s.create_unit(&sys, &unit("石浦镇")).await.unwrap();
        let xizhou = s.create_unit(&sys, &unit("西周镇")).await.unwrap();
        let ban = s.create_unit(&sys, &unit("领导小组办公室")).await.unwrap();
        let sp1 = person(&s, "sp1", Role::Unit, Some(shipu)).await;
        let sp2 = person(&s, "sp2", Role::Unit, Some(shipu)).await;
        let xz = person(&s, "xz1", Role::Unit, Some(xizhou)).await;
        let office = person(&s, "office", Role::Admin, Some(ban)).await;
        let leader = person(&s, "leader", Role::Leader, Some(ban)).await;
        let kind = NoticeKind::ReportRemind;
        let to_shipu = add(&s, Audience::Unit(shipu), kind, "石浦", None).await;
        let to_sp2 = add(&s, Audience::User(sp2.user_id), kind, "sp2", None).await;
        let to_office = add(&s, Audience::Office, kind, "办公室", None).await;
        let to_county = add(&s, Audience::County, kind, "县级", None).await;
        let everyone = [&sp1, &sp2, &xz, &office, &leader];
        for (id, readers) in [
            (to_shipu, vec![&sp1, &sp2]),
            (to_sp2, vec![&sp2]),
            (to_office, vec![&office]),
            (to_county, vec![&office, &leader]),
        ] {
            let id = id.unwrap();
            for actor in everyone {
                let got = s.notice(actor, id).await;
                if readers.contains(&actor) {
                    let n = got.unwrap_or_else(|e| panic!("{name}: {} {id}: {e}", actor.username));
                    assert_eq!((n.id, n.read), (id, false), "{name}");
                    // The same rule as the inbox.
                    let inbox = s.inbox(actor, InboxQuery::default()).await.unwrap();
                    assert!(inbox.iter().any(|n| n.id == id), "{name}");
                } else {
                    assert!(
                        matches!(got, Err(StoreError::NotFound(_))),
                        "{name}: {} read notice {id}: {got:?}",
                        actor.username
                    );
                }
            }
        }
        // Read marks are the reader's own.
        let id = to_shipu.unwrap();
        s.mark_notices_read(&sp1, &[id]).await.unwrap();
        assert!(s.notice(&sp1, id).await.unwrap().read, "{name}");
        assert!(!s.notice(&sp2, id).await.unwrap().read, "{name}");
        assert!(matches!(
            s.notice(&sp1, i64::MAX).await,
            Err(StoreError::NotFound(_))
        ));
    }
}

#[tokio::test]
async fn a_keyed_notice_is_added_once_and_a_bad_row_is_an_error_not_a_default() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let first = add(
            &s,
            Audience::Office,
            NoticeKind::ProblemOverdue,
            "超期",
            Some("p1:overdue"),
        )
        .await;
        let again = add(
            &s,
            Audience::Office,
            NoticeKind::ProblemOverdue,
            "超期",
            Some("p1:overdue"),
        )
        .await;
        assert!(first.is_some(), "{name}");
        assert_eq!(again, None, "{name}");
        let n = s.notice_unscoped(first.unwrap()).await.unwrap();
        assert_eq!(
            (n.kind, n.audience),
            (NoticeKind::ProblemOverdue, Audience::Office)
        );

        // A kind this version does not know is reported, never read as something else.
        sqlx::query("UPDATE notices SET kind = 'report.exploded' WHERE id = $1")
            .bind(n.id)
            .execute(s.pool())
            .await
            .unwrap();
        assert!(
            matches!(s.notice_unscoped(n.id).await, Err(StoreError::Invalid(_))),
            "{name}"
        );
    }
}

#[tokio::test]
async fn a_link_is_offered_only_for_what_the_reader_may_open() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let sys = Actor::system();
        let shipu = s.create_unit(&sys, &unit("石浦镇")).await.unwrap();
        let liaison = person(&s, "sp1", Role::Unit, Some(shipu)).await;
        let ban = s.create_unit(&sys, &unit("领导小组办公室")).await.unwrap();
        let office = person(&s, "office", Role::Admin, Some(ban)).await;
        assert!(
            !s.can_open(&liaison, Subject::None).await.unwrap(),
            "{name}"
        );
        // Subjects that do not exist (any more) have no link.
        for subject in [
            Subject::Problem(4242),
            Subject::Bulletin(4242),
            Subject::Plan(4242),
        ] {
            assert!(
                !s.can_open(&office, subject).await.unwrap(),
                "{subject:?} {name}"
            );
        }
        // The office answers objections; a liaison does not open the office's review pages.
        assert!(
            s.can_open(&office, Subject::EvalObjection(1))
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            !s.can_open(&liaison, Subject::EvalObjection(1))
                .await
                .unwrap(),
            "{name}"
        );
        assert!(
            !s.can_open(&liaison, Subject::Submission(1)).await.unwrap(),
            "{name}"
        );
    }
}

/// A notice recorded late for an earlier event (an import, the demo's replayed year) takes its
/// event's place: the inbox is newest first by the time a notice is dated, not by its number,
/// and a page continues after the last notice of the one before.
#[tokio::test]
async fn the_inbox_is_in_the_order_of_the_events_and_pages_follow_it() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let sys = Actor::system();
        let ban = s.create_unit(&sys, &unit("领导小组办公室")).await.unwrap();
        let office = person(&s, "office", Role::Admin, Some(ban)).await;
        let mut ids = Vec::new();
        for m in ["十一月", "十二月", "十月(补录)", "十二月(同时)"] {
            let id = add(&s, Audience::Office, NoticeKind::ReportSubmitted, m, None).await;
            ids.push(id.unwrap());
        }
        // Dated by their events: 十月 recorded third, two notices at the same moment.
        for (id, at) in ids.iter().zip([
            1_510_000_000i64,
            1_512_000_000,
            1_507_000_000,
            1_512_000_000,
        ]) {
            sqlx::query("UPDATE notices SET created_at = $1 WHERE id = $2")
                .bind(at)
                .bind(*id)
                .execute(s.pool())
                .await
                .unwrap();
        }
        let all = s.inbox(&office, InboxQuery::default()).await.unwrap();
        assert_eq!(
            messages(&all),
            ["十二月(同时)", "十二月", "十一月", "十月(补录)"],
            "{name}"
        );
        let first = s
            .inbox(
                &office,
                InboxQuery {
                    limit: 2,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let rest = s
            .inbox(
                &office,
                InboxQuery {
                    limit: 2,
                    before: first.last().map(|n| n.id),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(messages(&first), ["十二月(同时)", "十二月"], "{name}");
        assert_eq!(messages(&rest), ["十一月", "十月(补录)"], "{name}");
    }
}
