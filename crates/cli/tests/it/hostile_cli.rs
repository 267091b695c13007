//! Every file of the hostile corpus through every command that reads an upload (`qx plan parse`,
//! `qx plan import`, `qx enterprise import` of a registry and of a year's facts): an ordinary
//! failure (exit 1 or 2, never an abort or a panic), a message naming the file (every file the
//! upload reader refuses), and a peak
//! resident set of the child process under a ceiling.

use crate::common::text;
use qx_upload::hostile::{HostileFile, corpus};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The most any refusal may make the `qx` process hold resident (debug build).
const CEILING_MB: u64 = 100;

/// The corpus, built once for the test binary (the web test shares it); its workbooks show
/// the hostile sheet under every name the plan and report-template importers look for.
pub fn files() -> &'static [HostileFile] {
    static FILES: OnceLock<Vec<HostileFile>> = OnceLock::new();
    FILES.get_or_init(|| {
        corpus(&[
            "任务分解表",
            "主要指标",
            "方案信息",
            "指标",
            "任务",
            "填报说明",
        ])
    })
}

/// The peak resident set (VmHWM) of a process in MB, while it still runs.
pub fn peak_mb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

struct Run {
    code: Option<i32>,
    stderr: String,
    peak_mb: u64,
    took: Duration,
}

/// `qx ARGS` in `dir`, its peak resident set sampled until it exits.
fn measured(args: &[&str], dir: &Path) -> Run {
    let err_path = dir.join("stderr.txt");
    let started = Instant::now();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qx"))
        .args(args)
        .current_dir(dir)
        .env_remove("QX_DATABASE_URL")
        .env_remove("QX_DATA_DIR")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(&err_path).unwrap())
        .spawn()
        .expect("run qx");
    let mut peak = 0;
    let status = loop {
        if let Some(mb) = peak_mb(child.id()) {
            peak = peak.max(mb);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            started.elapsed() < Duration::from_secs(60),
            "qx {args:?} hangs"
        );
        std::thread::sleep(Duration::from_millis(1));
    };
    Run {
        code: status.code(),
        stderr: text(&std::fs::read(&err_path).unwrap()),
        peak_mb: peak,
        took: started.elapsed(),
    }
}

#[test]
fn every_import_command_refuses_every_hostile_file_within_a_memory_ceiling() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let out = crate::common::qx(&["migrate", "--data-dir", "data", "--seed-registry"], d);
    assert!(out.status.success(), "{}", text(&out.stderr));
    eprintln!(
        "{:<20} {:<28} {:>5} {:>8} {:>9}",
        "file", "command", "exit", "peak MB", "ms"
    );
    for f in files() {
        std::fs::write(d.join(&f.file_name), &f.bytes).unwrap();
        let commands: [(&str, Vec<&str>); 4] = [
            ("plan parse", vec!["plan", "parse", &f.file_name]),
            (
                "plan import",
                vec!["plan", "import", "--data-dir", "data", &f.file_name],
            ),
            (
                "enterprise import registry",
                vec![
                    "enterprise",
                    "import",
                    "--data-dir",
                    "data",
                    "--kind",
                    "registry",
                    &f.file_name,
                ],
            ),
            (
                "enterprise import facts",
                vec![
                    "enterprise",
                    "import",
                    "--data-dir",
                    "data",
                    "--kind",
                    "facts",
                    "--year",
                    "2016",
                    &f.file_name,
                ],
            ),
        ];
        for (label, args) in commands {
            let run = measured(&args, d);
            eprintln!(
                "{:<20} {:<28} {:>5} {:>8} {:>9.0}",
                f.id,
                label,
                run.code.map_or("signal".into(), |c| c.to_string()),
                run.peak_mb,
                run.took.as_secs_f64() * 1e3
            );
            let place = format!("{} through qx {label}", f.id);
            assert!(
                matches!(run.code, Some(1 | 2)),
                "{place}: exit {:?}: {}",
                run.code,
                run.stderr
            );
            // A file the reader may accept (it costs nothing) is refused for its content.
            if f.refusal.is_some() {
                assert!(run.stderr.contains(&f.file_name), "{place}: {}", run.stderr);
                let twice = format!("{0}: {0}", f.file_name);
                assert!(
                    !run.stderr.contains(&twice),
                    "{place}: the file is named twice: {}",
                    run.stderr
                );
            }
            assert!(
                run.peak_mb < CEILING_MB,
                "{place}: peak {} MB over {CEILING_MB} MB",
                run.peak_mb
            );
        }
        std::fs::remove_file(d.join(&f.file_name)).unwrap();
    }
}
