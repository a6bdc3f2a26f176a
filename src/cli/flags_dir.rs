//! `--flags-dir DIR`, read the way sf reads it: each file in DIR is named after a flag (its long
//! name without the dashes, or its one-letter short name; an extension is ignored) and holds the
//! flag's value. A file for an on/off flag is empty (or says `true`; `false` leaves the flag
//! off). A repeatable flag takes one value per line. Lines starting with `#` or `//` are
//! comments; a `.json` file holds one JSON value, passed on compactly. A flag given on the
//! command line wins over its file, except that a repeatable flag gets both (as in sf).
//!
//! The files become command-line arguments before clap parses, so clap checks them exactly as
//! if they had been typed. Unlike sf, which skips what it cannot read, every problem with the
//! folder or a file is an error (exit 2) naming the file.

use crate::cli::Cli;
use crate::protocol::Error;
use clap::{Arg, ArgAction, CommandFactory};
use std::collections::HashSet;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

/// Why the arguments could not be expanded: the error, the command it was for (the envelope's
/// `context`) and whether the command line asked for JSON.
#[derive(Debug)]
pub struct Failure {
    pub error: Error,
    pub context: String,
    pub json: bool,
}

/// The command line with the flags of `--flags-dir` added; unchanged without that flag.
pub fn expand(args: Vec<OsString>) -> Result<Vec<OsString>, Failure> {
    // Building the whole command tree costs more than the rest of a quick command (the offline
    // intake): it is built only when a token could be the flag.
    if !args.iter().skip(1).any(could_be_flags_dir) {
        return Ok(args);
    }
    let mut root = Cli::command();
    root.build();
    let scan = scan(&root, &args);
    let Some(dir) = scan.flags_dir.clone() else {
        return Ok(args);
    };
    let fail = |error: Error| Failure {
        error,
        context: if scan.path.is_empty() {
            "flags-dir".to_string()
        } else {
            scan.path.join(" ")
        },
        json: scan.json,
    };
    let command = command_at(&root, &scan.path);
    let inserted = flags_from_dir(&dir, command, &scan.given, &scan.path).map_err(fail)?;
    let mut out = args;
    let tail = out.split_off(scan.end);
    out.extend(inserted);
    out.extend(tail);
    Ok(out)
}

/// `--flags-dir` or `--flags-dir=DIR`: the flag has no short form and no alias.
fn could_be_flags_dir(arg: &OsString) -> bool {
    arg.as_encoded_bytes().starts_with(b"--flags-dir")
}

/// What the command line says before any file is read.
struct Scan {
    /// The subcommand path, e.g. ["org", "inspect"].
    path: Vec<String>,
    /// Ids of the flags given on the command line.
    given: HashSet<String>,
    flags_dir: Option<PathBuf>,
    json: bool,
    /// Where to insert: before `--`, else at the end.
    end: usize,
}

fn scan(root: &clap::Command, args: &[OsString]) -> Scan {
    let mut command = root;
    let mut result = Scan {
        path: Vec::new(),
        given: HashSet::new(),
        flags_dir: None,
        json: false,
        end: args.len(),
    };
    let mut i = 1;
    while i < args.len() {
        let Some(token) = args[i].to_str() else {
            i += 1;
            continue;
        };
        if token == "--" {
            result.end = i;
            break;
        }
        let (arg, inline_value) = if let Some(long) = token.strip_prefix("--") {
            let (name, value) = match long.split_once('=') {
                Some((name, value)) => (name, Some(value)),
                None => (long, None),
            };
            (find_long(command, name), value)
        } else if let Some(short) = token.strip_prefix('-').filter(|s| !s.is_empty()) {
            let mut chars = short.chars();
            let letter = chars.next().unwrap_or_default();
            let rest = chars.as_str();
            let value = (!rest.is_empty()).then(|| rest.trim_start_matches('='));
            (find_short(command, letter), value)
        } else {
            if let Some(sub) = command.find_subcommand(token) {
                command = sub;
                result.path.push(sub.get_name().to_string());
            }
            i += 1;
            continue;
        };
        if let Some(arg) = arg {
            let id = arg.get_id().as_str();
            result.given.insert(id.to_string());
            let takes_value = arg.get_action().takes_values();
            let value = match inline_value {
                Some(value) => Some(OsString::from(value)),
                None if takes_value => {
                    i += 1;
                    args.get(i).cloned()
                }
                None => None,
            };
            match id {
                "flags_dir" => result.flags_dir = value.map(PathBuf::from),
                "json" => result.json = true,
                _ => {}
            }
        }
        i += 1;
    }
    if let Ok(content_type) = std::env::var("SF_CONTENT_TYPE") {
        result.json |= content_type.eq_ignore_ascii_case("json");
    }
    result
}

fn command_at<'a>(root: &'a clap::Command, path: &[String]) -> &'a clap::Command {
    path.iter().fold(root, |command, name| {
        command.find_subcommand(name).unwrap_or(command)
    })
}

fn find_long<'a>(command: &'a clap::Command, name: &str) -> Option<&'a Arg> {
    command.get_arguments().find(|arg| {
        arg.get_long() == Some(name)
            || arg
                .get_all_aliases()
                .is_some_and(|aliases| aliases.contains(&name))
    })
}

fn find_short(command: &clap::Command, letter: char) -> Option<&Arg> {
    command.get_arguments().find(|arg| {
        arg.get_short() == Some(letter)
            || arg
                .get_all_short_aliases()
                .is_some_and(|aliases| aliases.contains(&letter))
    })
}

/// The arguments the files of `dir` stand for, in file-name order.
fn flags_from_dir(
    dir: &Path,
    command: &clap::Command,
    given: &HashSet<String>,
    path: &[String],
) -> Result<Vec<OsString>, Error> {
    let shown = dir.display();
    let help = if path.is_empty() {
        "logik-refresh --help".to_string()
    } else {
        format!("logik-refresh {} --help", path.join(" "))
    };
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Error::input(
            "FlagsDirNotFoundError",
            format!("Could not read the --flags-dir folder {shown}: {e}."),
        )
        .with_action("Give --flags-dir a folder that holds one file per flag, e.g. a file target-org that says uat.")
    })?;
    let mut files = Vec::new();
    for entry in entries {
        let entry = entry.map_err(|e| {
            Error::input(
                "FlagsDirReadError",
                format!("Could not list the --flags-dir folder {shown}: {e}."),
            )
            .with_action(format!("Check the permissions of {shown}."))
        })?;
        let name = entry.file_name();
        // Hidden files (.DS_Store, editor backups) and sub-folders are not flags.
        if name.to_string_lossy().starts_with('.') || entry.path().is_dir() {
            continue;
        }
        files.push(entry.path());
    }
    files.sort();

    let mut out = Vec::new();
    for file in files {
        let file_shown = file.display().to_string();
        let stem = file
            .file_stem()
            .and_then(|s| s.to_str())
            .unwrap_or_default()
            .to_string();
        let is_json = file.extension().is_some_and(|e| e == "json");
        let mut letters = stem.chars();
        let arg = match (letters.next(), letters.next()) {
            (Some(letter), None) => find_short(command, letter),
            _ => find_long(command, &stem),
        }
        .filter(|arg| arg.get_long().is_some() || arg.get_short().is_some());
        let Some(arg) = arg else {
            let command_name = if path.is_empty() {
                "logik-refresh".to_string()
            } else {
                format!("logik-refresh {}", path.join(" "))
            };
            return Err(Error::input(
                "FlagsDirUnknownFlagError",
                format!("{file_shown}: {command_name} has no flag named {stem:?}."),
            )
            .with_action(format!(
                "Name each file after a flag of the command, without the dashes (see {help}); remove or rename {file_shown}."
            )));
        };
        let repeatable = matches!(arg.get_action(), ArgAction::Append | ArgAction::Count);
        if given.contains(arg.get_id().as_str()) && !repeatable {
            continue; // The command line wins.
        }
        let flag = match arg.get_long() {
            Some(long) => format!("--{long}"),
            None => format!("-{}", arg.get_short().unwrap_or_default()),
        };
        let bytes = crate::fsutil::read_bounded(&file).map_err(|e| {
            Error::input(
                "FlagsDirReadError",
                format!("Could not read {file_shown}: {e}."),
            )
            .with_action(format!("Check the permissions of {file_shown}."))
        })?;
        let text = String::from_utf8(bytes).map_err(|_| {
            Error::input(
                "FlagsDirValueError",
                format!("{file_shown} is not text (UTF-8)."),
            )
            .with_action(format!(
                "Write the value of {flag} in {file_shown} as plain text."
            ))
        })?;
        let values = if is_json {
            let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
                Error::input(
                    "FlagsDirValueError",
                    format!("{file_shown} is not valid JSON: {e}."),
                )
                .with_action(format!(
                    "Fix the JSON, or drop the .json extension to pass the text as it is to {flag}."
                ))
            })?;
            vec![value.to_string()]
        } else {
            values_of(&text)
        };
        out.extend(arguments_for(arg, &flag, &values).map_err(|message| {
            Error::input("FlagsDirValueError", format!("{file_shown}: {message}"))
                .with_action(format!("Fix {file_shown}; {help} describes {flag}."))
        })?);
    }
    Ok(out)
}

/// The lines of a file that hold values: trimmed, blank lines and comments dropped.
fn values_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#') && !line.starts_with("//"))
        .map(str::to_string)
        .collect()
}

/// The command-line arguments for one flag's values.
fn arguments_for(arg: &Arg, flag: &str, values: &[String]) -> Result<Vec<OsString>, String> {
    if !arg.get_action().takes_values() {
        return match values {
            [] => Ok(vec![flag.into()]),
            [one] if one.eq_ignore_ascii_case("true") => Ok(vec![flag.into()]),
            [one] if one.eq_ignore_ascii_case("false") => Ok(Vec::new()),
            _ => Err(format!(
                "{flag} is an on/off flag: leave its file empty (or write true, or false)."
            )),
        };
    }
    let one_value = |value: &String| -> OsString {
        if flag.starts_with("--") {
            format!("{flag}={value}").into()
        } else {
            format!("{flag}{value}").into()
        }
    };
    match (values, arg.get_action()) {
        ([], _) => Err(format!(
            "the file is empty: write the value of {flag} in it."
        )),
        (values, ArgAction::Append) => Ok(values.iter().map(one_value).collect()),
        ([value], _) => Ok(vec![one_value(value)]),
        (values, _) => Err(format!(
            "{flag} takes one value, the file has {} lines of values.",
            values.len()
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn args(list: &[&str]) -> Vec<OsString> {
        std::iter::once("logik-refresh")
            .chain(list.iter().copied())
            .map(OsString::from)
            .collect()
    }

    fn strings(args: Vec<OsString>) -> Vec<String> {
        args.into_iter()
            .skip(1)
            .map(|a| a.into_string().unwrap())
            .collect()
    }

    fn dir(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, content) in files {
            std::fs::write(dir.path().join(name), content).unwrap();
        }
        dir
    }

    #[test]
    fn without_the_flag_nothing_changes() {
        let given = args(&["org", "inspect", "-o", "uat"]);
        assert_eq!(expand(given.clone()).unwrap(), given);
    }

    #[test]
    fn files_become_flags_and_the_command_line_wins() {
        let d = dir(&[
            ("target-org", "prod\n"),
            ("runtime-url", "# the tenant\nhttps://acme.test.logik.io\n"),
            ("dry-run", ""),
            ("json", "true"),
            ("include-overrides", "false"),
        ]);
        let path = d.path().to_str().unwrap();
        let out = strings(
            expand(args(&[
                "step",
                "tenant-urls",
                "--flags-dir",
                path,
                "-o",
                "uat",
            ]))
            .unwrap(),
        );
        assert_eq!(
            out,
            [
                "step",
                "tenant-urls",
                "--flags-dir",
                path,
                "-o",
                "uat",
                "--dry-run",
                "--json",
                "--runtime-url=https://acme.test.logik.io",
            ]
        );
    }

    #[test]
    fn repeatable_flags_take_a_value_per_line_and_add_to_the_command_line() {
        let d = dir(&[("client", "web=a@acme.com\r\n\r\napi=b@acme.com\r\n")]);
        let path = format!("--flags-dir={}", d.path().display());
        let out = strings(
            expand(args(&[
                "step",
                "runtime-clients",
                &path,
                "--client",
                "cli=c@acme.com",
                "--",
            ]))
            .unwrap(),
        );
        assert_eq!(
            out,
            [
                "step",
                "runtime-clients",
                path.as_str(),
                "--client",
                "cli=c@acme.com",
                "--client=web=a@acme.com",
                "--client=api=b@acme.com",
                "--",
            ]
        );
    }

    #[test]
    fn a_one_letter_file_is_the_short_flag_and_json_files_are_compacted() {
        let d = dir(&[("o", "uat"), ("org-json.json", "{ \"a\": 1 }")]);
        let out = strings(
            expand(args(&[
                "org",
                "inspect",
                "--flags-dir",
                d.path().to_str().unwrap(),
            ]))
            .unwrap(),
        );
        assert_eq!(out[4..], ["--target-org=uat", "--org-json={\"a\":1}"]);
    }

    #[test]
    fn problems_name_the_file_and_exit_2() {
        let cases: &[(&[(&str, &str)], &str)] = &[
            (&[("no-such-flag", "x")], "FlagsDirUnknownFlagError"),
            (&[("dry-run", "yes")], "FlagsDirValueError"),
            (&[("runtime-url", "")], "FlagsDirValueError"),
            (&[("runtime-url", "a\nb")], "FlagsDirValueError"),
            (&[("runtime-url.json", "{")], "FlagsDirValueError"),
        ];
        for (files, name) in cases {
            let d = dir(files);
            let failure = expand(args(&[
                "step",
                "tenant-urls",
                "--json",
                "--flags-dir",
                d.path().to_str().unwrap(),
            ]))
            .unwrap_err();
            assert_eq!(failure.error.name, *name, "{files:?}");
            assert_eq!(failure.error.exit.code(), 2);
            assert!(failure.json);
            assert_eq!(failure.context, "step tenant-urls");
            assert!(
                failure.error.message.contains(files[0].0),
                "{}",
                failure.error.message
            );
            assert!(!failure.error.actions.is_empty());
        }
        let failure = expand(args(&[
            "org",
            "inspect",
            "--flags-dir",
            "/nonexistent/flags",
        ]))
        .unwrap_err();
        assert_eq!(failure.error.name, "FlagsDirNotFoundError");
        assert!(!failure.json);
    }
}
