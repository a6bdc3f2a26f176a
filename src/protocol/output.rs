//! The one place that prints. Commands hand back a [`CommandOutput`]; this module renders it as
//! the sf JSON envelope or as text for people, and renders errors the same way. A closed stdout
//! (`logik-refresh ... | head -1`) ends the process quietly instead of failing. Whatever is
//! written, stdout or stderr, passes [`scrub`] first: no secret the process holds gets out.

use super::envelope::{ErrorEnvelope, SuccessEnvelope};
use super::error::Error;
use super::exit::ExitStatus;
use super::program;
use crate::redacted::scrub;
use serde::Serialize;
use serde_json::Value;
use std::io::{self, IsTerminal, Write};

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
            let mut text = escape_controls(&output.text);
            if !text.is_empty() && !text.ends_with('\n') {
                text.push('\n');
            }
            if use_color(io::stdout().is_terminal()) {
                text = paint_checklist(&text);
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
    // Every error says what to do next; one raised without advice gets the general one.
    let with_advice;
    let err = if err.actions.is_empty() {
        with_advice = err.clone().with_action(default_action(context));
        &with_advice
    } else {
        err
    };
    match format {
        Format::Json => {
            let envelope = ErrorEnvelope::from_error(err, context);
            let _ = write_stdout(&to_pretty(&envelope));
        }
        Format::Text => {
            let (name, message) = (escape_controls(&err.name), escape_controls(&err.message));
            let mut text = if use_color(io::stderr().is_terminal()) {
                format!("{RED}Error ({name}){RESET}: {message}\n")
            } else {
                format!("Error ({name}): {message}\n")
            };
            if !err.actions.is_empty() {
                text.push_str("\nTry this:\n");
                for action in &err.actions {
                    text.push_str(&format!("  {}\n", escape_controls(action)));
                }
            }
            for warning in &err.warnings {
                text.push_str(&format!("Warning: {}\n", escape_controls(warning)));
            }
            let _ = writeln!(io::stderr().lock(), "{}", shown(text.trim_end()));
        }
    }
    err.exit
}

/// The advice for an error that came without any.
fn default_action(context: &str) -> String {
    let command = match context {
        "" | "usage" | "flags-dir" => "logik-refresh".to_string(),
        command => format!("logik-refresh {command}"),
    };
    format!(
        "Check the flags and examples in `{command} --help`; `logik-refresh doctor` checks sf, the org and the keystore."
    )
}

/// One JSON line on stdout (for `--jsonl` streams). Returns false once the reader has gone.
pub fn print_json_line<T: Serialize>(value: &T) -> bool {
    let mut line = serde_json::to_string(value).expect("events serialize to JSON");
    line.push('\n');
    write_stdout(&line).is_ok()
}

/// Progress and notes for people: stderr, never stdout, so pipes carry only data. Control
/// characters are shown escaped, as in all text output.
pub fn eprintln_quiet(text: &str) {
    let _ = writeln!(io::stderr().lock(), "{}", shown(&escape_controls(text)));
}

/// Whether a character would act on a terminal instead of showing: C0 and C1 controls (ESC,
/// CR, BEL, backspace, ...; newline and tab excepted, which text is made of) and the Unicode
/// bidirectional overrides, which reorder what is shown.
pub fn is_hidden_control(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{200e}' | '\u{200f}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Text for a terminal: every [`is_hidden_control`] character shown as an escape (`\x1b`,
/// `\u{202e}`), so text from outside (org data, sf's warnings, file names) cannot move the
/// cursor, recolor, retitle or hide anything. JSON output is escaped by serde instead.
pub fn escape_controls(text: &str) -> String {
    if !text.chars().any(is_hidden_control) {
        return text.to_string();
    }
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            c if !is_hidden_control(c) => out.push(c),
            c if (c as u32) < 0x100 => out.push_str(&format!("\\x{:02x}", c as u32)),
            c => out.push_str(&format!("\\u{{{:x}}}", c as u32)),
        }
    }
    out
}

/// A value from outside shown inside one line of text: [`escape_controls`], and newlines and
/// tabs shown as `\n` and `\t` too, so the value cannot start a line of its own.
pub fn escape_inline(text: &str) -> String {
    escape_controls(&text.replace('\n', "\\n").replace('\t', "\\t"))
}

fn to_pretty<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("envelopes serialize to JSON");
    text.push('\n');
    text
}

fn write_stdout(text: &str) -> io::Result<()> {
    let mut stdout = io::stdout().lock();
    stdout.write_all(shown(text).as_bytes())?;
    stdout.flush()
}

/// What any text becomes on its way out: secrets scrubbed, and the commands its hints name
/// shown as the user runs them (`sf logik ...` under the sf plugin).
pub fn shown(text: &str) -> String {
    program::name_commands(&scrub(text)).into_owned()
}

// Color for people: only on a terminal, never with NO_COLOR set (no-color.org) or TERM=dumb,
// never in JSON. Plain ANSI codes; the text is the same without them.
const RED: &str = "\x1b[1;31m";
const GREEN: &str = "\x1b[32m";
const YELLOW: &str = "\x1b[1;33m";
const CYAN: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";
const RESET: &str = "\x1b[0m";

/// Whether to color a stream that is (or is not) a terminal.
pub fn use_color(is_terminal: bool) -> bool {
    is_terminal
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
        && std::env::var_os("TERM").is_none_or(|t| t != "dumb")
}

/// Colors the checklist marks of step results (`[done]`, `[to do]`, ...) and failed checks.
pub fn paint_checklist(text: &str) -> String {
    const MARKS: [(&str, &str); 7] = [
        ("[done]", GREEN),
        ("[ok]", GREEN),
        ("[to do]", YELLOW),
        ("[FAILED]", RED),
        ("[skip]", DIM),
        ("[plan]", CYAN),
        ("FAIL", RED),
    ];
    let mut out = String::with_capacity(text.len() + 64);
    for line in text.split_inclusive('\n') {
        let body = line.trim_start();
        let indent = &line[..line.len() - body.len()];
        let found = MARKS.iter().find(|(mark, _)| {
            body.strip_prefix(mark)
                .is_some_and(|rest| mark.starts_with('[') || rest.starts_with(' '))
        });
        match found {
            Some((mark, color)) => {
                let rest = &body[mark.len()..];
                out.push_str(&format!("{indent}{color}{mark}{RESET}{rest}"));
            }
            None => out.push_str(line),
        }
    }
    out
}

#[cfg(test)]
mod color_tests {
    use super::{escape_controls, paint_checklist};

    #[test]
    fn controls_are_shown_escaped_and_text_stays() {
        assert_eq!(escape_controls("plain\n\tline"), "plain\n\tline");
        assert_eq!(
            escape_controls("a\x1b]0;pwned\x07b\rc\u{9b}d\u{202e}e"),
            "a\\x1b]0;pwned\\x07b\\x0dc\\x9bd\\u{202e}e"
        );
    }

    #[test]
    fn marks_are_colored_and_the_text_is_unchanged() {
        let text =
            "[done] tenant-urls: changed\n    FAIL overrides: x\n[to do] a: manual\nplain [ok]\n";
        let painted = paint_checklist(text);
        assert!(painted.contains("\x1b[32m[done]\x1b[0m tenant-urls: changed\n"));
        assert!(painted.contains("    \x1b[1;31mFAIL\x1b[0m overrides: x\n"));
        assert!(painted.contains("\x1b[1;33m[to do]\x1b[0m a: manual\n"));
        assert!(painted.ends_with("plain [ok]\n"));
        let plain: String = painted
            .replace("\x1b[32m", "")
            .replace("\x1b[1;31m", "")
            .replace("\x1b[1;33m", "")
            .replace("\x1b[0m", "");
        assert_eq!(plain, text);
    }
}
