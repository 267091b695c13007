//! A run's downloads over HTTP: the office and leaders get the 考核结果通报 (.docx) and the
//! workbook of every item's score from the run's page, titled 初步 while the run is not final;
//! a unit neither sees the links nor gets the files.

use crate::common;

use common::{csrf, post_form, redirect_id, spawn_app};
use std::io::Read;

/// The text of one part of an Office file.
fn part(bytes: &[u8], name: &str) -> String {
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
    let mut xml = String::new();
    zip.by_name(name).unwrap().read_to_string(&mut xml).unwrap();
    xml
}

#[tokio::test]
async fn the_office_and_leaders_download_the_notice_and_the_workbook() {
    let app = spawn_app().await;
    app.publish_seed_plan().await;
    let office = app.login("admin").await;
    let token = csrf(&office, &app.url("/assessment")).await;
    let resp = post_form(
        &office,
        app.url("/assessment/run"),
        &[("_csrf", token.as_str()), ("period", "2017Q3")],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let run = redirect_id(&resp, "/assessment/");
    let page = office
        .get(app.url(&format!("/assessment/{run}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains(&format!("/assessment/{run}/result.docx")),
        "{page}"
    );
    assert!(page.contains(&format!("/assessment/{run}/result.xlsx")));

    for who in ["admin", "leader"] {
        let c = if who == "admin" {
            office.clone()
        } else {
            app.login(who).await
        };
        let resp = c
            .get(app.url(&format!("/assessment/{run}/result.docx")))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{who}");
        let disposition = resp.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(
            disposition.contains("%E5%88%9D%E6%AD%A5"),
            "the file name says 初步: {disposition}"
        );
        let bytes = resp.bytes().await.unwrap();
        let xml = part(&bytes, "word/document.xml");
        assert!(
            xml.contains("关于2017年第三季度工业强县考核初步结果的通报"),
            "{who}"
        );
        assert!(xml.contains("部门综合排名"));
        assert!(xml.contains("县经信局"));
        assert!(xml.contains("以终审结果为准"));
    }

    let resp = office
        .get(app.url(&format!("/assessment/{run}/result.xlsx")))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let bytes = resp.bytes().await.unwrap();
    let strings = part(&bytes, "xl/sharedStrings.xml");
    assert!(strings.contains("关于2017年第三季度工业强县考核初步结果的通报"));
    assert!(strings.contains("得分明细"));
    assert!(strings.contains("牵头指标完成情况"), "every item's source");

    // A unit: no links, no files.
    let unit = app.login("jxj1").await;
    let page = unit
        .get(app.url(&format!("/assessment/{run}")))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(!page.contains("result.docx"));
    for f in ["docx", "xlsx"] {
        let url = app.url(&format!("/assessment/{run}/result.{f}"));
        assert_eq!(common::get_status(&unit, &url).await, 403);
    }

    // Once final, the title no longer says 初步.
    let resp = post_form(
        &office,
        app.url(&format!("/assessment/{run}/finalise")),
        &[("_csrf", token.as_str())],
    )
    .await;
    assert_eq!(resp.status(), 303);
    let bytes = office
        .get(app.url(&format!("/assessment/{run}/result.docx")))
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let xml = part(&bytes, "word/document.xml");
    assert!(xml.contains("关于2017年第三季度工业强县考核结果的通报"));
    assert!(!xml.contains("初步"));
}
