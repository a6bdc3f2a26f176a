//! The sf JSON envelopes. Success: `{"status":0,"result":...,"warnings":[...]}`. Failure: sf's
//! error shape, `status` = `exitCode` = the process exit code.

use super::error::Error;
use schemars::JsonSchema;
use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Serialize, JsonSchema)]
pub struct SuccessEnvelope<T> {
    /// Always 0 on success.
    pub status: u8,
    pub result: T,
    /// Things the user should know that did not stop the command.
    pub warnings: Vec<String>,
}

#[derive(Debug, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ErrorEnvelope {
    /// The process exit code: 1 failure, 2 usage or bad input, 68 partial, 69 timed out, 130 interrupted.
    pub status: u8,
    /// The error class, as sf names them (`NamedOrgNotFoundError`).
    pub name: String,
    /// What went wrong, for a person.
    pub message: String,
    /// Same as `status`.
    pub exit_code: u8,
    /// A stable code to match on; defaults to `name`.
    pub code: String,
    /// What to do next.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub actions: Vec<String>,
    /// The command that failed, e.g. `org inspect`.
    pub context: String,
    /// Details a program may use (for example every validation error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub data: Option<Value>,
    pub warnings: Vec<String>,
}

impl ErrorEnvelope {
    pub fn from_error(err: &Error, context: &str) -> Self {
        let code = err.exit.code();
        ErrorEnvelope {
            status: code,
            name: err.name.clone(),
            message: err.message.clone(),
            exit_code: code,
            code: err.code().to_string(),
            actions: err.actions.clone(),
            context: context.to_string(),
            data: err.data.clone(),
            warnings: err.warnings.clone(),
        }
    }
}
