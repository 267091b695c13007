//! Qiangxian's domain: the types and rules every other crate speaks.
//!
//! Nothing here touches a database, a network or a file system; values that passed
//! validation get their own type so the rest of the system cannot hold an invalid one.

pub mod access;
pub mod assessment;
pub mod attachment;
pub mod audit;
pub mod bulletin;
pub mod calendar;
pub mod coded;
pub mod codes;
pub mod cultivation;
pub mod document;
pub mod evaluation;
pub mod indicator;
pub mod label;
pub mod meeting;
pub mod money;
pub mod monitor;
pub mod name_match;
pub mod notice;
pub mod objection;
pub mod password;
pub mod period;
pub mod problem;
pub mod project;
pub mod scale;
pub mod state;
pub mod text;
pub mod time;
pub mod token;
pub mod units;
pub mod webhook;
