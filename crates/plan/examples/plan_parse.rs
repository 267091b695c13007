//! Parse a plan with the test registry: `cargo run -p qx-plan --example plan_parse FILE [json|text]`.
//! (`qx plan parse` is the real command; this runs without the rest of the workspace.)

#[path = "../tests/it/common/mod.rs"]
mod common;

fn main() -> std::process::ExitCode {
    let mut args = std::env::args().skip(1);
    let Some(file) = args.next() else {
        eprintln!("usage: plan_parse FILE [json|text]");
        return std::process::ExitCode::FAILURE;
    };
    match qx_plan::parse_file(std::path::Path::new(&file), &common::units()) {
        Ok(plan) => {
            for w in &plan.warnings {
                eprintln!("warning: {w}");
            }
            let mode = args.next();
            if mode.as_deref() == Some("lines") {
                for (k, l) in plan.lines.iter().enumerate() {
                    println!("{:4} {l}", k + 1);
                }
            } else if mode.as_deref() == Some("text") {
                print!("{}", plan.to_outline());
            } else {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&plan).unwrap_or_default()
                );
            }
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("错误: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
