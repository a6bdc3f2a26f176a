//! The one place that prints. Commands hand back a [`CommandOutput`]; this module renders it as
//! the sf JSON envelope or as text for people, and renders errors the same way. A closed stdout
//! (`logik-refresh ... | head -1`) ends the process quietly instead of failing.

use super::envelope::{ErrorEnvelope, SuccessEnvelope};
use super::error::Error;
use super::exit::ExitStatus;
use serde::Serialize;
use serde_json::Value;
use std::io::{self, Write};

/// Whether output is JSON: `--json`, or `SF_CONTENT_TYPE=JSON` as sf honours it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Text,
}

impl Format {
    pub fn detect(json_flag: bool) -> Format {
        let env_json = std::env::var("SF_CONTENT_TYPE")
            .map(|v| v.eq_ignore_ascii_case("json"))
            .unwrap_or(false);
        if json_flag || env_json {
            Format::Json
        } else {
            Format::Text
        }
    }
}

/// What a command produced: its result (the `result` of the envelope), the text a person
/// reads instead, warnings, and the exit status (0, or 68 while manual steps remain).
#[derive(Debug)]
pub struct CommandOutput {
    pub result: Value,
    pub text: String,
    pub warnings: Vec<String>,
    pub exit: ExitStatus,
    /// For a command that streamed JSON lines (`run --jsonl`): its last line, printed instead
    /// of the envelope.
    pub stream: Option<Value>,
}

impl CommandOutput {
    pub fn new<T: Serialize>(result: &T, text: String) -> Self {
        CommandOutput {
            result: serde_json::to_value(result).expect("results serialize to JSON"),
            text,
            warnings: Vec::new(),
            exit: ExitStatus::Success,
            stream: None,
        }
    }

    pub fn with_warnings(mut self, warnings: Vec<String>) -> Self {
        self.warnings.extend(warnings);
        self
    }
}

/// Prints a command's output; returns the exit status to end with.
pub fn print_output(format: Format, output: &CommandOutput) -> ExitStatus {
    if let Some(last_line) = &output.stream {
        print_json_line(last_line);
        return output.exit;
    }
    let written = match format {
        Format::Json => {
            let envelope = SuccessEnvelope {
                status: output.exit.code(),
                result: &output.result,
                warnings: output.warnings.clone(),
            };
            write_stdout(&to_pretty(&envelope))
        }
        Format::Text => {
            let mut text = output.text.clone();
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            let written = write_stdout(&text);
            for warning in &output.warnings {
                eprintln_quiet(&format!("Warning: {warning}"));
            }
            written
        }
    };
    match written {
        Ok(()) => output.exit,
        // The reader went away (`| head`): nothing more to say, and not a failure.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => output.exit,
        Err(_) => ExitStatus::Failure,
    }
}

/// Prints an error: the envelope on stdout in JSON mode (as sf does), text on stderr otherwise.
pub fn print_error(format: Format, err: &Error, context: &str) -> ExitStatus {
    match format {
        Format::Json => {
            let envelope = ErrorEnvelope::from_error(err, context);
            let _ = write_stdout(&to_pretty(&envelope));
        }
        Format::Text => {
            let mut text = format!("Error ({}): {}\n", err.name, err.message);
            if !err.actions.is_empty() {
                text.push_str("\nTry this:\n");
                for action in &err.actions {
                    text.push_str(&format!("  {action}\n"));
                }
            }
            for warning in &err.warnings {
                text.push_str(&format!("Warning: {warning}\n"));
            }
            eprintln_quiet(text.trim_end());
        }
    }
    err.exit
}

/// One JSON line on stdout (for `--jsonl` streams). Returns false once the reader has gone.
pub fn print_json_line<T: Serialize>(value: &T) -> bool {
    let mut line = serde_json::to_string(value).expect("events serialize to JSON");
    line.push('\n');
    write_stdout(&line).is_ok()
}

/// Progress and notes for people: stderr, never stdout, so pipes carry only data.
pub fn eprintln_quiet(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{text}");
}

fn to_pretty<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("envelopes serialize to JSON");
    text.push('\n');
    text
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush()
}
