//! 帮助: the user guide inside the app — each role lands on its own chapter, every chapter
//! renders in the layout, the screenshots come from the binary as images, and what is not
//! part of the guide is not found.

use crate::common::{csrf, spawn_app};
use std::path::PathBuf;

const CHAPTERS: [(&str, &str); 7] = [
    ("index", "使用指南"),
    ("office", "办公室"),
    ("unit", "责任单位"),
    ("town", "镇乡(街道)"),
    ("enterprise", "企业"),
    ("leader", "领导"),
    ("sysadmin", "系统管理员"),
];

fn guide_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/guide")
}

#[tokio::test]
async fn each_role_opens_the_chapter_for_its_work() {
    let app = spawn_app().await;
    for (username, chapter) in [
        ("admin", "/help/office"),
        ("leader", "/help/leader"),
        ("jxj1", "/help/unit"),
        ("sp1", "/help/town"),
    ] {
        let c = app.login(username).await;
        let resp = c.get(format!("{}/help", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), 303, "{username}");
        assert_eq!(
            resp.headers()["location"].to_str().unwrap(),
            chapter,
            "{username}"
        );
        // The menu of every page links to it.
        let home = c.get(format!("{}/", app.base)).send().await.unwrap();
        let home = home.text().await.unwrap();
        assert!(home.contains(r#"<a href="/help">帮助</a>"#), "{username}");
    }
}

#[tokio::test]
async fn every_chapter_renders_in_the_layout_with_its_pictures() {
    let app = spawn_app().await;
    let c = app.login("jxj1").await;
    for (slug, title) in CHAPTERS {
        let resp = c
            .get(format!("{}/help/{slug}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{slug}");
        let page = resp.text().await.unwrap();
        assert!(page.contains(&format!("<title>{title}")), "{slug}");
        assert!(
            page.contains("<header class=\"top\">"),
            "{slug}: the app's layout"
        );
        assert!(page.contains("<article class=\"guide-body\""), "{slug}");
        // Links between chapters and images point into the app, not at the files on disk.
        assert!(
            !page.contains(".md\""),
            "{slug}: a link left pointing at a file"
        );
        assert!(
            !page.contains("src=\"img/"),
            "{slug}: an image left pointing at a file"
        );
        let markdown = std::fs::read_to_string(guide_dir().join(format!("{slug}.md"))).unwrap();
        for image in markdown.split("](img/").skip(1) {
            let file = image.split(')').next().unwrap();
            assert!(
                page.contains(&format!("src=\"/help/img/{file}\"")),
                "{slug}: {file}"
            );
        }
    }
}

#[tokio::test]
async fn screenshots_are_served_from_the_binary_as_images() {
    let app = spawn_app().await;
    let c = app.login("sp1").await;
    let mut served = 0;
    for entry in std::fs::read_dir(guide_dir().join("img")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_str().unwrap().to_string();
        if !name.ends_with(".png") {
            continue;
        }
        let resp = c
            .get(format!("{}/help/img/{name}", app.base))
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 200, "{name}");
        assert_eq!(resp.headers()["content-type"], "image/png", "{name}");
        assert_eq!(
            resp.bytes().await.unwrap(),
            std::fs::read(&path).unwrap(),
            "{name}"
        );
        served += 1;
    }
    assert!(served > 0, "the guide has no screenshots");
}

#[tokio::test]
async fn what_is_not_in_the_guide_is_not_found() {
    let app = spawn_app().await;
    let c = app.login("admin").await;
    for path in [
        "/help/nothing",
        "/help/README",
        "/help/img/nothing.png",
        "/help/img/index.md",
        "/help/img/..%2Findex.md",
        "/help/img/.hidden.png",
    ] {
        let resp = c.get(format!("{}{path}", app.base)).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{path}");
    }
}

#[tokio::test]
async fn in_english_the_page_says_the_guide_is_chinese_only() {
    let app = spawn_app().await;
    let c = app.login("leader").await;
    let url = format!("{}/help/leader", app.base);
    let page = c.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(!page.contains("Chinese only"));
    let token = csrf(&c, &url).await;
    c.post(format!("{}/lang", app.base))
        .form(&[("_csrf", token.as_str()), ("lang", "en")])
        .send()
        .await
        .unwrap();
    let page = c.get(&url).send().await.unwrap().text().await.unwrap();
    assert!(
        page.contains("This guide is written in Chinese only"),
        "{page}"
    );
    assert!(page.contains(r#"<a href="/help">Help</a>"#));
}
