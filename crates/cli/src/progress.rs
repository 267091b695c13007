//! Progress of the bulk commands on the operator's terminal: a bar with counts and rate where
//! the size of the work is known, a spinner with the current step where it is not. Drawn on
//! stderr only when stderr is a terminal, so piped or redirected output (scripts, CI logs,
//! cron mail) never carries a bar or its escape codes.

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressFinish, ProgressStyle};
use qx_app::enterprise_import::ImportStage;
use qx_core::label::{Labelled, Lang};
use std::io::IsTerminal;
use std::time::Duration;

/// Whether progress is drawn: only on a terminal that can move the cursor (`TERM=dumb`, as
/// in Emacs shells and some CI runners, cannot redraw a line in place).
pub fn draws(stderr_is_terminal: bool, term: Option<&str>) -> bool {
    stderr_is_terminal && term != Some("dumb")
}

fn target() -> ProgressDrawTarget {
    let term = std::env::var("TERM").ok();
    if draws(std::io::stderr().is_terminal(), term.as_deref()) {
        ProgressDrawTarget::stderr()
    } else {
        ProgressDrawTarget::hidden()
    }
}

/// Every bar is cleared when it goes, also when a command stops on an error half-way, so the
/// error is not printed after a stale bar.
fn styled(bar: ProgressBar, template: &str, what: &str) -> ProgressBar {
    let bar = bar.with_finish(ProgressFinish::AndClear);
    bar.set_style(
        ProgressStyle::with_template(template)
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
    );
    bar.set_message(what.to_owned());
    bar
}

/// A bar over `len` bytes of an input file: bytes done, total, rate and time left.
pub fn bytes(len: u64, what: &str) -> ProgressBar {
    styled(
        ProgressBar::with_draw_target(Some(len), target()),
        "{msg:8} [{bar:30}] {binary_bytes}/{binary_total_bytes} {binary_bytes_per_sec} 剩余 {eta}",
        what,
    )
}

/// A bar over `len` rows: rows done, total and rows per second.
pub fn rows(len: u64, what: &str) -> ProgressBar {
    styled(
        ProgressBar::with_draw_target(Some(len), target()),
        "{msg:8} [{bar:30}] {human_pos}/{human_len} 行 {per_sec} 剩余 {eta}",
        what,
    )
}

/// A spinner for a step whose size is not known in advance (one call into the store); its
/// message names the step and it shows the time taken so far. Ticks on its own so it moves
/// while the step awaits.
pub fn steps(what: &str) -> ProgressBar {
    let bar = styled(
        ProgressBar::with_draw_target(None, target()),
        "{spinner} {msg} {elapsed}",
        what,
    );
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

/// A spinner's message for an import at `stage`, with the rows read once they are known.
pub fn stage_message(what: &str, stage: ImportStage, rows: usize) -> String {
    let stage = stage.label(Lang::Zh);
    if rows == 0 {
        format!("{what}: {stage}")
    } else {
        format!("{what}: {stage} ({rows} 行)")
    }
}

/// `n` things counted in `noun` done in `elapsed`, as a rate for the summary lines
/// ("1234 家/秒").
pub fn rate(n: usize, elapsed: Duration, noun: &str) -> String {
    let secs = elapsed.as_secs_f64();
    if secs <= 0.0 {
        return format!("{n} {noun}");
    }
    format!("{:.0} {noun}/秒", n as f64 / secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn progress_is_drawn_only_on_a_terminal_that_can_redraw() {
        assert!(draws(true, Some("xterm-256color")));
        assert!(draws(true, None));
        assert!(!draws(false, Some("xterm-256color")), "piped");
        assert!(!draws(false, None), "piped without TERM");
        assert!(!draws(true, Some("dumb")), "a dumb terminal");
    }

    #[test]
    fn an_import_spinner_names_its_stage_and_rows() {
        assert_eq!(
            stage_message("导入企业名录 a.csv", ImportStage::Reading, 0),
            "导入企业名录 a.csv: 读取文件"
        );
        assert_eq!(
            stage_message("导入企业名录 a.csv", ImportStage::Saving, 20000),
            "导入企业名录 a.csv: 写入数据库 (20000 行)"
        );
    }

    #[test]
    fn rate_is_per_second_and_survives_an_instant() {
        assert_eq!(rate(500, Duration::from_millis(250), "行"), "2000 行/秒");
        assert_eq!(rate(7, Duration::ZERO, "家"), "7 家");
    }
}
