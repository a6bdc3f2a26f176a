//! logik-refresh: reconnect a refreshed Salesforce sandbox to its ServiceNow CPQ (Logik.ai)
//! tenant. The binary (`main.rs`) is a thin shell over this library. The org emulator the tests
//! run against is its own crate (`crates/org-emulator`), so the tool never links it.

// `Error` carries the whole sf envelope (actions, data, warnings). Errors are rare and end the
// command, so the size of `Result`'s error side costs nothing worth boxing for.
#![allow(clippy::result_large_err)]

pub mod case;
pub mod cli;
pub mod commands;
pub mod doctor;
pub mod fsutil;
pub mod keystore;
pub mod org;
pub mod path_part;
pub mod project;
pub mod protocol;
pub mod redacted;
pub mod salesforce;
pub mod sf;
pub mod snapshot;
pub mod steps;
pub mod text;

pub use protocol::error::{Error, Result};
