//! The 工作台 carries the new modules' work: a unit's open 督办 items, a leader's 包干 projects
//! and the county's red 督办 — each count the length of the list it links to.

use crate::common;

use common::{sign_in, spawn_demo};

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(&text[start..end])
}

/// A 工作台 section's total and its "open the list" link.
fn section(page: &str, id: &str) -> (i64, String, String) {
    let start = page
        .find(&format!("<section class=\"card\" id=\"wb-{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let body = &page[start..start + page[start..].find("</section>").unwrap()];
    let total = between(body, "<span class=\"wb-count\">", "</span>")
        .unwrap()
        .parse()
        .unwrap();
    let href = between(body, "<a class=\"more\" href=\"", "\"")
        .unwrap()
        .replace("&amp;", "&")
        .replace("&#38;", "&");
    (total, href, body.to_string())
}

async fn get(c: &reqwest::Client, base: &str, path: &str) -> String {
    let resp = c.get(format!("{base}{path}")).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.text().await.unwrap()
}

/// Rows of the 督办 list: each row links its item (twice: number and text), however its cells are labelled.
fn supervision_rows(list: &str) -> i64 {
    let body = between(list, "<tbody>", "</tbody>").unwrap();
    body.split("<tr")
        .filter(|row| row.contains("<a href=\"/supervision/"))
        .count() as i64
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_workbench_lists_supervision_and_a_leaders_projects() {
    let (base, _db) = spawn_demo().await;

    // A leader: the projects they are 包干 for, as the project list filtered on them shows.
    let leader = sign_in(&base, "leader").await;
    let page = get(&leader, &base, "/").await;
    let (mine, href, body) = section(&page, "my_projects");
    assert!(mine > 0, "the demo leader is 包干 for projects");
    assert!(href.starts_with("/projects?leader="), "{href}");
    let list = get(&leader, &base, &href).await;
    let shown: i64 = between(&list, "<small>共 ", "</small>")
        .unwrap()
        .trim()
        .parse()
        .unwrap();
    assert_eq!(shown, mine);
    assert!(
        body.contains("href=\"/projects/"),
        "its projects are linked"
    );
    // Red 督办 county-wide, as the 督办 list filtered on red shows.
    let (red, href, body) = section(&page, "red_supervision");
    assert!(red > 0, "the demo has late 督办 items");
    let list = get(&leader, &base, &href).await;
    assert_eq!(supervision_rows(&list), red);
    // The card names the first of them, each one the list holds.
    let named: Vec<&str> = body
        .match_indices("href=\"/supervision/")
        .map(|(at, _)| between(&body[at..], "href=\"", "\"").unwrap())
        .collect();
    assert_eq!(named.len() as i64, red.min(8), "the red 督办 card's lines");
    for item in named {
        assert!(
            list.contains(&format!("\"{item}\"")),
            "{item} is not in {href}"
        );
    }

    // A unit with 督办 items: its open ones, as its 督办 list shows them, each opening.
    let office = sign_in(&base, "admin").await;
    let all = get(&office, &base, "/supervision?open=1").await;
    assert!(supervision_rows(&all) > 0, "the demo has open 督办 items");
    let mut checked = 0;
    for user in ["jxj1", "sp1"] {
        let c = sign_in(&base, user).await;
        let page = get(&c, &base, "/").await;
        let (total, href, body) = section(&page, "supervision");
        assert_eq!(
            supervision_rows(&get(&c, &base, &href).await),
            total,
            "{user}"
        );
        for (at, _) in body.match_indices("<a href=\"/supervision/") {
            let item = between(&body[at..], "<a href=\"", "\"").unwrap();
            get(&c, &base, item).await;
            checked += 1;
        }
    }
    assert!(checked > 0, "some unit's 工作台 lists a 督办 item");
    // 县经信局 supports decisions others lead: a card of its own, counting what it links to.
    let jxj1 = sign_in(&base, "jxj1").await;
    let page = get(&jxj1, &base, "/").await;
    let (total, href, body) = section(&page, "supported_supervision");
    assert!(total > 0, "the demo's 县经信局 supports open 督办 items");
    assert_eq!(href, "/supervision?open=1&part=support");
    let list = get(&jxj1, &base, &href).await;
    assert_eq!(supervision_rows(&list), total);
    assert!(list.contains("本单位配合"));
    assert!(body.contains("<a href=\"/supervision/"), "{body}");
}
