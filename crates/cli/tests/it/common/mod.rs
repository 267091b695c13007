//! Running the `qx` binary the way an operator does, for the CLI tests.
#![allow(dead_code)] // each test binary uses its own part

use std::path::Path;
use std::process::{Command, Output};

/// `qx ARGS` in `dir`, ignoring any database the environment points at.
pub fn qx(args: &[&str], dir: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qx"))
        .args(args)
        .current_dir(dir)
        .env_remove("QX_DATABASE_URL")
        .env_remove("QX_DATA_DIR")
        .output()
        .expect("run qx")
}

/// Output bytes as text (lossy).
pub fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}
