//! `run` over several sandboxes in one process (`-o uat -o qa -o dev`, or `--all` for every
//! sandbox of the project config): the orgs run concurrently, each on its own thread with its own journal; one
//! org's failure never stops another; one combined summary, and `--jsonl` events tagged with
//! their org.

use super::run::{progress_line, run_org};
use crate::cli::run::RunArgs;
use crate::commands::shared::Globals;
use crate::project::LoadedConfig;
use crate::protocol::output::{eprintln_quiet, print_json_line};
use crate::protocol::{CommandOutput, Error, Format, Result};
use crate::steps::fleet::{FleetEvent, FleetOrg, FleetSummary, OrgEvent};
use std::io::IsTerminal;

pub async fn cmd_run_many(args: RunArgs, globals: &Globals) -> Result<CommandOutput> {
    crate::salesforce::client::prepare_https();
    let config = crate::project::load(args.config.config.as_deref())?;
    let targets = targets(&args, config.as_ref())?;
    let jsonl = args.jsonl;
    let progress = !jsonl && globals.format == Format::Text && std::io::stderr().is_terminal();
    // Each org runs on a thread and a runtime of its own: what one org does without awaiting
    // (its journal's fsync, waiting for its lock, reading sf's auth files, parsing answers)
    // never holds up the others, and none waits for another's turn. A thread that cannot start
    // or that panics ends its org as failed; the others go on.
    // The threads wait at a gate until all are started: the first ones' work would otherwise
    // take the cores from the thread starting the rest, and the last org would start late.
    let gate = std::sync::Arc::new(std::sync::RwLock::new(()));
    let starting = gate
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let runs: Vec<_> = targets
        .iter()
        .map(|target| {
            let (done, ended) = tokio::sync::oneshot::channel();
            let (args, config, name) = (args.clone(), config.clone(), target.clone());
            let gate = gate.clone();
            let started = std::thread::Builder::new()
                .name(format!("run {target}"))
                .spawn(move || {
                    drop(gate.read());
                    let _ = done.send(run_one(args, config, name, jsonl, progress));
                });
            (target.clone(), started.map(|_| ended))
        })
        .collect();
    drop(starting);
    let mut warnings = Vec::new();
    let mut orgs = Vec::new();
    for (target, run) in runs {
        let (org, org_warnings) = match run {
            Ok(ended) => ended.await.unwrap_or_else(|_| {
                failed(
                    &target,
                    "The org's run stopped unexpectedly (an internal error).",
                )
            }),
            Err(err) => failed(&target, &format!("Could not start the org's run: {err}")),
        };
        orgs.push(org);
        warnings.extend(org_warnings);
    }
    let summary = FleetSummary::new(orgs);
    let exit = summary.exit_status();
    let mut output = CommandOutput::new(&summary, summary.to_text()).with_warnings(warnings);
    output.exit = exit;
    if jsonl {
        output.stream = Some(
            serde_json::to_value(FleetEvent::FleetSummary {
                status: exit.code(),
                summary: Box::new(summary),
            })
            .expect("events serialize"),
        );
    }
    Ok(output)
}

fn failed(target: &str, message: &str) -> (FleetOrg, Vec<String>) {
    let err = Error::new("InternalError", message);
    (FleetOrg::from_error(target, &err), Vec::new())
}

/// One org's whole run, on the calling thread.
fn run_one(
    args: RunArgs,
    config: Option<LoadedConfig>,
    target: String,
    jsonl: bool,
    progress: bool,
) -> (FleetOrg, Vec<String>) {
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(err) => return failed(&target, &format!("Could not start the org's run: {err}")),
    };
    let on_event = |event: &crate::steps::procedure::RunEvent| {
        if jsonl {
            print_json_line(&OrgEvent {
                target: target.clone(),
                event: event.clone(),
            });
        }
        if progress && let Some(line) = progress_line(event) {
            eprintln_quiet(&format!("{target}: {line}"));
        }
    };
    match runtime.block_on(run_org(args, config, Some(target.clone()), on_event)) {
        Ok((summary, warnings)) => {
            let warnings = warnings
                .into_iter()
                .map(|w| format!("{target}: {w}"))
                .collect();
            (FleetOrg::from_summary(&target, summary), warnings)
        }
        Err(err) => (FleetOrg::from_error(&target, &err), Vec::new()),
    }
}

/// The orgs named: each `-o`, or with `--all` each sandbox of the config (its `targetOrg`, else
/// its name as the sf alias). Names repeated are run once.
fn targets(args: &RunArgs, config: Option<&LoadedConfig>) -> Result<Vec<String>> {
    let mut targets: Vec<String> = if args.all {
        let config = config.ok_or_else(|| {
            Error::input(
                "NoConfigError",
                "--all runs every sandbox of the project config, and there is none here (no sfdx-project.json with plugins.logik-refresh).",
            )
            .with_action("Name the orgs instead: logik-refresh run -o uat -o qa")
        })?;
        config
            .config
            .sandboxes
            .iter()
            .map(|(name, entry)| entry.target_org.clone().unwrap_or_else(|| name.clone()))
            .collect()
    } else {
        args.target_orgs.clone()
    };
    let mut seen = std::collections::HashSet::new();
    targets.retain(|t| seen.insert(t.to_ascii_lowercase()));
    if targets.is_empty() {
        return Err(Error::input(
            "NoSandboxesError",
            "The project config names no sandboxes: --all has nothing to run.",
        ));
    }
    Ok(targets)
}
