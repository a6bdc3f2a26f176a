//! `run`: the whole procedure; progress on stderr when it is a terminal, `--jsonl` events on
//! stdout.

use crate::cli::run::RunArgs;
use crate::commands::sandbox::SandboxContext;
use crate::commands::shared::{Globals, journal_for, org_request, resolve_tenant};
use crate::org::facts::OrgFacts;
use crate::org::session::open_identified_reading;
use crate::protocol::output::{eprintln_quiet, print_json_line};
use crate::protocol::{CommandOutput, Error, Format, Result};
use crate::sf::connect::identify;
use crate::steps::procedure::{
    RunEvent, RunOptions, RunSummary, SnapshotReport, reads_ahead, run_steps,
};
use crate::steps::runtime_clients::parse_client;
use crate::steps::tenant_urls::FieldNames;
use std::io::IsTerminal;

pub async fn cmd_run(args: RunArgs, globals: &Globals) -> Result<CommandOutput> {
    let jsonl = args.jsonl;
    let progress = !jsonl && globals.format == Format::Text && std::io::stderr().is_terminal();
    let target = args.target_orgs.first().cloned();
    crate::salesforce::client::prepare_https();
    let config = crate::project::load(args.config.config.as_deref())?;
    let (summary, warnings) = run_org(args, config, target, |event| {
        if jsonl {
            print_json_line(event);
        }
        if progress && let Some(line) = progress_line(event) {
            eprintln_quiet(&line);
        }
    })
    .await?;
    let text = summary.to_text();
    let exit = summary.exit_status();
    let mut output = CommandOutput::new(&summary, text).with_warnings(warnings);
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

/// `[2/6] tenant-urls: changed`, for a step that ended.
pub fn progress_line(event: &RunEvent) -> Option<String> {
    match event {
        RunEvent::StepFinished {
            step,
            index,
            total,
            result,
        } => Some(format!(
            "[{index}/{total}] {step}: {}",
            result.outcome.as_str()
        )),
        _ => None,
    }
}

/// The whole procedure on one org (`target`: as named with -o; none: the default or piped org),
/// with the project config the caller loaded. Returns the summary and the warnings to pass on.
pub async fn run_org(
    mut args: RunArgs,
    config: Option<crate::project::LoadedConfig>,
    target: Option<String>,
    on_event: impl FnMut(&RunEvent),
) -> Result<(RunSummary, Vec<String>)> {
    // Everything local first (config, org identity, snapshot): bad input ends here, before any
    // request.
    let step_flags = args.step_flags(target);
    let identity = identify(org_request(&step_flags.org)?)?;
    let sandbox = OrgFacts::from_identity(&identity).sandbox_name;
    let context = SandboxContext::load(sandbox, config, &args.snapshot, args.no_snapshot)?;
    context.fill_run_args(&mut args);
    let runtime_flag = args.tenant.runtime_url.clone().ok_or_else(|| {
        Error::input(
            "MissingRuntimeUrlError",
            "run needs the tenant to point the org at: --runtime-url, the sandbox's runtimeUrl in the project config, or a snapshot of the sandbox.",
        )
        .with_action(
            "logik-refresh run -o <alias> --runtime-url https://<tenant>.<sector>.logik.io",
        )
        .with_action("Or record it once: logik-refresh config init -o <alias>")
    })?;
    let clients = args
        .clients
        .iter()
        .map(|c| parse_client(c))
        .collect::<Result<Vec<_>>>()?;
    // Check the URLs and field names before any network call.
    let tenant_fields = FieldNames::checked(
        args.tenant_fields.runtime_url_field.clone(),
        args.tenant_fields.admin_url_field.clone(),
    )?;
    crate::org::tenant::parse_tenant_url(
        &runtime_flag,
        "--runtime-url",
        args.tenant.allow_other_host,
    )?;
    if let Some(admin) = &args.tenant.admin_url {
        crate::org::tenant::parse_tenant_url(admin, "--admin-url", args.tenant.allow_other_host)?;
    }
    let mut open = open_identified_reading(identity, reads_ahead()).await?;
    let mut journal = journal_for(&mut open, &step_flags).await?;
    let tenant = resolve_tenant(&open, &args.tenant)?;
    let (restore, unmapped, snapshot) = match &context.snapshot {
        Some((path, snapshot)) => {
            let sandbox = context
                .sandbox
                .clone()
                .unwrap_or(snapshot.sandbox_name.clone());
            let users = crate::snapshot::take::TenantUsers::from_snapshot(snapshot);
            // Independent reads: the org now, and the rows' owners by the new IDs.
            let (now, remapped) = tokio::join!(
                crate::snapshot::take::take(&open, &sandbox, &users),
                crate::snapshot::remap::remap_overrides(&open, snapshot)
            );
            let differences = crate::snapshot::compare::differences(snapshot, &now?);
            let (restore, unmapped) = remapped?;
            open.warnings
                .extend(crate::snapshot::legacy_warning(snapshot, path));
            let report = SnapshotReport {
                file: path.display().to_string(),
                differences,
            };
            (restore, unmapped, Some(report))
        }
        None => (Vec::new(), Vec::new(), None),
    };
    let options = RunOptions {
        tenant,
        include_overrides: args.include_overrides,
        tenant_fields,
        restore,
        unmapped,
        snapshot,
        case_number: args.case_number.clone(),
        refresh_token_user: args.refresh_token_user.clone(),
        client_texts: args.clients.clone(),
        clients,
        permissions: args.permissions.into(),
        no_runtime_clients: args.no_runtime_clients,
        trusted_urls: args.trusted_urls,
        touch_products: args.touch_products,
        dry_run: args.write.dry_run,
        allow_production: args.write.allow_production,
    };
    let summary = run_steps(&open, &mut journal, &options, on_event).await?;
    let mut warnings = open.warnings.clone();
    warnings.extend(open.client.take_warnings());
    Ok((summary, warnings))
}
