//! Every file of the hostile corpus through the readers, at the default limits: refused with
//! the words the corpus names, or read cheaply.

use qx_upload::hostile::corpus;
use qx_upload::{Archive, Limits, Workbook};
use std::time::Instant;

#[test]
fn every_hostile_file_is_refused_or_read_cheaply() {
    let started = Instant::now();
    let files = corpus(&["任务"]);
    eprintln!("corpus generated in {:?}", started.elapsed());
    for f in &files {
        let started = Instant::now();
        let outcome = if f.file_name.ends_with(".docx") {
            Archive::open(&f.file_name, &f.bytes, &Limits::default())
                .and_then(|mut a| a.read_part("word/document.xml"))
                .and_then(|part| {
                    let text = part.unwrap_or_default();
                    String::from_utf8(text)
                        .map(|_| ())
                        .map_err(|_| qx_upload::UploadError {
                            file: f.file_name.clone(),
                            problem: qx_upload::Problem::Unreadable("not UTF-8".into()),
                        })
                })
        } else {
            Workbook::open(&f.file_name, &f.bytes, &Limits::default())
                .and_then(|mut wb| wb.read_sheet("任务").map(|_| ()))
        };
        eprintln!(
            "{:<20} {:>9} bytes  {:?}  {:?}",
            f.id,
            f.bytes.len(),
            started.elapsed(),
            outcome.as_ref().err().map(ToString::to_string)
        );
        match (f.refusal, outcome) {
            (Some(words), Err(e)) => {
                let text = e.to_string();
                assert!(
                    text.starts_with(&format!("{}: ", f.file_name)),
                    "{}: {text}",
                    f.id
                );
                assert!(text.contains(words), "{}: {text} lacks {words}", f.id);
            }
            (Some(words), Ok(())) => panic!("{} ({}) was accepted; expected {words}", f.id, f.what),
            (None, _) => {}
        }
    }
}

/// The largest real upload: an enterprise registry of 100,000 rows × 20 columns written the way
/// Excel writes it (cell references, styles, a shared string per cell).
fn registry_workbook() -> Vec<u8> {
    let rows = 100_000u32;
    let columns: Vec<char> = ('A'..='T').collect();
    let sst = format!(
        r#"<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2000000" uniqueCount="{rows}">{}</sst>"#,
        (0..rows)
            .map(|i| format!("<si><t>9133022{i:011}</t></si>"))
            .collect::<String>()
    );
    qx_upload::hostile::workbook(
        &["企业名录"],
        "A1:T100000",
        &mut |w| {
            for r in 1..=rows {
                write!(w, r#"<row r="{r}" spans="1:20">"#)?;
                for c in &columns {
                    write!(w, r#"<c r="{c}{r}" s="3" t="s"><v>{}</v></c>"#, r - 1)?;
                }
                w.write_all(b"</row>")?;
            }
            Ok(())
        },
        Some(&sst),
    )
}

#[test]
fn a_registry_of_100000_rows_by_20_columns_fits_the_default_limits_with_room() {
    let bytes = registry_workbook();
    let limits = Limits::default();
    let mut archive = Archive::open("企业名录.xlsx", &bytes, &limits).unwrap();
    let sheet = archive
        .read_part("xl/worksheets/sheet1.xml")
        .unwrap()
        .unwrap();
    eprintln!("sheet part: {} MB inflated", sheet.len() >> 20);
    assert!((sheet.len() as u64) < limits.max_part_bytes * 3 / 4);
    assert!(2_000_000 < limits.max_cells * 3 / 4);
    assert!(100_000 < limits.max_shared_strings);
}

/// The same registry read cell by cell (31 s in a debug build here, so not in the default run):
/// `cargo test -p qx-upload --release -- --ignored`.
#[test]
#[ignore]
fn a_registry_of_100000_rows_by_20_columns_is_read_at_the_default_limits() {
    let bytes = registry_workbook();
    let started = Instant::now();
    let mut wb = Workbook::open("企业名录.xlsx", &bytes, &Limits::default()).unwrap();
    let sheet = wb.read_sheet("企业名录").unwrap();
    assert_eq!(sheet.rows.len(), 100_000);
    assert!(sheet.rows.iter().all(|r| r.cells.len() == 20));
    eprintln!("{} KB read in {:?}", bytes.len() >> 10, started.elapsed());
}
