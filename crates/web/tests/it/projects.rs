//! 重大项目库 and 招商线索 over HTTP on every engine: the form keeps what was typed and names
//! each bad field (统一社会信用代码, 万元 figures); scope answers 404 to another unit and 403 to a
//! leader's move; the order rule's refusal is shown on the page and the office overrides it;
//! the list filters, counts and exports; a lead goes from the form to a project.

use crate::common::{TestApp, csrf, redirect_id, spawn_app_with};
use qx_core::codes::CreditCode;

async fn page(c: &reqwest::Client, url: String) -> (u16, String) {
    let resp = c.get(url).send().await.unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    form_page: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let token = csrf(c, &app.url(form_page)).await;
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token.as_str())];
    form.extend_from_slice(fields);
    c.post(app.url(path)).form(&form).send().await.unwrap()
}

fn project_form<'a>(name: &'a str, total: &'a str, code: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("name", name),
        ("year", "2017"),
        ("investor", "宁波均胜投资"),
        ("credit_code", code),
        ("capital_kind", "domestic"),
        ("source", "investment"),
        ("industry", "汽车零部件"),
        ("total_investment", total),
        ("annual_plan", "２,０００"),
        ("completed", "800"),
        ("planned_signed", "2017-03-01"),
        ("planned_started", "2017-09-01"),
        ("content", "年产50万套汽车内饰件"),
    ]
}

async fn apps() -> Vec<TestApp> {
    let mut out = Vec::new();
    for db in qx_store::testing::all().await.unwrap() {
        out.push(spawn_app_with(qx_web::Config::default(), db).await);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_form_keeps_what_was_typed_and_names_each_bad_field() {
    for app in apps().await {
        let sp1 = app.login("sp1").await;
        let resp = post(
            &app,
            &sp1,
            "/projects/new",
            "/projects",
            &project_form("石浦汽车内饰件项目", "1.2亿", "91330225MA2AB1234X"),
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("统一社会信用代码: "), "{body}");
        assert!(body.contains("计划总投资(万元): 不是有效的数字"), "{body}");
        assert!(
            body.contains("value=\"石浦汽车内饰件项目\""),
            "typed name kept"
        );
        assert!(body.contains("value=\"1.2亿\""), "typed figure kept");
        assert!(body.contains("value=\"91330225MA2AB1234X\""));
        assert!(
            body.contains("以各月调度合计为准"),
            "the form says when the typed 本年已完成投资 stops counting"
        );

        let code = CreditCode::complete("91330225000000077").unwrap();
        let resp = post(
            &app,
            &sp1,
            "/projects/new",
            "/projects",
            &project_form("石浦汽车内饰件项目", "１２,０００", code.as_str()),
        )
        .await;
        assert_eq!(resp.status(), 303);
        let id = redirect_id(&resp, "/projects/");
        let (status, body) = page(&sp1, app.url(&format!("/projects/{id}"))).await;
        assert_eq!(status, 200);
        assert!(
            body.contains("石浦汽车内饰件项目") && body.contains("12000"),
            "{body}"
        );
        assert!(body.contains("亿元以上"));
        assert!(body.contains("在谈"));
        let p = app
            .store
            .get_project(&qx_core::access::Actor::system(), id)
            .await
            .unwrap();
        assert_eq!(p.annual_plan_wan, Some(2000.0), "full-width figure read");
        assert_eq!(
            p.unit_id, app.units["石浦镇"],
            "a unit's project is its own"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scope_and_the_order_rule_over_http() {
    for app in apps().await {
        let sp1 = app.login("sp1").await;
        let resp = post(
            &app,
            &sp1,
            "/projects/new",
            "/projects",
            &project_form("石浦冷链项目", "5000", ""),
        )
        .await;
        assert_eq!(resp.status(), 303);
        let id = redirect_id(&resp, "/projects/");
        let detail = format!("/projects/{id}");
        // Entered today: a stage is reached on or after the day the project entered.
        let today = qx_core::time::format_date(qx_core::time::today());
        let today = today.as_str();
        let move_path = format!("/projects/{id}/move");

        let xz1 = app.login("xz1").await;
        assert_eq!(page(&xz1, app.url(&detail)).await.0, 404);
        let resp = post(
            &app,
            &xz1,
            "/projects",
            &move_path,
            &[("to", "signed"), ("on", "2017-03-01")],
        )
        .await;
        assert_eq!(resp.status(), 404, "another unit's project is not found");
        let leader = app.login("leader").await;
        assert_eq!(page(&leader, app.url(&detail)).await.0, 200);
        let resp = post(
            &app,
            &leader,
            "/projects",
            &move_path,
            &[("to", "signed"), ("on", "2017-03-01")],
        )
        .await;
        assert_eq!(resp.status(), 403, "leaders never write");

        let page_ = page(&sp1, app.url(&detail)).await.1;
        assert!(page_.contains("data-confirm"), "the move asks first");
        let resp = post(
            &app,
            &sp1,
            &detail,
            &move_path,
            &[
                ("to", "started"),
                ("on", "2017-03-01"),
                ("evidence", "施工许可证"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("阶段须依次推进"), "{body}");
        assert!(body.contains("value=\"施工许可证\""), "typed evidence kept");

        let resp = post(
            &app,
            &sp1,
            &detail,
            &move_path,
            &[("to", "signed"), ("on", today)],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let admin = app.login("admin").await;
        let resp = post(
            &app,
            &admin,
            &detail,
            &move_path,
            &[
                ("to", "producing"),
                ("on", today),
                ("reason", "补录历史进度"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let body = page(&admin, app.url(&detail)).await.1;
        assert!(
            body.contains("强制变更阶段") && body.contains("补录历史进度"),
            "{body}"
        );
        assert!(body.contains("签约 → 投产"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_list_filters_counts_and_exports() {
    for app in apps().await {
        let admin = app.login("admin").await;
        let unit = app.units["西周镇"].to_string();
        for (name, total) in [("西周大项目", "10000"), ("西周小项目", "9999")] {
            let mut form = project_form(name, total, "");
            form.push(("unit_id", unit.as_str()));
            let resp = post(&app, &admin, "/projects/new", "/projects", &form).await;
            assert_eq!(resp.status(), 303);
        }
        let (status, body) = page(&admin, app.url("/projects?major=1")).await;
        assert_eq!(status, 200);
        assert!(
            body.contains("西周大项目") && !body.contains("西周小项目"),
            "{body}"
        );
        assert!(body.contains("/export/projects?major=1"));
        // On a phone each project is a card, each figure headed by its column's name.
        assert!(body.contains("<table class=\"stack\">"), "{body}");
        assert!(body.contains("data-label=\"计划总投资(万元)\""), "{body}");
        let (_, body) = page(&admin, app.url("/projects?q=小项目")).await;
        assert!(body.contains("西周小项目") && !body.contains("西周大项目"));
        let (status, print) = page(&admin, app.url("/export/projects?major=1&print=1")).await;
        assert_eq!(status, 200);
        assert!(print.contains("西周大项目") && !print.contains("西周小项目"));
        let resp = admin
            .get(app.url("/export/projects?major=1"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert!(
            resp.headers()["content-type"]
                .to_str()
                .unwrap()
                .contains("spreadsheetml")
        );
        // A unit sees only its own.
        let sp1 = app.login("sp1").await;
        let (_, body) = page(&sp1, app.url("/projects")).await;
        assert!(!body.contains("西周大项目"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lead_goes_from_the_form_to_a_project() {
    for app in apps().await {
        let sp1 = app.login("sp1").await;
        let resp = post(
            &app,
            &sp1,
            "/leads/new",
            "/leads",
            &[
                ("investor", "某新材料集团"),
                ("industry", "新材料"),
                ("intended", "三亿"),
                ("contact", ""),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("意向投资(万元): "), "{body}");
        assert!(body.contains("value=\"某新材料集团\""));
        let resp = post(
            &app,
            &sp1,
            "/leads/new",
            "/leads",
            &[
                ("investor", "某新材料集团"),
                ("industry", "新材料"),
                ("intended", "30000"),
                ("contact", "李经理 13800000000"),
                ("found_by", "石浦镇招商办"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let id = redirect_id(&resp, "/leads/");
        let lead = format!("/leads/{id}");
        let xz1 = app.login("xz1").await;
        assert_eq!(page(&xz1, app.url(&lead)).await.0, 404);
        let resp = post(
            &app,
            &sp1,
            &lead,
            &format!("/leads/{id}/decide"),
            &[("decision", "accept")],
        )
        .await;
        assert_eq!(resp.status(), 403, "only the office decides");

        let admin = app.login("admin").await;
        let unit = app.units["石浦镇"].to_string();
        let resp = post(
            &app,
            &admin,
            &lead,
            &format!("/leads/{id}/decide"),
            &[
                ("decision", "accept"),
                ("follow_unit_id", unit.as_str()),
                ("reward", "奖励5000元"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let body = page(&admin, app.url(&lead)).await.1;
        assert!(
            body.contains("已采纳") && body.contains("转为项目"),
            "{body}"
        );
        let resp = post(&app, &admin, &lead, &format!("/leads/{id}/convert"), &[]).await;
        assert_eq!(resp.status(), 303);
        let loc = resp.headers()["location"].to_str().unwrap().to_string();
        assert!(
            loc.starts_with("/projects/") && loc.ends_with("/edit"),
            "{loc}"
        );
        let project = page(&sp1, app.url(loc.trim_end_matches("/edit"))).await;
        assert_eq!(project.0, 200, "the follow-up unit's project");
        assert!(project.1.contains("某新材料集团") && project.1.contains("在谈"));
    }
}
