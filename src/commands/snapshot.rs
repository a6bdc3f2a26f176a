//! `snapshot` (before the refresh: save what it will overwrite) and `snapshot diff` (what
//! differs from it now). Both only read the org.

use crate::cli::project::{SnapshotArgs, SnapshotCommand, SnapshotDiffArgs};
use crate::commands::shared::open_org;
use crate::org::session::OpenOrg;
use crate::protocol::output::escape_inline;
use crate::protocol::{CommandOutput, Error, Result};
use crate::snapshot::compare::{Difference, differences};
use crate::snapshot::take::{TenantUsers, take};
use crate::snapshot::{Snapshot, default_path, find, save};
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
        None => run_take(args).await,
    }
}

fn sandbox_of(open: &OpenOrg) -> Result<String> {
    match (&open.facts.sandbox_name, open.facts.is_sandbox) {
        (Some(name), Some(true) | None) => Ok(name.to_ascii_lowercase()),
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
    let entry = config.as_ref().and_then(|c| c.sandbox(&sandbox));
    let snapshot = take(&open, &sandbox, &TenantUsers::from_entry(entry, &sandbox)).await?;
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
        Some(crate::fsutil::OutputTarget::File(path)) => path,
        None => default_path(&sandbox)?,
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

async fn run_diff(args: SnapshotDiffArgs) -> Result<CommandOutput> {
    let open = open_org(&args.org).await?;
    let sandbox = sandbox_of(&open)?;
    let (path, snapshot) = find(
        Some(&sandbox),
        args.snapshot.snapshot.as_deref(),
        args.snapshot.snapshot_of.as_deref(),
    )?
    .ok_or_else(|| {
        Error::input(
            "NoSnapshotError",
            format!(
                "No snapshot of sandbox {sandbox}: {} does not exist.",
                default_path(&sandbox)
                    .map(|p| p.display().to_string())
                    .unwrap_or_default()
            ),
        )
        .with_action("Take one before the next refresh: logik-refresh snapshot -o <alias>")
    })?;
    let now = take(&open, &sandbox, &TenantUsers::from_snapshot(&snapshot)).await?;
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
        sandbox_name: sandbox,
        differences,
    };
    let mut out = output(&open, &result, text);
    out.warnings.extend(legacy);
    Ok(out)
}
