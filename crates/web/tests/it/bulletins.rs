//! 快报通报 over HTTP: the office previews and publishes; leaders and units read the published
//! bulletin and download its archived files; only the office previews.

use crate::common;

use common::{csrf, get_status, spawn_app};
use qx_core::access::Actor;
use qx_core::period::Period;
use qx_store::monitoring::SubmissionInput;

#[tokio::test]
async fn the_office_previews_and_publishes_and_everyone_reads() {
    let app = spawn_app().await;
    let s = &app.store;
    let office = app.actor("admin").await;
    let plan = app.publish_seed_plan().await;
    let jxj = app.actor("jxj1").await;
    let scale = s
        .unit_indicators(
            &qx_core::access::Actor::system(),
            plan,
            jxj.unit_id.unwrap(),
        )
        .await
        .unwrap()
        .into_iter()
        .find(|i| i.name == "新增规模以上企业")
        .unwrap();
    let june = Period::new_month(2017, 6).unwrap();
    let period = s
        .open_period(&Actor::system(), plan, &june, "2017-07-07")
        .await
        .unwrap();
    let input = SubmissionInput {
        values: vec![(scale.id, "15".into(), String::new())],
        tasks: vec![],
    };
    let sub = s
        .save_submission(&jxj, period, jxj.unit_id.unwrap(), &input, true)
        .await
        .unwrap();
    s.review_submission(&office, sub, true, "").await.unwrap();

    let admin = app.login("admin").await;
    let preview = app.url("/bulletins/preview?kind=monthly&period=2017-06&issued_on=2017-07-10");
    let resp = admin.get(&preview).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let body = resp.text().await.unwrap();
    assert!(
        body.contains("关于2017年1—6月工业强县主要指标完成情况的快报"),
        "{body}"
    );
    assert!(body.contains("/bulletins/bulletin.css") && body.contains("<svg class=\"chart\""));
    let docx = admin
        .get(app.url("/bulletins/preview/file?kind=monthly&period=2017-06&format=docx"))
        .send()
        .await
        .unwrap();
    assert_eq!(docx.status(), 200);
    assert!(docx.bytes().await.unwrap().starts_with(b"PK"));
    let bad = admin
        .get(app.url("/bulletins/preview?kind=quarterly&period=2017-06"))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400, "a quarterly bulletin needs a quarter");

    // Publishing needs the CSRF token.
    let form = [
        ("plan_id", plan.to_string()),
        ("kind", "monthly".into()),
        ("period", "2017-06".into()),
        ("issued_on", "2017-07-10".into()),
    ];
    let resp = admin
        .post(app.url("/bulletins/publish"))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 403);
    let token = csrf(&admin, &preview).await;
    // A 成文日期 that does not read (an older browser's free text box) comes back beside its
    // box, as typed, with nothing published; full-width digits read.
    let mut typed = form.to_vec();
    typed[3].1 = "2017年7月10日".into();
    typed.push(("_csrf", token.clone()));
    let resp = admin
        .post(app.url("/bulletins/publish"))
        .form(&typed)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains(r#"value="2017年7月10日" aria-invalid="true"><span class="field-error">成文日期: &#34;2017年7月10日&#34; 不是有效日期"#)
            && page.contains("action=\"/bulletins/publish\""),
        "{page}"
    );
    assert!(
        s.list_bulletins(&office, plan).await.unwrap().is_empty(),
        "nothing published"
    );
    let resp = admin
        .get(app.url("/bulletins/preview?kind=monthly&period=2017-06&issued_on=7月10日"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains(r#"<span class="field-error">成文日期: &#34;7月10日&#34;"#),
        "{page}"
    );
    let mut with_token = form.to_vec();
    with_token[3].1 = "２０１７-０７-１０".into();
    with_token.push(("_csrf", token));
    let resp = admin
        .post(app.url("/bulletins/publish"))
        .form(&with_token)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    let location = resp.headers()["location"].to_str().unwrap().to_string();
    assert!(location.starts_with("/bulletins/"));
    // A second preview of the published period goes to the archive.
    let again = admin.get(&preview).send().await.unwrap();
    assert_eq!(again.status(), 303);

    // Leaders and units read; leaders do not preview.
    let leader = app.login("leader").await;
    let page = leader.get(app.url(&location)).send().await.unwrap();
    assert_eq!(page.status(), 200);
    let page = page.text().await.unwrap();
    assert!(page.contains("象工强办〔2017〕1号"));
    assert!(!page.contains("action=\"/bulletins/publish\""));
    let file = leader
        .get(app.url(&format!("{location}/file/xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(file.status(), 200);
    assert!(
        file.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("filename*=UTF-8''2017-06-")
    );
    assert_eq!(get_status(&leader, &preview).await, 403);
    let unit = app.login("xz1").await;
    let list = unit
        .get(app.url("/bulletins"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("象工强办〔2017〕1号") && !list.contains("action=\"/bulletins/preview\"")
    );
    let css = unit
        .get(app.url("/bulletins/bulletin.css"))
        .send()
        .await
        .unwrap();
    assert!(
        css.text()
            .await
            .unwrap()
            .contains("@page { size: A4; margin: 37mm 26mm 35mm 28mm; }")
    );
}
