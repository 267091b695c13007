//! `qx demo`, `qx migrate`, `qx user`, `qx backup` and `qx audit verify` as an operator runs them.

use crate::common;

use common::{qx, text};
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn qx_stdin(args: &[&str], dir: &Path, input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_qx"))
        .args(args)
        .current_dir(dir)
        .env_remove("QX_DATABASE_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run qx");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn operator_sets_up_an_installation_and_the_audit_chain_catches_tampering() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = qx(&["migrate", "--data-dir", "data", "--seed-registry"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(text(&out.stderr).contains("已登记"));

    let out = qx_stdin(
        &[
            "user",
            "add",
            "--data-dir",
            "data",
            "boss",
            "--name",
            "王主任",
            "--role",
            "admin",
            "--unit",
            "工业强县办",
            "--password-stdin",
        ],
        d,
        "Qiangxian#2017\n",
    );
    assert!(out.status.success(), "{}", text(&out.stderr));

    // A weak password is refused and nothing is created.
    let out = qx_stdin(
        &[
            "user",
            "add",
            "--data-dir",
            "data",
            "weak",
            "--name",
            "x",
            "--role",
            "admin",
            "--unit",
            "县经信局",
            "--password-stdin",
        ],
        d,
        "password\n",
    );
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("三类"));
    let list = text(&qx(&["user", "list", "--data-dir", "data"], d).stdout);
    assert!(list.contains("boss") && !list.contains("weak"));

    let out = qx(&["user", "lock", "--data-dir", "data", "boss"], d);
    assert!(out.status.success());
    assert!(text(&qx(&["user", "list", "--data-dir", "data"], d).stdout).contains("已锁定"));

    let out = qx(&["audit", "verify", "--data-dir", "data"], d);
    assert!(out.status.success(), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("哈希链校验通过"));

    let out = qx(&["backup", "--data-dir", "data", "--out", "copy.db"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(d.join("copy.db").exists());
    assert!(
        !qx(&["backup", "--data-dir", "data", "--out", "copy.db"], d)
            .status
            .success(),
        "never overwrites"
    );

    // Edit a row behind the application's back, as someone with file access could.
    tamper(&d.join("data/qx.db"));
    let out = qx(&["audit", "verify", "--data-dir", "data"], d);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stdout).contains("篡改"), "{}", text(&out.stdout));
}

fn tamper(db: &Path) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = qx_store::Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::raw_sql("DROP TRIGGER audit_log_no_update")
            .execute(store.pool())
            .await
            .unwrap();
        sqlx::query("UPDATE audit_log SET after_json = $1 WHERE seq = $2")
            .bind("{\"forged\":true}")
            .bind(2_i64)
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
}

#[test]
fn demo_creates_the_county_once_and_reuses_it() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = Command::new(env!("CARGO_BIN_EXE_qx"))
        .args(["demo", "--data-dir", "demo", "--no-serve"])
        .current_dir(d)
        .env("QX_DEMO_PASSWORD", "Demo#2017pass")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(
        stdout.contains("admin") && stdout.contains("Demo#2017pass"),
        "{stdout}"
    );
    let accounts = std::fs::read_to_string(d.join("demo/demo-accounts.txt")).unwrap();
    let lines = accounts.lines().filter(|l| !l.starts_with('#')).count();
    assert!(lines >= 60, "a liaison for every unit: {lines}");
    assert!(
        accounts.contains("sp1\t") && accounts.contains("jxj1\t") && accounts.contains("qy01\t")
    );

    let again = qx(&["demo", "--data-dir", "demo", "--no-serve"], d);
    assert!(again.status.success());
    assert!(text(&again.stderr).contains("使用已有演示数据"));
    let verify = qx(&["audit", "verify", "--data-dir", "demo"], d);
    assert!(verify.status.success());
}

#[test]
fn a_weak_demo_password_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_qx"))
        .args(["demo", "--data-dir", "demo", "--no-serve"])
        .current_dir(dir.path())
        .env("QX_DEMO_PASSWORD", "123")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("QX_DEMO_PASSWORD"));
}

#[test]
fn plans_are_imported_published_and_exported_from_the_command_line() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    assert!(
        qx(&["migrate", "--data-dir", "data", "--seed-registry"], d)
            .status
            .success()
    );
    std::fs::write(d.join("plan.txt"), qx_demo::plan::SEED_PLAN).unwrap();
    let out = qx(
        &[
            "plan",
            "import",
            "--data-dir",
            "data",
            "plan.txt",
            "--publish",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(
        text(&out.stderr).contains("36 个监测指标, 67 项工作任务"),
        "{}",
        text(&out.stderr)
    );
    let id = text(&out.stdout).trim().to_string();

    let out = qx(
        &[
            "plan",
            "export",
            "--data-dir",
            "data",
            &id,
            "--out",
            "plan.xlsx",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = qx(&["plan", "import", "--data-dir", "data", "plan.xlsx"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    let list = text(&qx(&["plan", "list", "--data-dir", "data"], d).stdout);
    assert!(
        list.contains("published") && list.contains("draft"),
        "{list}"
    );

    std::fs::write(d.join("junk.txt"), [0u8, 159, 146, 150, 0, 0, 1, 2]).unwrap();
    let out = qx(&["plan", "import", "--data-dir", "data", "junk.txt"], d);
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("junk.txt"));
}
