//! Legacy Word/WPS documents (.doc/.wps, OLE compound files) → .docx through LibreOffice, when
//! `soffice` is on the machine: in a temporary directory of its own (its own profile too, so
//! a running LibreOffice is not disturbed), with a time limit. Without LibreOffice the file is
//! refused with a message that says how to save it as .docx.

use crate::error::PlanError;
use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A conversion that takes longer has hung (a dialog, a damaged file).
pub const CONVERSION_TIMEOUT: Duration = Duration::from_secs(90);

/// `soffice` (or `libreoffice`) in the directories of `path` (the value of `PATH`).
fn find_soffice(path: Option<OsString>) -> Option<PathBuf> {
    let path = path?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["soffice", "libreoffice"].map(|name| dir.join(name)))
        .find(|p| p.is_file())
}

/// Convert a .doc/.wps held in memory to .docx bytes. `path` is where to look for LibreOffice.
pub(crate) fn to_docx(
    bytes: &[u8],
    file: &str,
    path: Option<OsString>,
) -> Result<Vec<u8>, PlanError> {
    let Some(soffice) = find_soffice(path) else {
        return Err(PlanError::LegacyWithoutConverter { file: file.into() });
    };
    let failed = |detail: String| PlanError::LegacyConversion {
        file: file.into(),
        detail,
    };
    let dir = tempfile::tempdir().map_err(|e| failed(e.to_string()))?;
    let ext = if file.to_ascii_lowercase().ends_with(".wps") {
        "wps"
    } else {
        "doc"
    };
    let input = dir.path().join(format!("plan.{ext}"));
    std::fs::write(&input, bytes).map_err(|e| failed(e.to_string()))?;
    run(&soffice, dir.path(), &input).map_err(failed)?;
    std::fs::read(dir.path().join("plan.docx")).map_err(|e| {
        failed(format!(
            "LibreOffice 未生成 .docx / LibreOffice wrote no .docx ({e})"
        ))
    })
}

fn run(soffice: &Path, dir: &Path, input: &Path) -> Result<(), String> {
    let profile = format!("file://{}", dir.join("profile").display());
    let mut child = Command::new(soffice)
        .arg(format!("-env:UserInstallation={profile}"))
        .args([
            "--headless",
            "--norestore",
            "--convert-to",
            "docx",
            "--outdir",
        ])
        .arg(dir)
        .arg(input)
        .env("HOME", dir)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|e| format!("无法启动 LibreOffice / cannot start LibreOffice: {e}"))?;
    let started = Instant::now();
    loop {
        match child.try_wait() {
            Ok(Some(status)) if status.success() => return Ok(()),
            Ok(Some(status)) => return Err(format!("LibreOffice: {status}")),
            Ok(None) if started.elapsed() > CONVERSION_TIMEOUT => {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!(
                    "超过 {} 秒未完成 / not done after {} s",
                    CONVERSION_TIMEOUT.as_secs(),
                    CONVERSION_TIMEOUT.as_secs()
                ));
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(100)),
            Err(e) => return Err(e.to_string()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_libreoffice_the_file_is_refused_with_the_way_out() {
        let ole = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1rest";
        for path in [
            None,
            Some(OsString::new()),
            Some(OsString::from("/nonexistent")),
        ] {
            let err = to_docx(ole, "方案.doc", path).expect_err("refused");
            let msg = err.to_string();
            assert!(matches!(err, PlanError::LegacyWithoutConverter { .. }));
            assert!(msg.contains("方案.doc") && msg.contains("另存为"), "{msg}");
        }
    }
}
