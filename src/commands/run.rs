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
    // Everything local first (config, org identity, the flags): bad input ends here, before any
    // request. The snapshot is chosen once the org has said its ID (the one before the refresh
    // is the newest of another org ID; sf's auth file may still hold the old one) and, with a
    // token from the environment, its sandbox name (the running user's username suffix, as
    // `-o` reads it from sf's files).
    let step_flags = args.step_flags(target);
    let identity = identify(org_request(&step_flags.org)?)?;
    let offline_sandbox = OrgFacts::from_identity(&identity).sandbox_name;
    check_flags(&args)?;
    // A snapshot named with --snapshot is the same whatever the org says: checked now.
    if let Some(file) = &args.snapshot.snapshot {
        let named = crate::snapshot::load(file)?;
        crate::snapshot::check_sealed(&named, file, args.snapshot.accept_edited_snapshot)?;
        crate::snapshot::check_values(&named, file, args.tenant.allow_other_host)?;
    }
    // Without a tenant in the flags, the config or a snapshot, nothing is sent. Only the org
    // can tell more when a snapshot may be chosen once it said its ID, or when (a token from
    // the environment) only it can say its sandbox's name.
    if args.tenant.runtime_url.is_none()
        && let Some(name) = &offline_sandbox
    {
        let in_config = config
            .as_ref()
            .and_then(|c| c.sandbox(name))
            .is_some_and(|e| e.runtime_url.is_some());
        let snapshot_possible = args.snapshot.snapshot.is_some()
            || (!args.no_snapshot && crate::snapshot::store::any_kept(name)?);
        if !in_config && !snapshot_possible {
            return Err(missing_runtime_url());
        }
    }
    let mut open = open_identified_reading(identity, reads_ahead()).await?;
    let sandbox = open.facts.sandbox_name.clone().or(offline_sandbox);
    let context = SandboxContext::load(
        sandbox,
        open.facts.org_id.as_deref(),
        config,
        &args.snapshot,
        args.no_snapshot,
        args.tenant.allow_other_host,
    )?;
    open.warnings.extend(context.warnings.iter().cloned());
    context.fill_run_args(&mut args);
    let (clients, tenant_fields) = check_flags(&args)?;
    args.tenant
        .runtime_url
        .as_ref()
        .ok_or_else(missing_runtime_url)?;
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

fn missing_runtime_url() -> Error {
    Error::input(
        "MissingRuntimeUrlError",
        "run needs the tenant to point the org at: --runtime-url, the sandbox's runtimeUrl in the project config, or a snapshot of the sandbox taken before its refresh.",
    )
    .with_action("logik-refresh run -o <alias> --runtime-url https://<tenant>.<sector>.logik.io")
    .with_action("Or record it once: logik-refresh config init -o <alias>")
}

/// The flags' Runtime Clients and field names, and their URLs checked, with no request sent.
fn check_flags(args: &RunArgs) -> Result<(Vec<(String, String)>, FieldNames)> {
    let clients = args
        .clients
        .iter()
        .map(|c| parse_client(c))
        .collect::<Result<Vec<_>>>()?;
    let tenant_fields = FieldNames::checked(
        args.tenant_fields.runtime_url_field.clone(),
        args.tenant_fields.admin_url_field.clone(),
    )?;
    if let Some(runtime) = &args.tenant.runtime_url {
        crate::org::tenant::parse_tenant_url(
            runtime,
            "--runtime-url",
            args.tenant.allow_other_host,
        )?;
    }
    if let Some(admin) = &args.tenant.admin_url {
        crate::org::tenant::parse_tenant_url(admin, "--admin-url", args.tenant.allow_other_host)?;
    }
    Ok((clients, tenant_fields))
}
