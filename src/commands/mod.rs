//! One module per subcommand. Each takes its parsed arguments and returns a
//! [`CommandOutput`](crate::protocol::CommandOutput); printing happens in one place.

pub mod case;
pub mod command_tree;
pub mod completions;
pub mod config;
pub mod doctor;
pub mod man;
pub mod org;
pub mod rollback;
pub mod run;
pub mod run_many;
pub mod sandbox;
pub mod schema;
pub mod schemas;
pub mod secret;
pub mod shared;
pub mod snapshot;
pub mod snapshot_list;
pub mod step;

use crate::cli::{Cli, Command, OrgCommand};
use crate::protocol::{CommandOutput, Error, ExitStatus, Result};
use shared::Globals;

/// The command's name as the error envelope's `context` shows it.
pub fn context(cli: &Cli) -> &'static str {
    match &cli.command {
        Command::Org(OrgCommand::Inspect(_)) => "org inspect",
        Command::Org(OrgCommand::Wait(_)) => "org wait",
        Command::Case(command) => case::context(command),
        Command::Step(command) => step::context(command),
        Command::Run(_) => "run",
        Command::Rollback(_) => "rollback",
        Command::Schema(_) => "schema",
        Command::Config(crate::cli::project::ConfigCommand::Init(_)) => "config init",
        Command::Config(crate::cli::project::ConfigCommand::Validate(_)) => "config validate",
        Command::Snapshot(args) if args.command.is_some() => "snapshot diff",
        Command::Snapshot(_) => "snapshot",
        Command::Secret(command) => secret::context(command),
        Command::Doctor(_) => "doctor",
        Command::Completions(_) => "completions",
        Command::Man(_) => "man",
        Command::CommandTree => "command-tree",
    }
}

/// Runs the parsed command to completion (Ctrl-C ends it with exit 130).
pub fn dispatch(cli: Cli) -> Result<CommandOutput> {
    prepare(&cli)?;
    // The offline intake reads a file and prints: it never waits, so it needs no runtime (whose
    // start-up, with the signal handler, is a good part of a run that short).
    let cli = match cli.command {
        Command::Org(OrgCommand::Inspect(args)) if args.offline => {
            return org::inspect::cmd_org_inspect_offline(args);
        }
        command => Cli { command, ..cli },
    };
    let globals = Globals::from_cli(&cli);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| Error::new("RuntimeError", format!("Could not start: {e}")))?;
    runtime.block_on(async move {
        tokio::select! {
            result = dispatch_command(cli, globals) => result,
            _ = tokio::signal::ctrl_c() => Err(Error::new("InterruptedError", "Interrupted.").with_exit(ExitStatus::Interrupted)),
        }
    })
}

/// What every command does first: the global flags take effect.
fn prepare(cli: &Cli) -> Result<()> {
    if let Some(limit) = cli.net_timeout {
        crate::salesforce::limits::set_deadline(limit);
    }
    if let Some(path) = &cli.trace {
        crate::salesforce::trace::open(path)?;
    }
    Ok(())
}

async fn dispatch_command(cli: Cli, globals: Globals) -> Result<CommandOutput> {
    match cli.command {
        Command::Org(OrgCommand::Inspect(args)) => org::inspect::cmd_org_inspect(args).await,
        Command::Org(OrgCommand::Wait(args)) => org::wait::cmd_org_wait(args).await,
        Command::Case(command) => case::cmd_case(command, &globals).await,
        Command::Step(command) => step::cmd_step(command, &globals).await,
        Command::Run(args) if args.all || args.target_orgs.len() > 1 => {
            run_many::cmd_run_many(args, &globals).await
        }
        Command::Run(args) => run::cmd_run(args, &globals).await,
        Command::Rollback(args) => rollback::cmd_rollback(args).await,
        Command::Schema(args) => schema::cmd_schema(args),
        Command::Config(command) => config::cmd_config(command).await,
        Command::Snapshot(args) => snapshot::cmd_snapshot(args).await,
        Command::Secret(command) => secret::cmd_secret(command, &globals).await,
        Command::Doctor(args) => doctor::cmd_doctor(args).await,
        Command::Completions(args) => completions::cmd_completions(args),
        Command::Man(args) => man::cmd_man(args),
        Command::CommandTree => command_tree::cmd_command_tree(),
    }
}
