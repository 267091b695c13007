//! The English UI: each role's 工作台 in English (the account's language set to English by the
//! 中文/English switch) has no Chinese in its headings, buttons or table headers; data (unit
//! and enterprise names, titles) may stay as entered.

use crate::common::{PASSWORD, client, csrf};
use std::sync::Arc;

fn has_cjk(s: &str) -> bool {
    s.chars()
        .any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3000}'..='\u{303f}').contains(&c))
}

/// The text of every `<tag …>…</tag>` of the page, tags inside taken out.
fn texts(page: &str, tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let open = format!("<{tag}");
    let close = format!("</{tag}>");
    let mut rest = page;
    while let Some(at) = rest.find(&open) {
        let after = &rest[at + open.len()..];
        // `<th` must not match `<thead`.
        if !after.starts_with(['>', ' ']) {
            rest = after;
            continue;
        }
        let Some(end) = after.find(&close) else { break };
        let inner = &after[after.find('>').map_or(0, |i| i + 1)..end];
        let mut text = String::new();
        let mut in_tag = false;
        for c in inner.chars() {
            match c {
                '<' => in_tag = true,
                '>' => in_tag = false,
                c if !in_tag => text.push(c),
                _ => {}
            }
        }
        out.push(text.trim().to_string());
        rest = &after[end..];
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_roles_workbench_reads_in_english() {
    let db = qx_store::testing::sqlite().await.unwrap();
    qx_demo::seed(
        &db.store,
        &qx_demo::DemoOptions {
            seed: 2017,
            password: Some(PASSWORD.to_string()),
        },
    )
    .await
    .unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let state = qx_web::AppState {
        store: db.store.clone(),
        config: Arc::new(qx_web::Config::default()),
        picture_cache: Default::default(),
        rendered_dashboards: Default::default(),
        jobs: Default::default(),
    };
    tokio::spawn(qx_web::serve(state, listener));

    let mut found = Vec::new();
    for username in ["admin", "leader", "sp1", "qy01"] {
        let c = client();
        let token = csrf(&c, &format!("{base}/login")).await;
        let resp = c
            .post(format!("{base}/login"))
            .form(&[
                ("_csrf", token.as_str()),
                ("username", username),
                ("password", PASSWORD),
                ("next", "/"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(resp.status(), 303, "sign in as {username}");
        let token = csrf(&c, &format!("{base}/")).await;
        c.post(format!("{base}/lang"))
            .form(&[("_csrf", token.as_str()), ("lang", "en")])
            .send()
            .await
            .unwrap();
        // What the account's data says (names as entered) is not the UI's to translate.
        let user = db
            .store
            .find_user_by_username(username)
            .await
            .unwrap()
            .unwrap();
        let mut data = vec![user.profile.display_name.clone()];
        let units = db.store.list_units().await.unwrap();
        data.extend(
            units
                .iter()
                .filter(|u| Some(u.id) == user.profile.unit_id)
                .map(|u| u.name.clone()),
        );
        if let Some(e) = user.profile.enterprise_id {
            data.extend(
                db.store
                    .list_enterprises(&qx_core::access::Actor::system())
                    .await
                    .unwrap()
                    .into_iter()
                    .filter(|x| x.id == e)
                    .map(|x| x.name),
            );
        }
        for path in [
            "/",
            "/notices",
            "/report",
            "/monitor",
            "/enterprises/evaluation",
        ] {
            let resp = c.get(format!("{base}{path}")).send().await.unwrap();
            if resp.status() != 200 {
                // Not this role's page (the report form is the units' and firms').
                continue;
            }
            let page = resp.text().await.unwrap();
            assert!(page.contains("lang=\"en\""), "{username} {path}");
            if path == "/enterprises/evaluation" && username == "admin" {
                // The low-efficiency lines' thresholds name the scales and the unit in English.
                assert!(
                    page.contains("Above designated size &#60; 6")
                        && page.contains("10k yuan per mu"),
                    "{page}"
                );
            }
            if path == "/" && username == "sp1" {
                // A page a handler refuses (a plan that is not there) is in English too, under
                // the reader's own menu.
                let resp = c.get(format!("{base}/plans/9999")).send().await.unwrap();
                assert_eq!(resp.status(), 404);
                let missing = resp.text().await.unwrap();
                assert!(
                    missing.contains("lang=\"en\"") && missing.contains("Not found"),
                    "{missing}"
                );
                assert!(missing.contains("action=\"/logout\""), "{missing}");
                // (What is missing is named as the store names it: "工作方案 9999".)
                assert!(missing.contains("<p>Not found: "), "{missing}");
            }
            if path == "/monitor" && username == "admin" {
                // The months of the year to date, in English.
                assert!(page.contains(">Jan–Jun</option>"), "{page}");
            }
            for tag in ["h1", "h2", "h3", "th", "button", "title"] {
                for text in texts(&page, tag) {
                    // The switch back names its language in that language.
                    if tag == "button" && text == "中文" {
                        continue;
                    }
                    let ui = data
                        .iter()
                        .fold(text.clone(), |t, d| t.replace(d.as_str(), ""));
                    if has_cjk(&ui) {
                        found.push(format!("{username} {path} <{tag}> {text}"));
                    }
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "Chinese in the English UI:\n{}",
        found.join("\n")
    );
}
