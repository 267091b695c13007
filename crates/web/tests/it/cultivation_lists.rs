//! Official lists in over HTTP: only the office opens the form; a file that cannot be read is
//! shown on the form (in Chinese, the chosen stage kept); a readable list leads to its review
//! page, where nothing is entered yet, close names wait for a choice and 确认导入 enters the
//! matched and chosen firms.

use crate::common;

use common::{TestApp, csrf, post_form, spawn_app};
use qx_core::access::Actor;
use qx_core::codes::CreditCode;
use qx_store::enterprises::RegistryRow;
use reqwest::multipart::{Form, Part};

fn code(i: u32) -> String {
    CreditCode::complete(&format!("91330225{i:08}0"))
        .unwrap()
        .as_str()
        .to_string()
}

async fn firms(app: &TestApp) -> Vec<i64> {
    let row = |i: u32, name: &str| RegistryRow {
        credit_code: code(i),
        name: name.into(),
        town_id: Some(app.units["石浦镇"]),
        industry_code: Some("3411".into()),
        scale: qx_core::scale::Scale::Above,
        land_mu: None,
        address: String::new(),
        service_contact: String::new(),
        service_phone: String::new(),
        tags: vec![],
    };
    let rows = [
        row(1, "宁波申菱电梯配件有限公司"),
        row(2, "宁波乐惠国际工程装备股份有限公司"),
    ];
    app.store
        .import_enterprises(&Actor::system(), "名录", &rows)
        .await
        .unwrap();
    let codes = app.store.enterprise_codes().await.unwrap();
    rows.iter().map(|r| codes[&r.credit_code].0).collect()
}

async fn send(
    app: &TestApp,
    c: &reqwest::Client,
    token: &str,
    stage: &str,
    on_date: &str,
    name: &str,
    bytes: Vec<u8>,
) -> reqwest::Response {
    let form = Form::new()
        .text("stage", stage.to_string())
        .text("on_date", on_date.to_string())
        .part("file", Part::bytes(bytes).file_name(name.to_string()));
    c.post(app.url(&format!("/cultivation/imports?_csrf={token}")))
        .multipart(form)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_list_is_read_reviewed_and_confirmed_on_the_page() {
    let app = spawn_app().await;
    let ids = firms(&app).await;
    let gxjs = app
        .store
        .cultivation_pipeline_by_code("gxjs")
        .await
        .unwrap();
    let stage = gxjs.stages[0].id.to_string();
    let admin = app.login("admin").await;
    let sp1 = app.login("sp1").await;
    assert_eq!(
        sp1.get(app.url("/cultivation/imports"))
            .send()
            .await
            .unwrap()
            .status(),
        403
    );
    let page = admin
        .get(app.url("/cultivation/imports"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("高新技术企业 · 认定"), "the stages to choose");
    let token = csrf(&admin, &app.url("/cultivation/imports")).await;

    // No header: the form again, 400, the message in Chinese, the stage still chosen.
    let bad = send(
        &app,
        &admin,
        &token,
        &stage,
        "2017-11-30",
        "乱码.csv",
        b"a,b\n1,2\n".to_vec(),
    )
    .await;
    assert_eq!(bad.status(), 400);
    let body = bad.text().await.unwrap();
    assert!(body.contains("前10行中找不到表头"), "{body}");
    assert!(body.contains(&format!("<option value=\"{stage}\" selected>")));
    // A date that is no date is shown beside its field.
    let bad = send(
        &app,
        &admin,
        &token,
        &stage,
        "2017-13-40",
        "x.csv",
        b"x".to_vec(),
    )
    .await;
    assert_eq!(bad.status(), 400);
    assert!(bad.text().await.unwrap().contains("field-error"));

    let csv = format!(
        "企业名称,统一社会信用代码,证书编号\n宁波申菱电梯配件有限公司,{},GR1\n乐惠国际工程装备有限公司,,GR2\n查无此企业,,GR3\n",
        code(1)
    );
    let ok = send(
        &app,
        &admin,
        &token,
        &stage,
        "2017-11-30",
        "高新名单.csv",
        csv.into_bytes(),
    )
    .await;
    assert_eq!(ok.status(), 303);
    let to = ok.headers()["location"].to_str().unwrap().to_string();
    let id: i64 = to.rsplit('/').next().unwrap().parse().unwrap();
    let review = admin
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(review.contains("请从相近的名称中选择"), "{review}");
    assert!(review.contains("name=\"choose_3\""));
    assert!(
        review.contains("第4行")
            && review.contains("企业名录中没有")
            && review.contains("查无此企业"),
        "unmatched row placed"
    );
    // Nothing entered before 确认导入.
    let list = admin
        .get(app.url(&format!("/cultivation/entries?pipeline={}", gxjs.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!list.contains("宁波申菱电梯配件有限公司"));

    let token = csrf(&admin, &app.url(&to)).await;
    let choice = ids[1].to_string();
    let done = post_form(
        &admin,
        app.url(&format!("/cultivation/imports/{id}/apply")),
        &[("_csrf", token.as_str()), ("choose_3", choice.as_str())],
    )
    .await;
    assert_eq!(done.status(), 200);
    let body = done.text().await.unwrap();
    assert!(body.contains("新入库 2"), "{body}");
    let list = admin
        .get(app.url(&format!("/cultivation/entries?pipeline={}", gxjs.id)))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        list.contains("宁波申菱电梯配件有限公司")
            && list.contains("宁波乐惠国际工程装备股份有限公司")
    );
    // The list, opened again, says what became of it and offers no second apply.
    let again = admin
        .get(app.url(&to))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(again.contains("此名单已处理: 已导入"), "{again}");
    assert!(!again.contains("<button>确认导入</button>"), "{again}");
    // A town cannot open the review page or apply.
    assert_eq!(sp1.get(app.url(&to)).send().await.unwrap().status(), 403);
}
