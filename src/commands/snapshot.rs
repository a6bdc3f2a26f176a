//! `snapshot` (before the refresh: save what it will overwrite), `snapshot diff` (what differs
//! from it now) and `snapshot list` (the snapshots kept). None writes to the org.

use crate::cli::project::{SnapshotArgs, SnapshotCommand, SnapshotDiffArgs};
use crate::commands::shared::open_org;
use crate::org::session::OpenOrg;
use crate::path_part::PathPart;
use crate::protocol::output::escape_inline;
use crate::protocol::{CommandOutput, Error, Result};
use crate::snapshot::compare::{Difference, differences};
use crate::snapshot::store::{path_for, same_org};
use crate::snapshot::take::{TenantUsers, take};
use crate::snapshot::{Found, Snapshot, find, load, save};
use schemars::JsonSchema;
use serde::Serialize;

/// The result of `snapshot`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotResult {
    /// Where it was written (mode 600).
    pub file: String,
    pub snapshot: Snapshot,
}

/// The result of `snapshot diff`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct SnapshotDiffResult {
    /// The snapshot compared with.
    pub file: String,
    pub sandbox_name: String,
    /// What the snapshot had that the org does not show now, step by step (empty: all restored).
    pub differences: Vec<Difference>,
}

pub async fn cmd_snapshot(args: SnapshotArgs) -> Result<CommandOutput> {
    match args.command {
        Some(SnapshotCommand::Diff(diff)) => run_diff(diff).await,
        Some(SnapshotCommand::List(list)) => super::snapshot_list::run_list(list),
        None => run_take(args).await,
    }
}

/// The sandbox's name, checked: it names the snapshot's folder.
fn sandbox_of(open: &OpenOrg) -> Result<PathPart> {
    match (&open.facts.sandbox_name, open.facts.is_sandbox) {
        (Some(name), Some(true) | None) => PathPart::sandbox(name, "The org's sandbox name"),
        _ => Err(Error::input(
            "NotASandboxError",
            "The org is not a sandbox: snapshots are of sandboxes, before their refresh.",
        )
        .with_action("Name the sandbox: logik-refresh snapshot -o <sandbox alias>")),
    }
}

fn output(open: &OpenOrg, result: &impl Serialize, text: String) -> CommandOutput {
    let mut output = CommandOutput::new(result, text).with_warnings(open.warnings.clone());
    output.warnings.extend(open.client.take_warnings());
    output
}

async fn run_take(args: SnapshotArgs) -> Result<CommandOutput> {
    // --output is checked before any request: a device, FIFO, folder or read-only file is refused.
    let target = args
        .output
        .as_deref()
        .map(crate::fsutil::output_target)
        .transpose()?;
    let config = crate::project::load(args.config.config.as_deref())?;
    let open = open_org(&args.org).await?;
    let sandbox = sandbox_of(&open)?;
    let org = open
        .facts
        .org_id
        .as_deref()
        .map(PathPart::parse_org_id)
        .transpose()?
        .ok_or_else(|| {
            Error::new(
                "OrgIdUnknownError",
                "The org did not report its ID; snapshots are kept per org ID.",
            )
        })?;
    let sandbox = sandbox.as_str();
    let entry = config.as_ref().and_then(|c| c.sandbox(sandbox));
    let mut snapshot = take(&open, sandbox, &TenantUsers::from_entry(entry, sandbox)).await?;
    // Sealed here, so that a copy printed with --output - is as checkable as a saved one.
    snapshot.checksum = Some(crate::snapshot::content_checksum(&snapshot));
    let path = match target {
        Some(crate::fsutil::OutputTarget::Stdout) => {
            let mut text = serde_json::to_string_pretty(&snapshot).expect("snapshots serialize");
            text.push('\n');
            let result = SnapshotResult {
                file: "-".into(),
                snapshot,
            };
            return Ok(output(&open, &result, text));
        }
        Some(crate::fsutil::OutputTarget::File(path)) => {
            refuse_other_org(&path, &snapshot)?;
            path
        }
        None => path_for(&PathPart::sandbox(sandbox, "The org's sandbox name")?, &org)?,
    };
    save(&snapshot, &path)?;
    let rows = snapshot.tenant_setting.as_ref().map_or(0, Vec::len);
    let text = format!(
        "Saved sandbox {sandbox} to {}: {rows} CPQ Tenant row(s), {} Trusted URL(s), {} Remote Site(s), {} user(s), {} package(s).\nAfter the refresh: logik-refresh snapshot diff -o <alias>, then logik-refresh run -o <alias>.",
        path.display(),
        snapshot.trusted_urls.len(),
        snapshot.remote_sites.len(),
        usize::from(snapshot.provisioning_user.is_some())
            + usize::from(snapshot.refresh_token_user.is_some())
            + snapshot.runtime_clients.len(),
        snapshot.packages.len()
    );
    let result = SnapshotResult {
        file: path.display().to_string(),
        snapshot,
    };
    Ok(output(&open, &result, text))
}

/// `--output FILE` never replaces a snapshot taken of another org (the one from before the
/// refresh, say): that one is what `run` restores from.
fn refuse_other_org(path: &std::path::Path, snapshot: &Snapshot) -> Result<()> {
    let Ok(existing) = load(path) else {
        return Ok(());
    };
    match (&existing.org.org_id, &snapshot.org.org_id) {
        (Some(old), Some(new)) if !same_org(old, new) => Err(Error::input(
            "SnapshotOverwriteError",
            format!(
                "{} holds a snapshot of org {old} (sandbox {}, taken {}); this org is {new}: it was not replaced.",
                path.display(),
                crate::protocol::output::escape_inline(&existing.sandbox_name),
                crate::protocol::output::escape_inline(&existing.taken_at)
            ),
        )
        .with_action("Give --output another file name, or leave --output out: snapshots are then kept per org ID (logik-refresh snapshot list).")),
        _ => Ok(()),
    }
}

async fn run_diff(args: SnapshotDiffArgs) -> Result<CommandOutput> {
    let open = open_org(&args.org).await?;
    let sandbox = sandbox_of(&open)?;
    let sandbox = sandbox.as_str();
    let Found {
        path,
        snapshot,
        warnings,
    } = find(
        Some(sandbox),
        open.facts.org_id.as_deref(),
        &crate::commands::sandbox::wanted(&args.snapshot),
    )?
    .ok_or_else(|| {
        Error::input(
            "NoSnapshotError",
            format!("No snapshot of sandbox {sandbox} taken before its refresh (of another org ID than this org's) is kept."),
        )
        .with_action("See the snapshots kept: logik-refresh snapshot list")
        .with_action("Take one before the next refresh: logik-refresh snapshot -o <alias>")
    })?;
    let now = take(&open, sandbox, &TenantUsers::from_snapshot(&snapshot)).await?;
    let differences = differences(&snapshot, &now);
    let legacy = crate::snapshot::legacy_warning(&snapshot, &path);
    let mut text = if differences.is_empty() {
        format!(
            "Sandbox {sandbox} matches its snapshot ({}).\n",
            path.display()
        )
    } else {
        format!(
            "{} difference(s) between sandbox {sandbox} and its snapshot ({}):\n",
            differences.len(),
            path.display()
        )
    };
    for d in &differences {
        text.push_str(&format!(
            "  [{}] {}\n      snapshot: {}\n      org now:  {}\n",
            escape_inline(&d.step),
            escape_inline(&d.what),
            d.snapshot,
            d.org
        ));
    }
    let result = SnapshotDiffResult {
        file: path.display().to_string(),
        sandbox_name: sandbox.to_string(),
        differences,
    };
    let mut out = output(&open, &result, text);
    out.warnings.extend(warnings);
    out.warnings.extend(legacy);
    Ok(out)
}
