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
