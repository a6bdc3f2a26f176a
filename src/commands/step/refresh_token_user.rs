//! `step refresh-token-user`.

use crate::cli::step::RefreshTokenUserArgs;
use crate::commands::shared::open_org_with_users;
use crate::commands::shared::{journal_for, resolve_tenant, step_output};
use crate::protocol::{CommandOutput, Result};
use crate::steps::refresh_token_user::{RefreshTokenUserOptions, run as run_step};

pub async fn run(args: RefreshTokenUserArgs) -> Result<CommandOutput> {
    let mut open = open_org_with_users(&args.step.org).await?;
    let tenant = resolve_tenant(&open, &args.tenant)?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let mut confirm_args = tenant.confirm_args;
    if let Some(username) = &args.username {
        confirm_args.extend(["--username".to_string(), username.clone()]);
    }
    let options = RefreshTokenUserOptions {
        username: args.username.clone(),
        admin_url: tenant.admin,
        confirm: args.confirm,
        dry_run: args.step.dry_run,
        confirm_args,
    };
    let result = run_step(&open, &mut journal, &options).await?;
    Ok(step_output(&open, result))
}
