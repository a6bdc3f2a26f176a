//! `step tenant-urls`.

use crate::cli::step::TenantUrlsArgs;
use crate::commands::shared::open_org;
use crate::commands::shared::{journal_for, step_output};
use crate::org::tenant::parse_tenant_url;
use crate::protocol::{CommandOutput, Result};
use crate::steps::tenant_urls::{TenantUrlsOptions, run as run_step};

pub async fn run(args: TenantUrlsArgs) -> Result<CommandOutput> {
    // Check the input before touching the network: bad input changes nothing and costs nothing.
    let runtime_url = parse_tenant_url(&args.runtime_url, "--runtime-url", args.allow_other_host)?;
    let admin_url = match &args.admin_url {
        Some(url) => parse_tenant_url(url, "--admin-url", args.allow_other_host)?,
        None => runtime_url.clone(),
    };
    let mut open = open_org(&args.step.org).await?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let options = TenantUrlsOptions {
        runtime_url,
        admin_url,
        include_overrides: args.include_overrides,
        restore: Vec::new(),
        dry_run: args.step.dry_run,
        allow_production: args.step.allow_production,
    };
    let mut result = run_step(&open, &mut journal, &options).await?;
    for url in [&options.runtime_url, &options.admin_url] {
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
