//! `step runtime-clients`.

use crate::cli::step::RuntimeClientsArgs;
use crate::commands::shared::{
    common, execute_step, journal_for, open_org_with_users, resolve_tenant,
};
use crate::protocol::{CommandOutput, Result};
use crate::steps::call::StepCall;
use crate::steps::runtime_clients::parse_client;

pub async fn cmd_step_runtime_clients(args: RuntimeClientsArgs) -> Result<CommandOutput> {
    // Bad --client values are refused before any network call.
    let clients = args
        .clients
        .iter()
        .map(|c| parse_client(c))
        .collect::<Result<Vec<_>>>()?;
    let mut open = open_org_with_users(&args.step.org).await?;
    let tenant = resolve_tenant(&open, &args.tenant)?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let call = StepCall::runtime_clients(
        common(&args.step, args.confirm),
        &tenant,
        &args.clients,
        clients,
        args.permissions.into(),
        args.not_used,
    );
    execute_step(&open, &mut journal, call).await
}
