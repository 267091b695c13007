//! Running the `qx` binary the way an operator does, for the CLI tests.
#![allow(dead_code)] // each test binary uses its own part

use std::path::Path;
use std::process::{Child, Command, Output};

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

/// A server process, killed when the test ends however it ends.
pub struct Server(pub Child);

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// A browser-like client: keeps cookies, does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}
