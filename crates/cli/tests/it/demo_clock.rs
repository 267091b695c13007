//! The demo clock: the 2017 demo county served with `--today 2017-12-05` lives in December 2017,
//! so November's reports (due a few working days into December) are not overdue yet; on the
//! real clock every unit that has not reported is.

use crate::common::{Server, client, text};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const PASSWORD: &str = "Demo#2017clock";

/// Serves the demo data with `extra` arguments and signs in as the office.
async fn serve_signed_in(
    dir: &std::path::Path,
    extra: &[&str],
) -> (Server, String, reqwest::Client) {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_qx"))
            .args(["serve", "--data-dir", "demo", "--listen", &listen])
            .args(extra)
            .current_dir(dir)
            .env_remove("QX_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let base = format!("http://{listen}");
    let c = client();
    let started = Instant::now();
    while !c
        .get(format!("{base}/healthz"))
        .send()
        .await
        .is_ok_and(|r| r.status() == 200)
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "qx serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let login = c
        .get(format!("{base}/login"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "name=\"_csrf\" value=\"";
    let at = login.find(marker).expect("CSRF field on the login page") + marker.len();
    let token = login[at..].split('"').next().unwrap().to_string();
    let resp = c
        .post(format!("{base}/login"))
        .form(&[
            ("_csrf", token.as_str()),
            ("username", "admin"),
            ("password", PASSWORD),
            ("next", "/"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 303, "the office signs in");
    (server, base, c)
}

/// (units that have not reported November, those of them marked overdue).
async fn november(base: &str, c: &reqwest::Client) -> (usize, usize) {
    let list = c
        .get(format!("{base}/monitor/periods"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let marker = "\">2017-11</a>";
    let end = list.find(marker).expect("a 2017-11 period");
    let id = list[..end].rsplit("/monitor/periods/").next().unwrap();
    let page = c
        .get(format!("{base}/monitor/periods/{id}"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let rows: Vec<&str> = page
        .split("<tr")
        .filter(|r| r.contains("href=\"/report/"))
        .collect();
    // No time sent: the status cell is followed by an empty time cell.
    let unreported: Vec<&&str> = rows
        .iter()
        .filter(|r| r.contains("</td><td data-label=\"时间\"></td>\n<td>"))
        .collect();
    let unreported_late = unreported
        .iter()
        .filter(|r| r.starts_with(" class=\"late\""))
        .count();
    (unreported.len(), unreported_late)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_demo_lives_on_the_day_given_with_today() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = Command::new(env!("CARGO_BIN_EXE_qx"))
        .args(["demo", "--data-dir", "demo", "--no-serve"])
        .current_dir(d)
        .env("QX_DEMO_PASSWORD", PASSWORD)
        .env_remove("QX_DATABASE_URL")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));

    let (server, base, c) = serve_signed_in(d, &[]).await;
    let (unreported, unreported_late) = november(&base, &c).await;
    drop(server);
    assert!(
        unreported > 0,
        "the demo leaves some of November unreported"
    );
    assert_eq!(
        unreported_late, unreported,
        "on the real clock every missing November report is overdue"
    );

    let (server, base, c) = serve_signed_in(d, &["--today", "2017-12-05"]).await;
    let (unreported_then, unreported_late_then) = november(&base, &c).await;
    drop(server);
    assert_eq!(unreported_then, unreported);
    assert_eq!(
        unreported_late_then, 0,
        "on 2017-12-05 November's reports are not due yet"
    );
}

#[test]
fn a_day_that_is_not_a_date_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_qx"))
        .args(["serve", "--data-dir", "data", "--today", "2017-13-05"])
        .current_dir(dir.path())
        .env_remove("QX_DATABASE_URL")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("--today"),
        "{}",
        text(&out.stderr)
    );
}
