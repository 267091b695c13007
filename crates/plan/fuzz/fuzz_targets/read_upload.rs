//! Any bytes given to the bounded upload reader, as a workbook and as a .docx, must give Ok or
//! an error, never a panic, an abort or an allocation beyond the RSS limit the run sets.

#![no_main]

use libfuzzer_sys::fuzz_target;
use qx_upload::{Archive, Limits, Workbook};

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    if let Ok(mut wb) = Workbook::open("fuzz.xlsx", data, &limits) {
        for name in wb.sheet_names() {
            if let Ok(sheet) = wb.read_sheet(&name) {
                for row in &sheet.rows {
                    let _ = (row.number(), row.width(), row.get(0));
                }
            }
        }
    }
    if let Ok(mut archive) = Archive::open("fuzz.docx", data, &limits) {
        let _ = archive.read_part("word/document.xml");
    }
    let units = qx_plan::UnitDirectory::from_entries([("县经信局", vec!["象山县经济和信息化局"])]);
    let _ = qx_plan::parse_bytes(data, "fuzz.docx", &units);
});
