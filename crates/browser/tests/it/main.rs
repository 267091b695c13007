//! The browser suite: each role's main journeys in a real headless Chromium (Debian's
//! `chromium` and `chromium-driver`) driven over WebDriver, one browser session per journey,
//! each checking what the person sees and that no page wrote an error to the console.
//!
//! Run: `cargo test -p qx-browser` (skipped with a note when Chromium or chromedriver is
//! missing; `QX_BROWSER_TESTS=1` turns that into a failure, as CI does).

mod bulletin_confirm;
mod bulletins;
mod guide;
mod harness;
mod meetings;
mod monitor;
mod nav;
mod no_figure;
mod office;
mod pickers;
mod plans;
mod problems;
mod progress;
mod report_form;
mod workbench;
