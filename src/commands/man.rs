//! `man`: manual pages (roff) for every command, from the clap definitions: the whole tree on
//! stdout (`logik-refresh man | man -l -`), or one file per command with `--out-dir`
//! (`logik-refresh-org-inspect.1`, as git and cargo name theirs).

use crate::cli::{Cli, ManArgs};
use crate::protocol::{CommandOutput, Error, Result};
use clap::CommandFactory;
use serde::Serialize;

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManResult {
    /// One page per command, the root first.
    pub pages: Vec<ManPage>,
    /// The folder the pages were written to (with --out-dir).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub out_dir: Option<String>,
}

#[derive(Debug, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ManPage {
    /// The command, as typed: `logik-refresh org inspect`.
    pub command: String,
    /// The page's file name: `logik-refresh-org-inspect.1`.
    pub name: String,
    /// Where it was written (with --out-dir).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub file: Option<String>,
    /// The page itself (without --out-dir).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub roff: Option<String>,
}

pub fn cmd_man(args: ManArgs) -> Result<CommandOutput> {
    let pages = pages()?;
    let Some(dir) = &args.out_dir else {
        let text: String = pages.iter().map(|(_, _, roff)| roff.as_str()).collect();
        let result = ManResult {
            pages: pages
                .into_iter()
                .map(|(command, name, roff)| ManPage {
                    command,
                    name,
                    file: None,
                    roff: Some(roff),
                })
                .collect(),
            out_dir: None,
        };
        return Ok(CommandOutput::new(&result, text));
    };
    std::fs::create_dir_all(dir).map_err(|e| write_error(&dir.display().to_string(), e))?;
    let mut written = Vec::new();
    for (command, name, roff) in pages {
        let path = dir.join(&name);
        crate::fsutil::write_atomic(&path, roff.as_bytes(), false)?;
        written.push(ManPage {
            command,
            name,
            file: Some(path.display().to_string()),
            roff: None,
        });
    }
    let text = format!(
        "Wrote {} man pages to {}. Read one with: man -l {}",
        written.len(),
        dir.display(),
        dir.join("logik-refresh-run.1").display()
    );
    let result = ManResult {
        pages: written,
        out_dir: Some(dir.display().to_string()),
    };
    Ok(CommandOutput::new(&result, text))
}

fn write_error(path: &str, e: std::io::Error) -> Error {
    Error::new("WriteError", format!("Could not create {path}: {e}"))
        .with_action("Choose a folder you can write to with --out-dir.")
}

/// (command as typed, file name, roff) for every visible command, depth first, the root first.
pub fn pages() -> Result<Vec<(String, String, String)>> {
    let mut root = Cli::command().disable_help_subcommand(true);
    root.build();
    let mut out = Vec::new();
    collect(&root, &mut out)?;
    Ok(out)
}

fn collect(command: &clap::Command, out: &mut Vec<(String, String, String)>) -> Result<()> {
    let man = clap_mangen::Man::new(command.clone())
        .source(concat!("logik-refresh ", env!("CARGO_PKG_VERSION")));
    let name = man.get_filename();
    let typed = command
        .get_bin_name()
        .unwrap_or_else(|| command.get_name())
        .to_string();
    out.push((typed, name, render(&man, command)?));
    for sub in command.get_subcommands().filter(|s| !s.is_hide_set()) {
        collect(sub, out)?;
    }
    Ok(())
}

/// clap_mangen's sections, with the examples kept line by line (clap_mangen would fill them
/// into one paragraph).
fn render(man: &clap_mangen::Man, command: &clap::Command) -> Result<String> {
    let mut out = Vec::new();
    let rendered = (|| -> std::io::Result<()> {
        man.render_title(&mut out)?;
        man.render_name_section(&mut out)?;
        man.render_synopsis_section(&mut out)?;
        man.render_description_section(&mut out)?;
        if command.get_arguments().any(|a| !a.is_hide_set()) {
            man.render_options_section(&mut out)?;
        }
        if command.get_subcommands().any(|s| !s.is_hide_set()) {
            man.render_subcommands_section(&mut out)?;
        }
        Ok(())
    })();
    rendered.map_err(|e| Error::new("ManPageError", format!("Could not render: {e}")))?;
    let mut roff = String::from_utf8_lossy(&out).into_owned();
    if let Some(after) = command.get_after_help() {
        roff.push_str(&examples_section(&after.to_string()));
    }
    if command.get_version().is_some() {
        let mut version = Vec::new();
        man.render_version_section(&mut version)
            .map_err(|e| Error::new("ManPageError", format!("Could not render: {e}")))?;
        roff.push_str(&String::from_utf8_lossy(&version));
    }
    Ok(roff)
}

/// The `after_help` text (examples, then notes) as a roff section, line for line.
fn examples_section(text: &str) -> String {
    let mut lines: Vec<&str> = text.lines().collect();
    let heading = if lines.first().map(|l| l.trim()) == Some("Examples:") {
        lines.remove(0);
        "EXAMPLES"
    } else {
        "NOTES"
    };
    let mut out = format!(".SH {heading}\n.nf\n");
    for line in lines {
        let escaped = line.replace('\\', "\\e").replace('-', "\\-");
        if escaped.starts_with('.') || escaped.starts_with('\'') {
            out.push_str("\\&");
        }
        out.push_str(&escaped);
        out.push('\n');
    }
    out.push_str(".fi\n");
    out
}
