//! The monthly report form keeps what was typed: numbers that do not read come back beside
//! their field, a submit with empty items lists them and asks to confirm, an evidence upload
//! saves the figures it was sent with.

use crate::common::{self, TestApp, csrf, post_form};
use qx_core::state::SubmissionStatus;
use reqwest::multipart::{Form, Part};

pub(crate) async fn all_apps() -> Vec<TestApp> {
    let mut out = Vec::new();
    for db in qx_store::testing::all().await.unwrap() {
        out.push(common::spawn_app_with(qx_web::Config::default(), db).await);
    }
    out
}

/// The seed plan published and June 2017 open: (plan, period).
pub(crate) async fn june(app: &TestApp) -> (i64, i64) {
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

/// 县经信局's indicators in the plan: (id of 新增规模以上企业, ids of the others).
async fn jxj_indicators(app: &TestApp, plan: i64) -> (i64, Vec<(i64, String)>) {
    let jxj = app.units["县经信局"];
    let all = app
        .store
        .unit_indicators(&qx_core::access::Actor::system(), plan, jxj)
        .await
        .unwrap();
    let scale = all
        .iter()
        .find(|i| i.name == "新增规模以上企业")
        .unwrap()
        .id;
    let others = all
        .into_iter()
        .filter(|i| i.id != scale)
        .map(|i| (i.id, i.name))
        .collect();
    (scale, others)
}

async fn stored_values(
    app: &TestApp,
    period: i64,
) -> Option<(SubmissionStatus, Vec<(i64, String)>)> {
    let jxj = app.units["县经信局"];
    let unit = app.actor("jxj1").await;
    let s = app
        .store
        .latest_submission(&qx_core::access::Actor::system(), period, jxj)
        .await
        .unwrap()?;
    let (values, _) = app.store.submission_values(&unit, s.id).await.unwrap();
    Some((
        s.status,
        values
            .into_iter()
            .map(|v| (v.indicator_id, v.value))
            .collect(),
    ))
}

#[tokio::test]
async fn a_figure_that_is_not_a_number_comes_back_beside_its_field_with_what_was_typed() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let (scale, others) = jxj_indicators(&app, plan).await;
        let other = others[0].0;
        let unit = app.login("jxj1").await;
        let url = app.url(&format!("/report/{period}"));
        let token = csrf(&unit, &url).await;
        for bad in ["十五家", "—", "12a"] {
            let resp = post_form(
                &unit,
                &url,
                &[
                    ("_csrf", token.as_str()),
                    (format!("v_{scale}").as_str(), bad),
                    (format!("n_{scale}").as_str(), "一月到六月"),
                    (format!("v_{other}").as_str(), "１，２３４"),
                    ("action", "save"),
                ],
            )
            .await;
            assert_eq!(resp.status(), 400, "{bad}");
            let body = resp.text().await.unwrap();
            assert!(body.contains("<form"), "the form itself, not an error page");
            assert!(
                body.contains(&format!("value=\"{bad}\"")),
                "{bad} is kept as typed"
            );
            assert!(body.contains("value=\"一月到六月\""), "the note is kept");
            assert!(
                body.contains("value=\"１，２３４\""),
                "the other figure is kept"
            );
            assert!(
                body.contains(&format!("id=\"e_{scale}\"")) && body.contains("请填写数字"),
                "the message sits beside the field"
            );
            assert!(
                !body.contains("not a number"),
                "no English in the Chinese page"
            );
            assert!(
                !body.contains(&format!("id=\"e_{other}\"")),
                "only the bad field"
            );
            assert_eq!(stored_values(&app, period).await, None, "nothing saved");
        }
        // Full-width digits, separators and a trailing % are read.
        let resp = post_form(
            &unit,
            &url,
            &[
                ("_csrf", token.as_str()),
                (format!("v_{scale}").as_str(), "１，２３４"),
                (format!("v_{other}").as_str(), "８%"),
                ("action", "save"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let (status, mut values) = stored_values(&app, period).await.unwrap();
        values.sort();
        let mut want = vec![(scale, "1234".to_string()), (other, "8".to_string())];
        want.sort();
        assert_eq!((status, values), (SubmissionStatus::Draft, want));
    }
}

#[tokio::test]
async fn submitting_with_empty_items_lists_them_and_needs_a_confirmation() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let (scale, others) = jxj_indicators(&app, plan).await;
        let unit = app.login("jxj1").await;
        let url = app.url(&format!("/report/{period}"));
        let token = csrf(&unit, &url).await;
        let field = format!("v_{scale}");
        let resp = post_form(
            &unit,
            &url,
            &[
                ("_csrf", token.as_str()),
                (field.as_str(), "15"),
                ("action", "submit"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 200);
        let body = resp.text().await.unwrap();
        assert!(body.contains("以下内容尚未填写"), "{body}");
        assert!(
            others.iter().all(|(_, name)| body.contains(name.as_str())),
            "every empty indicator is named"
        );
        assert!(body.contains("确认提交") && body.contains("confirm=1"));
        assert!(body.contains("value=\"15\""), "the figure is kept");
        // Kept as a draft, not handed in.
        assert_eq!(
            stored_values(&app, period).await,
            Some((SubmissionStatus::Draft, vec![(scale, "15".to_string())]))
        );

        // Confirmed, it goes through as it is.
        let resp = post_form(
            &unit,
            app.url(&format!("/report/{period}?confirm=1")),
            &[
                ("_csrf", token.as_str()),
                (field.as_str(), "15"),
                ("action", "submit"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        assert_eq!(
            stored_values(&app, period).await.unwrap().0,
            SubmissionStatus::Submitted
        );
    }
}

fn pdf() -> Vec<u8> {
    b"%PDF-1.4\n% evidence\n%%EOF\n".to_vec()
}

/// A scanned file over the evidence limit, chosen after typing the month's figures: the figures
/// are saved as the draft and the page says why the file was left out. It was a page of its own
/// and every figure typed since the last save was lost.
#[tokio::test]
async fn an_evidence_file_too_large_is_left_out_and_the_figures_are_saved() {
    let app = common::spawn_app().await;
    let (plan, period) = june(&app).await;
    let (scale, _) = jxj_indicators(&app, plan).await;
    let unit = app.login("jxj1").await;
    let token = csrf(&unit, &app.url(&format!("/report/{period}"))).await;
    let upload_url = app.url(&format!("/report/{period}/attachments?_csrf={token}"));
    let mut big = pdf();
    big.resize(qx_store::monitoring::MAX_REPORT_ATTACHMENT_BYTES + 1, b' ');
    let form = Form::new()
        .text(format!("v_{scale}"), "15")
        .text(format!("n_{scale}"), "扫描件见附件")
        .text("upload", "general")
        .part("file", Part::bytes(big).file_name("扫描件.pdf"));
    let resp = unit.post(&upload_url).multipart(form).send().await.unwrap();
    assert_eq!(resp.status(), 400);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("佐证材料 &#34;扫描件.pdf&#34;: 大小超过 20 MB 上限"),
        "{body}"
    );
    assert!(!body.contains("file too large"), "in Chinese only");
    assert!(body.contains("value=\"15\""), "the figure on the form");
    let (status, values) = stored_values(&app, period).await.unwrap();
    assert_eq!(
        (status, values),
        (SubmissionStatus::Draft, vec![(scale, "15".to_string())]),
        "the figure saved"
    );
    let actor = app.actor("jxj1").await;
    let sub = app
        .store
        .latest_submission(
            &qx_core::access::Actor::system(),
            period,
            app.units["县经信局"],
        )
        .await
        .unwrap()
        .unwrap();
    assert!(
        app.store
            .report_attachments(&actor, sub.id)
            .await
            .unwrap()
            .is_empty(),
        "no file stored"
    );
}

#[tokio::test]
async fn an_evidence_upload_saves_the_figures_typed_on_the_form() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let (scale, others) = jxj_indicators(&app, plan).await;
        let other = others[0].0;
        let jxj = app.units["县经信局"];
        let unit = app.login("jxj1").await;
        let token = csrf(&unit, &app.url(&format!("/report/{period}"))).await;
        let upload_url = app.url(&format!("/report/{period}/attachments?_csrf={token}"));
        let form = |figure: &str| {
            Form::new()
                .text(format!("v_{scale}"), figure.to_string())
                .text(format!("n_{scale}"), "名单见附件".to_string())
                .text(format!("v_{other}"), String::new())
                .text("upload", "general")
                .part("file", Part::bytes(pdf()).file_name("名单.pdf"))
        };
        // A figure that does not read: the form again, nothing stored, what was typed kept.
        let resp = unit
            .post(&upload_url)
            .multipart(form("十五"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("value=\"十五\"") && body.contains("value=\"名单见附件\""));
        assert_eq!(stored_values(&app, period).await, None);

        let resp = unit
            .post(&upload_url)
            .multipart(form("15"))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        let (status, values) = stored_values(&app, period).await.unwrap();
        assert_eq!(
            (status, values),
            (SubmissionStatus::Draft, vec![(scale, "15".to_string())])
        );
        let actor = app.actor("jxj1").await;
        let sub = app
            .store
            .latest_submission(&qx_core::access::Actor::system(), period, jxj)
            .await
            .unwrap()
            .unwrap();
        let files = app.store.report_attachments(&actor, sub.id).await.unwrap();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].file_name, "名单.pdf");
        let page = unit
            .get(app.url(&format!("/report/{period}?attached=1")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("value=\"15\"") && page.contains("名单.pdf"));
    }
}

#[tokio::test]
async fn a_unit_withdraws_a_submitted_report_from_its_page() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let (scale, _) = jxj_indicators(&app, plan).await;
        let unit = app.login("jxj1").await;
        let url = app.url(&format!("/report/{period}"));
        let token = csrf(&unit, &url).await;
        let field = format!("v_{scale}");
        let resp = post_form(
            &unit,
            app.url(&format!("/report/{period}?confirm=1")),
            &[
                ("_csrf", token.as_str()),
                (field.as_str(), "15"),
                ("action", "submit"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let page = unit.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(
            page.contains(&format!("/report/{period}/withdraw")) && page.contains("撤回"),
            "a submitted report offers 撤回"
        );
        let resp = post_form(
            &unit,
            app.url(&format!("/report/{period}/withdraw")),
            &[("_csrf", token.as_str())],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let (status, values) = stored_values(&app, period).await.unwrap();
        assert_eq!(
            (status, values),
            (SubmissionStatus::Draft, vec![(scale, "15".to_string())])
        );
        let page = unit
            .get(app.url(&format!("/report/{period}?withdrawn=1")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("已撤回") && page.contains("value=\"15\""));
        assert!(!page.contains(&format!("/report/{period}/withdraw")));
        // Twice is refused on the form, in Chinese.
        let resp = post_form(
            &unit,
            app.url(&format!("/report/{period}/withdraw")),
            &[("_csrf", token.as_str())],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(
            body.contains("不能撤回") || body.contains("没有可撤回"),
            "{body}"
        );
    }
}

/// 县经信局's report of 15 submitted through the store: the submission's id.
async fn jxj_submits(app: &TestApp, plan: i64, period: i64) -> i64 {
    let (scale, _) = jxj_indicators(app, plan).await;
    let input = qx_store::monitoring::SubmissionInput {
        values: vec![(scale, "15".into(), String::new())],
        tasks: vec![],
    };
    app.store
        .save_submission(
            &app.actor("jxj1").await,
            period,
            app.units["县经信局"],
            &input,
            true,
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn the_office_reviews_a_report_from_its_own_page() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let id = jxj_submits(&app, plan, period).await;
        let jxj = app.units["县经信局"];
        let admin = app.login("admin").await;
        // Where the office's notice leads: the report itself, with the review form.
        let resp = admin
            .get(app.url(&format!("/monitor/submissions/{id}/review")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303);
        let report = resp.headers()["location"].to_str().unwrap().to_string();
        assert_eq!(report, format!("/report/{period}?unit={jxj}#review"));
        let page = admin
            .get(app.url(&report))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains(&format!("action=\"/monitor/submissions/{id}/review\"")));
        assert!(page.contains("name=\"back\" value=\"report\""));
        // A unit never gets the form for its own report.
        let unit = app.login("jxj1").await;
        let own = unit
            .get(app.url(&format!("/report/{period}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(!own.contains("/review\""));

        let token = csrf(&admin, &app.url(&report)).await;
        let review = app.url(&format!("/monitor/submissions/{id}/review"));
        let period_s = period.to_string();
        // A return without a reason: said on the report page, nothing changed.
        let resp = post_form(
            &admin,
            &review,
            &[
                ("_csrf", token.as_str()),
                ("period_id", period_s.as_str()),
                ("back", "report"),
                ("decision", "return"),
                ("comment", " "),
            ],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(body.contains("退回时请写明原因") && body.contains("<form"));
        let resp = post_form(
            &admin,
            &review,
            &[
                ("_csrf", token.as_str()),
                ("period_id", period_s.as_str()),
                ("back", "report"),
                ("decision", "approve"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        assert_eq!(
            resp.headers()["location"].to_str().unwrap(),
            format!("/report/{period}?unit={jxj}&reviewed=1")
        );
        let s = app
            .store
            .latest_submission(&qx_core::access::Actor::system(), period, jxj)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.status, SubmissionStatus::Approved);
        let entries = qx_store::testing::audit_entries(&app.store, "submission.approve")
            .await
            .unwrap();
        assert_eq!(entries.len(), 1);
    }
}

#[tokio::test]
async fn the_office_approves_several_reports_at_once() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let first = jxj_submits(&app, plan, period).await;
        // A second unit with something to report, and its liaison.
        let admin_actor = app.actor("admin").await;
        let mut second = None;
        for (name, &u) in &app.units {
            if name == "县经信局" {
                continue;
            }
            let mine = app
                .store
                .unit_indicators(&qx_core::access::Actor::system(), plan, u)
                .await
                .unwrap();
            if let Some(i) = mine.first() {
                second = Some((u, i.id));
                break;
            }
        }
        let (other_unit, indicator) = second.expect("another unit reports an indicator");
        let user = qx_store::users::NewUser {
            username: "other1".into(),
            display_name: "other1".into(),
            role: qx_core::access::Role::Unit,
            unit_id: Some(other_unit),
            enterprise_id: None,
            phone: String::new(),
            password_hash: "x".into(),
        };
        let uid = app
            .store
            .create_user(&qx_core::access::Actor::system(), &user)
            .await
            .unwrap();
        let other = qx_core::access::Actor {
            user_id: uid,
            username: "other1".into(),
            role: qx_core::access::Role::Unit,
            unit_id: Some(other_unit),
            enterprise_id: None,
            ip: String::new(),
        };
        let input = qx_store::monitoring::SubmissionInput {
            values: vec![(indicator, "3".into(), String::new())],
            tasks: vec![],
        };
        let second = app
            .store
            .save_submission(&other, period, other_unit, &input, true)
            .await
            .unwrap();
        let _ = admin_actor;

        let admin = app.login("admin").await;
        let page_url = app.url(&format!("/monitor/periods/{period}"));
        let page = admin
            .get(&page_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("批量审核通过") && page.contains("data-confirm"));
        assert!(page.contains(&format!("name=\"s\" value=\"{first}\"")));
        assert!(page.contains(&format!("name=\"s\" value=\"{second}\"")));
        let token = csrf(&admin, &page_url).await;
        let batch = app.url(&format!("/monitor/periods/{period}/approve"));
        // Nothing ticked: said on the page.
        let resp = post_form(&admin, &batch, &[("_csrf", token.as_str())]).await;
        assert_eq!(resp.status(), 400);
        assert!(resp.text().await.unwrap().contains("请先勾选"));
        let (f, s) = (first.to_string(), second.to_string());
        let resp = post_form(
            &admin,
            &batch,
            &[
                ("_csrf", token.as_str()),
                ("s", f.as_str()),
                ("s", s.as_str()),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        for (unit, id) in [(app.units["县经信局"], first), (other_unit, second)] {
            let latest = app
                .store
                .latest_submission(&qx_core::access::Actor::system(), period, unit)
                .await
                .unwrap()
                .unwrap();
            assert_eq!((latest.id, latest.status), (id, SubmissionStatus::Approved));
        }
        let entries = qx_store::testing::audit_entries(&app.store, "submission.approve")
            .await
            .unwrap();
        assert_eq!(entries.len(), 2, "each approval audited");
        // Again: already approved, listed as a problem, in Chinese.
        let resp = post_form(
            &admin,
            &batch,
            &[("_csrf", token.as_str()), ("s", f.as_str())],
        )
        .await;
        assert_eq!(resp.status(), 400);
        assert!(resp.text().await.unwrap().contains("未能审核通过"));
        // Leaders and units cannot.
        let unit = app.login("jxj1").await;
        let t = csrf(&unit, &app.url("/account")).await;
        let resp = post_form(&unit, &batch, &[("_csrf", t.as_str()), ("s", f.as_str())]).await;
        assert_eq!(resp.status(), 403);
    }
}

#[tokio::test]
async fn the_history_shows_every_sending_and_what_changed() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let id = jxj_submits(&app, plan, period).await;
        let (scale, _) = jxj_indicators(&app, plan).await;
        let jxj = app.units["县经信局"];
        let office = app.actor("admin").await;
        app.store
            .review_submission(&office, id, false, "请附规上企业名单")
            .await
            .unwrap();
        let unit = app.login("jxj1").await;
        let url = app.url(&format!("/report/{period}"));
        let token = csrf(&unit, &url).await;
        let field = format!("v_{scale}");
        let resp = post_form(
            &unit,
            app.url(&format!("/report/{period}?confirm=1")),
            &[
                ("_csrf", token.as_str()),
                (field.as_str(), "16"),
                ("action", "submit"),
            ],
        )
        .await;
        assert_eq!(resp.status(), 303);
        let admin = app.login("admin").await;
        for (who, c, page_url) in [
            ("unit", &unit, url.clone()),
            (
                "office",
                &admin,
                app.url(&format!("/report/{period}?unit={jxj}")),
            ),
        ] {
            let page = c.get(&page_url).send().await.unwrap().text().await.unwrap();
            let history = &page[page
                .find("历次报送")
                .unwrap_or_else(|| panic!("{who}: no history"))..];
            assert!(
                history.contains("第2次报送") && history.contains("第1次报送"),
                "{who}"
            );
            assert!(
                history.contains("退回") && history.contains("请附规上企业名单"),
                "{who}"
            );
            assert!(
                history.contains("上次报送: 15"),
                "{who}: what changed is shown"
            );
        }
    }
}
