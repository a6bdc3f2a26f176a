//! `step configurator-url`: Salesforce CPQ's External Configurator URL must point at the
//! tenant's configurator (runtime site + `/ui/configure`). No supported API writes it
//! (REFERENCE.md section 3), so this is a guided step: the exact value, the page, the checkbox.

use super::guided::{confirm_command, finish};
use super::{Manual, ManualValue, Outcome, StepResult};
use crate::org::session::OpenOrg;
use crate::org::tenant::TenantUrl;
use crate::protocol::Result;
use crate::steps::journal::Journal;

pub const STEP: &str = "configurator-url";
/// The path of the tenant's configurator.
pub const CONFIGURE_PATH: &str = "/ui/configure";
/// The Visualforce page partner-community setups use as the configurator URL instead.
pub const COMMUNITY_PAGE: &str = "/apex/LGK__CpqConfiguration";

pub struct ConfiguratorUrlOptions {
    pub runtime_url: TenantUrl,
    pub confirm: bool,
    pub dry_run: bool,
    /// Extra arguments for the confirm command (e.g. `--runtime-url ...`).
    pub confirm_args: Vec<String>,
}

pub async fn ensure_configurator_url(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &ConfiguratorUrlOptions,
) -> Result<StepResult> {
    let facts = &open.facts;
    let mut result = StepResult::new(STEP, facts);
    result.dry_run = opts.dry_run;
    let cpq = facts.packages.as_ref().map(|p| &p.cpq);
    if !cpq.is_some_and(|p| p.installed) {
        result.outcome = Outcome::Skipped;
        result.reason = Some("Salesforce CPQ (SBQQ) is not installed in this org: there is no External Configurator URL to set.".into());
        result.requests = open.client.request_count();
        return Ok(result);
    }
    let version = cpq
        .and_then(|p| p.version.clone())
        .unwrap_or_else(|| "installed".into());
    result.check("Salesforce CPQ", true, format!("SBQQ {version}"));

    let community_page = match open.facts.cpq_configuration_page {
        Some(known) => known,
        None => !open
            .client
            .tooling_query("SELECT Id FROM ApexPage WHERE NamespacePrefix = 'LGK' AND Name = 'CpqConfiguration'")
            .await?
            .is_empty(),
    };
    let value = format!("{}{CONFIGURE_PATH}", opts.runtime_url.origin);
    if community_page {
        result.warnings.push(format!(
            "This org has the Visualforce page LGK__CpqConfiguration. If Salesforce CPQ is used through a partner community, its External Configurator URL must stay {COMMUNITY_PAGE}: change it only if it now points at a logik.io site."
        ));
    }
    let base = facts
        .my_domain_url
        .clone()
        .or(facts.instance_url.clone())
        .map(|u| u.trim_end_matches('/').to_string());
    let org = facts
        .alias
        .clone()
        .or(facts.username.clone())
        .unwrap_or_else(|| "<alias>".into());
    let manual = Manual {
        location: "Setup > Installed Packages > Salesforce CPQ > Configure > Additional Settings"
            .into(),
        url: base.map(|b| format!("{b}/lightning/setup/ImportedPackage/home")),
        actions: vec![
            "Open Installed Packages and click Configure next to Salesforce CPQ.".into(),
            "Open the Additional Settings tab.".into(),
            "Check \"Third Party Configurator\" if it is not checked.".into(),
            format!("Set External Configurator URL to {value} and save."),
            format!(
                "Check: open a quote, click Add Products on a configurable product: the configurator loads from {}.",
                opts.runtime_url.host
            ),
        ],
        values: vec![
            ManualValue {
                label: "External Configurator URL".into(),
                value: value.clone(),
            },
            ManualValue {
                label: "Third Party Configurator".into(),
                value: "checked".into(),
            },
        ],
        confirm_command: Some(confirm_command(STEP, &org, &opts.confirm_args)),
    };
    finish(&mut result, manual, journal, opts.confirm)?;
    result.requests = open.client.request_count();
    Ok(result)
}
