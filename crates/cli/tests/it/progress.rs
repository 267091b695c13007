//! Progress of the bulk commands: drawn on a terminal, never in piped output.

use crate::common::{qx, text};
use std::path::Path;
use std::process::Command;

/// A data directory with the seed plan written next to it as `plan.txt` and three
/// enterprises' facts as `facts.csv`.
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("plan.txt"), qx_demo::plan::SEED_PLAN).unwrap();
    std::fs::write(
        dir.path().join("facts.csv"),
        "uscc,name,scale,land_mu,tax_wan,electricity_wkwh\n\
         S1,子,below,10,150,500\nS2,丑,below,6,30,200\nS3,寅,below,4,3,60\n",
    )
    .unwrap();
    let out = qx(
        &["migrate", "--data-dir", "data", "--seed-registry"],
        dir.path(),
    );
    assert!(out.status.success(), "{}", text(&out.stderr));
    dir
}

const IMPORT: &[&str] = &[
    "plan",
    "import",
    "--data-dir",
    "data",
    "plan.txt",
    "--publish",
];
const EVAL: &[&str] = &[
    "eval",
    "--input",
    "facts.csv",
    "--out",
    "results.csv",
    "--no-uscc-check",
];

#[test]
fn piped_bulk_commands_print_no_progress_or_escape_codes() {
    let dir = workspace();
    let out = qx(IMPORT, dir.path());
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

    let out = qx(EVAL, dir.path());
    let err = text(&out.stderr);
    assert!(out.status.success(), "{err}");
    assert!(dir.path().join("results.csv").exists());
    assert!(
        err.is_empty(),
        "qx eval piped says nothing on success: {err:?}"
    );
}

#[test]
fn bulk_commands_show_their_step_on_a_terminal() {
    let dir = workspace();
    let screen = on_terminal(IMPORT, dir.path());
    assert!(
        screen.contains("导入 plan.txt: 解析、保存草稿 (importing)"),
        "{screen:?}"
    );
    assert!(screen.contains("已导入为草稿"), "{screen:?}");
    let screen = on_terminal(EVAL, dir.path());
    assert!(
        screen.contains("读取"),
        "the bar over the input: {screen:?}"
    );
    assert!(screen.contains('\u{1b}'), "drawn in place: {screen:?}");
}

/// What `qx ARGS` puts on a terminal: util-linux `script` gives it a pseudo-terminal, as an
/// operator's shell would.
fn on_terminal(args: &[&str], dir: &Path) -> String {
    let command = format!("{} {}", env!("CARGO_BIN_EXE_qx"), args.join(" "));
    let out = Command::new("script")
        .args(["-qec", &command, "/dev/null"])
        .current_dir(dir)
        .env("TERM", "xterm")
        .env_remove("QX_DATABASE_URL")
        .env_remove("QX_DATA_DIR")
        .stdin(std::process::Stdio::null())
        .output()
        .expect("run qx under script(1)");
    let screen = text(&out.stdout);
    assert!(out.status.success(), "{screen}");
    screen
}
