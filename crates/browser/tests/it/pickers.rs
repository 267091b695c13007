//! Pickers in the browser: the office files a problem for an enterprise by typing part of its
//! name (an unclear pick comes back with everything typed), hands it to a town with 协办单位
//! ticked from a filtered list, on a laptop and on a phone; an enterprise withdraws a problem
//! it no longer needs, after confirming.

use crate::harness::Journey;
use qx_store::enterprises::{NewEnterprise, insert_enterprise};

fn step(action: &str) -> String {
    format!("form[action$='/step']:has(input[name=action][value={action}])")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_office_picks_an_enterprise_and_support_units_by_typing() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let mut tx = j.app.store.begin().await.unwrap();
    insert_enterprise(
        &mut tx,
        &NewEnterprise {
            credit_code: "91330225691361058X".into(),
            name: "象山海天汽配".into(),
            town_id: Some(j.app.units["石浦镇"]),
            industry_code: None,
            scale: qx_core::scale::Scale::Above,
        },
    )
    .await
    .unwrap();
    tx.commit().await.unwrap();

    j.login("admin").await;
    j.goto("/problems/new").await;
    let form = "form[action^='/problems?']";
    j.fill(&format!("{form} input[name=enterprise]"), "海天")
        .await;
    j.choose(&format!("{form} select[name=category]"), "融资")
        .await;
    j.fill(&format!("{form} input[name=title]"), "流动资金贷款续贷")
        .await;
    j.fill(
        &format!("{form} textarea[name=description]"),
        "银行抽贷, 需协调续贷",
    )
    .await;
    j.press(form, "提交难题").await;
    // Two enterprises contain 海天: the form says so beside the field and keeps the rest.
    j.sees("有2家企业符合").await;
    j.no_console_errors_but_a_refused_form().await;
    let title = j
        .find(&format!("{form} input[name=title]"))
        .await
        .prop("value")
        .await
        .unwrap();
    assert_eq!(title.as_deref(), Some("流动资金贷款续贷"));
    let options = j
        .client
        .find_all(fantoccini::Locator::Css("#enterprise-list option"))
        .await
        .unwrap();
    assert_eq!(options.len(), 2, "the picker lists both enterprises");
    j.fill(
        &format!("{form} input[name=enterprise]"),
        "象山海天汽配 (91330225691361058X)",
    )
    .await;
    j.press(form, "提交难题").await;
    j.sees("象山海天汽配").await;
    j.sees("流动资金贷款续贷").await;
    j.no_console_errors().await;

    // 交办 to 石浦镇 with 西周镇 ticked from the filtered list of units.
    j.press(&step("accept"), "受理").await;
    let assign = step("assign");
    j.choose(&format!("{assign} select[name=tier]"), "镇乡(街道)")
        .await;
    j.choose(&format!("{assign} select[name=lead_unit_id]"), "石浦镇")
        .await;
    j.fill(&format!("{assign} [data-picker-filter]"), "西周")
        .await;
    let labels = j
        .client
        .find_all(fantoccini::Locator::Css(&format!(
            "{assign} .picker-options label"
        )))
        .await
        .unwrap();
    let mut shown = Vec::new();
    for l in &labels {
        if l.is_displayed().await.unwrap() {
            shown.push(l.text().await.unwrap());
        }
    }
    assert_eq!(
        shown,
        vec!["西周镇".to_string()],
        "the filter leaves 西周镇"
    );
    let xz = j.app.units["西周镇"];
    j.click(&format!("{assign} input[value='{xz}']")).await;
    let ticked = j
        .find(&format!("{assign} input[value='{xz}']"))
        .await
        .prop("checked")
        .await
        .unwrap();
    assert_eq!(ticked.as_deref(), Some("true"));
    j.click(&format!("{assign} button")).await;
    j.sees("西周镇").await;
    j.sees("交办").await;
    j.no_console_errors().await;

    // On a phone the picker is still a field to type in, as wide as the screen allows.
    j.client.set_window_size(390, 844).await.unwrap();
    j.goto("/problems/new").await;
    let picker = j.find(&format!("{form} input[name=enterprise]")).await;
    assert!(picker.is_displayed().await.unwrap());
    let width = j
        .client
        .execute(
            "return document.querySelector(\"input[name=enterprise]\").getBoundingClientRect().right;",
            vec![],
        )
        .await
        .unwrap();
    assert!(
        width.as_f64().unwrap_or(1e9) <= 390.0,
        "the picker fits the phone: {width}"
    );
    j.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_enterprise_withdraws_a_problem_after_confirming() {
    let Some(j) = Journey::start().await else {
        return;
    };
    j.login("qy1").await;
    j.goto("/problems/new").await;
    let form = "form[action^='/problems?']";
    j.choose(&format!("{form} select[name=category]"), "用工")
        .await;
    j.fill(&format!("{form} input[name=title]"), "招工难").await;
    j.fill(&format!("{form} textarea[name=description]"), "缺技工50人")
        .await;
    j.press(form, "提交难题").await;
    j.sees("招工难").await;
    let withdraw = step("withdraw");
    j.fill(&format!("{withdraw} input[name=reason]"), "已自行招到")
        .await;
    // The form asks first; declining keeps the problem as it was.
    j.find(&format!("{withdraw} button"))
        .await
        .click()
        .await
        .unwrap();
    let asked = j.client.get_alert_text().await.unwrap();
    assert!(asked.contains("撤回"), "{asked}");
    j.client.dismiss_alert().await.unwrap();
    assert!(!j.text().await.contains("企业已撤回"));
    j.press(&withdraw, "撤回").await;
    j.sees("企业已撤回").await;
    j.sees("已自行招到").await;
    j.finish().await;
}

/// A meeting's units are picked from a list filtered by typing, as a problem's support units
/// are (the filter was once loaded from inside the page's title, as text, and did nothing).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_meeting_s_units_are_filtered_by_typing() {
    let Some(j) = Journey::start().await else {
        return;
    };
    j.login("admin").await;
    j.goto("/meetings").await;
    j.fill("[data-picker] [data-picker-filter]", "西周").await;
    let labels = j
        .client
        .find_all(fantoccini::Locator::Css(
            "[data-picker] .picker-options label",
        ))
        .await
        .unwrap();
    assert!(labels.len() > 5, "the units to choose from");
    let mut shown = Vec::new();
    for l in &labels {
        if l.is_displayed().await.unwrap() {
            shown.push(l.text().await.unwrap());
        }
    }
    assert_eq!(shown, ["西周镇"], "the filter leaves 西周镇");
    let title = j.client.title().await.unwrap();
    assert!(!title.contains('<'), "the tab reads plain text: {title}");
    j.no_console_errors().await;
    j.finish().await;
}
