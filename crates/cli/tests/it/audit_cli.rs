//! `qx audit key init`, `qx backup` and `qx serve` writing signed checkpoints, and
//! `qx audit verify` checking them, as an operator runs them.

use crate::common;

use common::{qx, text};
use qx_store::audit::AuditQuery;
use std::path::Path;
use std::process::{Command, Stdio};

fn code(out: &std::process::Output) -> Option<i32> {
    out.status.code()
}

fn anchored(cmd: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = cmd.iter().map(|s| s.to_string()).collect();
    args.extend(
        [
            "--audit-key",
            "keys/audit.key",
            "--audit-checkpoints",
            "log/checkpoints",
        ]
        .map(String::from),
    );
    args
}

fn run(args: &[String], d: &Path) -> std::process::Output {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    qx(&args, d)
}

#[test]
fn checkpoints_from_backups_catch_a_recomputed_history() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("log")).unwrap();
    let out = qx(&["migrate", "--data-dir", "data", "--seed-registry"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));

    // The key never goes into the data directory, and is never overwritten.
    let out = qx(
        &[
            "audit",
            "key",
            "init",
            "--data-dir",
            "data",
            "--out",
            "data/audit.key",
        ],
        d,
    );
    assert_eq!(code(&out), Some(1));
    assert!(
        text(&out.stderr).contains("数据目录"),
        "{}",
        text(&out.stderr)
    );
    assert!(!d.join("data/audit.key").exists());
    let out = qx(
        &[
            "audit",
            "key",
            "init",
            "--data-dir",
            "data",
            "--out",
            "keys/audit.key",
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let key = std::fs::read_to_string(d.join("keys/audit.key")).unwrap();
    assert_eq!(key.trim().len(), 64);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(d.join("keys/audit.key"))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let out = qx(
        &[
            "audit",
            "key",
            "init",
            "--data-dir",
            "data",
            "--out",
            "keys/audit.key",
        ],
        d,
    );
    assert_eq!(code(&out), Some(1));
    assert!(text(&out.stderr).contains("已存在"));
    assert_eq!(
        std::fs::read_to_string(d.join("keys/audit.key")).unwrap(),
        key
    );

    // Without anchors verify still checks the chain, and says what that leaves open.
    let out = qx(&["audit", "verify", "--data-dir", "data"], d);
    assert_eq!(code(&out), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains("未锚定"));

    // The backup prints its checkpoint (and appends it to the checkpoint file), which is
    // kept out of the data directory like the key.
    std::fs::create_dir(d.join("backups")).unwrap();
    let out = qx(
        &[
            "backup",
            "--data-dir",
            "data",
            "--out",
            "backups/copy.db",
            "--audit-key",
            "keys/audit.key",
            "--audit-checkpoints",
            "data/checkpoints",
        ],
        d,
    );
    assert_eq!(code(&out), Some(1));
    assert!(
        text(&out.stderr).contains("检查点文件"),
        "{}",
        text(&out.stderr)
    );
    assert!(!d.join("backups/copy.db").exists());
    let out = run(
        &anchored(&["backup", "--data-dir", "data", "--out", "backups/copy.db"]),
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let printed = text(&out.stdout);
    let backup_line = printed.trim_end();
    assert_eq!(backup_line.lines().count(), 1, "{printed}");
    let backup_seq: i64 = backup_line.split(' ').next().unwrap().parse().unwrap();
    assert!(backup_seq > 3, "{backup_line}");
    let file = std::fs::read_to_string(d.join("log/checkpoints")).unwrap();
    assert_eq!(file, format!("{backup_line}\n"));

    // More history, and a checkpoint on demand.
    let out = qx(
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
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let out = run(&anchored(&["audit", "checkpoint", "--data-dir", "data"]), d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert_eq!(
        std::fs::read_to_string(d.join("log/checkpoints"))
            .unwrap()
            .lines()
            .count(),
        2
    );

    let out = run(&anchored(&["audit", "verify", "--data-dir", "data"]), d);
    assert_eq!(code(&out), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains("检查点校验通过"),
        "{}",
        text(&out.stdout)
    );

    // The restored backup verifies against the line kept beside it.
    std::fs::write(d.join("backups/copy.checkpoint"), &printed).unwrap();
    let out = qx(
        &[
            "audit",
            "verify",
            "--database",
            "sqlite://backups/copy.db",
            "--audit-key",
            "keys/audit.key",
            "--audit-checkpoints",
            "backups/copy.checkpoint",
        ],
        d,
    );
    assert_eq!(code(&out), Some(0), "{}", text(&out.stdout));
    assert!(text(&out.stdout).contains(&format!("第 {backup_seq} 条及以前")));

    // An attacker with the database rewrites entry 3 and recomputes everything after it.
    rewrite_history(&d.join("data/qx.db"), 3);
    let out = qx(&["audit", "verify", "--data-dir", "data"], d);
    assert_eq!(
        code(&out),
        Some(0),
        "the chain alone cannot tell: {}",
        text(&out.stdout)
    );
    let out = run(&anchored(&["audit", "verify", "--data-dir", "data"]), d);
    assert_eq!(code(&out), Some(2), "{}", text(&out.stdout));
    let said = text(&out.stdout);
    assert!(
        said.contains(&format!("第 {backup_seq} 条记录与检查点第1行不符")),
        "{said}"
    );
    assert!(said.contains("篡改"), "{said}");

    // A line forged without the key.
    let forged = backup_line.replacen(
        &format!("{backup_seq} "),
        &format!("{} ", backup_seq + 1),
        1,
    );
    let mut all = std::fs::read_to_string(d.join("log/checkpoints")).unwrap();
    all.push_str(&forged);
    all.push('\n');
    std::fs::write(d.join("log/checkpoints"), all).unwrap();
    let out = run(&anchored(&["audit", "verify", "--data-dir", "data"]), d);
    assert_eq!(code(&out), Some(2));
    assert!(
        text(&out.stdout).contains("检查点第3行签名无效"),
        "{}",
        text(&out.stdout)
    );

    // Usage and file errors exit 1.
    let out = qx(
        &[
            "audit",
            "verify",
            "--data-dir",
            "data",
            "--audit-key",
            "keys/audit.key",
        ],
        d,
    );
    assert_eq!(code(&out), Some(1), "key without checkpoints");
    let out = qx(
        &[
            "audit",
            "verify",
            "--data-dir",
            "data",
            "--audit-checkpoints",
            "log/checkpoints",
        ],
        d,
    );
    assert_eq!(code(&out), Some(1), "checkpoints without key");
    let out = qx(
        &[
            "audit",
            "verify",
            "--data-dir",
            "data",
            "--audit-key",
            "keys/audit.key",
            "--audit-checkpoints",
            "log/missing",
        ],
        d,
    );
    assert_eq!(code(&out), Some(1));
    assert!(
        text(&out.stderr).contains("log/missing"),
        "{}",
        text(&out.stderr)
    );
}

/// Edits entry `seq` of the SQLite database at `db` behind the application's back (triggers
/// dropped), recomputing every later hash and the head, so the chain verifies again.
fn rewrite_history(db: &Path, seq: i64) {
    let rt = tokio::runtime::Runtime::new().unwrap();
    rt.block_on(async {
        let store = qx_store::Store::connect(&format!("sqlite://{}", db.display()))
            .await
            .unwrap();
        sqlx::raw_sql("DROP TRIGGER audit_log_no_update")
            .execute(store.pool())
            .await
            .unwrap();
        let mut entries = store
            .audit_list(&qx_core::access::Actor::system(), &AuditQuery {
                limit: 500,
                ..Default::default()
            })
            .await
            .unwrap();
        entries.reverse();
        let mut prev = String::new();
        for mut rec in entries {
            if rec.seq == seq {
                rec.after_json = Some("{\"forged\":true}".into());
            }
            if rec.seq > seq {
                rec.prev_hash = prev.clone();
            }
            if rec.seq >= seq {
                rec.hash = rec.compute_hash();
                sqlx::query(
                    "UPDATE audit_log SET after_json = $1, prev_hash = $2, hash = $3 WHERE seq = $4",
                )
                .bind(&rec.after_json)
                .bind(&rec.prev_hash)
                .bind(&rec.hash)
                .bind(rec.seq)
                .execute(store.pool())
                .await
                .unwrap();
            }
            prev = rec.hash;
        }
        sqlx::query("UPDATE audit_head SET hash = $1 WHERE id = 1")
            .bind(prev)
            .execute(store.pool())
            .await
            .unwrap();
        store.close().await;
    });
}

/// A `qx serve` child that has printed its address; killed if a test fails while it runs.
#[cfg(unix)]
struct Server {
    child: Option<std::process::Child>,
    stderr: std::io::BufReader<std::process::ChildStderr>,
}

#[cfg(unix)]
impl Server {
    fn start(d: &Path) -> Server {
        use std::io::BufRead;
        let mut child = Command::new(env!("CARGO_BIN_EXE_qx"))
            .args(anchored(&[
                "serve",
                "--data-dir",
                "data",
                "--listen",
                "127.0.0.1:0",
            ]))
            .current_dir(d)
            .env_remove("QX_DATABASE_URL")
            .env_remove("QX_DATA_DIR")
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let mut stderr = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut line = String::new();
        while !line.contains("已启动") {
            line.clear();
            assert!(stderr.read_line(&mut line).unwrap() > 0, "server exited");
        }
        // The Ctrl-C handler is installed as the server starts serving.
        std::thread::sleep(std::time::Duration::from_millis(500));
        Server {
            child: Some(child),
            stderr,
        }
    }

    /// Ctrl-C; waits for the exit and returns the rest of what it logged.
    fn interrupt(mut self) -> String {
        use std::io::Read;
        let mut child = self.child.take().unwrap();
        let kill = Command::new("kill")
            .args(["-INT", &child.id().to_string()])
            .status()
            .unwrap();
        assert!(kill.success());
        let mut rest = String::new();
        self.stderr.read_to_string(&mut rest).unwrap();
        let status = child.wait().unwrap();
        assert!(status.success(), "{status}: {rest}");
        rest
    }
}

#[cfg(unix)]
impl Drop for Server {
    fn drop(&mut self) {
        if let Some(child) = &mut self.child {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// `qx serve` signs the head when it starts (unless the file already holds it) and again when
/// it stops, so what happened while it ran is anchored.
#[cfg(unix)]
#[test]
fn serve_writes_checkpoints_at_start_and_at_shutdown() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("log")).unwrap();
    assert!(
        qx(&["migrate", "--data-dir", "data", "--seed-registry"], d)
            .status
            .success()
    );
    assert!(
        qx(
            &[
                "audit",
                "key",
                "init",
                "--data-dir",
                "data",
                "--out",
                "keys/audit.key"
            ],
            d
        )
        .status
        .success()
    );
    let checkpoints = d.join("log/checkpoints");
    let lines = || {
        std::fs::read_to_string(&checkpoints)
            .map(|t| t.lines().map(str::to_string).collect::<Vec<_>>())
            .unwrap_or_default()
    };
    let server = Server::start(d);
    let started = std::time::Instant::now();
    while lines().is_empty() {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(30),
            "no checkpoint at start"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let first = lines()[0].clone();

    // A change while it runs, then Ctrl-C.
    let out = qx(
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
        ],
        d,
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    let logged = server.interrupt();
    assert!(logged.contains("审计检查点"), "logged too: {logged}");

    let written = lines();
    assert_eq!(written.len(), 2, "{written:?}");
    assert_eq!(written[0], first);
    let seq = |l: &str| l.split(' ').next().unwrap().parse::<i64>().unwrap();
    assert!(seq(&written[1]) > seq(&first), "{written:?}");
    let out = run(&anchored(&["audit", "verify", "--data-dir", "data"]), d);
    assert_eq!(code(&out), Some(0), "{}", text(&out.stdout));
    assert!(
        text(&out.stdout).contains(&format!("第 {} 条及以前", seq(&written[1]))),
        "{}",
        text(&out.stdout)
    );

    // A restart on the same head adds nothing.
    Server::start(d).interrupt();
    assert_eq!(lines(), written);
}
