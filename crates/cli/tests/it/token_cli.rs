//! `qx token create|list|revoke` and `qx webhook deliver` as an operator runs them.

use crate::common::{qx, text};
use std::io::Write;
use std::process::{Command, Stdio};

fn add_user(d: &std::path::Path) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qx"))
        .args([
            "user",
            "add",
            "--data-dir",
            "data",
            "tjj-api",
            "--name",
            "统计局接口",
            "--role",
            "unit",
            "--unit",
            "县经信局",
            "--password-stdin",
        ])
        .current_dir(d)
        .env_remove("QX_DATABASE_URL")
        .env_remove("QX_DATA_DIR")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"Qiangxian#2017\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
}

#[test]
fn an_operator_issues_lists_and_revokes_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = qx(&["migrate", "--data-dir", "data", "--seed-registry"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    add_user(d);

    // A scope or a lifetime that does not parse is refused in Chinese.
    let out = qx(
        &[
            "token",
            "create",
            "--data-dir",
            "data",
            "--user",
            "tjj-api",
            "--scope",
            "admin",
        ],
        d,
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("权限"), "{}", text(&out.stderr));
    let out = qx(
        &[
            "token",
            "create",
            "--data-dir",
            "data",
            "--user",
            "tjj-api",
            "--expires",
            "3y",
        ],
        d,
    );
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("有效期"),
        "{}",
        text(&out.stderr)
    );

    let out = qx(
        &[
            "token",
            "create",
            "--data-dir",
            "data",
            "--user",
            "tjj-api",
            "--scope",
            "write",
            "--expires",
            "90d",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let secret = text(&out.stdout).trim().to_string();
    assert!(secret.starts_with("qxt_") && secret.len() == 68, "{secret}");
    assert!(text(&out.stderr).contains("只显示这一次"));

    let list = text(&qx(&["token", "list", "--data-dir", "data"], d).stdout);
    assert!(list.contains("tjj-api") && list.contains("write") && list.contains("live"));
    assert!(!list.contains(&secret), "the list never shows a secret");
    let id = list
        .lines()
        .nth(1)
        .unwrap()
        .split('\t')
        .next()
        .unwrap()
        .to_string();

    let out = qx(&["token", "revoke", "--data-dir", "data", &id], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&qx(&["token", "list", "--data-dir", "data"], d).stdout);
    assert!(list.contains("revoked"), "{list}");

    // Nothing to send: the pass says so and succeeds.
    let out = qx(&["webhook", "deliver", "--data-dir", "data"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("已送达 0"),
        "{}",
        text(&out.stderr)
    );
}
