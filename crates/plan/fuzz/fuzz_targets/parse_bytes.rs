//! Any bytes, under any of the file names that choose a reader, must give Ok or Err, never
//! a panic, and a successful parse must serialise and render.

#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let units = qx_plan::UnitDirectory::from_entries([
        ("县经信局", vec!["象山县经济和信息化局"]),
        ("各镇乡街道", vec!["各镇乡(街道)"]),
    ]);
    let name = match data.first().map(|b| b % 3) {
        Some(0) => "plan.docx",
        Some(1) => "plan.html",
        _ => "plan.txt",
    };
    if let Ok(plan) = qx_plan::parse_bytes(data, name, &units) {
        let _ = plan.to_outline();
        for w in &plan.warnings {
            let _ = w.to_string();
        }
    }
});
