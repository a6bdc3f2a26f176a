//! `step trusted-urls`.

use crate::cli::step::TrustedUrlsArgs;
use crate::commands::shared::{common, execute_step, journal_for, open_org, resolve_tenant};
use crate::org::tenant::parse_tenant_url;
use crate::protocol::{CommandOutput, Result};
use crate::steps::call::StepCall;

pub async fn cmd_step_trusted_urls(args: TrustedUrlsArgs) -> Result<CommandOutput> {
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
    let call = StepCall::trusted_urls(common(&args.step, false), &tenant, args.fix);
    execute_step(&open, &mut journal, call).await
}
