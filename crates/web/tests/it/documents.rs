//! 公文版头 over HTTP: the office sets the 发文机关, 代字, 主送 and 抄送 once, a refused value
//! comes back beside its box as typed with nothing saved, and the next bulletin carries the
//! new header. Only the office reads or sets it.

use crate::common;

use common::{csrf, spawn_app};
use qx_core::document::DocumentHeader;

#[tokio::test]
async fn the_office_sets_the_document_header_and_the_next_bulletin_carries_it() {
    let app = spawn_app().await;
    let s = &app.store;
    let plan = app.publish_seed_plan().await;
    let admin = app.login("admin").await;
    let url = app.url("/settings/documents");
    let page = admin.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains(r#"value="象山县工业强县建设领导小组办公室""#) && page.contains("象工强办〔"),
        "{page}"
    );
    let token = csrf(&admin, &url).await;
    let form = |issuer: &str, prefix: &str| {
        vec![
            ("_csrf", token.clone()),
            ("issuer", issuer.to_string()),
            ("doc_prefix", prefix.to_string()),
            (
                "recipients",
                "各乡镇人民政府、街道办事处，县级有关部门".to_string(),
            ),
            ("copy_to", String::new()),
        ]
    };

    // A 代字 with the year typed into it comes back beside its box; what was typed stays.
    let resp = admin
        .post(&url)
        .form(&form(
            "宁海县工业强县建设领导小组办公室",
            "宁工强办〔2017〕",
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
    let page = resp.text().await.unwrap();
    assert!(
        page.contains(r#"value="宁工强办〔2017〕" aria-invalid="true"><span class="hint">"#)
            && page.contains(r#"<span class="field-error">发文机关代字: 不应含有「〔」"#)
            && page.contains(r#"value="宁海县工业强县建设领导小组办公室""#),
        "{page}"
    );
    assert_eq!(
        s.document_header().await.unwrap(),
        DocumentHeader::default(),
        "nothing saved"
    );

    // Units and leaders neither read nor set it.
    for user in ["jxj1", "leader"] {
        let c = app.login(user).await;
        assert_eq!(c.get(&url).send().await.unwrap().status(), 403, "{user}");
    }

    let resp = admin
        .post(&url)
        .form(&form(" 宁海县工业强县建设领导小组办公室 ", "宁工强办"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303);
    assert_eq!(
        resp.headers()["location"].to_str().unwrap(),
        "/settings/documents?saved=1"
    );
    let h = s.document_header().await.unwrap();
    assert_eq!(
        (h.issuer.as_str(), h.doc_prefix.as_str(), h.copy_to.as_str()),
        ("宁海县工业强县建设领导小组办公室", "宁工强办", "")
    );

    // The bulletin previewed next reads the new header.
    let preview = admin
        .get(app.url(&format!(
            "/bulletins/preview?plan_id={plan}&kind=monthly&period=2017-06&issued_on=2017-07-10"
        )))
        .send()
        .await
        .unwrap();
    assert_eq!(preview.status(), 200);
    let body = preview.text().await.unwrap();
    assert!(
        body.contains("宁海县工业强县建设领导小组办公室")
            && body.contains("宁工强办〔2017〕（预览）号")
            && !body.contains("象山县工业强县"),
        "{body}"
    );
    // The audit names what changed in words.
    let audit = admin
        .get(app.url("/audit"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(audit.contains("公文版头"), "{audit}");
}
