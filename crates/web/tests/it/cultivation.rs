//! 企业培育库 over HTTP: the overview, 小升规 candidates found in the facts (a town sees its own,
//! an enterprise none), accepting one, moving an entry with the date checked on the form, the
//! list's filters and 导出/打印, the office's settings with errors beside the field, 登记入库 of a
//! household, scope on the entry page, and the enterprise card's tracks with their policy.

use crate::common;

use common::{TestApp, csrf, post_form, redirect_id, spawn_app};
use qx_core::access::{Actor, Role};
use qx_core::codes::CreditCode;
use qx_core::password::hash_password;
use qx_store::enterprises::{FactRow, Facts, RegistryRow};
use qx_store::users::NewUser;

fn code(i: u32) -> String {
    CreditCode::complete(&format!("91330225{i:08}0"))
        .unwrap()
        .as_str()
        .to_string()
}

/// 甲 (石浦镇, 1800万) approaches the line, 乙 (西周镇, 2100万) crossed it, 丙 is far below;
/// 乙 has an enterprise account `qy_yi`. Returns (甲, 乙).
async fn firms(app: &TestApp) -> (i64, i64) {
    let office = Actor::system();
    let row = |i: u32, name: &str, town: &str| RegistryRow {
        credit_code: code(i),
        name: name.into(),
        town_id: Some(app.units[town]),
        industry_code: Some("3411".into()),
        scale: qx_core::scale::Scale::Below,
        land_mu: None,
        address: String::new(),
        service_contact: String::new(),
        service_phone: String::new(),
        tags: vec![],
    };
    let rows = [
        row(1, "石浦甲机械有限公司", "石浦镇"),
        row(2, "西周乙模具有限公司", "西周镇"),
        row(3, "石浦丙五金厂", "石浦镇"),
    ];
    app.store
        .import_enterprises(&office, "名录", &rows)
        .await
        .unwrap();
    let codes = app.store.enterprise_codes().await.unwrap();
    let ids: Vec<i64> = rows.iter().map(|r| codes[&r.credit_code].0).collect();
    let facts: Vec<FactRow> = ids
        .iter()
        .zip([1800.0, 2100.0, 900.0])
        .map(|(id, rev)| FactRow {
            enterprise_id: *id,
            scale: qx_core::scale::Scale::Below,
            facts: Facts {
                revenue_wan: Some(rev),
                ..Default::default()
            },
            extras: vec![],
        })
        .collect();
    app.store
        .import_facts(&office, 2016, "2016", &facts, &[])
        .await
        .unwrap();
    app.store
        .create_user(
            &office,
            &NewUser {
                username: "qy_yi".into(),
                display_name: "乙".into(),
                role: Role::Enterprise,
                unit_id: None,
                enterprise_id: Some(ids[1]),
                phone: String::new(),
                password_hash: hash_password(common::PASSWORD).unwrap(),
            },
        )
        .await
        .unwrap();
    (ids[0], ids[1])
}

async fn text(c: &reqwest::Client, url: String) -> (u16, String) {
    let r = c.get(url).send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

#[tokio::test]
async fn candidates_moves_lists_settings_and_scope() {
    let app = spawn_app().await;
    let (jia, yi) = firms(&app).await;
    let xsg = app.store.cultivation_pipeline_by_code("xsg").await.unwrap();
    let admin = app.login("admin").await;
    let sp1 = app.login("sp1").await;
    let leader = app.login("leader").await;
    let ent = app.login("qy_yi").await;

    // The overview lists every built-in pipeline; enterprises are not shown it.
    let (status, body) = text(&admin, app.url("/cultivation")).await;
    assert_eq!(status, 200);
    for name in [
        "小升规",
        "个转企",
        "上市",
        "专精特新",
        "高新技术企业",
        "工程(技术)中心",
    ] {
        assert!(body.contains(name), "{name}");
    }
    assert_eq!(text(&ent, app.url("/cultivation")).await.0, 403);

    // Candidates: 乙 crossed (to confirm), 甲 200万 from the line; 丙 is no candidate.
    let (_, body) = text(&admin, app.url("/cultivation/candidates")).await;
    assert!(body.contains("西周乙模具有限公司") && body.contains("已达到, 待确认"));
    assert!(body.contains("石浦甲机械有限公司") && body.contains(">200<"));
    assert!(!body.contains("石浦丙五金厂"));
    let (_, body) = text(&sp1, app.url("/cultivation/candidates")).await;
    assert!(body.contains("石浦甲机械有限公司") && !body.contains("西周乙模具有限公司"));
    assert!(
        !body.contains("/cultivation/candidates/accept"),
        "a town may not accept"
    );

    // Accepting: a bad date stays on the form, in Chinese, as typed; the leader is refused.
    let token = csrf(&admin, &app.url("/cultivation/candidates")).await;
    let jia_s = jia.to_string();
    let bad = post_form(
        &admin,
        app.url("/cultivation/candidates/accept"),
        &[
            ("_csrf", token.as_str()),
            ("enterprise", jia_s.as_str()),
            ("on_date", "2017-13-01"),
        ],
    )
    .await;
    assert_eq!(bad.status(), 400);
    let body = bad.text().await.unwrap();
    assert!(
        body.contains("field-error") && body.contains("2017-13-01"),
        "{body}"
    );
    let lt = csrf(&leader, &app.url("/cultivation")).await;
    let refused = post_form(
        &leader,
        app.url("/cultivation/candidates/accept"),
        &[
            ("_csrf", lt.as_str()),
            ("enterprise", jia_s.as_str()),
            ("on_date", "2017-03-01"),
        ],
    )
    .await;
    assert_eq!(refused.status(), 403);
    let ok = post_form(
        &admin,
        app.url("/cultivation/candidates/accept"),
        &[
            ("_csrf", token.as_str()),
            ("enterprise", jia_s.as_str()),
            ("on_date", "2017-03-01"),
        ],
    )
    .await;
    assert_eq!(ok.status(), 303);
    let entry = redirect_id(&ok, "/cultivation/entries/");
    let yi_s = yi.to_string();
    let ok = post_form(
        &admin,
        app.url("/cultivation/candidates/accept"),
        &[
            ("_csrf", token.as_str()),
            ("enterprise", yi_s.as_str()),
            ("on_date", "2017-04-01"),
        ],
    )
    .await;
    let yi_entry = redirect_id(&ok, "/cultivation/entries/");

    // The entry page: the move form asks before saving; a date before the last move is
    // refused beside the date with what was typed kept; a good move enters the history.
    let page = app.url(&format!("/cultivation/entries/{entry}"));
    let (status, body) = text(&admin, page.clone()).await;
    assert_eq!(status, 200);
    assert!(body.contains("data-confirm") && body.contains("培育对象"));
    let to = xsg.stages[1].id.to_string();
    let move_url = app.url(&format!("/cultivation/entries/{entry}/move"));
    let early = post_form(
        &admin,
        move_url.clone(),
        &[
            ("_csrf", token.as_str()),
            ("kind", "advance"),
            ("to_stage", to.as_str()),
            ("on_date", "2017-02-01"),
            ("evidence", "县统计局月报"),
        ],
    )
    .await;
    assert_eq!(early.status(), 400);
    let body = early.text().await.unwrap();
    assert!(
        body.contains("不能早于上一次变动") && body.contains("县统计局月报"),
        "{body}"
    );
    let done = post_form(
        &admin,
        move_url,
        &[
            ("_csrf", token.as_str()),
            ("kind", "advance"),
            ("to_stage", to.as_str()),
            ("on_date", "2017-06-30"),
            ("evidence", "县统计局月报"),
        ],
    )
    .await;
    assert_eq!(done.status(), 303);
    let (_, body) = text(&admin, page.clone()).await;
    assert!(body.contains("晋级") && body.contains("达到规模标准") && body.contains("2017-06-30"));

    // Scope: 石浦镇 reads its firm's entry, not 西周's; the enterprise has no such page.
    assert_eq!(text(&sp1, page).await.0, 200);
    let yi_page = app.url(&format!("/cultivation/entries/{yi_entry}"));
    assert_eq!(text(&sp1, yi_page.clone()).await.0, 404);
    assert_eq!(text(&ent, yi_page).await.0, 403);

    // The list with filters, and its export and print view from the same query.
    let sp = app.units["石浦镇"];
    let list = format!("/cultivation/entries?pipeline={}&town={sp}", xsg.id);
    let (_, body) = text(&admin, app.url(&list)).await;
    assert!(body.contains("石浦甲机械有限公司") && !body.contains("西周乙模具有限公司"));
    let export = format!("/export/cultivation/entries?pipeline={}&town={sp}", xsg.id);
    let resp = admin.get(app.url(&export)).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    assert!(
        resp.headers()["content-type"]
            .to_str()
            .unwrap()
            .contains("spreadsheetml")
    );
    let (_, print) = text(&admin, app.url(&format!("{export}&print=1"))).await;
    assert!(print.contains("石浦甲机械有限公司") && !print.contains("西周乙模具有限公司"));

    // 登记入库: an unknown firm without 注册号 is refused on the form; a household enters.
    let gzq = app.store.cultivation_pipeline_by_code("gzq").await.unwrap();
    let gzq_id = gzq.id.to_string();
    let stage = gzq.stages[0].id.to_string();
    let sp_s = sp.to_string();
    let unknown = post_form(
        &admin,
        app.url("/cultivation/entries"),
        &[
            ("_csrf", token.as_str()),
            ("pipeline", gzq_id.as_str()),
            ("enterprise", "石浦老王排档"),
            ("stage", stage.as_str()),
            ("on_date", "2017-05-01"),
        ],
    )
    .await;
    assert_eq!(unknown.status(), 400);
    let body = unknown.text().await.unwrap();
    assert!(
        body.contains("名录中没有") && body.contains("石浦老王排档"),
        "{body}"
    );
    let household = post_form(
        &admin,
        app.url("/cultivation/entries"),
        &[
            ("_csrf", token.as_str()),
            ("pipeline", gzq_id.as_str()),
            ("enterprise", "石浦老王排档"),
            ("reg_no", "330225600123456"),
            ("town", sp_s.as_str()),
            ("stage", stage.as_str()),
            ("on_date", "2017-05-01"),
        ],
    )
    .await;
    assert_eq!(household.status(), 303);

    // Settings: a bad rule stays on the form beside its field; a policy saved shows on the card.
    let settings = app.url(&format!("/cultivation/pipelines/{}/settings", xsg.id));
    assert_eq!(text(&leader, settings.clone()).await.0, 403);
    let mut form: Vec<(String, String)> = vec![
        ("_csrf".into(), token.clone()),
        ("name".into(), "小升规".into()),
        ("criteria".into(), xsg.criteria.clone()),
        ("rule".into(), "利润 >= 2000".into()),
    ];
    for (i, s) in xsg.stages.iter().enumerate() {
        form.push((format!("stage_{i}_name"), s.name.clone()));
    }
    form.push(("stage_1_policy".into(), "达到规模标准奖励".into()));
    form.push(("stage_1_amount".into(), "10".into()));
    let bad = post_form(&admin, settings.clone(), &form).await;
    assert_eq!(bad.status(), 400);
    let body = bad.text().await.unwrap();
    assert!(
        body.contains("未知的指标") && body.contains("value=\"利润 &#62;= 2000\""),
        "{body}"
    );
    // The rule is written as the office says it, and shown so on the form again.
    form[3].1 = "营业收入不低于２０００万元".into();
    let saved = post_form(&admin, settings.clone(), &form).await;
    assert_eq!(saved.status(), 303);
    let (_, page) = text(&admin, settings).await;
    assert!(
        page.contains("name=\"rule\" value=\"主营业务收入 &#62;= 2000\""),
        "{page}"
    );
    let (_, card) = text(&admin, app.url(&format!("/enterprises/{jia}"))).await;
    assert!(
        card.contains("培育情况") && card.contains("达到规模标准奖励 (10 万元)"),
        "{card}"
    );
    let (_, own) = text(&ent, app.url(&format!("/enterprises/{yi}"))).await;
    assert!(own.contains("培育情况") && own.contains("小升规"));
}
