//! `qx serve` as an operator runs it: stopped by the service manager, started on a data
//! directory it cannot write.

use crate::common::{qx, text};
use std::io::{BufRead, BufReader, Read, Write};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Starts `qx serve` on a free port with `extra` arguments; returns the child and the address
/// it printed.
fn start_serve(dir: &Path, extra: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qx"))
        .args(["serve", "--data-dir", "data", "--listen", "127.0.0.1:0"])
        .args(extra)
        .current_dir(dir)
        .env_remove("QX_DATABASE_URL")
        .env_remove("QX_DATA_DIR")
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("start qx serve");
    let stderr = child.stderr.take().unwrap();
    let mut lines = BufReader::new(stderr).lines();
    let addr = loop {
        let line = lines.next().expect("qx serve printed its address").unwrap();
        if let Some(rest) = line.split("http://").nth(1) {
            break rest.split('/').next().unwrap().to_string();
        }
    };
    // Keep draining stderr so the server never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines.by_ref() {});
    (child, addr)
}

fn get(addr: &str, path: &str) -> String {
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out
}

fn wait_exit(child: &mut Child, within: Duration) -> Option<std::process::ExitStatus> {
    let started = Instant::now();
    while started.elapsed() < within {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    None
}

#[test]
fn sigterm_finishes_and_closes_the_database() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    assert!(qx(&["migrate", "--data-dir", "data"], d).status.success());
    let (mut child, addr) = start_serve(d, &[]);
    assert!(get(&addr, "/healthz").starts_with("HTTP/1.1 200"));
    let wal = d.join("data/qx.db-wal");
    assert!(
        wal.exists(),
        "the server writes through the write-ahead log"
    );

    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = wait_exit(&mut child, Duration::from_secs(20)).unwrap_or_else(|| {
        let _ = child.kill();
        panic!("qx serve did not stop on SIGTERM")
    });
    assert!(status.success(), "a clean stop: {status:?}");
    // Closing the last connection checkpoints the log into the database file.
    let left = std::fs::metadata(&wal).map(|m| m.len()).unwrap_or(0);
    assert_eq!(left, 0, "the write-ahead log was checkpointed on close");
}

#[test]
fn an_unwritable_data_directory_is_named_at_once() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    assert!(qx(&["migrate", "--data-dir", "data"], d).status.success());
    let data = d.join("data");
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(d, std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o555)).unwrap();
    // Root writes anywhere: run as `nobody` there, as a service account would be.
    let is_root = Command::new("id")
        .arg("-u")
        .output()
        .map(|o| text(&o.stdout).trim() == "0")
        .unwrap_or(false);
    let mut cmd = if is_root {
        let mut c = Command::new("setpriv");
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups"])
            .arg(env!("CARGO_BIN_EXE_qx"));
        c
    } else {
        Command::new(env!("CARGO_BIN_EXE_qx"))
    };
    let mut child = cmd
        .args(["serve", "--data-dir"])
        .arg(&data)
        .args(["--listen", "127.0.0.1:0"])
        .env_remove("QX_DATABASE_URL")
        .env_remove("QX_DATA_DIR")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let Some(status) = wait_exit(&mut child, Duration::from_secs(10)) else {
        let _ = child.kill();
        let _ = child.wait();
        panic!("qx serve on an unwritable directory neither refused nor stopped within 10 s");
    };
    let mut err = String::new();
    child
        .stderr
        .take()
        .unwrap()
        .read_to_string(&mut err)
        .unwrap();
    assert!(!status.success());
    assert!(err.contains("不可写"), "{err}");
    assert!(err.contains(&data.display().to_string()), "{err}");
    std::fs::set_permissions(&data, std::fs::Permissions::from_mode(0o755)).unwrap();
}

/// A failed sign-in as a browser makes it (the login form's CSRF cookie and field); the status.
fn failed_login(addr: &str) -> u16 {
    let page = get(addr, "/login");
    let cookie = page
        .lines()
        .find_map(|l| l.strip_prefix("set-cookie: qx_csrf="))
        .and_then(|v| v.split(';').next())
        .expect("the login page sets its CSRF cookie")
        .to_string();
    let body = format!("_csrf={cookie}&username=nobody&password=wrong");
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    write!(
        s,
        "POST /login HTTP/1.1\r\nHost: {addr}\r\nCookie: qx_csrf={cookie}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    out.split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn the_address_limit_is_set_on_the_command_line() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path();
    assert!(qx(&["migrate", "--data-dir", "data"], d).status.success());
    let (mut child, addr) = start_serve(d, &["--max-address-failures", "2"]);
    let statuses: Vec<u16> = (0..3).map(|_| failed_login(&addr)).collect();
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(statuses, [401, 401, 429]);
}
