//! 亩均效益综合评价 ("亩均论英雄"): the per-enterprise land-efficiency evaluation engine.
//!
//! One entry point, three steps, whatever the data source (a CSV file, the database, a generator):
//!
//! ```
//! use qx_eval::{check, evaluate, CheckOptions, InputTable, Scale, Scheme, StrColumn};
//!
//! // 1. Build an input table, column by column (NaN = no data).
//! let uscc: StrColumn = ["E1", "E2"].into_iter().collect();
//! let mut table = InputTable::new(uscc, vec![Scale::Below, Scale::Below]).unwrap();
//! table.set_numeric("land_mu", vec![10.0, 6.0]).unwrap();
//! table.set_numeric("tax_wan", vec![150.0, 30.0]).unwrap();
//! table.set_numeric("electricity_wkwh", vec![500.0, 200.0]).unwrap();
//!
//! // 2. Check it against the scheme's input rules, then evaluate.
//! let scheme = Scheme::default(); // 黄岩 2022, see schemes/default.toml
//! assert!(check(&table, &scheme, CheckOptions { check_uscc: false }).is_ok());
//! let results = evaluate(&table, &scheme);
//!
//! // 3. Read the results table, with provenance.
//! assert_eq!(results.rank(0), 1);
//! assert_eq!(results.class(0), "B"); // pct 1/2 = 0.5 ≤ 0.60
//! assert!((results.total(0) - 128.4686).abs() < 1e-3);
//! ```
//!
//! Modules: [`scheme`] (评价方案, TOML), [`table`] (columns in), [`check`] (row rules),
//! [`engine`] (scoring, results out), [`csv_io`] (the file format of `qx eval`, kept apart from
//! scoring), [`generate`] (seeded test data), [`bench_support`] (timing child processes) and [`phases`]
//! (wall time per phase, for `qx bench eval`'s profile).

pub mod bench_support;
pub mod check;
pub mod csv_io;
pub mod engine;
pub mod generate;
mod mem;
pub mod number;
pub mod phases;
pub mod scheme;
mod sort;
pub mod table;

pub use check::{CheckOptions, Checker, Issue, RowIssue, Validation, check, check_limited};
pub use engine::{GroupInfo, ItemStat, Results, evaluate, evaluate_owned};
pub use mem::{free_in_background, release_in_background, reuse_freed_memory};
pub use scheme::{Scheme, SchemeError};
pub use table::{InputTable, Scale, StrColumn, TableError};
