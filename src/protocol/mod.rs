//! The sf-style JSON protocol: envelopes, errors and exit codes, and the one place that prints.

pub mod envelope;
pub mod error;
pub mod exit;
pub mod output;
pub mod program;

pub use error::{Error, Result};
pub use exit::ExitStatus;
pub use output::{CommandOutput, Format};
