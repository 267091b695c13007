//! The 工作台 (home page) of every role in the demo county: each count equals the list it
//! links to, every link opens for the person, and a unit sees only its own work.

use crate::common;

use common::{sign_in, spawn_demo};

/// One section of the 工作台: its total and its lines (link, figure).
#[derive(Debug)]
struct Section {
    total: i64,
    all_href: Option<String>,
    items: Vec<(String, String)>,
}

fn between<'a>(text: &'a str, open: &str, close: &str) -> Option<&'a str> {
    let start = text.find(open)? + open.len();
    let end = text[start..].find(close)? + start;
    Some(&text[start..end])
}

fn unescape(s: &str) -> String {
    s.replace("&amp;", "&").replace("&#38;", "&")
}

fn section(page: &str, id: &str) -> Section {
    let start = page
        .find(&format!("<section class=\"card\" id=\"wb-{id}\">"))
        .unwrap_or_else(|| panic!("no section {id}"));
    let body = &page[start..start + page[start..].find("</section>").unwrap()];
    let total = between(body, "<span class=\"wb-count\">", "</span>")
        .unwrap()
        .parse()
        .unwrap();
    let all_href = between(body, "<a class=\"more\" href=\"", "\"").map(unescape);
    let items = body
        .split("<li")
        .skip(1)
        .map(|li| {
            (
                unescape(between(li, "<a href=\"", "\"").unwrap()),
                between(li, "<strong>", "</strong>")
                    .unwrap_or("")
                    .to_string(),
            )
        })
        .collect();
    Section {
        total,
        all_href,
        items,
    }
}

fn leading_number(s: &str) -> i64 {
    s.split(|c: char| !c.is_ascii_digit())
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no number in {s:?}"))
}

async fn get(c: &reqwest::Client, base: &str, path: &str) -> String {
    let resp = c.get(format!("{base}{path}")).send().await.unwrap();
    assert_eq!(resp.status(), 200, "{path}");
    resp.text().await.unwrap()
}

/// The "共 N" of a problem list page.
async fn problem_total(c: &reqwest::Client, base: &str, path: &str) -> i64 {
    let page = get(c, base, path).await;
    leading_number(between(&page, "<small>共 ", "</small>").unwrap())
}

/// Every link of the 工作台 opens for the person (nothing they may not see is offered).
/// A problem card names its first problems (up to eight), each one the list behind its link
/// holds.
async fn first_problems_are_listed(
    c: &reqwest::Client,
    base: &str,
    id: &str,
    href: &str,
    total: i64,
    items: &[(String, String)],
) {
    assert_eq!(items.len() as i64, total.min(8), "{id}: the card's lines");
    let list = get(c, base, href).await;
    for (item, _) in items {
        assert!(item.starts_with("/problems/"), "{id}: {item}");
        assert!(
            list.contains(&format!("<a href=\"{item}\"")),
            "{id}: {item} is not in {href}"
        );
    }
}

async fn every_link_opens(c: &reqwest::Client, base: &str, page: &str) {
    let desk = between(page, "<div class=\"desk\">", "</div>\n").unwrap();
    for (at, _) in desk.match_indices("href=\"/") {
        let href = unescape(between(&desk[at..], "href=\"", "\"").unwrap());
        let resp = c.get(format!("{base}{href}")).send().await.unwrap();
        // A notice's subject may be a stable address that sends on to its page
        // (`/assessment/results/{id}`): that page must open.
        if resp.status() == 303 {
            let to = resp.headers()["location"].to_str().unwrap().to_string();
            assert!(to.starts_with('/'), "{href} sends off-site to {to}");
            get(c, base, &to).await;
        } else {
            assert_eq!(resp.status(), 200, "{href}");
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_roles_workbench_counts_what_its_links_list() {
    let (base, db) = spawn_demo().await;

    // The office: reports to review and overdue, per period, as the period's page lists them.
    let office = sign_in(&base, "admin").await;
    let page = get(&office, &base, "/").await;
    assert!(page.contains("工作台"));
    // Recent activity reads as the audit page does: the action's name and the person's, no codes.
    assert!(page.contains("<td>登录</td>"), "the sign-in is named 登录");
    for code in ["login.success", "bulletin.publish", "<td>admin</td>"] {
        assert!(!page.contains(code), "the 工作台 shows the raw {code}");
    }
    every_link_opens(&office, &base, &page).await;
    let review = section(&page, "review");
    assert!(review.total > 0, "the demo's November waits for review");
    let mut sum = 0;
    for (href, count) in &review.items {
        let n = leading_number(count);
        sum += n;
        let list = get(&office, &base, href).await;
        let mut ids: Vec<&str> = list
            .match_indices("action=\"/monitor/submissions/")
            .map(|(at, _)| between(&list[at..], "submissions/", "/").unwrap())
            .collect();
        ids.dedup();
        assert_eq!(ids.len() as i64, n, "{href}");
    }
    assert_eq!(sum, review.total);
    let overdue = section(&page, "overdue");
    for (href, count) in &overdue.items {
        let list = get(&office, &base, href).await;
        let missing = leading_number(between(&list, "未报送单位: <strong>", "</strong>").unwrap());
        assert_eq!(missing, leading_number(count), "{href}");
    }
    let accept = section(&page, "accept");
    let href = accept.all_href.unwrap();
    assert_eq!(href, "/problems?status=submitted");
    assert_eq!(problem_total(&office, &base, &href).await, accept.total);
    // 退回待改派: what units handed back waits for the office to assign it again.
    let reassign = section(&page, "reassign");
    let href = reassign.all_href.unwrap();
    assert_eq!(href, "/problems?status=returned");
    assert_eq!(problem_total(&office, &base, &href).await, reassign.total);
    assert!(reassign.total > 0, "the demo has a problem handed back");
    first_problems_are_listed(
        &office,
        &base,
        "reassign",
        &href,
        reassign.total,
        &reassign.items,
    )
    .await;

    // A leader: the lights are the dashboard's rows by colour.
    let leader = sign_in(&base, "leader").await;
    let page = get(&leader, &base, "/").await;
    every_link_opens(&leader, &base, &page).await;
    let lights = section(&page, "lights");
    let dashboard = get(&leader, &base, &lights.all_href.unwrap()).await;
    let shown: Vec<i64> = lights
        .items
        .iter()
        .map(|(_, n)| leading_number(n))
        .collect();
    let rows: Vec<i64> = ["green", "yellow", "red", "grey"]
        .iter()
        .map(|l| {
            dashboard
                .matches(&format!("<tr class=\"light-{l}\">"))
                .count() as i64
        })
        .collect();
    assert_eq!(shown, rows);
    assert!(section(&page, "lagging").total > 0);
    for id in ["escalated", "overdue_problems"] {
        let s = section(&page, id);
        let href = s.all_href.unwrap();
        assert_eq!(problem_total(&leader, &base, &href).await, s.total, "{id}");
        first_problems_are_listed(&leader, &base, id, &href, s.total, &s.items).await;
    }
    // 提交工作例会: what is still open at the 例会, not every problem that ever reached it.
    let all = problem_total(&leader, &base, "/problems?tier=meeting").await;
    let mut done = 0;
    for status in ["closed", "withdrawn"] {
        done += problem_total(
            &leader,
            &base,
            &format!("/problems?tier=meeting&status={status}"),
        )
        .await;
    }
    assert!(done > 0, "the demo closes some problems at the 例会");
    let escalated = section(&page, "escalated");
    assert_eq!(escalated.total, all - done);
    let list = get(&leader, &base, &escalated.all_href.unwrap()).await;
    assert!(
        list.contains(r#"<option value="open" selected>未办结</option>"#),
        "the list behind the card says it shows the open ones"
    );

    // A town: its reports, its problems (each state's list), its notices — only its own.
    let town = sign_in(&base, "sp1").await;
    let page = get(&town, &base, "/").await;
    every_link_opens(&town, &base, &page).await;
    let problems = section(&page, "problems");
    let mut sum = 0;
    for (href, count) in problems.items.iter().filter(|(h, _)| h.contains('?')) {
        let n = leading_number(count);
        sum += n;
        assert_eq!(problem_total(&town, &base, href).await, n, "{href}");
    }
    assert_eq!(sum, problems.total);
    let overdue = section(&page, "overdue_problems");
    let href = overdue.all_href.unwrap();
    assert_eq!(problem_total(&town, &base, &href).await, overdue.total);
    // Overdue means overdue in the town's hands (交办, 办理中): what it handed back or has
    // answered waits for the office or the enterprise. The demo town has one such problem past
    // its deadline, which the card leaves out.
    assert_eq!(href, "/problems?status=handling&flag=overdue");
    let mut in_hand = 0;
    for status in ["assigned", "in_progress"] {
        in_hand += problem_total(
            &town,
            &base,
            &format!("/problems?status={status}&flag=overdue"),
        )
        .await;
    }
    assert_eq!(overdue.total, in_hand);
    assert!(
        problem_total(&town, &base, "/problems?flag=overdue").await > overdue.total,
        "the town's overdue problems waiting for others are not on its card"
    );
    let waiting = section(&page, "problems");
    assert!(
        !waiting
            .items
            .iter()
            .any(|(h, _)| h.contains("status=returned")),
        "a problem handed back is not the town's to do"
    );
    first_problems_are_listed(
        &town,
        &base,
        "overdue",
        &href,
        overdue.total,
        &overdue.items,
    )
    .await;
    let notices = section(&page, "notices");
    let list = get(&town, &base, &notices.all_href.unwrap()).await;
    assert_eq!(
        list.matches("<li class=\"unread\">").count() as i64,
        notices.total
    );
    // The card names the newest of them (each link opens: `every_link_opens` above).
    assert!(notices.total > 0, "the demo town has unread notices");
    assert_eq!(
        notices.items.len() as i64,
        notices.total.min(8),
        "the notices card's lines"
    );
    // Another town's liaison is not offered 石浦镇's problems.
    let other = sign_in(&base, "xz1").await;
    for (href, _) in problems.items.iter().filter(|(h, _)| !h.contains('?')) {
        let resp = other.get(format!("{base}{href}")).send().await.unwrap();
        assert_eq!(resp.status(), 404, "{href} is 石浦镇's");
    }

    // An enterprise: answers to rate, its open problems. The firm signed in is one with an
    // account whose answer waits for its rating (read from the store), so the card has lines.
    // The demo names the firms' accounts qy01, qy02, … in registry order.
    let mut accounts = Vec::new();
    for i in 1..=99 {
        let name = format!("qy{i:02}");
        match db.store.find_user_by_username(&name).await.unwrap() {
            Some(u) => accounts.push((u.profile.enterprise_id, name)),
            None => break,
        }
    }
    let waiting = qx_store::problems::ProblemFilter {
        status: Some(qx_core::problem::Status::Answered),
        limit: 500,
        ..Default::default()
    };
    let (waiting, _) = db
        .store
        .list_problems(
            &qx_core::access::Actor::system(),
            &waiting,
            qx_core::time::today(),
        )
        .await
        .unwrap();
    let account = waiting
        .iter()
        .find_map(|p| {
            accounts
                .iter()
                .find(|(e, _)| *e == Some(p.enterprise_id))
                .map(|(_, name)| name.clone())
        })
        .expect("a firm with an account has an answer to rate");
    let firm = sign_in(&base, &account).await;
    let page = get(&firm, &base, "/").await;
    every_link_opens(&firm, &base, &page).await;
    let rate = section(&page, "rate");
    let href = rate.all_href.unwrap();
    assert_eq!(problem_total(&firm, &base, &href).await, rate.total);
    assert!(rate.total > 0, "the demo firm has answers to rate");
    first_problems_are_listed(&firm, &base, "rate", &href, rate.total, &rate.items).await;
    // The deadline running on an answer is the office's 办结, not the firm's: the firm owes
    // only its rating, so its lines name no deadline and none is red.
    let card = &page[page.find("id=\"wb-rate\"").unwrap()..];
    let card = &card[..card.find("</section>").unwrap()];
    assert!(
        !card.contains("办理时限") && !card.contains("class=\"urgent\""),
        "{card}"
    );

    // The demo's year was seeded in a minute, but each notice carries its event's time: a
    // report's notice to the office is dated when the report was sent, a problem's when it
    // was submitted.
    let office = db
        .store
        .find_user_by_username("admin")
        .await
        .unwrap()
        .unwrap()
        .actor();
    let notices = db
        .store
        .inbox(
            &office,
            qx_store::notices::InboxQuery {
                unread: false,
                before: None,
                limit: 200,
            },
        )
        .await
        .unwrap();
    let mut checked = 0;
    for n in &notices {
        match (n.kind, n.subject) {
            (
                qx_core::notice::NoticeKind::ReportSubmitted,
                qx_core::notice::Subject::Submission(id),
            ) => {
                let sub = db.store.get_submission(&office, id).await.unwrap();
                assert_eq!(Some(n.created_at), sub.submitted_at, "notice {}", n.id);
                checked += 1;
            }
            (
                qx_core::notice::NoticeKind::ProblemSubmitted,
                qx_core::notice::Subject::Problem(id),
            ) => {
                let p = db.store.get_problem(&office, id).await.unwrap();
                assert_eq!(
                    qx_core::time::format_date(qx_core::time::date_of(n.created_at)),
                    p.problem.submitted_on,
                    "notice {}",
                    n.id
                );
                checked += 1;
            }
            _ => {}
        }
    }
    assert!(
        checked > 0,
        "the office's inbox has report and problem notices"
    );
}
