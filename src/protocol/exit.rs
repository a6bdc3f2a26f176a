//! Exit codes, the same as the sf CLI's so scripts written for `sf` read ours the same way.

use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    Success,
    /// Something failed (sf: 1).
    Failure,
    /// Usage error or bad input; nothing was changed (sf: 2).
    Usage,
    /// Partial success: guided (manual) steps remain (sf: 68).
    Partial,
    /// Timed out waiting, e.g. for a sandbox refresh (sf: 69).
    TimedOut,
    /// Interrupted by Ctrl-C (sf: 130).
    Interrupted,
}

impl ExitStatus {
    pub fn code(self) -> u8 {
        match self {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Usage => 2,
            ExitStatus::Partial => 68,
            ExitStatus::TimedOut => 69,
            ExitStatus::Interrupted => 130,
        }
    }

    /// Maps an exit code another program (sf) reported onto ours, keeping unknown codes as
    /// failures.
    pub fn from_code(code: i64) -> Self {
        match code {
            0 => ExitStatus::Success,
            2 => ExitStatus::Usage,
            68 => ExitStatus::Partial,
            69 => ExitStatus::TimedOut,
            130 => ExitStatus::Interrupted,
            _ => ExitStatus::Failure,
        }
    }
}

impl From<ExitStatus> for ExitCode {
    fn from(status: ExitStatus) -> Self {
        ExitCode::from(status.code())
    }
}
