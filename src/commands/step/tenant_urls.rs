//! `step tenant-urls`.

use crate::cli::step::TenantUrlsArgs;
use crate::commands::shared::{common, execute_step, journal_for, open_org};
use crate::org::tenant::parse_tenant_url;
use crate::protocol::{CommandOutput, Result};
use crate::steps::call::{StepCall, Tenant};
use crate::steps::tenant_urls::FieldNames;

pub async fn cmd_step_tenant_urls(args: TenantUrlsArgs) -> Result<CommandOutput> {
    // Check the input before touching the network: bad input changes nothing and costs nothing.
    let runtime = parse_tenant_url(&args.runtime_url, "--runtime-url", args.allow_other_host)?;
    let admin = match &args.admin_url {
        Some(url) => parse_tenant_url(url, "--admin-url", args.allow_other_host)?,
        None => runtime.clone(),
    };
    let fields = FieldNames::checked(
        args.fields.runtime_url_field.clone(),
        args.fields.admin_url_field.clone(),
    )?;
    let tenant = Tenant {
        runtime,
        admin,
        confirm_args: Vec::new(),
    };
    let mut open = open_org(&args.step.org).await?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let call = StepCall::tenant_urls(
        common(&args.step, false),
        &tenant,
        args.include_overrides,
        Vec::new(),
        fields,
    );
    execute_step(&open, &mut journal, call).await
}
