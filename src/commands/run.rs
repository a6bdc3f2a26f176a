//! `run`: the whole procedure; progress on stderr when it is a terminal, `--jsonl` events on
//! stdout.

use crate::cli::run::RunArgs;
use crate::commands::shared::{Globals, open_org_with_users};
use crate::commands::shared::{journal_for, resolve_tenant};
use crate::protocol::output::{eprintln_quiet, print_json_line};
use crate::protocol::{CommandOutput, Error, Format, Result};
use crate::steps::procedure::{RunEvent, RunOptions, run as run_procedure};
use crate::steps::runtime_clients::{ClientPermissions, parse_client};
use std::io::IsTerminal;

pub async fn run(args: RunArgs, globals: &Globals) -> Result<CommandOutput> {
    let runtime_flag = args.tenant.runtime_url.clone().ok_or_else(|| {
        Error::input(
            "MissingRuntimeUrlError",
            "run needs the tenant to point the org at: --runtime-url.",
        )
        .with_action(
            "logik-refresh run -o <alias> --runtime-url https://<tenant>.<sector>.logik.io",
        )
    })?;
    let clients = args
        .clients
        .iter()
        .map(|c| parse_client(c))
        .collect::<Result<Vec<_>>>()?;
    // Check the URLs before any network call.
    crate::org::tenant::parse_tenant_url(
        &runtime_flag,
        "--runtime-url",
        args.tenant.allow_other_host,
    )?;
    if let Some(admin) = &args.tenant.admin_url {
        crate::org::tenant::parse_tenant_url(admin, "--admin-url", args.tenant.allow_other_host)?;
    }
    let open = open_org_with_users(&args.step.org).await?;
    let tenant = resolve_tenant(&open, &args.tenant)?;
    let mut journal = journal_for(&open)?;
    let mut client_args = Vec::new();
    for client in &args.clients {
        client_args.extend(["--client".to_string(), client.clone()]);
    }
    if args.permissions != ClientPermissions::Config {
        client_args.extend([
            "--permissions".to_string(),
            "config-and-flightpath".to_string(),
        ]);
    }
    let options = RunOptions {
        runtime_url: tenant.runtime,
        admin_url: tenant.admin,
        tenant_args: tenant.confirm_args,
        include_overrides: args.include_overrides,
        case_number: args.case_number.clone(),
        refresh_token_user: args.refresh_token_user.clone(),
        clients,
        client_args,
        permissions: args.permissions,
        no_runtime_clients: args.no_runtime_clients,
        trusted_urls: args.trusted_urls,
        touch_products: args.touch_products,
        dry_run: args.step.dry_run,
        allow_production: args.step.allow_production,
    };
    let jsonl = args.jsonl;
    let progress = !jsonl && globals.format == Format::Text && std::io::stderr().is_terminal();
    let summary = run_procedure(&open, &mut journal, &options, |event| {
        if jsonl {
            print_json_line(event);
        }
        if let (
            true,
            RunEvent::StepFinished {
                step,
                index,
                total,
                result,
            },
        ) = (progress, event)
        {
            eprintln_quiet(&format!(
                "[{index}/{total}] {step}: {}",
                result.outcome.as_str()
            ));
        }
    })
    .await?;
    let text = summary.to_text();
    let exit = summary.exit_status();
    let mut output = CommandOutput::new(&summary, text).with_warnings(open.warnings.clone());
    output.warnings.extend(open.client.take_warnings());
    output.exit = exit;
    if jsonl {
        output.stream = Some(
            serde_json::to_value(RunEvent::Summary {
                status: exit.code(),
                summary: Box::new(summary),
            })
            .expect("events serialize"),
        );
    }
    Ok(output)
}
