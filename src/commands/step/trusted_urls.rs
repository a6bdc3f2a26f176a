//! `step trusted-urls`.

use crate::cli::step::TrustedUrlsArgs;
use crate::commands::shared::open_org;
use crate::commands::shared::{journal_for, resolve_tenant, step_output};
use crate::org::tenant::parse_tenant_url;
use crate::protocol::{CommandOutput, Result};
use crate::steps::trusted_urls::{TrustedUrlsOptions, run as run_step};

pub async fn run(args: TrustedUrlsArgs) -> Result<CommandOutput> {
    // Check the URLs given before touching the network; the defaults come from the org.
    let allow_other = args.tenant.allow_other_host;
    if let Some(url) = &args.tenant.runtime_url {
        parse_tenant_url(url, "--runtime-url", allow_other)?;
    }
    if let Some(url) = &args.tenant.admin_url {
        parse_tenant_url(url, "--admin-url", allow_other)?;
    }
    let mut open = open_org(&args.step.org).await?;
    let tenant = resolve_tenant(&open, &args.tenant)?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let options = TrustedUrlsOptions {
        origins: vec![tenant.runtime.clone(), tenant.admin.clone()],
        fix: args.fix,
        dry_run: args.step.dry_run,
        allow_production: args.step.allow_production,
    };
    let mut result = run_step(&open, &mut journal, &options).await?;
    for url in [&tenant.runtime, &tenant.admin] {
        if url.other_host {
            result.warnings.push(format!(
                "{} is not a logik.io host; make sure it is your tenant.",
                url.origin
            ));
        }
    }
    result.warnings.dedup();
    Ok(step_output(&open, result))
}
