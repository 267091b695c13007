//! Forms keep what was typed: a value the server cannot read is shown beside its field, in
//! the user's language, with everything typed still in the form; a body that fits no form is
//! refused with a page in Chinese, never serde's English.

use crate::common::{csrf, spawn_app};

#[tokio::test]
async fn a_letter_in_a_time_limit_is_shown_beside_the_field_with_what_was_typed() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/problems/settings")).await;
    let resp = admin
        .post(app.url("/problems/settings/limits"))
        .form(&[
            ("_csrf", token.as_str()),
            ("category", "land"),
            ("accept_days", "三"),
            ("answer_days", "17"),
            ("close_days", ""),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains(r#"<span class="field-error">受理: &#34;三&#34; 不是有效的数字</span>"#),
        "{page}"
    );
    assert!(page.contains(r#"<span class="field-error">请填写办结</span>"#));
    assert!(page.contains(r#"name="accept_days" min="1" max="250" value="三""#));
    assert!(page.contains(r#"name="answer_days" min="1" max="250" value="17""#));
    assert!(!page.contains("not a number") && !page.contains("invalid digit"));

    // A limit out of range is the core's message, on the form as well.
    let resp = admin
        .post(app.url("/problems/settings/limits"))
        .form(&[
            ("_csrf", token.as_str()),
            ("category", "land"),
            ("accept_days", "0"),
            ("answer_days", "17"),
            ("close_days", "30"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    assert!(page.contains(r#"value="0""#) && page.contains(r#"<p class="error">"#));
}

#[tokio::test]
async fn a_forged_body_is_refused_in_chinese_not_with_serde_text() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    let token = csrf(&admin, &app.url("/calendar")).await;
    // The calendar's delete form lacks its day: axum would answer "Failed to deserialize form
    // body". (Examples before: the problem settings' route form, which now shows a missing unit
    // beside the field, see `field_errors`; the 例会 decision form, now the meetings module's.)
    let resp = admin
        .post(app.url("/calendar/delete"))
        .form(&[("_csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 422);
    let page = resp.text().await.unwrap();
    assert!(page.contains("表单内容无法读取"), "{page}");
    assert!(!page.contains("deserialize") && !page.contains("missing field"));
}

#[tokio::test]
async fn a_hand_edited_query_is_refused_in_chinese_not_with_serde_text() {
    let app = spawn_app().await;
    let admin = app.login("admin").await;
    // A letter where the page reads a number from its link: axum would answer "Failed to
    // deserialize query string: year: invalid digit found in string".
    for path in [
        "/enterprises/scheme?year=abc",
        "/enterprises/evaluation?run=x1",
    ] {
        let resp = admin.get(app.url(path)).send().await.unwrap();
        assert_eq!(resp.status(), 422, "{path}");
        let page = resp.text().await.unwrap();
        assert!(page.contains("链接中的参数无法读取"), "{path}: {page}");
        assert!(
            !page.contains("deserialize") && !page.contains("invalid digit"),
            "{path}"
        );
    }
}
