//! `config init` and `config validate`: the project's `plugins.logik-refresh` section.

use crate::cli::project::{ConfigCommand, ConfigFlags, ConfigInitArgs};
use crate::commands::shared::open_org;
use crate::project::{self, PROJECT_FILE, SECTION, SandboxConfig};
use crate::protocol::{CommandOutput, Error, Result};
use crate::snapshot::RowLevel;
use crate::snapshot::take::{TenantUsers, take};
use schemars::JsonSchema;
use serde::Serialize;
use std::path::PathBuf;

/// The result of `config init`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigInitResult {
    /// The project file.
    pub file: String,
    pub sandbox: String,
    /// The sandbox's entry as it is now in the file.
    pub entry: SandboxConfig,
    /// False with --dry-run.
    pub written: bool,
}

/// The result of `config validate`.
#[derive(Debug, Clone, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ConfigValidateResult {
    pub file: String,
    pub valid: bool,
    /// The sandboxes it names.
    pub sandboxes: Vec<String>,
}

pub async fn cmd_config(command: ConfigCommand) -> Result<CommandOutput> {
    match command {
        ConfigCommand::Init(args) => init(args).await,
        ConfigCommand::Validate(flags) => validate(&flags),
    }
}

fn no_config() -> Error {
    Error::input(
        "NoConfigError",
        format!("No {PROJECT_FILE} with a plugins.{SECTION} section here or in a parent folder."),
    )
    .with_action("Run it inside your sf project, or pass --config FILE.")
    .with_action("Write a sandbox's entry with: logik-refresh config init -o <alias>")
}

fn validate(flags: &ConfigFlags) -> Result<CommandOutput> {
    let loaded = project::load(flags.config.as_deref())?.ok_or_else(no_config)?;
    let result = ConfigValidateResult {
        file: loaded.path.display().to_string(),
        valid: true,
        sandboxes: loaded.config.sandboxes.keys().cloned().collect(),
    };
    let text = format!(
        "{}: plugins.{SECTION} is valid ({} sandbox(es): {}).",
        result.file,
        result.sandboxes.len(),
        result.sandboxes.join(", ")
    );
    Ok(CommandOutput::new(&result, text))
}

async fn init(args: ConfigInitArgs) -> Result<CommandOutput> {
    let path: PathBuf = match &args.config.config {
        Some(path) => path.clone(),
        None => {
            let cwd = std::env::current_dir()
                .map_err(|e| Error::new("WorkingDirectoryError", e.to_string()))?;
            project::find_project_file(&cwd).ok_or_else(|| {
                Error::input(
                    "NoProjectError",
                    format!("No {PROJECT_FILE} here or in a parent folder: not in an sf project."),
                )
                .with_action("Run it inside your sf project, or name the file with --config FILE.")
            })?
        }
    };
    // The file is read (and checked) before the org is called.
    // The file is written as --output is: a read-only file or anything but a regular file is
    // refused before any work, a symbolic link keeps pointing where it did (its target is
    // written).
    crate::fsutil::writable_file(&path, "config init")?;
    let document = if path.exists() {
        let document = project::read_project_file(&path)?;
        if let Some(section) = project::section_of(&document, &path)? {
            project::check(section, &path)?;
        }
        document
    } else {
        serde_json::json!({})
    };
    let open = open_org(&args.org).await?;
    let sandbox = open.facts.sandbox_name.clone().ok_or_else(|| {
        Error::input(
            "NotASandboxError",
            "The org is not a sandbox (no sandbox name in its My Domain or username): the config holds sandboxes.",
        )
    })?;
    let now = take(&open, &sandbox, &TenantUsers::default()).await?;
    let org_row = now
        .tenant_setting
        .iter()
        .flatten()
        .find(|r| r.level == RowLevel::Org);
    let runtime_url = org_row.and_then(|r| r.runtime_url.clone());
    let admin_url = org_row
        .and_then(|r| r.admin_url.clone())
        .filter(|admin| Some(admin) != runtime_url.as_ref());
    let trusted = runtime_url.as_ref().map(|url| {
        now.trusted_urls
            .iter()
            .any(|t| t.active && t.url.trim_end_matches('/').eq_ignore_ascii_case(url))
    });
    let entry = SandboxConfig {
        runtime_url,
        admin_url,
        trusted_urls: trusted.filter(|t| *t),
        ..SandboxConfig::default()
    };
    let (document, merged) = project::init::merge_entry(document, &sandbox, &entry, &path)?;
    if !args.dry_run {
        let mut text = serde_json::to_string_pretty(&document).expect("JSON serializes");
        text.push('\n');
        crate::fsutil::write_file(&path, text.as_bytes(), "config init")?;
    }
    let result = ConfigInitResult {
        file: path.display().to_string(),
        sandbox: sandbox.clone(),
        entry: merged,
        written: !args.dry_run,
    };
    let text = format!(
        "{} sandbox {sandbox} in {}:\n{}",
        if args.dry_run { "Would write" } else { "Wrote" },
        result.file,
        serde_json::to_string_pretty(&result.entry).expect("JSON serializes")
    );
    let mut output = CommandOutput::new(&result, text).with_warnings(open.warnings.clone());
    output.warnings.extend(open.client.take_warnings());
    Ok(output)
}
