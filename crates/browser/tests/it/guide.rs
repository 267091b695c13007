//! The user guide's pictures (`docs/guide/img/`) are the demo county as it is today: a journey
//! signs in as each demo role and visits every page a chapter shows. With `QX_UPDATE_GUIDE=1`
//! it saves each page as a 1366 px wide PNG; otherwise it checks that every page still answers
//! 200 for that role, so a page renamed or closed to a role breaks the guide's test rather than
//! leaving a picture of something that is gone. A second test (no browser) checks that every
//! image the chapters show is one the journey takes, and that it is on disk.
//!
//! The demo lives on 2017-12-05 while the other journeys live on 2017-07-05, and a process has
//! one clock: the demo county is served by this test binary started again in a process of its
//! own ([`demo_county_for_the_guide`]), which the journey stops when it ends.

use crate::harness::{Journey, PASSWORD};
use std::collections::BTreeSet;
use std::io::Read;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Tells the test binary, started again, to serve the demo and where to write its port.
const DEMO_PORT_FILE: &str = "QX_GUIDE_DEMO_PORT_FILE";

/// The demo's day (as `qx demo --today 2017-12-05`).
const DEMO_TODAY: &str = "2017-12-05";

/// Picture width; the height keeps each one to what a laptop shows without scrolling.
const WIDTH: u32 = 1366;
const HEIGHT: u32 = 768;

/// What the guide shows: (demo account, page, the picture's file). A page written
/// `/list -> /prefix/` is the first record the list links to (`/prefix/<id>`), so no id of the
/// demo is written here.
const SHOTS: &[(&str, &str, &str)] = &[
    ("admin", "/", "office-home.png"),
    ("admin", "/plans", "office-plans.png"),
    ("admin", "/plans -> /plans/", "office-plan.png"),
    ("admin", "/monitor/periods", "office-periods.png"),
    ("admin", "/ -> /monitor/periods/", "office-period.png"),
    ("admin", "/monitor", "office-monitor.png"),
    ("admin", "/bulletins", "office-bulletins.png"),
    ("admin", "/problems", "office-problems.png"),
    ("admin", "/projects", "office-projects.png"),
    ("admin", "/leads", "office-leads.png"),
    ("admin", "/cultivation", "office-cultivation.png"),
    ("admin", "/meetings", "office-meetings.png"),
    ("admin", "/supervision", "office-supervision.png"),
    ("admin", "/enterprises/evaluation", "office-evaluation.png"),
    ("jxj1", "/", "unit-home.png"),
    ("jxj1", "/report", "unit-report.png"),
    ("jxj1", "/report -> /report/", "unit-report-form.png"),
    ("jxj1", "/supervision", "unit-supervision.png"),
    ("jxj1", "/problems", "unit-problems.png"),
    ("sp1", "/", "town-home.png"),
    ("sp1", "/problems -> /problems/", "town-problem.png"),
    ("qy01", "/", "enterprise-home.png"),
    ("qy01", "/problems/new", "enterprise-problem-new.png"),
    ("leader", "/", "leader-home.png"),
    ("leader", "/monitor", "leader-monitor.png"),
    ("leader", "/projects", "leader-projects.png"),
    ("admin", "/users", "admin-users.png"),
    ("admin", "/audit", "admin-audit.png"),
    ("admin", "/account", "admin-account.png"),
    ("admin", "/assessment", "office-assessment.png"),
    ("admin", "/settings/tokens", "admin-tokens.png"),
    ("admin", "/settings/webhooks", "admin-webhooks.png"),
];

fn guide_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/guide")
}

/// The images the chapters show (`](img/x.png)`), by file name.
fn images_in_chapters() -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for entry in std::fs::read_dir(guide_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "md") {
            let text = std::fs::read_to_string(&path).unwrap();
            for rest in text.split("](img/").skip(1) {
                found.insert(rest.split(')').next().unwrap_or_default().to_string());
            }
        }
    }
    found
}

#[test]
fn every_picture_in_the_guide_is_taken_by_the_journey() {
    let shown = images_in_chapters();
    let taken: BTreeSet<String> = SHOTS.iter().map(|(_, _, f)| f.to_string()).collect();
    let untaken: Vec<&String> = shown.difference(&taken).collect();
    assert!(untaken.is_empty(), "shown but never taken: {untaken:?}");
    let unshown: Vec<&String> = taken.difference(&shown).collect();
    assert!(
        unshown.is_empty(),
        "taken but shown in no chapter: {unshown:?}"
    );
    let mut total = 0;
    for file in &shown {
        let path = guide_dir().join("img").join(file);
        let bytes = std::fs::metadata(&path)
            .unwrap_or_else(|_| panic!("{} is missing: run QX_UPDATE_GUIDE=1", path.display()))
            .len();
        total += bytes;
    }
    // The pictures are compiled into the binary and kept in git: a few megabytes in all.
    assert!(total < 8 << 20, "the guide's pictures take {total} bytes");
}

/// Not a journey: serves the demo county when [`DEMO_PORT_FILE`] names where to write its
/// port (see the module's note), until the journey that started it closes its input.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_county_for_the_guide() {
    let Ok(port_file) = std::env::var(DEMO_PORT_FILE) else {
        return;
    };
    let today = qx_core::time::parse_date(DEMO_TODAY).unwrap();
    qx_core::time::set_today(today).expect("the demo's process has its own clock");
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
    let port = listener.local_addr().unwrap().port();
    let state = qx_web::AppState {
        store: db.store.clone(),
        config: Default::default(),
        picture_cache: Default::default(),
        rendered_dashboards: Default::default(),
        jobs: Default::default(),
    };
    tokio::spawn(qx_web::serve(state, listener));
    let written = format!("{port_file}.part");
    std::fs::write(&written, port.to_string()).unwrap();
    std::fs::rename(&written, &port_file).unwrap();
    // Until the journey closes our input (or ends, which closes it too).
    tokio::task::spawn_blocking(|| {
        let mut byte = [0u8; 1];
        while matches!(std::io::stdin().read(&mut byte), Ok(n) if n > 0) {}
    })
    .await
    .unwrap();
}

/// The demo county in a process of its own, stopped when dropped.
struct DemoCounty {
    child: Child,
    base: String,
    _dir: tempfile::TempDir,
}

impl DemoCounty {
    fn start() -> DemoCounty {
        let dir = tempfile::tempdir().unwrap();
        let port_file = dir.path().join("port");
        let child = Command::new(std::env::current_exe().unwrap())
            .args(["guide::demo_county_for_the_guide", "--exact", "--nocapture"])
            .env(DEMO_PORT_FILE, &port_file)
            .stdin(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("the test binary starts again");
        let mut demo = DemoCounty {
            child,
            base: String::new(),
            _dir: dir,
        };
        // Seeding a year of the county takes a while in a debug build.
        let started = Instant::now();
        let port = loop {
            if let Ok(port) = std::fs::read_to_string(&port_file) {
                break port;
            }
            if let Ok(Some(status)) = demo.child.try_wait() {
                panic!("the demo county's process ended: {status}");
            }
            assert!(
                started.elapsed() < Duration::from_secs(600),
                "the demo county was not served within ten minutes"
            );
            std::thread::sleep(Duration::from_millis(200));
        };
        demo.base = format!("http://127.0.0.1:{}", port.trim());
        demo
    }
}

impl Drop for DemoCounty {
    fn drop(&mut self) {
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The page's status for the signed-in browser, asked by the page itself.
async fn status(j: &Journey, url: &str) -> String {
    let script = "var done = arguments[arguments.length - 1]; \
        fetch(arguments[0], {credentials: 'same-origin', redirect: 'manual'}) \
          .then(function (r) { done(String(r.status)); }, function (e) { done(String(e)); });";
    j.client
        .execute_async(script, vec![url.into()])
        .await
        .unwrap()
        .as_str()
        .unwrap_or_default()
        .to_string()
}

/// The first `/prefix/<id>` link on the page the browser shows, a list's table first (a page's
/// notices may name records the reader can no longer open).
async fn first_record(j: &Journey, prefix: &str) -> String {
    let script = "var p = arguments[0]; \
        var links = Array.from(document.querySelectorAll('table a[href]')) \
          .concat(Array.from(document.querySelectorAll('a[href]'))); \
        var a = links.map(function (a) { return a.getAttribute('href'); }) \
          .find(function (h) { return h.indexOf(p) === 0 && /^[0-9]+$/.test(h.slice(p.length)); }); \
        return a || '';";
    let href = j.client.execute(script, vec![prefix.into()]).await.unwrap();
    let href = href.as_str().unwrap_or_default().to_string();
    assert!(
        !href.is_empty(),
        "no {prefix}<id> link on {}",
        j.path().await
    );
    href
}

async fn sign_in(j: &Journey, base: &str, username: &str) {
    j.client.goto(&format!("{base}/login")).await.unwrap();
    j.client.delete_all_cookies().await.unwrap();
    j.client.goto(&format!("{base}/login")).await.unwrap();
    j.fill("input[name=username]", username).await;
    j.fill("input[name=password]", PASSWORD).await;
    j.click("form[action='/login'] button").await;
    let started = Instant::now();
    while j.path().await.starts_with("/login") {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "{username} could not sign in to the demo"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_guide_pictures_are_the_demo_as_it_is() {
    let Some(j) = Journey::start().await else {
        return;
    };
    let demo = DemoCounty::start();
    let update = std::env::var("QX_UPDATE_GUIDE").is_ok_and(|v| v == "1");
    let img = guide_dir().join("img");
    j.client.set_window_size(WIDTH, HEIGHT).await.unwrap();
    let mut signed_in = "";
    let mut wrong = Vec::new();
    for (username, page, file) in SHOTS {
        if *username != signed_in {
            sign_in(&j, &demo.base, username).await;
            signed_in = username;
        }
        let path = match page.split_once(" -> ") {
            Some((list, prefix)) => {
                j.client
                    .goto(&format!("{}{list}", demo.base))
                    .await
                    .unwrap();
                first_record(&j, prefix).await
            }
            None => page.to_string(),
        };
        let url = format!("{}{path}", demo.base);
        j.client.goto(&url).await.unwrap();
        let answer = status(&j, &url).await;
        if answer != "200" {
            wrong.push(format!("{username} {path} ({file}): {answer}"));
            continue;
        }
        if update {
            // The page as a person sees it, without the scroll bar of a page longer than
            // the window.
            j.client
                .execute(
                    "document.documentElement.style.overflow = 'hidden';",
                    vec![],
                )
                .await
                .unwrap();
            let png = j.client.screenshot().await.unwrap();
            std::fs::write(img.join(file), png).unwrap();
        }
    }
    assert!(
        wrong.is_empty(),
        "pages the guide shows no longer open for their role:\n{}",
        wrong.join("\n")
    );
    j.no_console_errors().await;
    drop(demo);
    j.finish().await;
}
