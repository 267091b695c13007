//! No page code compares a state with a string: a state is a core enum, and a literal such as
//! `== "draft"` or `"town" =>` would keep compiling after the code it names is renamed. The
//! templates likewise: `{% if flag == "overdue" %}` compiles (askama compares strings) and
//! silently stops matching; a template asks the enum (`flag.is_overdue()`) or loops over the
//! choices the handler built from it. Steps are held to the same rule as states: a
//! problem's `Action`, a report's `SubmissionStep`, a meeting's and a 督办 item's step are
//! named by their enum, never by `== "assign"` or `Some("submit")`.

use qx_core::access::Role;
use qx_core::assessment;
use qx_core::bulletin::BulletinKind;
use qx_core::calendar::DayKind;
use qx_core::cultivation::{EntryStatus, ImportStatus, MoveKind};
use qx_core::evaluation::{AdjustmentKind, ObjectionStatus, RunStatus};
use qx_core::indicator::{IndicatorKind, TargetLevel};
use qx_core::meeting::{MeetingStatus, MeetingStep, SupervisionStatus, SupervisionStep};
use qx_core::monitor::TaskState;
use qx_core::problem::{Action, Channel, DeadlineFlag, Status};
use qx_core::project::{LeadStatus, Stage};
use qx_core::scale::Scale;
use qx_core::state::{PeriodStatus, PlanStatus, SubmissionStatus, SubmissionStep};
use qx_core::units::{TaskRole, UnitKind};
use qx_core::webhook::DeliveryStatus;

/// Every stored state, kind and step code of core's enums.
fn state_codes() -> Vec<&'static str> {
    let mut codes: Vec<&'static str> = Vec::new();
    codes.extend(UnitKind::ALL.iter().map(|k| k.as_str()));
    codes.extend(Role::ALL.iter().map(|r| r.as_str()));
    codes.extend(PlanStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(PeriodStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(SubmissionStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(Status::ALL.iter().map(|s| s.as_str()));
    codes.extend(Channel::ALL.iter().map(|c| c.as_str()));
    codes.extend(RunStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(ObjectionStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(IndicatorKind::ALL.iter().map(|k| k.as_str()));
    codes.extend(TargetLevel::ALL.iter().map(|l| l.as_str()));
    codes.extend(TaskRole::ALL.iter().map(|r| r.as_str()));
    codes.extend(Scale::ALL.iter().map(|s| s.as_str()));
    codes.extend(DayKind::ALL.iter().map(|k| k.as_str()));
    codes.extend(BulletinKind::ALL.iter().map(|k| k.as_str()));
    codes.extend(AdjustmentKind::ALL.iter().map(|k| k.as_str()));
    codes.extend(assessment::RunStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(assessment::ObjectionStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(EntryStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(MoveKind::ALL.iter().map(|k| k.as_str()));
    codes.extend(ImportStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(MeetingStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(SupervisionStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(Stage::ALL.iter().map(|s| s.as_str()));
    codes.extend(LeadStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(DeliveryStatus::ALL.iter().map(|s| s.as_str()));
    codes.extend(Action::ALL.iter().map(|a| a.as_str()));
    codes.extend(SubmissionStep::ALL.iter().map(|s| s.as_str()));
    codes.extend(MeetingStep::ALL.iter().map(|s| s.as_str()));
    codes.extend(SupervisionStep::ALL.iter().map(|s| s.as_str()));
    codes.extend(
        [
            TaskState::Done,
            TaskState::OnTrack,
            TaskState::Behind,
            TaskState::Overdue,
            TaskState::Stalled,
            TaskState::NotStarted,
        ]
        .map(TaskState::as_str),
    );
    codes.extend([DeadlineFlag::Near, DeadlineFlag::Overdue].map(DeadlineFlag::as_str));
    codes.sort_unstable();
    codes.dedup();
    codes
}

/// The places a literal state code would be compared or matched in Rust source, bare or as
/// an `Option` (`== Some("submit")`, `Some("draft") =>`), or stand in for a missing value
/// (`unwrap_or("monthly")`).
fn comparisons(code: &str) -> Vec<String> {
    let bare = format!("\"{code}\"");
    let some = format!("Some({bare})");
    let mut places: Vec<String> = [&bare, &some]
        .into_iter()
        .flat_map(|q| {
            [
                format!("== {q}"),
                format!("!= {q}"),
                format!("{q} =="),
                format!("{q} =>"),
                format!("{q} |"),
                format!("| {q}"),
            ]
        })
        .collect();
    places.push(format!("unwrap_or({bare})"));
    places
}

/// Places where a word that is also a core code means something else: the accept/reject
/// answer of a lead's or an objection's decision form (not a problem's 受理), and the `unit`
/// grouping of the API's rates (not the role). (file, code, where.) Each owner may type these
/// (a decision enum, `RateGroup::parse`) and take them off; an entry that no longer matches
/// fails [`other_vocabularies_are_still_where_listed`].
const OTHER_VOCABULARIES: &[(&str, &str)] = &[
    ("projects/leads.rs", "accept"),
    ("enterprises/actions.rs", "accept"),
    ("api/problems.rs", "unit"),
    ("enterprises/show.html", "accept"),
    ("enterprises/evaluation.html", "accept"),
];

fn other_vocabulary(file: &std::path::Path, code: &str) -> bool {
    OTHER_VOCABULARIES
        .iter()
        .any(|(f, c)| *c == code && file.ends_with(f))
}

fn rust_files(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
    files_with(dir, "rs", out);
}

fn files_with(dir: &std::path::Path, ext: &str, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("read source dir") {
        let path = entry.expect("dir entry").path();
        if path.is_dir() {
            files_with(&path, ext, out);
        } else if path.extension().is_some_and(|e| e == ext) {
            out.push(path);
        }
    }
}

/// Every line of the Rust sources under `src` that compares a state code as a string.
fn literal_comparisons(src: &std::path::Path) -> Vec<String> {
    let mut files = Vec::new();
    rust_files(src, &mut files);
    assert!(
        files.len() > 10,
        "the sources are where expected: {}",
        src.display()
    );
    let codes = state_codes();
    assert!(codes.contains(&"department") && codes.contains(&"draft"));
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read source");
        for (n, line) in text.lines().enumerate() {
            let code_part = line.split("//").next().unwrap_or_default();
            for code in &codes {
                if !other_vocabulary(file, code)
                    && comparisons(code)
                        .iter()
                        .any(|p| code_part.contains(p.as_str()))
                {
                    found.push(format!(
                        "{}:{}: {}",
                        file.strip_prefix(src).unwrap_or(file).display(),
                        n + 1,
                        line.trim()
                    ));
                }
            }
        }
    }
    found
}

#[test]
fn page_code_compares_states_through_core_enums_not_string_literals() {
    let src = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let found = literal_comparisons(&src);
    assert!(
        found.is_empty(),
        "state codes compared as strings (use the core enum):\n{}",
        found.join("\n")
    );
}

/// The use cases and the demo county read the same states as the pages: through the enums.
#[test]
fn use_cases_and_the_demo_compare_states_through_core_enums() {
    let crates = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    for name in ["app", "demo"] {
        let found = literal_comparisons(&crates.join(name).join("src"));
        assert!(
            found.is_empty(),
            "crates/{name}: state codes compared as strings (use the core enum):\n{}",
            found.join("\n")
        );
    }
}

/// The places a literal state code would be compared in a template (askama's `==`/`!=`),
/// bare or as an `Option`.
fn template_comparisons(code: &str) -> Vec<String> {
    let bare = format!("\"{code}\"");
    let some = format!("Some({bare})");
    [&bare, &some]
        .into_iter()
        .flat_map(|q| {
            [
                format!("== {q}"),
                format!("!= {q}"),
                format!("{q} =="),
                format!("{q} !="),
            ]
        })
        .collect()
}

#[test]
fn templates_ask_the_enum_instead_of_comparing_state_codes() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("templates");
    let mut files = Vec::new();
    files_with(&dir, "html", &mut files);
    assert!(files.len() > 20, "the templates are where expected");
    let codes = state_codes();
    let mut found = Vec::new();
    for file in &files {
        let text = std::fs::read_to_string(file).expect("read template");
        for (n, line) in text.lines().enumerate() {
            for code in &codes {
                if !other_vocabulary(file, code)
                    && template_comparisons(code)
                        .iter()
                        .any(|p| line.contains(p.as_str()))
                {
                    found.push(format!(
                        "{}:{}: {code}",
                        file.strip_prefix(&dir).unwrap_or(file).display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "state codes compared as strings in templates (pass the enum or its choices):\n{}",
        found.join("\n")
    );
}

/// Each entry of [`OTHER_VOCABULARIES`] still names a file that compares its word; one typed
/// since (or moved) is taken off the list.
#[test]
fn other_vocabularies_are_still_where_listed() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    for (file, code) in OTHER_VOCABULARIES {
        let path = if file.ends_with(".html") {
            root.join("templates").join(file)
        } else {
            root.join("src").join(file)
        };
        let text = std::fs::read_to_string(&path).unwrap_or_default();
        let still = if file.ends_with(".html") {
            template_comparisons(code)
                .iter()
                .any(|p| text.contains(p.as_str()))
        } else {
            comparisons(code).iter().any(|p| text.contains(p.as_str()))
        };
        assert!(
            still,
            "{file} no longer compares \"{code}\": take it off OTHER_VOCABULARIES"
        );
    }
}
