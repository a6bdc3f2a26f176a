//! `step runtime-clients`.

use crate::cli::step::RuntimeClientsArgs;
use crate::commands::shared::open_org_with_users;
use crate::commands::shared::{journal_for, resolve_tenant, step_output};
use crate::protocol::{CommandOutput, Result};
use crate::steps::runtime_clients::{RuntimeClientsOptions, parse_client, run as run_step};

pub async fn run(args: RuntimeClientsArgs) -> Result<CommandOutput> {
    // Bad --client values are refused before any network call.
    let clients = args
        .clients
        .iter()
        .map(|c| parse_client(c))
        .collect::<Result<Vec<_>>>()?;
    let mut open = open_org_with_users(&args.step.org).await?;
    let tenant = resolve_tenant(&open, &args.tenant)?;
    let mut journal = journal_for(&mut open, &args.step).await?;
    let mut confirm_args = tenant.confirm_args;
    for client in &args.clients {
        confirm_args.extend(["--client".to_string(), client.clone()]);
    }
    if args.permissions != crate::steps::runtime_clients::ClientPermissions::Config {
        confirm_args.extend([
            "--permissions".to_string(),
            "config-and-flightpath".to_string(),
        ]);
    }
    let options = RuntimeClientsOptions {
        clients,
        permissions: args.permissions,
        admin_url: tenant.admin,
        not_used: args.not_used,
        confirm: args.confirm,
        dry_run: args.step.dry_run,
        confirm_args,
    };
    let result = run_step(&open, &mut journal, &options).await?;
    Ok(step_output(&open, result))
}
