//! The monthly cycle through the browser: the office opens a period, a unit reports, the office
//! reviews, leaders read the dashboard.

use crate::common;

use common::{csrf, get_status, post_form, spawn_app};
use qx_core::access::Actor;

#[tokio::test]
async fn a_unit_reports_the_office_approves_and_the_dashboard_lights_up() {
    let app = spawn_app().await;
    let plan = app.publish_seed_plan().await;

    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/monitor/periods")).await;
    let page = admin
        .get(app.url("/monitor/periods"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("value=\"2017-01\""),
        "the next period is proposed"
    );
    let resp = post_form(
        &admin,
        app.url("/monitor/periods"),
        &[
            ("_csrf", token.as_str()),
            ("plan_id", &plan.to_string()),
            ("period", "2017-06"),
            ("due_on", "2017-07-07"),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let period_url = resp.headers()["location"].to_str().unwrap().to_string();
    let period_id: i64 = period_url.rsplit('/').next().unwrap().parse().unwrap();

    // What cannot be opened comes back on the form, beside its field (or above the form for
    // the store's refusal), with what was typed; never a page of its own.
    for (period, due, message) in [
        (
            "2017-13",
            "2017-07-07",
            r#"<span class="field-error">期间: 月份必须在1到12之间, 实际为 13</span>"#,
        ),
        (
            "2017-07",
            "2017-02-30",
            r#"<span class="field-error">截止: &#34;2017-02-30&#34; 不是有效日期"#,
        ),
        (
            "2017-06",
            "2017-07-07",
            r#"<p class="error wide">该报送期已开启</p>"#,
        ),
    ] {
        let resp = post_form(
            &admin,
            app.url("/monitor/periods"),
            &[
                ("_csrf", token.as_str()),
                ("plan_id", &plan.to_string()),
                ("period", period),
                ("due_on", due),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400, "{period} {due}");
        let page = resp.text().await.unwrap();
        assert!(page.contains(message), "{period} {due}: {page}");
        assert!(
            page.contains(&format!(r#"name="period" value="{period}""#))
                && page.contains(&format!(r#"name="due_on" value="{due}""#)),
            "{period} {due}: what was typed is kept"
        );
    }

    // The liaison of 县经信局 fills in the form it is given.
    let unit = app.login("jxj1").await;
    let home = unit
        .get(app.url("/report"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(home.contains("2017-06"));
    let form = unit
        .get(app.url(&format!("/report/{period_id}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        form.contains("新增规模以上企业") && !form.contains("新增高新技术企业"),
        "only its own indicators"
    );
    let jxj = app.units["县经信局"];
    let indicators = app
        .store
        .unit_indicators(&qx_core::access::Actor::system(), plan, jxj)
        .await
        .unwrap();
    let scale = indicators
        .iter()
        .find(|i| i.name == "新增规模以上企业")
        .unwrap();
    let token = csrf(&unit, &app.url(&format!("/report/{period_id}"))).await;
    let field = format!("v_{}", scale.id);
    let bad = post_form(
        &unit,
        app.url(&format!("/report/{period_id}")),
        &[
            ("_csrf", token.as_str()),
            (field.as_str(), "十五家"),
            ("action", "submit"),
        ],
    )
    .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("新增规模以上企业"));
    let ok = post_form(
        &unit,
        app.url(&format!("/report/{period_id}")),
        &[
            ("_csrf", token.as_str()),
            (field.as_str(), "15"),
            ("action", "submit"),
            ("confirm", "1"),
        ],
    )
    .await;
    assert_eq!(ok.status(), 303);

    // Another unit cannot report for 县经信局 even by naming it.
    let other = app.login("sp1").await;
    let token_sp = csrf(&other, &app.url("/account")).await;
    let resp = post_form(
        &other,
        app.url(&format!("/report/{period_id}?unit={jxj}")),
        &[
            ("_csrf", token_sp.as_str()),
            (field.as_str(), "99"),
            ("action", "submit"),
        ],
    )
    .await;
    assert_eq!(
        resp.status(),
        400,
        "a unit user reports only for its own unit"
    );

    // The office sees who has reported and approves.
    let page = admin
        .get(app.url(&period_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("待审核"));
    let sub = app
        .store
        .latest_submission(&qx_core::access::Actor::system(), period_id, jxj)
        .await
        .unwrap()
        .unwrap();
    let token = csrf(&admin, &app.url(&period_url)).await;
    let resp = post_form(
        &admin,
        app.url(&format!("/monitor/submissions/{}/review", sub.id)),
        &[
            ("_csrf", token.as_str()),
            ("decision", "approve"),
            ("comment", ""),
            ("period_id", &period_id.to_string()),
        ],
    )
    .await;
    assert_eq!(resp.status(), 303);

    let leader = app.login("leader").await;
    let dash = leader
        .get(app.url("/monitor?period=2017-06"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        dash.contains("36项主要指标中, 1项达到序时进度"),
        "{}",
        &dash[..dash.len().min(2000)]
    );
    assert!(dash.contains("50.0%"), "15 of 30 is 50% completion");
    assert!(
        dash.contains("以各期首次报送时间对照截止日"),
        "the punctuality table says what it is judged on"
    );
    let chart = leader
        .get(app.url(&format!(
            "/monitor/indicators/{}/chart.svg?period=2017-06",
            scale.id
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(
        chart.headers()["content-type"],
        "image/svg+xml; charset=utf-8"
    );
    assert!(chart.text().await.unwrap().contains("新增规模以上企业"));
    let log = app
        .store
        .audit_list(
            &qx_core::access::Actor::system(),
            &qx_store::audit::AuditQuery {
                entity: Some("submission".into()),
                limit: 10,
                ..Default::default()
            },
        )
        .await
        .unwrap();
    let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
    assert!(actions.contains(&"submission.submit") && actions.contains(&"submission.approve"));
}

// ------------------------------------------------------------------ helpers for the rest

use qx_core::access::Role;
use reqwest::multipart::{Form, Part};

/// The application on every engine under test (SQLite, and PostgreSQL when configured).
async fn all_apps() -> Vec<common::TestApp> {
    let mut out = Vec::new();
    for db in qx_store::testing::all().await.unwrap() {
        out.push(common::spawn_app_with(qx_web::Config::default(), db).await);
    }
    out
}

/// Imports and publishes the seed plan and opens June 2017; returns (plan, period).
async fn june(app: &common::TestApp) -> (i64, i64) {
    let admin = app.actor("admin").await;
    let plan = app.publish_seed_plan().await;
    let period = app
        .store
        .open_period(
            &admin,
            plan,
            &qx_core::period::Period::new_month(2017, 6).unwrap(),
            "2017-07-07",
        )
        .await
        .unwrap();
    (plan, period)
}

/// The indicator `name` that `unit` reports in `plan`.
async fn indicator_named(
    app: &common::TestApp,
    plan: i64,
    unit: i64,
    name: &str,
) -> qx_store::plans::Indicator {
    app.store
        .unit_indicators(&qx_core::access::Actor::system(), plan, unit)
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name == name)
        .unwrap_or_else(|| panic!("indicator {name}"))
}

/// Adds a liaison account for a unit (password as the harness's).
async fn liaison(app: &common::TestApp, username: &str, unit_id: i64) {
    let user = qx_store::users::NewUser {
        username: username.into(),
        display_name: username.into(),
        role: Role::Unit,
        unit_id: Some(unit_id),
        enterprise_id: None,
        phone: String::new(),
        password_hash: qx_core::password::hash_password(common::PASSWORD).unwrap(),
    };
    app.store
        .create_user(&Actor::system(), &user)
        .await
        .unwrap();
}

async fn upload(
    c: &reqwest::Client,
    url: &str,
    file_name: &str,
    bytes: Vec<u8>,
    fields: &[(&str, &str)],
) -> reqwest::Response {
    let mut form = Form::new().part("file", Part::bytes(bytes).file_name(file_name.to_string()));
    for (k, v) in fields {
        form = form.text(k.to_string(), v.to_string());
    }
    c.post(url).multipart(form).send().await.unwrap()
}

async fn text(c: &reqwest::Client, url: &str) -> String {
    c.get(url).send().await.unwrap().text().await.unwrap()
}

fn pdf(body: &str) -> Vec<u8> {
    format!("%PDF-1.4\n% {body}\n%%EOF\n").into_bytes()
}

/// A real (empty) workbook: evidence is sniffed down to the parts its archive lists.
fn xlsx() -> Vec<u8> {
    rust_xlsxwriter::Workbook::new().save_to_buffer().unwrap()
}

fn attachment_ids(store_rows: &[qx_store::monitoring::ReportAttachment]) -> Vec<i64> {
    store_rows.iter().map(|a| a.id).collect()
}

#[tokio::test]
async fn evidence_is_attached_seen_by_the_right_people_and_locked_on_submit() {
    for app in all_apps().await {
        let app = &app;
        let (plan, period) = june(app).await;
        let jxj = app.units["县经信局"];
        // A task 县经信局 leads with a supporting unit: that unit's liaison reports evidence.
        let task = app
            .store
            .plan_tasks(&Actor::system(), plan)
            .await
            .unwrap()
            .into_iter()
            .find(|t| {
                t.units
                    .iter()
                    .any(|(u, r)| *u == jxj && *r == qx_core::units::TaskRole::Lead)
                    && t.units
                        .iter()
                        .any(|(u, r)| *u != jxj && *r != qx_core::units::TaskRole::Lead)
                    && !t.units.iter().any(|(u, _)| *u == app.units["石浦镇"])
            })
            .expect("a task led by 县经信局 with a supporting unit");
        let co_unit = task
            .units
            .iter()
            .find(|(_, r)| *r != qx_core::units::TaskRole::Lead)
            .unwrap()
            .0;
        liaison(app, "co1", co_unit).await;
        let tid = task.task.id;

        let co = app.login("co1").await;
        let form_url = app.url(&format!("/report/{period}"));
        let page = text(&co, &form_url).await;
        assert!(
            page.contains(&format!("task={tid}&amp;_csrf=")),
            "upload button per task"
        );
        let token = csrf(&co, &form_url).await;
        let upload_url = app.url(&format!(
            "/report/{period}/attachments?task={tid}&_csrf={token}"
        ));

        // Without the token the upload is refused.
        let resp = upload(
            &co,
            &app.url(&format!("/report/{period}/attachments?task={tid}")),
            "现场照片.pdf",
            pdf("x"),
            &[],
        )
        .await;
        assert_eq!(resp.status(), 403);

        // Wrong type, wrong content, too large: a clear message, nothing stored.
        for (name, bytes, needle) in [
            (
                "run.exe",
                b"MZ".to_vec(),
                "只接受 pdf、jpg、png、docx、xlsx",
            ),
            ("fake.pdf", b"hello".to_vec(), "不是有效的 pdf 文件"),
            (
                "big.pdf",
                {
                    let mut b = pdf("big");
                    b.resize(20 * 1024 * 1024 + 1, b' ');
                    b
                },
                "超过 20 MB",
            ),
        ] {
            let resp = upload(&co, &upload_url, name, bytes, &[]).await;
            assert_eq!(resp.status(), 400, "{name}");
            let body = resp.text().await.unwrap();
            assert!(body.contains(needle), "{name}: {needle}");
        }
        assert!(
            app.store
                .latest_submission(&qx_core::access::Actor::system(), period, co_unit)
                .await
                .unwrap()
                .is_none()
        );

        let resp = upload(&co, &upload_url, "现场照片.pdf", pdf("co evidence"), &[]).await;
        assert_eq!(resp.status(), 303);
        assert!(
            resp.headers()["location"]
                .to_str()
                .unwrap()
                .ends_with(&format!("attached=1#task-{tid}"))
        );
        let page = text(&co, &form_url).await;
        assert!(page.contains("现场照片.pdf"));
        let draft = app
            .store
            .latest_submission(&qx_core::access::Actor::system(), period, co_unit)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(draft.status.as_str(), "draft", "the upload started a draft");
        let co_files = app
            .store
            .report_attachments(&Actor::system(), draft.id)
            .await
            .unwrap();
        let co_file = co_files[0].id;
        let download = app.url(&format!("/report/attachments/{co_file}"));

        // While a draft, it is the unit's own: the lead unit, another unit and leaders get 404.
        let lead = app.login("jxj1").await;
        let leader = app.login("leader").await;
        let sp = app.login("sp1").await;
        for (who, c) in [("lead", &lead), ("leader", &leader), ("sp1", &sp)] {
            assert_eq!(get_status(c, &download).await, 404, "{who}");
        }

        // Submitted, it is listed for the lead unit and downloadable by lead, leaders, office.
        let token = csrf(&co, &form_url).await;
        let resp = post_form(
            &co,
            &form_url,
            &[
                ("_csrf", token.as_str()),
                (&format!("p_{tid}"), "已完成现场核查"),
                (&format!("s_{tid}"), "on_track"),
                ("action", "submit"),
                ("confirm", "1"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let lead_page = text(&lead, &form_url).await;
        assert!(
            lead_page.contains("现场照片.pdf")
                && lead_page.contains(&format!("/report/attachments/{co_file}")),
            "the lead unit sees its supporting unit's evidence"
        );
        assert!(
            lead_page.contains("已完成现场核查 <small>(按计划推进)</small>"),
            "the supporting unit's progress with its state in words: {lead_page}"
        );
        let admin = app.login("admin").await;
        for (who, c) in [("lead", &lead), ("leader", &leader), ("admin", &admin)] {
            let resp = c.get(&download).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{who}");
            assert_eq!(resp.headers()["content-type"], "application/pdf");
            assert!(
                resp.headers()["content-disposition"]
                    .to_str()
                    .unwrap()
                    .contains("filename*=UTF-8''%E7%8E%B0")
            );
            assert_eq!(resp.bytes().await.unwrap().as_ref(), pdf("co evidence"));
        }
        assert_eq!(get_status(&sp, &download).await, 404, "another unit");

        // Submitted evidence cannot be removed, not even by its unit; others cannot see it to try.
        let token = csrf(&co, &form_url).await;
        let remove = app.url(&format!("/report/attachments/{co_file}/delete"));
        let resp = post_form(&co, &remove, &[("_csrf", token.as_str())]).await;
        assert_eq!(resp.status(), 400);
        let token_sp = csrf(&sp, &app.url("/report")).await;
        let resp = post_form(&sp, &remove, &[("_csrf", token_sp.as_str())]).await;
        assert_eq!(resp.status(), 404);
        let page = text(&co, &form_url).await;
        assert!(
            !page.contains(&format!("form=\"del-{co_file}\"")),
            "no remove button once submitted"
        );

        // The lead unit's own draft evidence can be removed while still a draft.
        let token = csrf(&lead, &form_url).await;
        let resp = upload(
            &lead,
            &app.url(&format!("/report/{period}/attachments?_csrf={token}")),
            "汇总表.xlsx",
            xlsx(),
            &[],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let sub = app
            .store
            .latest_submission(&qx_core::access::Actor::system(), period, jxj)
            .await
            .unwrap()
            .unwrap();
        let mine = attachment_ids(
            &app.store
                .report_attachments(&Actor::system(), sub.id)
                .await
                .unwrap(),
        );
        assert_eq!(mine.len(), 1);
        let page = text(&lead, &form_url).await;
        assert!(
            page.contains("汇总表.xlsx") && page.contains(&format!("form=\"del-{}\"", mine[0]))
        );
        let resp = post_form(
            &lead,
            app.url(&format!("/report/attachments/{}/delete", mine[0])),
            &[("_csrf", token.as_str())],
        )
        .await;
        assert_eq!(resp.status(), 303);
        assert!(
            app.store
                .report_attachments(&Actor::system(), sub.id)
                .await
                .unwrap()
                .is_empty()
        );

        let log = app
            .store
            .audit_list(
                &qx_core::access::Actor::system(),
                &qx_store::audit::AuditQuery {
                    entity: Some("submission".into()),
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
        assert!(actions.contains(&"submission.attach") && actions.contains(&"submission.detach"));
    }
}

/// A workbook laid out like the report template, with the given 本期累计 per indicator id.
fn filled_template(unit_id: i64, values: &[(i64, &str)]) -> Vec<u8> {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet().set_name("指标").unwrap();
    for (c, h) in [
        "编号",
        "指标",
        "单位",
        "年度目标",
        "上期累计",
        "本期累计",
        "说明",
    ]
    .iter()
    .enumerate()
    {
        ws.write(0, c as u16, *h).unwrap();
    }
    for (r, (id, v)) in values.iter().enumerate() {
        ws.write((r + 1) as u32, 0, *id as f64).unwrap();
        ws.write((r + 1) as u32, 5, *v).unwrap();
    }
    let ws = wb.add_worksheet().set_name("填报说明").unwrap();
    ws.write(0, 0, "单位编号").unwrap();
    ws.write(0, 1, unit_id.to_string()).unwrap();
    wb.save_to_buffer().unwrap()
}

#[tokio::test]
async fn a_unit_reports_through_the_excel_template() {
    for app in all_apps().await {
        let app = &app;
        let (plan, period) = june(app).await;
        let jxj = app.units["县经信局"];
        let unit = app.login("jxj1").await;
        let form_url = app.url(&format!("/report/{period}"));
        let page = text(&unit, &form_url).await;
        assert!(page.contains(&format!("/report/{period}/template.xlsx")));

        let resp = unit
            .get(app.url(&format!("/report/{period}/template.xlsx")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200);
        assert_eq!(
            resp.headers()["content-type"],
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        );
        let template = resp.bytes().await.unwrap().to_vec();
        assert!(template.starts_with(b"PK"));

        let token = csrf(&unit, &form_url).await;
        let upload_url = app.url(&format!("/report/{period}/template?_csrf={token}"));
        // The untouched template cannot be submitted: each empty cell is named; nothing saved.
        let resp = upload(
            &unit,
            &upload_url,
            "模板.xlsx",
            template.clone(),
            &[("action", "submit")],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(
            body.contains("指标 第2行 F列") && body.contains("提交时必须填写数字"),
            "{body}"
        );
        assert!(
            app.store
                .latest_submission(&qx_core::access::Actor::system(), period, jxj)
                .await
                .unwrap()
                .is_none()
        );

        // Bad cells and bad files, each explained.
        let mine = app
            .store
            .unit_indicators(&qx_core::access::Actor::system(), plan, jxj)
            .await
            .unwrap();
        let bad = filled_template(jxj, &[(mine[0].id, "约十五")]);
        let resp = upload(&unit, &upload_url, "t.xlsx", bad, &[("action", "save")]).await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("指标 第2行 F列") && body.contains("不是数字"));
        let resp = upload(
            &unit,
            &upload_url,
            "t.xlsx",
            b"garbage".to_vec(),
            &[("action", "save")],
        )
        .await;
        assert_eq!(resp.status(), 400);
        assert!(resp.text().await.unwrap().contains("不是可读取的Excel文件"));
        assert!(
            app.store
                .latest_submission(&qx_core::access::Actor::system(), period, jxj)
                .await
                .unwrap()
                .is_none()
        );

        // Filled in and submitted.
        let values: Vec<(i64, &str)> = mine
            .iter()
            .map(|i| (i.id, if i.unit == "%" { "８%" } else { "１２" }))
            .collect();
        let tasks = app
            .store
            .unit_tasks(&qx_core::access::Actor::system(), plan, jxj)
            .await
            .unwrap();
        let mut wb_values = filled_template(jxj, &values);
        if !tasks.is_empty() {
            // The task sheet is needed when submitting: add it to a fresh workbook.
            let mut wb = rust_xlsxwriter::Workbook::new();
            let ws = wb.add_worksheet().set_name("指标").unwrap();
            for (c, h) in ["编号", "本期累计"].iter().enumerate() {
                ws.write(0, c as u16, *h).unwrap();
            }
            for (r, (id, v)) in values.iter().enumerate() {
                ws.write((r + 1) as u32, 0, *id as f64).unwrap();
                ws.write((r + 1) as u32, 1, *v).unwrap();
            }
            let ws = wb.add_worksheet().set_name("任务").unwrap();
            for (c, h) in ["编号", "进展情况", "自评状态"].iter().enumerate() {
                ws.write(0, c as u16, *h).unwrap();
            }
            for (r, (t, _)) in tasks.iter().enumerate() {
                ws.write((r + 1) as u32, 0, t.id as f64).unwrap();
                ws.write((r + 1) as u32, 1, "按计划推进中").unwrap();
                ws.write((r + 1) as u32, 2, "进度滞后").unwrap();
            }
            wb_values = wb.save_to_buffer().unwrap();
        }
        let resp = upload(
            &unit,
            &upload_url,
            "六月.xlsx",
            wb_values,
            &[("action", "submit")],
        )
        .await;
        assert_eq!(resp.status(), 303);
        assert!(
            resp.headers()["location"]
                .to_str()
                .unwrap()
                .contains("imported=1")
        );
        let sub = app
            .store
            .latest_submission(&qx_core::access::Actor::system(), period, jxj)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(sub.status.as_str(), "submitted");
        let page = text(&unit, &app.url(&format!("/report/{period}?imported=1"))).await;
        assert!(page.contains("已从Excel模板导入"));
        assert!(
            page.contains("value=\"12\""),
            "the figures show on the form"
        );

        // Another unit's upload targets only its own report: naming 县经信局 changes nothing.
        let sp = app.login("sp1").await;
        let token_sp = csrf(&sp, &app.url("/report")).await;
        let resp = upload(
            &sp,
            &app.url(&format!(
                "/report/{period}/template?unit={jxj}&_csrf={token_sp}"
            )),
            "t.xlsx",
            filled_template(jxj, &[(mine[0].id, "99")]),
            &[("action", "save")],
        )
        .await;
        assert_eq!(resp.status(), 400);
        assert!(resp.text().await.unwrap().contains("县经信局 的模板"));
    }
}

/// The dashboard row of an indicator, from its link to the row's end.
fn dashboard_row(page: &str, indicator: i64) -> String {
    let link = format!("<a href=\"/monitor/indicators/{indicator}?");
    let at = page.find(&link).expect("indicator row");
    let start = page[..at].rfind("<tr").unwrap();
    let end = at + page[at..].find("</tr>").unwrap();
    page[start..end].to_string()
}

#[tokio::test]
async fn the_office_tunes_thresholds_and_profiles_and_the_lights_follow() {
    for app in all_apps().await {
        let app = &app;
        let (plan, period) = june(app).await;
        let jxj = app.units["县经信局"];
        let scale = indicator_named(app, plan, jxj, "新增规模以上企业").await;
        // 13 of 30 by June: 43.3% against 50% elapsed, 6.7 points behind → yellow by default.
        let unit = app.actor("jxj1").await;
        let input = qx_store::monitoring::SubmissionInput {
            values: vec![(scale.id, "13".into(), String::new())],
            tasks: vec![],
        };
        let sub = app
            .store
            .save_submission(&unit, period, jxj, &input, true)
            .await
            .unwrap();
        let admin_actor = app.actor("admin").await;
        app.store
            .review_submission(&admin_actor, sub, true, "")
            .await
            .unwrap();

        let leader = app.login("leader").await;
        let dash_url = app.url("/monitor?period=2017-06");
        let row = dashboard_row(&text(&leader, &dash_url).await, scale.id);
        assert!(
            row.contains("light-yellow") && row.contains("50.0%"),
            "{row}"
        );
        // The rendered rows are kept per picture and language: an English reader of the same
        // picture gets English, and the Chinese reader still Chinese.
        let leader_user = app
            .store
            .find_user_by_username("leader")
            .await
            .unwrap()
            .unwrap();
        app.store
            .set_user_lang(leader_user.id, qx_core::label::Lang::En)
            .await
            .unwrap();
        let english = text(&leader, &dash_url).await;
        assert!(english.contains("main indicators:"), "English summary");
        assert!(dashboard_row(&english, scale.id).contains(">Behind<"));
        app.store
            .set_user_lang(leader_user.id, qx_core::label::Lang::Zh)
            .await
            .unwrap();
        let chinese = text(&leader, &dash_url).await;
        assert!(chinese.contains("项主要指标中") && !chinese.contains("main indicators:"));
        assert_eq!(
            dashboard_row(&chinese, scale.id),
            row,
            "same picture, same rows"
        );

        // Only the office may open or post the editor.
        let settings_url = app.url(&format!("/monitor/settings?plan={plan}"));
        let unit_client = app.login("jxj1").await;
        for c in [&leader, &unit_client] {
            assert_eq!(get_status(c, &settings_url).await, 403);
        }
        let token_leader = csrf(&leader, &dash_url).await;
        let resp = post_form(
            &leader,
            app.url("/monitor/settings/thresholds"),
            &[("_csrf", token_leader.as_str()), ("yellow_gap_points", "5")],
        )
        .await;
        assert_eq!(resp.status(), 403);

        let admin = app.login("admin").await;
        let page = text(&admin, &settings_url).await;
        assert!(page.contains("新增规模以上企业") && page.contains("value=\"10\""));
        let token = csrf(&admin, &settings_url).await;
        for bad in ["abc", "150", "-1"] {
            let resp = post_form(
                &admin,
                app.url("/monitor/settings/thresholds"),
                &[
                    ("_csrf", token.as_str()),
                    ("yellow_gap_points", bad),
                    ("plan", &plan.to_string()),
                ],
            )
            .await;
            assert_eq!(resp.status(), 400, "{bad}");
        }
        // Five points (typed full-width): 6.7 behind is now red, at once.
        let resp = post_form(
            &admin,
            app.url("/monitor/settings/thresholds"),
            &[
                ("_csrf", token.as_str()),
                ("yellow_gap_points", "５"),
                ("plan", &plan.to_string()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let row = dashboard_row(&text(&leader, &dash_url).await, scale.id);
        assert!(row.contains("light-red"), "{row}");

        // Time profiles: twelve never-decreasing percentages ending at 100.
        let profile_url = app.url(&format!("/monitor/settings/indicators/{}", scale.id));
        for (bad, needle) in [
            ("5,10,15,20,30,40,50,60,70,80,100", "12个"),
            ("5,10,15,20,30,25,50,60,70,80,90,100", "不能下降"),
            ("5,10,15,20,30,40,50,60,70,80,90,95", "100%"),
            ("5,10,15,20,30,四十,50,60,70,80,90,100", "不是数字"),
        ] {
            let resp = post_form(
                &admin,
                &profile_url,
                &[
                    ("_csrf", token.as_str()),
                    ("profile", bad),
                    ("plan", &plan.to_string()),
                ],
            )
            .await;
            assert_eq!(resp.status(), 400, "{bad}");
            let body = resp.text().await.unwrap();
            assert!(
                body.contains(needle) && body.contains("新增规模以上企业"),
                "{bad}"
            );
            assert!(body.contains(bad), "the entry is kept for correction");
        }
        // Slow first half (40% by June): 43.3% is ahead, so green.
        let resp = post_form(
            &admin,
            &profile_url,
            &[
                ("_csrf", token.as_str()),
                (
                    "profile",
                    "５，１０，１５，２０，３０，４０％，５０，６０，７０，８０，９０，１００",
                ),
                ("plan", &plan.to_string()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let row = dashboard_row(&text(&leader, &dash_url).await, scale.id);
        assert!(
            row.contains("light-green") && row.contains("40.0%"),
            "{row}"
        );
        let page = text(&admin, &settings_url).await;
        assert!(page.contains("5, 10, 15, 20, 30, 40, 50, 60, 70, 80, 90, 100"));
        // Back to linear with an empty entry.
        let resp = post_form(
            &admin,
            &profile_url,
            &[
                ("_csrf", token.as_str()),
                ("profile", ""),
                ("plan", &plan.to_string()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let row = dashboard_row(&text(&leader, &dash_url).await, scale.id);
        assert!(row.contains("light-red") && row.contains("50.0%"), "{row}");

        let log = app
            .store
            .audit_list(
                &qx_core::access::Actor::system(),
                &qx_store::audit::AuditQuery {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let actions: Vec<&str> = log.iter().map(|r| r.action.as_str()).collect();
        assert!(actions.contains(&"settings.update") && actions.contains(&"indicator.profile"));
        assert_eq!(
            log.iter()
                .filter(|r| r.action == "indicator.profile")
                .count(),
            2,
            "refused entries leave no trace"
        );
    }
}

#[tokio::test]
async fn the_office_chooses_where_an_indicator_figure_comes_from() {
    for app in all_apps().await {
        let app = &app;
        let (plan, period) = june(app).await;
        let jxj = app.units["县经信局"];
        let scale = indicator_named(app, plan, jxj, "新增规模以上企业").await;
        let settings_url = app.url(&format!("/monitor/settings?plan={plan}"));
        let source_url = app.url(&format!("/monitor/settings/indicators/{}/source", scale.id));
        let report_url = app.url(&format!("/report/{period}"));
        // The shared setup's own switches (cultivation counts back to their units) are audited
        // too: count this test's changes from here.
        let before = qx_store::testing::audit_entries(&app.store, "indicator.source")
            .await
            .unwrap()
            .len();
        let admin = app.login("admin").await;
        let page = text(&admin, &settings_url).await;
        // Publishing read 难题答复率 as automatic; the rest are reported by their units.
        assert!(page.contains("数据来源"));
        assert!(page.contains("value=\"problem_answer_rate\" selected"));
        let unit = app.login("jxj1").await;
        assert!(text(&unit, &report_url).await.contains("新增规模以上企业"));

        // Leaders may look but not change it.
        let leader = app.login("leader").await;
        let token_leader = csrf(&leader, &app.url("/monitor")).await;
        let resp = post_form(
            &leader,
            &source_url,
            &[
                ("_csrf", token_leader.as_str()),
                ("source", "problem_answer_rate"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 403);

        let token = csrf(&admin, &settings_url).await;
        let resp = post_form(
            &admin,
            &source_url,
            &[
                ("_csrf", token.as_str()),
                ("source", "made_up"),
                ("plan", &plan.to_string()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("数据来源") && body.contains("made_up") && body.contains("无效"));
        assert!(!app.store.is_auto_indicator(scale.id).await.unwrap());

        let resp = post_form(
            &admin,
            &source_url,
            &[
                ("_csrf", token.as_str()),
                ("source", "problem_answer_rate"),
                ("plan", &plan.to_string()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        assert!(app.store.is_auto_indicator(scale.id).await.unwrap());
        assert!(
            !text(&unit, &report_url).await.contains("新增规模以上企业"),
            "units are no longer asked for it"
        );
        let resp = post_form(
            &admin,
            &source_url,
            &[
                ("_csrf", token.as_str()),
                ("source", "manual"),
                ("plan", &plan.to_string()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        assert!(text(&unit, &report_url).await.contains("新增规模以上企业"));
        let log = qx_store::testing::audit_entries(&app.store, "indicator.source")
            .await
            .unwrap();
        assert_eq!(
            log.len() - before,
            2,
            "each change audited, the refused one not"
        );
    }
}

#[tokio::test]
async fn evidence_keeps_only_the_last_component_of_its_name_and_is_served_unsniffed() {
    let app = spawn_app().await;
    let (_plan, period) = june(&app).await;
    let jxj = app.units["县经信局"];
    let c = app.login("jxj1").await;
    let form_url = app.url(&format!("/report/{period}"));
    let token = csrf(&c, &form_url).await;
    let url = app.url(&format!("/report/{period}/attachments?_csrf={token}"));
    let resp = upload(&c, &url, "../../etc/passwd.pdf", pdf("evidence"), &[]).await;
    assert_eq!(resp.status(), 303, "{}", resp.text().await.unwrap());
    let resp = upload(&c, &url, "..\\..\\boot.ini.pdf", pdf("evidence"), &[]).await;
    assert_eq!(resp.status(), 303);
    let sub = app
        .store
        .latest_submission(&qx_core::access::Actor::system(), period, jxj)
        .await
        .unwrap()
        .unwrap();
    let files = app
        .store
        .report_attachments(&Actor::system(), sub.id)
        .await
        .unwrap();
    let names: Vec<&str> = files.iter().map(|a| a.file_name.as_str()).collect();
    assert_eq!(names, ["passwd.pdf", "boot.ini.pdf"]);
    let resp = c
        .get(app.url(&format!("/report/attachments/{}", files[0].id)))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let h = resp.headers();
    assert_eq!(h["content-type"], "application/pdf");
    assert_eq!(h["x-content-type-options"], "nosniff");
    assert!(
        h["content-disposition"]
            .to_str()
            .unwrap()
            .starts_with("attachment;")
    );

    // A second file in one upload is refused before anything is stored.
    let form = Form::new()
        .part("file", Part::bytes(pdf("a")).file_name("a.pdf"))
        .part("file", Part::bytes(pdf("b")).file_name("b.pdf"));
    let resp = c.post(&url).multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    assert!(
        resp.text()
            .await
            .unwrap()
            .contains("佐证材料: 每次最多上传 1 个文件")
    );
    assert_eq!(
        app.store
            .report_attachments(&Actor::system(), sub.id)
            .await
            .unwrap()
            .len(),
        2
    );
}

/// The office may not read a unit's draft. Its report page for that unit once swallowed the
/// refused read and showed an empty form it could save, which cleared the unit's figures: a
/// failed read is an error page, and the draft stays as the unit left it.
#[tokio::test]
async fn a_report_whose_figures_cannot_be_read_is_an_error_never_an_empty_form() {
    for app in all_apps().await {
        let app = &app;
        let (plan, period) = june(app).await;
        let jxj = app.units["县经信局"];
        let scale = indicator_named(app, plan, jxj, "新增规模以上企业").await;
        let unit = app.actor("jxj1").await;
        let input = qx_store::monitoring::SubmissionInput {
            values: vec![(scale.id, "13".into(), "草稿".into())],
            tasks: vec![],
        };
        let draft = app
            .store
            .save_submission(&unit, period, jxj, &input, false)
            .await
            .unwrap();

        let admin = app.login("admin").await;
        let resp = admin
            .get(app.url(&format!("/report/{period}?unit={jxj}")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 404, "an error page");
        let page = resp.text().await.unwrap();
        assert!(
            !page.contains(&format!("name=\"v_{}\"", scale.id)),
            "no editable form"
        );

        let (values, _) = app.store.submission_values(&unit, draft).await.unwrap();
        assert_eq!(values.len(), 1);
        assert_eq!(values[0].value, "13");
    }
}

/// A kind the program does not know is never read as some other kind (it would offer a
/// 序时进度 profile for a rate): the settings page answers 500.
#[tokio::test]
async fn the_settings_page_refuses_an_indicator_of_unknown_kind() {
    for app in all_apps().await {
        let app = &app;
        let (plan, _) = june(app).await;
        let jxj = app.units["县经信局"];
        let scale = indicator_named(app, plan, jxj, "新增规模以上企业").await;
        sqlx::query("UPDATE indicators SET kind = $1 WHERE id = $2")
            .bind("cumulative_tons")
            .bind(scale.id)
            .execute(app.store.pool())
            .await
            .unwrap();
        let admin = app.login("admin").await;
        let status = get_status(&admin, app.url(&format!("/monitor/settings?plan={plan}"))).await;
        assert_eq!(status, 500);
    }
}
