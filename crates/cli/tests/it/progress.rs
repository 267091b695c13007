//! Progress of the bulk commands: drawn on a terminal, never in piped output.

use crate::common::{qx, text};
use std::process::Command;

/// A data directory with the seed plan written next to it as `plan.txt`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.txt"), qx_demo::plan::SEED_PLAN).unwrap();
    let out = qx(
        &["migrate", "--data-dir", "data", "--seed-registry"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

const IMPORT: [&str; 6] = [
    "plan",
    "import",
    "--data-dir",
    "data",
    "plan.txt",
    "--publish",
];

#[test]
fn piped_bulk_commands_print_no_progress_or_escape_codes() {
    let dir = workspace();
    let out = qx(&IMPORT, dir.path());
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(
        err.contains("已导入为草稿"),
        "the summary is still printed: {err}"
    );
    assert!(
        !err.contains('\u{1b}'),
        "no escape codes when piped: {err:?}"
    );
    assert!(!err.contains('\r'), "no redrawn lines when piped: {err:?}");
    assert!(!err.contains("(importing)"), "no spinner when piped: {err}");
    assert!(!text(&out.stdout).contains('\u{1b}'));
}

#[test]
fn bulk_commands_show_their_step_on_a_terminal() {
    // util-linux `script` gives the command a pseudo-terminal, as an operator's shell would.
    let dir = workspace();
    let command = format!("{} {}", env!("CARGO_BIN_EXE_qx"), IMPORT.join(" "));
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir.path())
        .env("TERM", "xterm")
        .env_remove("QX_DATABASE_URL")
        .env_remove("QX_DATA_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run qx under script(1)");
    let screen = text(&out.stdout);
    assert!(out.status.success(), "{screen}");
    assert!(
        screen.contains("导入 plan.txt: 解析、保存草稿 (importing)"),
        "{screen:?}"
    );
    assert!(screen.contains("已导入为草稿"), "{screen:?}");
}
