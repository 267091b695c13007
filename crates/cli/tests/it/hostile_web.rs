//! Every file of the hostile corpus POSTed to every upload route of a real `qx serve` process:
//! plan import, enterprise registry and facts import, a unit's report template and evidence,
//! problem attachments. Every route answers (a 4xx page naming the file wherever the file is
//! read), the server stays up, and its peak resident set stays under a ceiling.

use crate::common::{Server, client, text};
use crate::hostile_cli::{files, peak_mb};
use reqwest::multipart::{Form, Part};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The most the server may hold resident (debug build, demo county loaded) after every upload.
const CEILING_MB: u64 = 300;
const PASSWORD: &str = "Demo#2017pass";

/// The first CSRF token on a page (a form field or a multipart form's action).
async fn csrf(c: &reqwest::Client, url: &str) -> String {
    let body = c.get(url).send().await.unwrap().text().await.unwrap();
    for marker in ["name=\"_csrf\" value=\"", "_csrf="] {
        if let Some(at) = body.find(marker) {
            let rest = &body[at + marker.len()..];
            return rest.split(['"', '&']).next().unwrap().to_string();
        }
    }
    panic!("no CSRF token on {url}")
}

async fn login(base: &str, username: &str) -> (reqwest::Client, String) {
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
    assert_eq!(resp.status(), 303, "login as {username}");
    let token = csrf(&c, &format!("{base}/plans")).await;
    (c, token)
}

/// The first `/{prefix}/{id}` link on a page.
async fn first_id(c: &reqwest::Client, url: &str, prefix: &str) -> i64 {
    let body = c.get(url).send().await.unwrap().text().await.unwrap();
    let marker = format!("href=\"{prefix}");
    body.match_indices(&marker)
        .find_map(|(at, _)| {
            body[at + marker.len()..]
                .split(|c: char| !c.is_ascii_digit())
                .next()
                .and_then(|id| id.parse().ok())
        })
        .unwrap_or_else(|| panic!("no {prefix}<id> link on {url}"))
}

/// (route, who posts, path, extra form fields, whether the route reads the file or stores it
/// as it is)
type Route<'a> = (
    &'static str,
    &'a reqwest::Client,
    String,
    &'static [(&'static str, &'static str)],
    bool,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_upload_route_refuses_hostile_files_and_the_server_stays_small() {
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
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let listen = format!("127.0.0.1:{port}");
    let server = Server(
        Command::new(env!("CARGO_BIN_EXE_qx"))
            .args(["serve", "--data-dir", "demo", "--listen", &listen])
            .current_dir(d)
            .env_remove("QX_DATABASE_URL")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let pid = server.0.id();
    let base = format!("http://{listen}");
    let health = client();
    let up = async || {
        health
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
    };
    let started = Instant::now();
    while !up().await {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "qx serve did not start"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let (office, office_token) = login(&base, "admin").await;
    let (unit, unit_token) = login(&base, "jxj1").await;
    let period = first_id(&unit, &format!("{base}/report"), "/report/").await;
    let problem = first_id(&office, &format!("{base}/problems"), "/problems/").await;
    let baseline = peak_mb(pid).unwrap();

    let routes: [Route; 6] = [
        (
            "plan import",
            &office,
            format!("/plans/import?_csrf={office_token}"),
            &[],
            true,
        ),
        (
            "enterprise registry",
            &office,
            format!("/enterprises/import?_csrf={office_token}"),
            &[("kind", "registry")],
            true,
        ),
        (
            "enterprise facts",
            &office,
            format!("/enterprises/import?_csrf={office_token}"),
            &[("kind", "facts"), ("year", "2016")],
            true,
        ),
        (
            "report template",
            &unit,
            format!("/report/{period}/template?_csrf={unit_token}"),
            &[],
            true,
        ),
        (
            "report evidence",
            &unit,
            format!("/report/{period}/attachments?_csrf={unit_token}"),
            &[],
            false,
        ),
        (
            "problem attachment",
            &office,
            format!("/problems/{problem}/attachments?_csrf={office_token}"),
            &[],
            false,
        ),
    ];
    eprintln!(
        "server at rest: {baseline} MB; ceiling {CEILING_MB} MB\n{:<20} {:<20} {:>6} {:>8} {:>9}",
        "file", "route", "status", "peak MB", "ms"
    );
    for f in files() {
        for (label, c, path, fields, reads) in &routes {
            let mut form = Form::new().part(
                "file",
                Part::bytes(f.bytes.clone()).file_name(f.file_name.clone()),
            );
            for (k, v) in *fields {
                form = form.text(*k, *v);
            }
            let started = Instant::now();
            let resp = c
                .post(format!("{base}{path}"))
                .multipart(form)
                .send()
                .await
                .unwrap_or_else(|e| panic!("{} to {label}: no answer: {e}", f.id));
            let status = resp.status();
            let body = resp.text().await.unwrap();
            let took = started.elapsed();
            let peak = peak_mb(pid).expect("the server is alive");
            eprintln!(
                "{:<20} {:<20} {:>6} {:>8} {:>9.0}",
                f.id,
                label,
                status.as_u16(),
                peak,
                took.as_secs_f64() * 1e3
            );
            let place = format!("{} to {label}", f.id);
            if *reads {
                assert!(status.is_client_error(), "{place}: {status}");
                if f.refusal.is_some() {
                    assert!(
                        body.contains(&f.file_name),
                        "{place}: page does not name the file"
                    );
                }
            } else {
                // Evidence and attachments are stored as they are, never parsed: a stored copy
                // (a redirect) or a refusal by type or size are both answers.
                assert!(
                    status.is_client_error() || status.is_redirection(),
                    "{place}: {status}"
                );
            }
            assert!(peak < CEILING_MB, "{place}: server peak {peak} MB");
        }
    }
    assert!(up().await, "the server is alive after every upload");
    eprintln!(
        "server peak after all uploads: {} MB",
        peak_mb(pid).unwrap()
    );
    drop(server);
}
