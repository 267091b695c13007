//! Every audit action the program writes has a name in `qx_core::audit`, so the audit page
//! never shows 其他操作 for a record this program made.

use std::path::{Path, PathBuf};

use qx_core::access::Actor;
use qx_core::audit::{AuditAction, entity_label};
use qx_core::label::Lang;
use qx_store::testing::{self, TestDb};

use crate::submissions::{county, figures};

/// Codes built at run time rather than spelled at the write (the source scan below cannot
/// see them): the submission steps, lock/unlock, and the problem steps.
const COMPUTED_ACTIONS: &[&str] = &[
    "submission.save",
    "submission.submit",
    "submission.approve",
    "submission.return",
    "user.lock",
    "user.unlock",
];

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// The first three top-level arguments of a call whose `(` was just consumed.
fn call_args(text: &str) -> Vec<String> {
    let (mut depth, mut in_str, mut args, mut cur) = (0i32, false, Vec::new(), String::new());
    let mut prev = ' ';
    for c in text.chars() {
        if in_str {
            cur.push(c);
            if c == '"' && prev != '\\' {
                in_str = false;
            }
        } else {
            match c {
                '"' => {
                    in_str = true;
                    cur.push(c);
                }
                '(' | '[' | '{' => {
                    depth += 1;
                    cur.push(c);
                }
                ')' | ']' | '}' if depth == 0 => break,
                ')' | ']' | '}' => {
                    depth -= 1;
                    cur.push(c);
                }
                ',' if depth == 0 => {
                    args.push(cur.trim().to_string());
                    cur.clear();
                    if args.len() == 3 {
                        return args;
                    }
                }
                _ => cur.push(c),
            }
        }
        prev = c;
    }
    args.push(cur.trim().to_string());
    args
}

fn literal(arg: &str) -> Option<&str> {
    arg.strip_prefix('"')?.strip_suffix('"')
}

/// Every `AuditEntry::new(actor, "code", "entity", …)` in the program's crates: the codes
/// spelled at the write, with the file they are in.
fn written_codes() -> Vec<(String, String, PathBuf)> {
    let crates = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for krate in ["store", "web", "app", "demo", "cli"] {
        let src = crates.join(krate).join("src");
        if src.is_dir() {
            rust_files(&src, &mut files);
        }
    }
    let mut found = Vec::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        for (at, _) in text.match_indices("AuditEntry::new(") {
            let args = call_args(&text[at + "AuditEntry::new(".len()..]);
            if let (Some(action), Some(entity)) = (
                args.get(1).and_then(|a| literal(a)),
                args.get(2).and_then(|a| literal(a)),
            ) {
                found.push((action.to_string(), entity.to_string(), file.clone()));
            }
        }
    }
    found
}

#[test]
fn every_written_audit_action_and_record_kind_has_a_name() {
    let written = written_codes();
    // The scan must see the writes, or it proves nothing.
    assert!(
        written.len() > 40,
        "only {} audit writes found",
        written.len()
    );
    assert!(written.iter().any(|(a, _, _)| a == "submission.withdraw"));
    for (action, entity, file) in &written {
        assert!(
            AuditAction::parse(action).is_ok(),
            "{action} (written in {}) has no name in qx_core::audit",
            file.display()
        );
        assert_ne!(
            entity_label(entity, Lang::Zh),
            "其他记录",
            "record kind {entity} (written in {}) has no name in qx_core::audit",
            file.display()
        );
    }
    for action in COMPUTED_ACTIONS {
        assert!(AuditAction::parse(action).is_ok(), "{action} has no name");
    }
}

/// The demo (and imported history) stamps a report returned and sent again: each sending
/// keeps its own times, so 历次报送 reads 第1次 before 第2次.
#[tokio::test]
async fn history_times_stamp_the_latest_sending_only() {
    for TestDb { name, store: s, .. } in testing::all().await.unwrap() {
        let c = county(&s).await;
        let system = Actor::system();
        let id = s
            .save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "3"), true)
            .await
            .unwrap();
        s.review_submission(&c.office, id, false, "请说明差异")
            .await
            .unwrap();
        s.set_submission_times(&system, id, 1_499_000_000, Some(1_499_100_000))
            .await
            .unwrap();
        s.save_submission(&c.a, c.period, c.a_unit, &figures(c.a_indicator, "4"), true)
            .await
            .unwrap();
        s.set_submission_times(&system, id, 1_499_200_000, None)
            .await
            .unwrap();
        let sendings = s
            .submission_sendings(&c.office, c.period, c.a_unit)
            .await
            .unwrap();
        let times: Vec<_> = sendings.iter().map(|g| (g.sent_at, g.decided_at)).collect();
        assert_eq!(
            times,
            // Newest first, as 历次报送 lists them.
            vec![(1_499_200_000, None), (1_499_000_000, Some(1_499_100_000))],
            "{name}"
        );
    }
}
