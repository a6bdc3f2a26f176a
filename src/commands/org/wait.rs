//! `org wait`: polls the production org's `SandboxProcess` (Tooling API) until a sandbox refresh
//! completes, then prints the refreshed sandbox as an org the other commands read from a pipe:
//! its new org ID and the username the refresh gave the user running this.
//!
//! Progress goes to stderr: a bar redrawn every second when stderr is a terminal, else one line
//! each time the status or the copy progress changes. `--timeout` ends the wait with exit 69.

use crate::cli::org::WaitArgs;
use crate::commands::shared::open_org;
use crate::org::facts::parse_my_domain;
use crate::org::session::OpenOrg;
use crate::protocol::{CommandOutput, Error, ExitStatus, Result};
use crate::salesforce::Client;
use crate::salesforce::checked_write::is_transient;
use crate::salesforce::ids::OrgId;
use crate::salesforce::soql_quote;
use crate::steps::StepOrg;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// What `org wait` prints: the refreshed sandbox, in the shape other commands read from a pipe.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgWaitResult {
    /// The refreshed sandbox: its new org ID (18 characters) and the username the refresh gave
    /// the running user (the production username + `.` + the sandbox name).
    pub org: StepOrg,
    /// The sandbox's org ID, 15 characters (as Setup > Company Information shows it).
    pub org_id15: String,
    /// The refresh, as the production org's `SandboxProcess` last reported it.
    pub sandbox_process: SandboxProcess,
    /// The production org that was polled.
    pub production: StepOrg,
    /// Seconds this command waited.
    pub waited_seconds: u64,
    /// How many times `SandboxProcess` was read.
    pub polls: u32,
    /// HTTP requests sent to the production org.
    pub requests: u64,
}

/// A `SandboxProcess` record (Tooling API, production org).
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SandboxProcess {
    pub id: String,
    pub sandbox_name: String,
    /// `Pending`, `Processing`, `Sampling`, `Activating`, `Pending Activation`, `Completed`, ...
    pub status: String,
    /// Percent copied, 0 to 100.
    pub copy_progress: Option<i64>,
    /// The sandbox's org ID, 15 characters, once the refresh completed.
    pub sandbox_organization: Option<String>,
    pub license_type: Option<String>,
    pub created_date: Option<String>,
    /// When the refresh completed.
    pub end_date: Option<String>,
}

impl SandboxProcess {
    fn from_record(record: &Value) -> SandboxProcess {
        let text = |field: &str| {
            record
                .get(field)
                .and_then(Value::as_str)
                .map(str::to_string)
        };
        SandboxProcess {
            id: text("Id").unwrap_or_default(),
            sandbox_name: text("SandboxName").unwrap_or_default(),
            status: text("Status").unwrap_or_default(),
            copy_progress: record.get("CopyProgress").and_then(Value::as_i64),
            sandbox_organization: text("SandboxOrganization"),
            license_type: text("LicenseType"),
            created_date: text("CreatedDate"),
            end_date: text("EndDate"),
        }
    }

    /// Done, from language-free facts: `Status` comes in the running user's language
    /// (`Abgeschlossen`, `完了`), the end date and the new org's ID do not.
    fn completed(&self) -> bool {
        self.end_date.is_some() && self.sandbox_organization.is_some()
    }

    /// Ended without a new org: an end date but no sandbox org ID (language-free), or one of
    /// the statuses after which the refresh will not complete, as an English org names them.
    fn ended_badly(&self) -> bool {
        (self.end_date.is_some() && self.sandbox_organization.is_none())
            || [
                "Failed",
                "Stopped",
                "Stopping",
                "Deleted",
                "Deleting",
                "Discarding",
            ]
            .iter()
            .any(|s| self.status.eq_ignore_ascii_case(s))
    }
}

/// Salesforce's rule for sandbox names: 1 to 10 letters and digits, starting with a letter.
pub fn check_sandbox_name(name: &str) -> Result<()> {
    if crate::path_part::is_sandbox_name(name) {
        Ok(())
    } else {
        Err(Error::input(
            "InvalidSandboxNameError",
            format!("--sandbox-name {name:?} is not a sandbox name: 1 to 10 letters and digits, starting with a letter."),
        )
        .with_action("Use the name Setup > Sandboxes shows in the production org, e.g. --sandbox-name uat."))
    }
}

pub async fn cmd_org_wait(args: WaitArgs) -> Result<CommandOutput> {
    let mut names: Vec<String> = Vec::new();
    for name in &args.sandbox_name {
        let name = name.trim().to_string();
        check_sandbox_name(&name)?;
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&name)) {
            names.push(name);
        }
    }
    let open = open_org(&args.org).await?;
    let production = who(&open);
    if open.facts.is_sandbox == Some(true) {
        return Err(Error::input(
            "NotProductionOrgError",
            format!("{production} is a sandbox; a refresh is tracked in the production org that holds the sandbox license."),
        )
        .with_action(format!("Name the production org: logik-refresh org wait --sandbox-name {} -o <production alias>", names.join(","))));
    }
    if let [name] = names.as_slice() {
        let tty = std::io::stderr().is_terminal();
        let result = wait_one(&open, name, &args, tty).await?;
        let text = to_text(&result, Duration::from_secs(result.waited_seconds));
        let mut output = CommandOutput::new(&result, text).with_warnings(open.warnings.clone());
        output.warnings.extend(open.client.take_warnings());
        return Ok(output);
    }
    // Several sandboxes: polled together, progress one line per change (no redrawn bars).
    let waits: Vec<OneWait<'_>> = names
        .iter()
        .map(|name| Box::pin(wait_one(&open, name, &args, false)) as OneWait<'_>)
        .collect();
    let ended = crate::salesforce::join::join_all(waits).await;
    let mut sandboxes = Vec::new();
    let mut exit = ExitStatus::Success;
    let mut text = String::new();
    for (name, ended) in names.iter().zip(ended) {
        match ended {
            Ok(result) => {
                text.push_str(&to_text(
                    &result,
                    Duration::from_secs(result.waited_seconds),
                ));
                sandboxes.push(WaitedSandbox {
                    sandbox_name: name.clone(),
                    result: Some(result),
                    error: None,
                });
            }
            Err(err) => {
                text.push_str(&format!("{name}: {} ({})\n", err.message, err.name));
                if exit == ExitStatus::Success || err.exit == ExitStatus::Failure {
                    exit = err.exit;
                }
                sandboxes.push(WaitedSandbox {
                    sandbox_name: name.clone(),
                    result: None,
                    error: Some(crate::steps::fleet::FleetError {
                        name: err.name.clone(),
                        message: err.message.clone(),
                    }),
                });
            }
        }
    }
    let result = OrgWaitManyResult { sandboxes };
    let mut output = CommandOutput::new(&result, text).with_warnings(open.warnings.clone());
    output.warnings.extend(open.client.take_warnings());
    output.exit = exit;
    Ok(output)
}

type OneWait<'a> = crate::salesforce::join::Boxed<'a, Result<OrgWaitResult>>;

/// What `org wait` prints for several sandboxes: each one's result, or why it is not ready.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgWaitManyResult {
    pub sandboxes: Vec<WaitedSandbox>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct WaitedSandbox {
    pub sandbox_name: String,
    /// The refreshed sandbox, once its refresh completed.
    pub result: Option<OrgWaitResult>,
    /// Why not: the refresh ended badly, the sandbox is unknown, or the wait timed out.
    pub error: Option<crate::steps::fleet::FleetError>,
}

/// Waits for one sandbox's refresh (the production org already open and checked).
async fn wait_one(open: &OpenOrg, name: &str, args: &WaitArgs, tty: bool) -> Result<OrgWaitResult> {
    let name = name.to_string();
    let production = who(open);
    let started = Instant::now();
    let deadline = args.timeout.map(|t| started + t);
    let mut progress = Progress::new(&name, started, tty);
    let mut polls: u32 = 0;
    let mut last: Option<SandboxProcess> = None;
    let process = loop {
        polls += 1;
        match latest_process(&open.client, &name).await {
            Ok(Some(process)) => {
                progress.show(&process);
                if process.completed() {
                    break process;
                }
                if process.ended_badly() {
                    progress.finish();
                    return Err(Error::new(
                        "SandboxRefreshEndedError",
                        format!("The refresh of sandbox {name} ended with status {} and will not complete.", process.status),
                    )
                    .with_action(format!("See Setup > Sandboxes in {production}, then start the refresh again (sf org refresh sandbox --name {name} -o {production})."))
                    .with_data(json!({"sandboxProcess": process})));
                }
                last = Some(process);
            }
            Ok(None) => {
                progress.finish();
                return Err(not_found(&open.client, &name, &production).await);
            }
            // A long wait outlives network blips: keep polling (the client already retried).
            Err(err) if polls > 1 && is_transient(&err) => {
                progress.note(&format!(
                    "Could not read the refresh ({}); trying again.",
                    err.message
                ));
            }
            Err(err) => {
                progress.finish();
                return Err(err);
            }
        }
        let now = Instant::now();
        if deadline.is_some_and(|d| now >= d) {
            progress.finish();
            return Err(timed_out(&name, &production, started, last.as_ref()));
        }
        let next = now + args.poll_interval;
        let until = deadline.map_or(next, |d| next.min(d));
        while Instant::now() < until {
            let left = until.saturating_duration_since(Instant::now());
            tokio::time::sleep(left.min(Duration::from_secs(1))).await;
            progress.tick();
        }
    };
    progress.finish();

    let id15 = process.sandbox_organization.clone().unwrap_or_default();
    let org_id = OrgId::parse(&id15).map_err(|e| {
        Error::new(
            "UnexpectedResponseError",
            format!(
                "The refresh of {name} completed, but SandboxProcess.SandboxOrganization is not an org ID ({id15:?}): {}",
                e.message
            ),
        )
    })?;
    let facts = &open.facts;
    let instance_url = facts
        .instance_url
        .as_deref()
        .and_then(parse_my_domain)
        .filter(|d| d.sandbox.is_none())
        .map(|d| {
            format!(
                "https://{}--{}.sandbox.my.salesforce.com",
                d.name,
                name.to_ascii_lowercase()
            )
        });
    let result = OrgWaitResult {
        org: StepOrg {
            org_id: Some(org_id.as_18().to_string()),
            username: facts
                .username
                .as_ref()
                .map(|u| format!("{u}.{}", name.to_ascii_lowercase())),
            alias: None,
            instance_url,
            sandbox_name: Some(process.sandbox_name.clone()),
            is_sandbox: Some(true),
        },
        org_id15: org_id.as_15().to_string(),
        production: StepOrg::from(facts),
        waited_seconds: started.elapsed().as_secs(),
        polls,
        requests: open.client.request_count(),
        sandbox_process: process,
    };
    Ok(result)
}

fn who(open: &OpenOrg) -> String {
    open.facts
        .alias
        .clone()
        .or(open.facts.username.clone())
        .unwrap_or_else(|| "the org".into())
}

/// The newest refresh of the sandbox. A deleted process (status `D`) is left out, as sf's
/// `org resume sandbox` does (`Status != 'D'`): it would never finish.
async fn latest_process(client: &Client, name: &str) -> Result<Option<SandboxProcess>> {
    let rows = client
        .tooling_query(&format!(
            "SELECT Id, SandboxName, Status, CopyProgress, SandboxOrganization, LicenseType, CreatedDate, EndDate \
             FROM SandboxProcess WHERE SandboxName = {} AND Status != 'D' ORDER BY CreatedDate DESC LIMIT 1",
            soql_quote(name)
        ))
        .await?;
    Ok(rows.first().map(SandboxProcess::from_record))
}

async fn not_found(client: &Client, name: &str, production: &str) -> Error {
    let known: Vec<String> = client
        .tooling_query("SELECT SandboxName FROM SandboxInfo ORDER BY SandboxName")
        .await
        .map(|rows| {
            rows.iter()
                .filter_map(|r| r.get("SandboxName").and_then(Value::as_str))
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default();
    let mut err = Error::input(
        "SandboxNotFoundError",
        format!("{production} has no refresh or creation of a sandbox named {name}."),
    );
    err = if known.is_empty() {
        err.with_action(format!(
            "Check the name in Setup > Sandboxes of {production}."
        ))
    } else {
        err.with_action(format!("Sandboxes of {production}: {}.", known.join(", ")))
    };
    err.with_action(format!(
        "Start a refresh first: sf org refresh sandbox --name {name} -o {production}"
    ))
}

fn timed_out(
    name: &str,
    production: &str,
    started: Instant,
    last: Option<&SandboxProcess>,
) -> Error {
    let state = last.map_or("no answer yet".to_string(), |p| {
        format!("{} {}%", p.status, p.copy_progress.unwrap_or(0))
    });
    Error::new(
        "SandboxWaitTimeoutError",
        format!(
            "Sandbox {name} is not ready after {}: {state}.",
            elapsed_text(started.elapsed())
        ),
    )
    .with_exit(ExitStatus::TimedOut)
    .with_action(format!(
        "Wait longer: logik-refresh org wait --sandbox-name {name} -o {production} --timeout 2h"
    ))
    .with_action(format!(
        "Or look now: sf org resume sandbox --name {name} -o {production}"
    ))
    .with_data(json!({"sandboxProcess": last}))
}

fn to_text(result: &OrgWaitResult, waited: Duration) -> String {
    let org = &result.org;
    let process = &result.sandbox_process;
    let mut out = format!(
        "Sandbox {} is ready: the refresh completed{} (waited {}).\n",
        process.sandbox_name,
        process
            .end_date
            .as_deref()
            .map(|d| format!(" at {d}"))
            .unwrap_or_default(),
        elapsed_text(waited)
    );
    out.push_str(&format!(
        "  Org ID:   {} (15 characters: {})\n",
        org.org_id.as_deref().unwrap_or_default(),
        result.org_id15
    ));
    if let Some(username) = &org.username {
        out.push_str(&format!("  Username: {username}\n"));
    }
    if let Some(url) = &org.instance_url {
        out.push_str(&format!("  URL:      {url}\n"));
    }
    out.push_str(&format!(
        "Next, log in to it: sf org login web --instance-url {} --alias {}\n",
        org.instance_url
            .as_deref()
            .unwrap_or("https://test.salesforce.com"),
        process.sandbox_name.to_ascii_lowercase()
    ));
    out
}

/// `12s`, `3m05s`, `1h02m03s`.
fn elapsed_text(elapsed: Duration) -> String {
    let secs = elapsed.as_secs();
    let (h, m, s) = (secs / 3600, secs / 60 % 60, secs % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m{s:02}s"),
        _ => format!("{h}h{m:02}m{s:02}s"),
    }
}

/// Progress on stderr: a bar on a terminal, quiet lines otherwise.
struct Progress {
    name: String,
    started: Instant,
    tty: bool,
    last: Option<SandboxProcess>,
    drawn: bool,
}

impl Progress {
    fn new(name: &str, started: Instant, tty: bool) -> Progress {
        Progress {
            name: name.to_string(),
            started,
            tty,
            last: None,
            drawn: false,
        }
    }

    fn show(&mut self, process: &SandboxProcess) {
        let changed = self.last.as_ref().is_none_or(|last| {
            last.status != process.status || last.copy_progress != process.copy_progress
        });
        self.last = Some(process.clone());
        if self.tty {
            self.draw();
        } else if changed {
            let line = format!(
                "Sandbox {}: {} {}% (elapsed {})",
                self.name,
                process.status,
                process.copy_progress.unwrap_or(0),
                elapsed_text(self.started.elapsed())
            );
            eprintln_quiet(&line);
        }
    }

    /// Redraws the bar (the elapsed time moves on between polls).
    fn tick(&mut self) {
        if self.tty && self.last.is_some() {
            self.draw();
        }
    }

    fn draw(&mut self) {
        let Some(process) = &self.last else {
            return;
        };
        const WIDTH: usize = 30;
        let percent = process.copy_progress.unwrap_or(0).clamp(0, 100) as usize;
        let filled = percent * WIDTH / 100;
        let bar = format!("{}{}", "#".repeat(filled), "-".repeat(WIDTH - filled));
        let mut stderr = std::io::stderr().lock();
        let _ = write!(
            stderr,
            "\r\x1b[2KSandbox {} [{bar}] {percent:>3}% {}  {}",
            self.name,
            crate::redacted::scrub(&process.status),
            elapsed_text(self.started.elapsed())
        );
        let _ = stderr.flush();
        self.drawn = true;
    }

    fn note(&mut self, message: &str) {
        if self.tty && self.drawn {
            eprint!("\r\x1b[2K");
            eprintln_quiet(message);
            self.draw();
        } else {
            eprintln_quiet(message);
        }
    }

    fn finish(&mut self) {
        if self.tty && self.drawn {
            eprintln_quiet("");
            self.drawn = false;
        }
    }
}

/// A line on stderr; a closed stderr is not worth failing the wait for.
fn eprintln_quiet(line: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = writeln!(stderr, "{line}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sandbox_names() {
        for good in ["uat", "UAT2", "a", "abcdefghij"] {
            assert!(check_sandbox_name(good).is_ok(), "{good}");
        }
        for bad in ["", "2uat", "u-at", "abcdefghijk", "uat sandbox"] {
            let err = check_sandbox_name(bad).unwrap_err();
            assert_eq!(err.exit.code(), 2, "{bad}");
        }
    }

    #[test]
    fn elapsed_times() {
        assert_eq!(elapsed_text(Duration::from_secs(12)), "12s");
        assert_eq!(elapsed_text(Duration::from_secs(185)), "3m05s");
        assert_eq!(elapsed_text(Duration::from_secs(3723)), "1h02m03s");
    }
}
