//! `org inspect`: the refreshed org's facts.

use crate::cli::InspectArgs;
use crate::commands::shared::org_request;
use crate::org::facts::OrgFacts;
use crate::org::session::open_identified;
use crate::protocol::{CommandOutput, Error, Result};
use crate::sf::connect::identify;
use crate::sf::intake::PipedOrg;
use std::fmt::Write;

/// `org inspect --offline`: the facts the piped JSON gives, without calling the org. Nothing
/// here waits, so it runs outside the async runtime.
pub fn cmd_org_inspect_offline(args: InspectArgs) -> Result<CommandOutput> {
    let request = org_request(&args.org)?;
    if request.piped.is_none() {
        return Err(Error::input(
            "OfflineNeedsInputError",
            "--offline works from sf JSON piped in (or --org-json), and none was given.",
        )
        .with_action("sf org display --json -o <alias> | logik-refresh org inspect --offline"));
    }
    let identity = identify(request)?;
    let warnings = identity
        .piped
        .as_ref()
        .map(PipedOrg::warnings_to_pass_on)
        .unwrap_or_default();
    Ok(output(&OrgFacts::from_identity(&identity), warnings))
}

/// `org inspect`: the org's facts, from the org itself.
pub async fn cmd_org_inspect(args: InspectArgs) -> Result<CommandOutput> {
    if args.offline {
        return cmd_org_inspect_offline(args);
    }
    let identity = identify(org_request(&args.org)?)?;
    let open = open_identified(identity).await?;
    let mut warnings = open.warnings;
    warnings.extend(open.client.take_warnings());
    Ok(output(&open.facts, warnings))
}

fn output(facts: &OrgFacts, warnings: Vec<String>) -> CommandOutput {
    let text = render_text(facts);
    CommandOutput::new(facts, text).with_warnings(warnings)
}

fn render_text(facts: &OrgFacts) -> String {
    let mut out = String::new();
    let mut line = |label: &str, value: Option<&str>| {
        let _ = writeln!(out, "{label:<22}{}", value.unwrap_or("-"));
    };
    line("Org ID (18)", facts.org_id.as_deref());
    line("Org ID (15)", facts.org_id15.as_deref());
    line("Username", facts.username.as_deref());
    line("Alias", facts.alias.as_deref());
    line("Instance URL", facts.instance_url.as_deref());
    line("My Domain URL", facts.my_domain_url.as_deref());
    line("Sandbox name", facts.sandbox_name.as_deref());
    let is_sandbox = facts.is_sandbox.map(|b| if b { "yes" } else { "no" });
    line("Sandbox", is_sandbox);
    line("Instance", facts.instance_name.as_deref());
    line("Edition", facts.organization_type.as_deref());
    if let Some(packages) = &facts.packages {
        for package in [&packages.logik, &packages.cpq] {
            let state = match (&package.installed, &package.version) {
                (true, Some(version)) => format!("installed, {version}"),
                (true, None) => "installed".to_string(),
                (false, _) => "not installed".to_string(),
            };
            line(&format!("Package {}", package.namespace), Some(&state));
        }
    }
    if let Some(setting) = &facts.tenant_setting {
        let _ = writeln!(out, "\nCPQ Tenant setting ({}):", setting.object);
        if setting.rows.is_empty() {
            let _ = writeln!(out, "  no rows: the org default is missing");
        }
        for row in &setting.rows {
            let _ = writeln!(
                out,
                "  {:<8} {}  runtime {}  admin {}",
                row.level,
                row.setup_owner_id,
                row.runtime_url.as_deref().unwrap_or("-"),
                row.admin_url.as_deref().unwrap_or("-"),
            );
        }
    }
    if facts.source.offline {
        let _ = writeln!(out, "\n(offline: from the piped JSON only)");
    }
    out
}
