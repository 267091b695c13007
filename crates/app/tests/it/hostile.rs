//! Every file of the hostile corpus through every importer that takes an upload (plan workbook,
//! plan document, a unit's report template, enterprise registry and yearly facts), on every
//! engine: an ordinary error naming the file, nothing written, refused in little time.

use crate::common::{published_seed_plan, user};
use qx_app::AppError;
use qx_app::{enterprise_import, monitoring_excel, plan_excel, plan_import, project_excel};
use qx_core::access::Role;
use qx_core::period::Period;
use qx_store::Store;
use qx_store::testing;
use qx_upload::hostile::{HostileFile, corpus};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

/// The corpus, built once for the test binary; its workbooks show the hostile sheet under every
/// name an importer looks for.
fn files() -> &'static [HostileFile] {
    static FILES: OnceLock<Vec<HostileFile>> = OnceLock::new();
    FILES.get_or_init(|| {
        corpus(&[
            plan_excel::TASK_SHEET,
            plan_excel::TARGET_SHEET,
            plan_excel::META_SHEET,
            monitoring_excel::INDICATOR_SHEET,
            monitoring_excel::TASK_SHEET,
            monitoring_excel::INFO_SHEET,
            project_excel::SHEET,
        ])
    })
}

/// Rows of every table an import writes to, audit log included.
async fn counts(store: &Store) -> Vec<(&'static str, i64)> {
    let pool = store.pool();
    let mut out = Vec::new();
    for (table, sql) in [
        ("plans", "SELECT COUNT(*) FROM plans"),
        ("plan_items", "SELECT COUNT(*) FROM plan_items"),
        ("indicators", "SELECT COUNT(*) FROM indicators"),
        ("submissions", "SELECT COUNT(*) FROM submissions"),
        ("indicator_values", "SELECT COUNT(*) FROM indicator_values"),
        ("task_reports", "SELECT COUNT(*) FROM task_reports"),
        ("enterprises", "SELECT COUNT(*) FROM enterprises"),
        ("enterprise_facts", "SELECT COUNT(*) FROM enterprise_facts"),
        ("audit_log", "SELECT COUNT(*) FROM audit_log"),
        ("projects", "SELECT COUNT(*) FROM projects"),
    ] {
        let n: i64 = sqlx::query_scalar(sql).fetch_one(pool).await.unwrap();
        out.push((table, n));
    }
    out
}

#[derive(Clone, Copy, PartialEq)]
enum Entry {
    PlanWorkbook,
    PlanDocument,
    ReportTemplate,
    Registry,
    Facts,
    Projects,
}

impl Entry {
    const ALL: [Entry; 6] = [
        Entry::PlanWorkbook,
        Entry::PlanDocument,
        Entry::ReportTemplate,
        Entry::Registry,
        Entry::Facts,
        Entry::Projects,
    ];

    fn name(self) -> &'static str {
        match self {
            Entry::PlanWorkbook => "plan_excel::import_workbook",
            Entry::PlanDocument => "plan_import::import_document",
            Entry::ReportTemplate => "monitoring_excel::import_template",
            Entry::Registry => "enterprise_import::import_registry",
            Entry::Facts => "enterprise_import::import_facts",
            Entry::Projects => "project_excel::import_projects",
        }
    }

    /// Whether this entry hands `f` to the reader the corpus's refusal words come from (the
    /// workbook reader for workbooks, the .docx reader for documents), rather than refusing it
    /// earlier by its name or size or later by its content.
    fn reaches_reader(self, f: &HostileFile) -> bool {
        let docx = f.file_name.ends_with(".docx");
        match self {
            Entry::PlanDocument => docx,
            Entry::ReportTemplate => {
                f.file_name.ends_with(".xlsx")
                    && f.bytes.len() <= monitoring_excel::MAX_TEMPLATE_BYTES
            }
            Entry::PlanWorkbook | Entry::Registry | Entry::Facts => !docx,
            Entry::Projects => !docx && f.bytes.len() <= project_excel::MAX_FILE_BYTES,
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_hostile_file_is_refused_by_every_importer_and_nothing_is_written() {
    let files = files();
    for db in testing::all().await.unwrap() {
        let s = &db.store;
        let (office, plan) = published_seed_plan(s).await;
        let jxj = user(s, "jxj1", Role::Unit, "县经信局").await;
        let jxj_unit = s.resolve_unit("县经信局").await.unwrap().unwrap().id;
        let june = s
            .open_period(
                &office,
                plan,
                &Period::new_month(2017, 6).unwrap(),
                "2017-07-07",
            )
            .await
            .unwrap();
        let before = counts(s).await;
        let mut slowest = Duration::ZERO;
        for f in files {
            for entry in Entry::ALL {
                let started = Instant::now();
                let (bytes, name) = (&f.bytes[..], f.file_name.as_str());
                let outcome = match entry {
                    Entry::PlanWorkbook => plan_excel::import_workbook(s, &office, bytes, name)
                        .await
                        .map(drop),
                    Entry::PlanDocument => plan_import::import_document(s, &office, bytes, name)
                        .await
                        .map(drop),
                    Entry::ReportTemplate => monitoring_excel::import_template(
                        s, &jxj, june, jxj_unit, bytes, name, false,
                    )
                    .await
                    .map(drop),
                    Entry::Registry => enterprise_import::import_registry(s, &office, bytes, name)
                        .await
                        .map(drop),
                    Entry::Facts => enterprise_import::import_facts(s, &office, 2016, bytes, name)
                        .await
                        .map(drop),
                    Entry::Projects => {
                        project_excel::import_projects(s, &office, bytes, name, 2017)
                            .await
                            .map(drop)
                    }
                };
                let took = started.elapsed();
                slowest = slowest.max(took);
                let place = format!("{} via {} on {}", f.id, entry.name(), db.name);
                let message = match outcome {
                    Err(e @ (AppError::Invalid(_) | AppError::Rows(_) | AppError::Plan(_))) => {
                        e.to_string()
                    }
                    other => panic!("{place}: expected a refusal, got {other:?}"),
                };
                eprintln!(
                    "{:<20} {:<36} {:>8.1} ms",
                    f.id,
                    entry.name(),
                    took.as_secs_f64() * 1e3
                );
                if let Some(words) = f.refusal {
                    assert!(message.contains(name), "{place}: {message}");
                    if entry.reaches_reader(f) {
                        assert!(message.contains(words), "{place}: {message} lacks {words}");
                    }
                }
                assert!(
                    took < Duration::from_secs(5),
                    "{place}: took {took:?} to refuse"
                );
            }
        }
        assert_eq!(counts(s).await, before, "{}: nothing written", db.name);
        eprintln!("{}: slowest refusal {slowest:?}", db.name);
        db.discard().await.unwrap();
    }
}
