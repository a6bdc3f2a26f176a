//! The `logik-refresh` binary: parse, dispatch, print, exit. Everything else is in the library.
//!
//! On Linux with glibc the binary brings its own C `main` instead of std's start-up: std's
//! installs a stack-overflow handler whose first step reads and parses `/proc/self/maps` to find
//! the main thread's stack, which was an eighth of the offline intake's instructions and a
//! dozen system calls. What the tool relies on from that start-up is done here: SIGPIPE ignored
//! (a closed pipe is an error to report, not a silent death), fds 0-2 open (so no file the tool
//! opens becomes a stand-in stdout), stdout flushed at the end. glibc hands the arguments to
//! std before `main` (`.init_array`), so `std::env::args` still works; elsewhere (musl, macOS,
//! Windows) std's own start-up runs. What is lost: a stack overflow on the main thread ends in
//! a plain SIGSEGV rather than std's one-line message (the process ends either way).
#![cfg_attr(all(target_os = "linux", target_env = "gnu", not(test)), no_main)]

use clap::error::ErrorKind;
use logik_refresh::commands;
use logik_refresh::protocol::output::{self, print_error, print_output};
use logik_refresh::protocol::{Error, ExitStatus, Format};

#[cfg(any(not(all(target_os = "linux", target_env = "gnu")), test))]
fn main() -> std::process::ExitCode {
    run().into()
}

#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
#[unsafe(no_mangle)]
extern "C" fn main(_argc: libc::c_int, _argv: *const *const libc::c_char) -> libc::c_int {
    start_up();
    let status = run();
    let _ = std::io::Write::flush(&mut std::io::stdout());
    libc::c_int::from(status.code())
}

/// The parts of std's start-up the tool relies on (see the module's comment).
#[cfg(all(target_os = "linux", target_env = "gnu", not(test)))]
fn start_up() {
    // SAFETY: plain system calls on the process's own signal table and fds 0-2, before any
    // other thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_IGN);
        let mut fds = [0, 1, 2].map(|fd| libc::pollfd {
            fd,
            events: 0,
            revents: 0,
        });
        if libc::poll(fds.as_mut_ptr(), 3, 0) >= 0 {
            for pollfd in fds {
                if pollfd.revents & libc::POLLNVAL != 0
                    && libc::open(c"/dev/null".as_ptr(), libc::O_RDWR) == -1
                {
                    libc::abort();
                }
            }
        }
    }
}

fn run() -> ExitStatus {
    let args = match logik_refresh::cli::flags_dir::expand(std::env::args_os().collect()) {
        Ok(args) => args,
        Err(failure) => {
            let format = Format::detect(failure.json);
            return print_error(format, &failure.error, &failure.context);
        }
    };
    // `--json` may come from a --flags-dir file: usage errors look at the expanded line.
    let json = args.iter().any(|a| a == "--json");
    let cli = match logik_refresh::cli::parse(args) {
        Ok(cli) => cli,
        Err(err) => return usage_error(err, json),
    };
    let format = Format::detect(cli.json);
    let context = commands::context(&cli);
    match commands::dispatch(cli) {
        Ok(output) => print_output(format, &output),
        Err(err) => print_error(format, &err.naming_command(context), context),
    }
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
        print_clap(&err);
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
            print_clap(&err);
            ExitStatus::Usage
        }
    }
}

/// clap's help, version or usage error as clap prints it, except under the sf plugin: then
/// plain text through the printer, whose usage lines say `sf logik ...`.
fn print_clap(err: &clap::Error) {
    use logik_refresh::protocol::program;
    if program::invoked_as() == program::NAME {
        let _ = err.print();
        return;
    }
    let text = output::shown(&err.render().to_string());
    let _ = if err.use_stderr() {
        std::io::Write::write_all(&mut std::io::stderr().lock(), text.as_bytes())
    } else {
        std::io::Write::write_all(&mut std::io::stdout().lock(), text.as_bytes())
    };
}
