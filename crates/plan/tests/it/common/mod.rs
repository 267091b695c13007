//! Shared by the integration tests: the 象山县 registry as a fixture, and fixture paths.

#![allow(dead_code)]

use qx_plan::UnitDirectory;
use std::path::PathBuf;

pub fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

/// The seed plan and its gold annotation live in the shared folder beside the repository.
pub fn shared_seed(name: &str) -> Option<PathBuf> {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    [
        root.join("../../../shared/seed").join(name),
        PathBuf::from("/work/shared/seed").join(name),
    ]
    .into_iter()
    .find(|p| p.exists())
}

pub fn units() -> UnitDirectory {
    let text = std::fs::read_to_string(fixture("xiangshan-units.tsv")).expect("units fixture");
    UnitDirectory::from_entries(
        text.lines()
            .filter(|l| !l.starts_with('#') && !l.is_empty())
            .map(|l| {
                let (name, aliases) = l.split_once('\t').unwrap_or((l, ""));
                (
                    name.to_owned(),
                    aliases
                        .split('|')
                        .filter(|a| !a.is_empty())
                        .map(str::to_owned)
                        .collect::<Vec<_>>(),
                )
            }),
    )
}
