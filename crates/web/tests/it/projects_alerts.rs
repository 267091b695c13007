//! Projects' alerts and the approved 调度 on every engine: the sweep tells the responsible unit
//! and the 包干 leader once per alert (far behind 序时进度, a stage past its planned date,
//! 签而未注) and a halted project raises none; once a month's 调度 is approved the form shows
//! 本年已完成投资 read-only with the reason and the store refuses another figure.

use crate::common::{TestApp, csrf, post_form};
use crate::report_form::{all_apps, june};
use qx_core::access::Actor;
use qx_core::notice::NoticeKind;
use qx_core::project::{CapitalKind, Source, Stage};
use qx_store::notices::InboxQuery;
use qx_store::projects::{ProjectInput, StageMove};
use time::macros::date;

fn input(name: &str, unit_id: i64, leader: Option<i64>) -> ProjectInput {
    ProjectInput {
        year: 2017,
        name: name.into(),
        investor: "甲新材料".into(),
        credit_code: None,
        capital_kind: CapitalKind::Domestic,
        source: Source::Investment,
        industry: String::new(),
        town_id: None,
        total_investment_wan: 25_000.0,
        foreign_contract_wusd: None,
        annual_plan_wan: Some(6_000.0),
        completed_wan: Some(300.0),
        land_mu: None,
        content: String::new(),
        unit_id,
        contact: String::new(),
        leader_user_id: leader,
        planned: [None, Some(date!(2017 - 05 - 01)), None, None],
    }
}

async fn alerts(app: &TestApp, actor: &Actor) -> Vec<String> {
    app.store
        .inbox(actor, InboxQuery::default())
        .await
        .unwrap()
        .into_iter()
        .filter(|n| n.kind == NoticeKind::ProjectAlert)
        .map(|n| n.message)
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_sweep_tells_the_unit_and_the_leader_once_per_alert() {
    for app in all_apps().await {
        let admin = app.actor("admin").await;
        let jxj = app.actor("jxj1").await;
        let leader = app.actor("leader").await;
        let unit_id = jxj.unit_id.unwrap();
        let late = input("年产5万吨新材料项目", unit_id, Some(leader.user_id));
        let id = app
            .store
            .create_project(&admin, &late, date!(2017 - 01 - 10))
            .await
            .unwrap();
        let signed = StageMove {
            to: Stage::Signed,
            on: date!(2017 - 02 - 01),
            evidence: String::new(),
            reason: String::new(),
        };
        app.store.move_project(&admin, id, &signed).await.unwrap();
        let halted = app
            .store
            .create_project(
                &admin,
                &input("已中止项目", unit_id, Some(leader.user_id)),
                date!(2017 - 01 - 10),
            )
            .await
            .unwrap();
        app.store
            .move_project(
                &admin,
                halted,
                &StageMove {
                    to: Stage::Halted,
                    on: date!(2017 - 02 - 01),
                    evidence: String::new(),
                    reason: "投资方撤资".into(),
                },
            )
            .await
            .unwrap();
        let before = alerts(&app, &jxj).await.len();

        let today = date!(2017 - 07 - 10);
        let first = app.store.sweep_project_alerts(today).await.unwrap();
        assert_eq!(first.alerted, 1, "the halted project raises nothing");
        assert_eq!(first.notices.len(), 6, "three alerts, unit and leader each");
        let unit_alerts = alerts(&app, &jxj).await;
        assert_eq!(unit_alerts.len() - before, 3, "{unit_alerts:?}");
        for want in ["严重滞后于序时进度", "计划于 2017-05-01 注册", "签而未注"] {
            assert!(
                unit_alerts.iter().any(|m| m.contains(want)),
                "{want}: {unit_alerts:?}"
            );
        }
        assert!(unit_alerts.iter().all(|m| !m.contains("已中止项目")));
        assert_eq!(alerts(&app, &leader).await.len(), 3, "the 包干 leader");
        assert!(alerts(&app, &app.actor("sp1").await).await.is_empty());

        let again = app.store.sweep_project_alerts(today).await.unwrap();
        assert_eq!(again.alerted, 1);
        assert!(again.notices.is_empty(), "told once");
        // A month later the investment is judged again; the other alerts were told.
        let next = app
            .store
            .sweep_project_alerts(date!(2017 - 08 - 10))
            .await
            .unwrap();
        assert_eq!(
            next.notices.len(),
            2,
            "the new month's investment alert only"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_approved_month_makes_invested_this_year_read_only() {
    for app in all_apps().await {
        let (_, period) = june(&app).await;
        let admin = app.actor("admin").await;
        let jxj = app.actor("jxj1").await;
        let unit_id = jxj.unit_id.unwrap();
        let id = app
            .store
            .create_project(
                &admin,
                &input("年产5万吨新材料项目", unit_id, None),
                date!(2017 - 01 - 10),
            )
            .await
            .unwrap();
        let unit = app.login("jxj1").await;
        let edit = app.url(&format!("/projects/{id}/edit"));
        let form = unit.get(&edit).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("name=\"completed\""), "typed before any 调度");
        assert!(!form.contains("completed-locked"));

        let url = app.url(&format!("/report/{period}"));
        let token = csrf(&unit, &url).await;
        // A line is read by its 形象进度 field, which the form always sends.
        let (di, dg) = (format!("di_{id}"), format!("dg_{id}"));
        let resp = post_form(
            &unit,
            &url,
            &[
                ("_csrf", token.as_str()),
                (di.as_str(), "800"),
                (dg.as_str(), ""),
                ("action", "submit"),
                ("confirm", "1"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let latest = app
            .store
            .submission_history(&admin, period, unit_id)
            .await
            .unwrap()[0]
            .id;
        app.store
            .review_submission(&admin, latest, true, "")
            .await
            .unwrap();

        let form = unit.get(&edit).send().await.unwrap().text().await.unwrap();
        assert!(form.contains("id=\"completed-locked\""), "shown read-only");
        assert!(form.contains("<output>800</output>"), "the approved sum");
        assert!(form.contains("各月调度合计"), "with the reason");
        assert!(!form.contains("name=\"completed\""), "not editable");

        // The form without the figure saves and keeps the sum.
        let token = csrf(&unit, &edit).await;
        let save = app.url(&format!("/projects/{id}"));
        let fields = [
            ("_csrf", token.as_str()),
            ("name", "年产5万吨新材料项目(一期)"),
            ("year", "2017"),
            ("investor", "甲新材料"),
            ("capital_kind", "domestic"),
            ("source", "investment"),
            ("total_investment", "25000"),
            ("annual_plan", "6000"),
        ];
        let resp = post_form(&unit, &save, &fields).await;
        assert_eq!(resp.status(), 303);
        let project = app.store.get_project(&admin, id).await.unwrap();
        assert_eq!(project.name, "年产5万吨新材料项目(一期)");
        assert_eq!(project.completed_wan, Some(800.0));

        // Another figure is refused beside the field.
        let mut typed = fields.to_vec();
        typed.push(("completed", "999"));
        let resp = post_form(&unit, &save, &typed).await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("以各月调度合计 800 万元为准"), "{body}");
        let mut again = input("年产5万吨新材料项目", unit_id, None);
        again.completed_wan = Some(999.0);
        let err = app
            .store
            .update_project(&admin, id, &again)
            .await
            .unwrap_err();
        assert!(err.to_string().contains("不能修改"), "{err}");
        again.completed_wan = Some(800.0);
        app.store.update_project(&admin, id, &again).await.unwrap();
        assert_eq!(
            app.store
                .get_project(&admin, id)
                .await
                .unwrap()
                .completed_wan,
            Some(800.0)
        );
    }
}
