//! What the commands share: how they were called, opening the org from the flags, the org's
//! journal, the tenant from the flags or the org, and a step's result as output.

use crate::cli::step::{StepFlags, TenantFlags};
use crate::cli::{Cli, OrgFlags, values};
use crate::org::session::{OpenOrg, open_identified, open_identified_with_users};
use crate::org::tenant::parse_tenant_url;
use crate::protocol::{CommandOutput, Error, Format, Result};
use crate::sf::connect::{OrgRequest, identify};
use crate::steps::StepResult;
use crate::steps::call::{Common, StepCall, Tenant};
use crate::steps::journal::Journal;
use std::io::IsTerminal;

/// What every command may need to know about how it was called.
#[derive(Debug, Clone, Copy)]
pub struct Globals {
    pub format: Format,
    /// True when the command may ask the user for missing values: a terminal on stdin and
    /// stderr, no `--json`, no `--no-prompt`.
    pub may_prompt: bool,
}

impl Globals {
    pub fn from_cli(cli: &Cli) -> Globals {
        let format = Format::detect(cli.json);
        let may_prompt = format == Format::Text
            && !cli.no_prompt
            && std::io::stdin().is_terminal()
            && std::io::stderr().is_terminal();
        Globals { format, may_prompt }
    }
}

/// Builds the org request from the flags and, when no org is named, from sf JSON on stdin
/// (see [`crate::sf::request::org_request`]).
pub fn org_request(flags: &OrgFlags) -> Result<OrgRequest> {
    crate::sf::request::org_request(
        flags.target_org.as_deref(),
        flags.org_json.as_deref(),
        flags.api_version.as_deref(),
    )
}

/// Finds the org from the flags (or stdin), connects, and gathers its facts.
pub async fn open_org(flags: &OrgFlags) -> Result<OpenOrg> {
    let identity = identify(org_request(flags)?)?;
    open_identified(identity).await
}

/// Like [`open_org`], for commands that will look at the user they run as (guided steps, run):
/// that user and its login record are read in the same round trip as the org's facts.
pub async fn open_org_with_users(flags: &OrgFlags) -> Result<OpenOrg> {
    let identity = identify(org_request(flags)?)?;
    open_identified_with_users(identity).await
}

/// The org's journal, with the org's lock held (at once, or within `--wait-lock`): one
/// process at a time works on an org. After waiting for another process, the org is read
/// again, since that process may have changed it. What opening the journal set right becomes
/// the command's warnings.
pub async fn journal_for(open: &mut OpenOrg, flags: &StepFlags) -> Result<Journal> {
    let org_id = open.facts.org_id.as_deref().ok_or_else(|| {
        Error::new(
            "OrgIdUnknownError",
            "The org did not report its ID; no journal can be kept.",
        )
    })?;
    let wait = flags.write.wait_lock.map(std::time::Duration::from_secs);
    let mut journal = Journal::open(org_id, wait)?;
    if journal.waited_for_lock() {
        let warnings = std::mem::take(&mut open.warnings);
        *open = open_identified(open.identity.clone()).await?;
        open.warnings = warnings;
    }
    open.warnings.extend(journal.take_warnings());
    Ok(journal)
}

/// A step's result as the command's output: exit 68 while a person still has work to do.
pub fn step_output(open: &OpenOrg, result: StepResult) -> CommandOutput {
    let text = result.to_text();
    let exit = result.exit_status();
    let mut output = CommandOutput::new(&result, text).with_warnings(open.warnings.clone());
    output.warnings.extend(open.client.take_warnings());
    output.exit = exit;
    output
}

/// The tenant for a guided step: the flags, else the org-default row of the org's CPQ Tenant
/// setting. Also returns the flags to repeat in the step's `--confirm` command.
pub fn resolve_tenant(open: &OpenOrg, flags: &TenantFlags) -> Result<Tenant> {
    let mut confirm_args = Vec::new();
    let org_row = open.facts.tenant_setting.as_ref().and_then(|setting| {
        let org_id = open.facts.org_id.as_deref()?;
        setting
            .rows
            .iter()
            .find(|r| r.level == "org" && r.setup_owner_id.get(..15) == org_id.get(..15))
    });
    let runtime_text = match &flags.runtime_url {
        Some(url) => {
            confirm_args.extend(["--runtime-url".to_string(), url.clone()]);
            url.clone()
        }
        None => org_row.and_then(|r| r.runtime_url.clone()).ok_or_else(|| {
            Error::input("NoTenantUrlError", "No tenant URL: the org's CPQ Tenant setting has none and --runtime-url was not given.")
                .with_action("Pass --runtime-url https://<tenant>.<sector>.logik.io, or run `logik-refresh step tenant-urls` first.")
        })?,
    };
    let runtime = parse_tenant_url(&runtime_text, "--runtime-url", flags.allow_other_host)?;
    let admin = match (&flags.admin_url, &flags.runtime_url) {
        (Some(url), _) => {
            confirm_args.extend(["--admin-url".to_string(), url.clone()]);
            parse_tenant_url(url, "--admin-url", flags.allow_other_host)?
        }
        // A runtime URL given by flag means "this tenant"; the org's row may be stale.
        (None, Some(_)) => runtime.clone(),
        (None, None) => match org_row.and_then(|r| r.admin_url.clone()) {
            Some(url) => {
                parse_tenant_url(&url, "the org's Administration URL", flags.allow_other_host)?
            }
            None => runtime.clone(),
        },
    };
    if flags.allow_other_host {
        confirm_args.push("--allow-other-host".to_string());
    }
    Ok(Tenant {
        runtime,
        admin,
        confirm_args,
    })
}

/// The flags every step shares, as the step call takes them.
pub fn common(flags: &StepFlags, confirm: bool) -> Common {
    Common {
        dry_run: flags.write.dry_run,
        allow_production: flags.write.allow_production,
        confirm,
    }
}

/// `step X`: executes the step call on the open org and makes its result the command's output.
pub async fn execute_step(
    open: &OpenOrg,
    journal: &mut Journal,
    call: StepCall,
) -> Result<CommandOutput> {
    let result = call.execute(open, journal).await?;
    Ok(step_output(open, result))
}

impl From<values::ClientPermissions> for crate::steps::runtime_clients::ClientPermissions {
    fn from(value: values::ClientPermissions) -> Self {
        match value {
            values::ClientPermissions::Config => Self::Config,
            values::ClientPermissions::ConfigAndFlightpath => Self::ConfigAndFlightpath,
        }
    }
}

impl From<values::KeystoreChoice> for crate::keystore::KeystoreChoice {
    fn from(value: values::KeystoreChoice) -> Self {
        match value {
            values::KeystoreChoice::Auto => Self::Auto,
            values::KeystoreChoice::SecretService => Self::SecretService,
            values::KeystoreChoice::KernelKeyring => Self::KernelKeyring,
            values::KeystoreChoice::MacosKeychain => Self::MacosKeychain,
            values::KeystoreChoice::WindowsCredentialManager => Self::WindowsCredentialManager,
            values::KeystoreChoice::None => Self::None,
        }
    }
}

impl From<values::RenderFormat> for crate::case::render::RenderFormat {
    fn from(value: values::RenderFormat) -> Self {
        match value {
            values::RenderFormat::Text => Self::Text,
            values::RenderFormat::Markdown => Self::Markdown,
        }
    }
}
