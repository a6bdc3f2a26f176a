//! The `logik-refresh` binary: parse, dispatch, print, exit. Everything else is in the library.

use clap::error::ErrorKind;
use logik_refresh::commands;
use logik_refresh::protocol::output::{print_error, print_output};
use logik_refresh::protocol::{Error, ExitStatus, Format};
use std::process::ExitCode;

fn main() -> ExitCode {
    let args = match logik_refresh::cli::flags_dir::expand(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(failure) => {
            let format = Format::detect(failure.json);
            return print_error(format, &failure.error, &failure.context).into();
        }
    };
    // `--json` may come from a --flags-dir file: usage errors look at the expanded line.
    let json = args.iter().any(|a| a == "--json");
    let cli = match logik_refresh::cli::parse(args) {
        Ok(cli) => cli,
        Err(err) => return usage_error(err, json).into(),
    };
    let format = Format::detect(cli.json);
    let context = commands::context(&cli);
    let status = match commands::dispatch(cli) {
        Ok(output) => print_output(format, &output),
        Err(err) => print_error(format, &err.naming_command(context), context),
    };
    status.into()
}

/// clap's own errors: help and version print as usual; a usage error is the sf envelope in JSON
/// mode, clap's text otherwise, and exit 2 either way.
fn usage_error(err: clap::Error, json: bool) -> ExitStatus {
    if matches!(
        err.kind(),
        ErrorKind::DisplayHelp
            | ErrorKind::DisplayVersion
            | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
    ) {
        let _ = err.print();
        return if err.kind() == ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
            ExitStatus::Usage
        } else {
            ExitStatus::Success
        };
    }
    match Format::detect(json) {
        Format::Json => {
            let message = err.render().to_string();
            let first = message
                .lines()
                .next()
                .unwrap_or("invalid usage")
                .trim_start_matches("error: ")
                .to_string();
            let error = Error::input("UsageError", first)
                .with_code(format!("{:?}", err.kind()))
                .with_action("Run logik-refresh --help, or add --help after the command.");
            print_error(Format::Json, &error, "usage")
        }
        Format::Text => {
            let _ = err.print();
            ExitStatus::Usage
        }
    }
}
