//! The one error type of the tool, shaped like sf's `SfError` so that it renders straight into
//! the sf error envelope (`name`, `message`, `exitCode`, `actions`, `data`, ...).

use super::exit::ExitStatus;
use serde_json::Value;
use std::fmt;

/// A failure the user sees. `name` is the sf-style error class (`NamedOrgNotFoundError`), `code`
/// defaults to it; `actions` tell the user what to do next.
#[derive(Debug, Clone)]
pub struct Error {
    pub name: String,
    pub message: String,
    pub exit: ExitStatus,
    pub code: Option<String>,
    pub actions: Vec<String>,
    pub data: Option<Value>,
    /// Warnings gathered before the failure; they travel in the envelope.
    pub warnings: Vec<String>,
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// A general failure (exit 1).
    pub fn new(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error {
            name: name.into(),
            message: message.into(),
            exit: ExitStatus::Failure,
            code: None,
            actions: Vec::new(),
            data: None,
            warnings: Vec::new(),
        }
    }

    /// Bad input or usage (exit 2): nothing was changed.
    pub fn input(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::new(name, message).with_exit(ExitStatus::Usage)
    }

    pub fn with_exit(mut self, exit: ExitStatus) -> Self {
        self.exit = exit;
        self
    }

    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    pub fn with_action(mut self, action: impl Into<String>) -> Self {
        self.actions.push(action.into());
        self
    }

    pub fn with_actions<I, S>(mut self, actions: I) -> Self
    where
        I: IntoIterator<Item = S>,
        S: Into<String>,
    {
        self.actions.extend(actions.into_iter().map(Into::into));
        self
    }

    pub fn with_data(mut self, data: Value) -> Self {
        self.data = Some(data);
        self
    }

    pub fn code(&self) -> &str {
        self.code.as_deref().unwrap_or(&self.name)
    }

    /// Names the command the user ran (`org inspect`, `run`, `step tenant-urls`) where an
    /// action says [`THIS_COMMAND`]: code below the commands does not know which one it is.
    pub fn naming_command(mut self, context: &str) -> Self {
        for action in &mut self.actions {
            *action = action.replace(THIS_COMMAND, &format!("logik-refresh {context}"));
        }
        self
    }
}

/// In an action, the command the user ran; [`Error::naming_command`] fills it in.
pub const THIS_COMMAND: &str = "logik-refresh {command}";

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)
    }
}

impl std::error::Error for Error {}
