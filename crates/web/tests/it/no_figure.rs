//! 本月无数据 on 月度报送 (a mark and its reason beside the figure, checked on the form, counted
//! as answered, shown to the office), each revision of 报送版本 with only its own comment, and
//! the 导出/打印 buttons of the problems and enterprises lists.

use crate::common::{self, TestApp, csrf, post_form};
use crate::report_form::{all_apps, june};
use qx_core::access::Actor;
use qx_core::state::SubmissionStatus;

const REASON: &str = "统计口径调整，数据待统计局反馈";

/// Every field of 县经信局's report filled in, except `marked`'s figure: (the form's fields,
/// the id of the indicator left for the mark).
async fn full_report(app: &TestApp, plan: i64) -> (Vec<(String, String)>, i64) {
    let jxj = app.units["县经信局"];
    let sys = Actor::system();
    let indicators = app.store.unit_indicators(&sys, plan, jxj).await.unwrap();
    let marked = indicators
        .iter()
        .find(|i| i.name == "新增规模以上企业")
        .unwrap()
        .id;
    let mut fields: Vec<(String, String)> = indicators
        .iter()
        .filter(|i| i.id != marked)
        .map(|i| (format!("v_{}", i.id), "12".to_string()))
        .collect();
    for (t, _) in app.store.unit_tasks(&sys, plan, jxj).await.unwrap() {
        fields.push((format!("p_{}", t.id), "按计划推进".into()));
    }
    fields.push((format!("v_{marked}"), String::new()));
    (fields, marked)
}

async fn post(
    c: &reqwest::Client,
    url: &str,
    token: &str,
    fields: &[(String, String)],
    extra: &[(&str, &str)],
) -> reqwest::Response {
    let mut form: Vec<(&str, &str)> = vec![("_csrf", token)];
    form.extend(fields.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    form.extend_from_slice(extra);
    post_form(c, url, &form).await
}

#[tokio::test]
async fn a_unit_marks_an_indicator_no_figure_with_a_reason_and_the_office_sees_it() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let (fields, marked) = full_report(&app, plan).await;
        let jxj = app.units["县经信局"];
        let unit = app.login("jxj1").await;
        let url = app.url(&format!("/report/{period}"));
        let token = csrf(&unit, &url).await;
        let tick = format!("x_{marked}");
        let reason = format!("r_{marked}");

        // Ticked without a reason: the form again, the message beside the reason field,
        // everything typed kept, nothing handed in.
        let resp = post(
            &unit,
            &url,
            &token,
            &fields,
            &[(&tick, "1"), (&reason, " "), ("action", "submit")],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(
            body.contains(&format!("id=\"re_{marked}\""))
                && body.contains("请填写本月无数据的原因"),
            "the message sits beside the reason: {body}"
        );
        assert!(
            body.contains(&format!(
                "name=\"{tick}\" id=\"{tick}\" value=\"1\" checked"
            )),
            "the tick is kept"
        );
        assert!(body.contains("value=\"12\""), "the other figures are kept");
        assert!(body.contains("按计划推进"), "the progress is kept");
        let sys = Actor::system();
        assert!(
            app.store
                .latest_submission(&sys, period, jxj)
                .await
                .unwrap()
                .is_none()
        );

        // A figure and the mark: the message beside the figure.
        let mut with_figure = fields.clone();
        with_figure.retain(|(k, _)| *k != format!("v_{marked}"));
        with_figure.push((format!("v_{marked}"), "7".into()));
        let resp = post(
            &unit,
            &url,
            &token,
            &with_figure,
            &[(&tick, "1"), (&reason, REASON), ("action", "save")],
        )
        .await;
        assert_eq!(resp.status(), 400);
        let body = resp.text().await.unwrap();
        assert!(
            body.contains(&format!("id=\"e_{marked}\"")) && body.contains("不能同时勾选"),
            "{body}"
        );
        assert!(
            body.contains(&format!("value=\"{REASON}\"")),
            "the reason is kept"
        );

        // With its reason, the mark counts as answered: submitted without the list of what
        // is missing.
        let resp = post(
            &unit,
            &url,
            &token,
            &fields,
            &[(&tick, "1"), (&reason, REASON), ("action", "submit")],
        )
        .await;
        assert_eq!(resp.status(), 303, "no confirmation asked");
        let s = app
            .store
            .latest_submission(&sys, period, jxj)
            .await
            .unwrap()
            .unwrap();
        assert_eq!(s.status, SubmissionStatus::Submitted);

        // The office reads it on the review page, in 历次报送 and on the period page.
        let admin = app.login("admin").await;
        let shown = format!("本月无数据：{REASON}");
        let review = admin
            .get(app.url(&format!("/report/{period}?unit={jxj}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let sendings = review.find("历次报送").expect("history");
        assert!(
            review[..sendings].contains(&shown),
            "beside the indicator: {review}"
        );
        assert!(review[sendings..].contains(&shown), "in the sending");
        let page = admin
            .get(app.url(&format!("/monitor/periods/{period}")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            page.contains(&format!("新增规模以上企业: {shown}")),
            "{page}"
        );
        // The unit's own page shows the mark ticked, the reason kept.
        let own = unit.get(&url).send().await.unwrap().text().await.unwrap();
        assert!(own.contains(&shown), "{own}");
    }
}

#[tokio::test]
async fn each_revision_shows_only_its_own_comment() {
    for app in all_apps().await {
        let (plan, period) = june(&app).await;
        let (fields, _) = full_report(&app, plan).await;
        let jxj = app.units["县经信局"];
        let unit = app.login("jxj1").await;
        let url = app.url(&format!("/report/{period}?confirm=1"));
        let token = csrf(&unit, &app.url(&format!("/report/{period}"))).await;
        let resp = post(&unit, &url, &token, &fields, &[("action", "submit")]).await;
        assert_eq!(resp.status(), 303);
        let s = app
            .store
            .latest_submission(&Actor::system(), period, jxj)
            .await
            .unwrap()
            .unwrap();
        app.store
            .review_submission(&app.actor("admin").await, s.id, false, "请附规上企业名单")
            .await
            .unwrap();
        // Returned: its own comment is on its row.
        let admin = app.login("admin").await;
        let page_url = app.url(&format!("/report/{period}?unit={jxj}"));
        let revisions = |page: String| {
            let at = page.rfind("报送版本").expect("the revisions table");
            page[at..].to_string()
        };
        let page = admin
            .get(&page_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(revisions(page).contains("请附规上企业名单"));
        // Sent again: the row waits for review and carries no comment of the sending before
        // (历次报送 still shows that one beside its own sending).
        let resp = post(&unit, &url, &token, &fields, &[("action", "submit")]).await;
        assert_eq!(resp.status(), 303);
        let page = admin
            .get(&page_url)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("请附规上企业名单"), "kept in 历次报送");
        let table = revisions(page);
        assert!(table.contains("待审核"), "{table}");
        assert!(!table.contains("请附规上企业名单"), "{table}");
    }
}

#[tokio::test]
async fn an_approved_mark_is_no_figure_on_the_indicator_page_not_zero() {
    for app in all_apps().await {
        let (plan, june) = june(&app).await;
        let admin = app.actor("admin").await;
        let may = app
            .store
            .open_period(
                &admin,
                plan,
                &qx_core::period::Period::new_month(2017, 5).unwrap(),
                "2017-06-07",
            )
            .await
            .unwrap();
        let (_, marked) = full_report(&app, plan).await;
        let jxj = app.units["县经信局"];
        let unit = app.actor("jxj1").await;
        let figure = qx_store::monitoring::SubmissionInput {
            values: vec![(marked, "5".into(), String::new())],
            tasks: vec![],
        };
        let id = app
            .store
            .save_submission(&unit, may, jxj, &figure, true)
            .await
            .unwrap();
        app.store
            .review_submission(&admin, id, true, "")
            .await
            .unwrap();
        let mark = [qx_store::monitoring::NoFigure {
            indicator_id: marked,
            reason: REASON.into(),
        }];
        let blank = qx_store::monitoring::SubmissionInput::default();
        let id = app
            .store
            .save_report(&unit, june, jxj, &blank, &mark, true)
            .await
            .unwrap();
        app.store
            .review_submission(&admin, id, true, "")
            .await
            .unwrap();
        let leader = app.login("admin").await;
        let page = leader
            .get(app.url(&format!("/monitor/indicators/{marked}?period=2017-06")))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let shown = format!("本月无数据：{REASON}");
        let facts = &page[..page.find("</dl>").expect("facts")];
        assert!(
            facts.contains(&shown),
            "the mark beside the figure: {facts}"
        );
        // The figure (and so completion and light) is May's 5, not a zero and not 未报送.
        assert!(facts.contains("<dd>5 "), "{facts}");
        assert!(!facts.contains("未报送"), "{facts}");
        // June's row of the history says why it has no figure.
        let history = &page[page.find("</dl>").unwrap()..];
        assert!(history.contains(&shown), "{history}");
    }
}

/// The `href` of the first link on `page` whose text is `text`, unescaped.
fn link(page: &str, text: &str) -> String {
    let end = page
        .find(&format!("\">{text}</a>"))
        .unwrap_or_else(|| panic!("no {text} link: {page}"));
    let start = page[..end].rfind("href=\"").expect("href") + "href=\"".len();
    page[start..end].replace("&amp;", "&")
}

#[tokio::test]
async fn the_problems_and_enterprises_lists_offer_export_and_print_of_what_they_show() {
    let app = common::spawn_app().await;
    let admin = app.login("admin").await;
    for (list, query, export) in [
        (
            "/problems?status=received&tier=town&q=%E5%8E%82%E6%88%BF&from=2017-01-01",
            "status=received&category=&tier=town&flag=&q=%E5%8E%82%E6%88%BF&from=2017-01-01&to=",
            "/export/problems",
        ),
        (
            "/enterprises?q=%E8%B1%A1%E5%B1%B1&scale=above&industry=34",
            "q=%E8%B1%A1%E5%B1%B1&town=&industry=34&scale=above&tag=",
            "/export/enterprises",
        ),
    ] {
        let page = admin
            .get(app.url(list))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let xlsx = link(&page, "导出");
        assert_eq!(xlsx, format!("{export}?{query}"), "{list}");
        assert_eq!(link(&page, "打印"), format!("{xlsx}&print=1"), "{list}");
        for (href, kind) in [
            (xlsx.clone(), "spreadsheetml"),
            (format!("{xlsx}&print=1"), "text/html"),
        ] {
            let resp = admin.get(app.url(&href)).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{href}");
            let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
            assert!(ct.contains(kind), "{href}: {ct}");
        }
    }
}
