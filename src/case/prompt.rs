//! Asking a person for missing values: questions on stderr (or any writer), answers read line
//! by line. Used only when stdin and stderr are a terminal and neither `--json` nor
//! `--no-prompt` was given; everywhere else a missing value is an error.

use crate::protocol::{Error, Result};
use std::io::{BufRead, Write};

/// How many times a question is asked again after an answer that does not parse.
const ATTEMPTS: usize = 3;

pub struct Prompter<R, W> {
    input: R,
    output: W,
}

impl<R: BufRead, W: Write> Prompter<R, W> {
    pub fn new(input: R, output: W) -> Self {
        Prompter { input, output }
    }

    /// Prints a note (a heading, what a default means).
    pub fn note(&mut self, text: &str) {
        let _ = writeln!(self.output, "{text}");
    }

    /// One line of answer, trimmed; `None` at the end of input.
    fn read_line(&mut self) -> Result<Option<String>> {
        let mut line = String::new();
        let read = self
            .input
            .read_line(&mut line)
            .map_err(|e| Error::input("PromptError", format!("Could not read the answer: {e}")))?;
        Ok((read > 0).then(|| line.trim().to_string()))
    }

    /// Asks `question` until `parse` accepts the answer. An empty answer takes `default` when
    /// there is one (shown in brackets) and is asked again otherwise.
    pub fn ask<T>(
        &mut self,
        question: &str,
        default: Option<&str>,
        parse: impl Fn(&str) -> Result<T>,
    ) -> Result<T> {
        for attempt in 1..=ATTEMPTS {
            match default {
                Some(default) => {
                    let _ = write!(self.output, "{question} [{default}]: ");
                }
                None => {
                    let _ = write!(self.output, "{question}: ");
                }
            }
            let _ = self.output.flush();
            let Some(answer) = self.read_line()? else {
                let _ = writeln!(self.output);
                return Err(Error::input(
                    "PromptEndedError",
                    format!("No answer to \"{question}\": the input ended."),
                )
                .with_action("Pass the value as a flag instead (see --help)."));
            };
            let answer = match (answer.is_empty(), default) {
                (true, Some(default)) => default.to_string(),
                (true, None) => {
                    let _ = writeln!(self.output, "  An answer is needed.");
                    continue;
                }
                (false, _) => answer,
            };
            match parse(&answer) {
                Ok(value) => return Ok(value),
                Err(err) if attempt < ATTEMPTS => {
                    let _ = writeln!(self.output, "  {}", err.message);
                    if let Some(action) = err.actions.first() {
                        let _ = writeln!(self.output, "  {action}");
                    }
                }
                Err(err) => return Err(err),
            }
        }
        Err(Error::input(
            "PromptError",
            format!("No usable answer to \"{question}\"."),
        )
        .with_action("Pass the value as a flag instead (see --help)."))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prompter(input: &str) -> Prompter<&[u8], Vec<u8>> {
        Prompter::new(input.as_bytes(), Vec::new())
    }

    fn number(s: &str) -> Result<u32> {
        s.parse()
            .map_err(|_| Error::input("NotANumber", format!("{s} is not a number")))
    }

    #[test]
    fn asks_again_until_the_answer_parses() {
        let mut p = prompter("x\n\n42\n");
        assert_eq!(p.ask("How many", None, number).unwrap(), 42);
        let shown = String::from_utf8(p.output).unwrap();
        assert!(shown.contains("x is not a number"), "{shown}");
        assert!(shown.contains("An answer is needed"), "{shown}");
    }

    #[test]
    fn empty_takes_the_default() {
        let mut p = prompter("\n");
        assert_eq!(p.ask("How many", Some("7"), number).unwrap(), 7);
        assert!(
            String::from_utf8(p.output)
                .unwrap()
                .contains("How many [7]: ")
        );
    }

    #[test]
    fn end_of_input_and_too_many_tries_are_errors() {
        assert_eq!(
            prompter("").ask("How many", None, number).unwrap_err().name,
            "PromptEndedError"
        );
        assert_eq!(
            prompter("a\nb\nc\n")
                .ask("How many", None, number)
                .unwrap_err()
                .name,
            "NotANumber"
        );
    }
}
