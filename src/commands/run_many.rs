//! `run` over several sandboxes in one process (`-o uat -o qa -o dev`, or `--all` for every
//! sandbox of the project config): the orgs run concurrently, a bounded number at once, each with its own journal; one
//! org's failure never stops another; one combined summary, and `--jsonl` events tagged with
//! their org.

use super::run::{progress_line, run_org};
use crate::cli::run::RunArgs;
use crate::commands::shared::Globals;
use crate::project::LoadedConfig;
use crate::protocol::output::{eprintln_quiet, escape_inline, print_json_line};
use crate::protocol::{CommandOutput, Error, Format, Result};
use crate::sf::target_org::org_key;
use crate::steps::fleet::{FleetEvent, FleetOrg, FleetSummary, OrgEvent};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

pub async fn cmd_run_many(args: RunArgs, globals: &Globals) -> Result<CommandOutput> {
    crate::salesforce::client::prepare_https();
    let config = crate::project::load(args.config.config.as_deref())?;
    let (targets, mut warnings) = targets(&args, config.as_ref())?;
    let jsonl = args.jsonl;
    let progress = !jsonl && globals.format == Format::Text && std::io::stderr().is_terminal();
    // A bounded pool: `jobs` threads, each taking the next org when it is done with one. Each
    // org runs on a runtime of its own, on its worker's thread: what one org does without
    // awaiting (its journal's fsync, waiting for its lock, reading sf's auth files, parsing
    // answers) never holds up the others. At most `jobs` orgs hold files, connections and
    // snapshots at once, however many the config names; an org's run leaves only its summary.
    // A panic ends its org as failed; the worker goes on with the next.
    let jobs = pool_size(args.jobs, targets.len());
    let targets = Arc::new(targets);
    let next = Arc::new(AtomicUsize::new(0));
    let (done, mut ended) = tokio::sync::mpsc::unbounded_channel();
    let mut start_error = None;
    let mut started = 0;
    for worker in 0..jobs {
        let (args, config, targets, next, done) = (
            args.clone(),
            config.clone(),
            targets.clone(),
            next.clone(),
            done.clone(),
        );
        let spawned = std::thread::Builder::new()
            .name(format!("run worker {worker}"))
            .spawn(move || {
                loop {
                    let index = next.fetch_add(1, Ordering::Relaxed);
                    let Some(target) = targets.get(index) else {
                        break;
                    };
                    let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                        run_one(
                            args.clone(),
                            config.clone(),
                            target.clone(),
                            jsonl,
                            progress,
                        )
                    }));
                    let result = run.unwrap_or_else(|_| {
                        failed(
                            target,
                            "The org's run stopped unexpectedly (an internal error).",
                        )
                    });
                    if done.send((index, result)).is_err() {
                        break;
                    }
                }
            });
        match spawned {
            Ok(_) => started += 1,
            Err(err) => start_error = Some(err.to_string()),
        }
    }
    drop(done);
    let mut results: Vec<Option<(FleetOrg, Vec<String>)>> = vec![None; targets.len()];
    while let Some((index, result)) = ended.recv().await {
        results[index] = Some(result);
    }
    let mut orgs = Vec::with_capacity(targets.len());
    for (target, result) in targets.iter().zip(results) {
        let (org, org_warnings) = result.unwrap_or_else(|| match (&start_error, started) {
            (Some(err), 0) => failed(target, &format!("Could not start the org's run: {err}")),
            _ => failed(
                target,
                "The org's run stopped unexpectedly (an internal error).",
            ),
        });
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

/// How many orgs run at once: `--jobs`, else twice the CPU cores (an org's run mostly waits
/// for the network), at most [`DEFAULT_MAX_JOBS`]; never more than there are orgs.
fn pool_size(jobs: Option<u16>, orgs: usize) -> usize {
    let default = || {
        std::thread::available_parallelism()
            .map(|n| n.get() * 2)
            .unwrap_or(4)
            .min(DEFAULT_MAX_JOBS)
    };
    jobs.map(usize::from)
        .unwrap_or_else(default)
        .clamp(1, orgs.max(1))
}

/// The most orgs run at once by default: each holds a few files and connections and, while it
/// restores one, a snapshot; 16 stays far below the usual 1,024 open files.
const DEFAULT_MAX_JOBS: usize = 16;

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
            eprintln_quiet(&format!("{}: {line}", escape_inline(&target)));
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
/// its name as the sf alias). An org named twice, by whatever name (an alias and its username),
/// is run once, under the first name, with a warning.
fn targets(args: &RunArgs, config: Option<&LoadedConfig>) -> Result<(Vec<String>, Vec<String>)> {
    let named: Vec<String> = if args.all {
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
    let cwd = std::env::current_dir().unwrap_or_else(|_| std::path::PathBuf::from("."));
    let home = crate::sf::home::home_dir().ok();
    let mut first_by_org: HashMap<String, String> = HashMap::new();
    let mut targets = Vec::new();
    let mut warnings = Vec::new();
    for name in named {
        let key = match &home {
            Some(home) => org_key(&name, &cwd, home),
            None => format!("name:{}", name.to_ascii_lowercase()),
        };
        match first_by_org.get(&key) {
            Some(first) if first.eq_ignore_ascii_case(&name) => {}
            Some(first) => warnings.push(format!(
                "{} is the same org as {}: it runs once, as {}.",
                escape_inline(&name),
                escape_inline(first),
                escape_inline(first)
            )),
            None => {
                first_by_org.insert(key, name.clone());
                targets.push(name);
            }
        }
    }
    if targets.is_empty() {
        return Err(Error::input(
            "NoSandboxesError",
            "The project config names no sandboxes: --all has nothing to run.",
        ));
    }
    Ok((targets, warnings))
}
