//! `step tenant-urls`: point the Logik tenant custom setting at the (new) tenant. The seed's
//! "Manage CPQ Tenant > Edit: Runtime Configuration URL and Administration URL", done through
//! the API on the org-default row (`SetupOwnerId` = the org ID), which is created when missing.
//! Profile and user rows shadow the default for their users: they are reported, and updated
//! too with `--include-overrides`.

use super::{Change, ChangedRecord, Outcome, StepResult, guard_production};
use crate::org::facts::{TenantRow, TenantSetting};
use crate::org::session::OpenOrg;
use crate::org::tenant::{TenantUrl, choose_fields};
use crate::protocol::{Error, Result};
use crate::salesforce::checked_write::{Written, write_checked};
use crate::salesforce::client::BatchRead;
use crate::salesforce::record_ref;
use crate::steps::journal::{Journal, JournalEntry, JournalEvent};
use serde_json::{Map, Value, json};

pub const STEP: &str = "tenant-urls";

pub struct TenantUrlsOptions {
    pub runtime_url: TenantUrl,
    pub admin_url: TenantUrl,
    /// The fields to write, when the user names them (`--runtime-url-field`,
    /// `--admin-url-field`).
    pub fields: FieldNames,
    pub include_overrides: bool,
    /// Profile and user rows to restore (from a snapshot), each with its own values.
    pub restore: Vec<OverrideRow>,
    pub dry_run: bool,
    pub allow_production: bool,
}

/// The tenant setting's URL fields as the user named them, checked against the org's describe
/// before anything is written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldNames {
    pub runtime: Option<String>,
    pub admin: Option<String>,
}

impl FieldNames {
    /// Checks the names' shape before any call: an API name is letters, digits and
    /// underscores, starting with a letter (at most 80 characters with a namespace).
    pub fn checked(runtime: Option<String>, admin: Option<String>) -> Result<FieldNames> {
        for (flag, name) in [
            ("--runtime-url-field", &runtime),
            ("--admin-url-field", &admin),
        ] {
            let Some(name) = name else { continue };
            let ok = name.len() <= 80
                && name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            if !ok {
                return Err(Error::input(
                    "InvalidFieldNameError",
                    format!("{flag} {name:?} is not a field's API name."),
                )
                .with_action(format!(
                    "Give the API name as describe or Setup > Custom Settings shows it, e.g. {flag} LGK__RuntimeUrl__c."
                )));
            }
        }
        Ok(FieldNames { runtime, admin })
    }
}

/// The Runtime Configuration URL field of a setting whose fields were chosen.
fn runtime_field(setting: &TenantSetting) -> &str {
    setting.runtime_url_field.as_deref().unwrap_or_default()
}

/// A profile or user row as it should be: its owner's ID in this org and its values.
#[derive(Debug, Clone, PartialEq)]
pub struct OverrideRow {
    pub setup_owner_id: String,
    /// For people: `CPQ Tenant row for profile Standard User`.
    pub label: String,
    pub runtime_url: Option<String>,
    pub admin_url: Option<String>,
}

impl OverrideRow {
    /// The (field, value) pairs this row must hold.
    fn desired(&self, setting: &TenantSetting) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(url) = &self.runtime_url {
            out.push((runtime_field(setting).to_string(), url.clone()));
        }
        if let (Some(field), Some(url)) = (&setting.admin_url_field, &self.admin_url) {
            out.push((field.clone(), url.clone()));
        }
        out
    }
}

fn same_owner(a: &str, b: &str) -> bool {
    a.get(..15) == b.get(..15)
}

/// One record to write: an update of an existing row or the new org-default row.
struct Write {
    row_id: Option<String>,
    fields: Map<String, Value>,
}

pub async fn ensure_tenant_urls(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &TenantUrlsOptions,
) -> Result<StepResult> {
    let facts = &open.facts;
    let setting = &chosen_setting(open, &opts.fields).await?;
    let org_id = facts
        .org_id
        .clone()
        .ok_or_else(|| Error::new("OrgIdUnknownError", "The org did not report its ID."))?;
    let mut result = StepResult::new(STEP, facts);
    result.dry_run = opts.dry_run;

    let mut desired = vec![(
        runtime_field(setting).to_string(),
        opts.runtime_url.origin.clone(),
    )];
    match &setting.admin_url_field {
        Some(field) => desired.push((field.clone(), opts.admin_url.origin.clone())),
        None => result.warnings.push(
            "The org's CPQ Tenant setting has no field labelled \"Administration URL\"; only the Runtime Configuration URL is set (name the field with --admin-url-field if it has one)."
                .to_string(),
        ),
    }

    let (changes, writes) = plan(setting, &org_id, &desired, opts, &mut result);
    if changes.is_empty() {
        reconcile_interrupted(journal, &mut result)?;
        result.outcome = Outcome::Unchanged;
        result.check(
            "org default row",
            true,
            format!("points at {}", opts.runtime_url.origin),
        );
        result.requests = open.client.request_count();
        return Ok(result);
    }
    result.changes = changes;
    guard_production(facts, opts.allow_production, STEP)?;
    if opts.dry_run {
        result.outcome = Outcome::Planned;
        result.requests = open.client.request_count();
        return Ok(result);
    }

    let mut started = JournalEntry::new(STEP, JournalEvent::ApplyStarted);
    started.changes = result.changes.clone();
    journal.append(started)?;
    // The write is sent once; when it fails, the org is read again: a write that landed is
    // done, a transient failure that did not land is sent again, anything else is final.
    let reread = async || -> Result<bool> {
        let rows = setting.read_rows(&open.client).await?;
        Ok(all_applied(&rows, setting, &org_id, &desired, opts))
    };
    let written = write_checked(async || apply(open, setting, &writes).await, reread).await;
    // An answered write carries its re-read: the rows as the org stored them (the org is the
    // truth, not its answer to the write).
    let applied = match &written {
        Ok(Written::Landed) => Ok(true),
        Ok(Written::Answered(rows)) => Ok(all_applied(rows, setting, &org_id, &desired, opts)),
        Err(_) => Ok(false),
    };
    match (written, applied) {
        (Ok(_), Ok(true)) => {
            let mut done = JournalEntry::new(STEP, JournalEvent::Applied);
            done.changes = result.changes.clone();
            done.outcome = Some(Outcome::Changed);
            journal.append(done)?;
            result.outcome = Outcome::Changed;
            result.check(
                "org default row",
                true,
                format!("re-read: points at {}", opts.runtime_url.origin),
            );
        }
        (Err(err), _) => {
            let mut failed = JournalEntry::new(STEP, JournalEvent::ApplyFailed);
            failed.changes = result.changes.clone();
            failed.note = Some(err.message.clone());
            journal.append(failed)?;
            return Err(err.with_action(format!(
                "Nothing was half-applied; run `logik-refresh step {STEP}` again."
            )));
        }
        (Ok(_), verified) => {
            let mut failed = JournalEntry::new(STEP, JournalEvent::ApplyFailed);
            failed.changes = result.changes.clone();
            failed.note = Some("the org accepted the write but reads back other values".into());
            journal.append(failed)?;
            return Err(match verified {
                Err(err) => err,
                Ok(_) => Error::new(
                    "WriteNotVisibleError",
                    "The org accepted the tenant URLs but reads back other values (a trigger or validation may be rewriting them).",
                )
                .with_action("Check Setup > Custom Settings > CPQ Tenant > Manage, then run the step again."),
            });
        }
    }
    result.requests = open.client.request_count();
    Ok(result)
}

/// A run killed between its write and the journal's `applied` line left `apply-started` last.
/// The org now shows the values, so that write did land: say so in the journal, so rollback
/// and the next reader see a finished change.
fn reconcile_interrupted(journal: &mut Journal, result: &mut StepResult) -> Result<()> {
    let events = [
        JournalEvent::ApplyStarted,
        JournalEvent::Applied,
        JournalEvent::ApplyFailed,
        JournalEvent::RolledBack,
    ];
    let Some(last) = journal.last(STEP, &events) else {
        return Ok(());
    };
    if last.event != JournalEvent::ApplyStarted || last.note.as_deref() == Some("rollback") {
        return Ok(());
    }
    let mut applied = JournalEntry::new(STEP, JournalEvent::Applied);
    applied.changes = last.changes.clone();
    applied.outcome = Some(Outcome::Changed);
    applied.note = Some(format!(
        "an interrupted run ({}) had written this; the org shows it applied",
        last.time
    ));
    journal.append(applied)?;
    result.warnings.push("An earlier run was interrupted after writing the tenant URLs; the org has them, so nothing was written again.".into());
    Ok(())
}

/// The setting, or a clear error when the Logik package is not there.
fn tenant_setting(open: &OpenOrg) -> Result<&TenantSetting> {
    open.facts.tenant_setting.as_ref().ok_or_else(|| {
        Error::new(
            "LogikPackageNotInstalledError",
            "The Logik.ai package is not installed in this org (no LGK__ConfigurationTenant__c custom setting).",
        )
        .with_action("Install the Logik.ai managed package, or check that -o names the refreshed sandbox.")
        .with_action("See what the org has: logik-refresh org inspect")
    })
}

/// The setting with the URL fields to write: those the user named, else those the rules find;
/// an error (nothing written) when the rules find several candidates. The rows are read again
/// when the fields differ from those the org was opened with.
async fn chosen_setting(open: &OpenOrg, names: &FieldNames) -> Result<TenantSetting> {
    let setting = tenant_setting(open)?;
    let chosen = choose_fields(
        &setting.fields,
        names.runtime.as_deref(),
        names.admin.as_deref(),
    )?;
    let mut setting = setting.clone();
    if chosen.runtime_url != setting.runtime_url_field
        || chosen.admin_url != setting.admin_url_field
    {
        setting.runtime_url_field = chosen.runtime_url;
        setting.admin_url_field = chosen.admin_url;
        setting.rows = setting.read_rows(&open.client).await?;
    }
    Ok(setting)
}

fn is_org_default(row: &TenantRow, org_id: &str) -> bool {
    row.level == "org" && row.setup_owner_id.get(..15) == org_id.get(..15)
}

fn current<'a>(row: &'a TenantRow, setting: &TenantSetting, field: &str) -> Option<&'a str> {
    if field == runtime_field(setting) {
        row.runtime_url.as_deref()
    } else {
        row.admin_url.as_deref()
    }
}

/// The changes to make, as the user sees them and as records to write.
fn plan(
    setting: &TenantSetting,
    org_id: &str,
    desired: &[(String, String)],
    opts: &TenantUrlsOptions,
    result: &mut StepResult,
) -> (Vec<Change>, Vec<Write>) {
    let include_overrides = opts.include_overrides;
    let mut changes = Vec::new();
    let mut writes = Vec::new();
    let plan_row_to = |row: &TenantRow,
                       label: &str,
                       desired: &[(String, String)],
                       changes: &mut Vec<Change>,
                       writes: &mut Vec<Write>| {
        let mut fields = Map::new();
        for (field, value) in desired {
            let before = current(row, setting, field);
            if before != Some(value.as_str()) {
                changes.push(Change {
                    target: format!("{} {} ({label}).{field}", setting.object, row.id),
                    before: before.map_or(Value::Null, |b| Value::String(b.to_string())),
                    after: Value::String(value.clone()),
                    record: Some(ChangedRecord {
                        object: setting.object.clone(),
                        id: Some(row.id.clone()),
                        field: Some(field.clone()),
                    }),
                });
                fields.insert(field.clone(), Value::String(value.clone()));
            }
        }
        if !fields.is_empty() {
            writes.push(Write {
                row_id: Some(row.id.clone()),
                fields,
            });
        }
    };
    let plan_row =
        |row: &TenantRow, label: &str, changes: &mut Vec<Change>, writes: &mut Vec<Write>| {
            plan_row_to(row, label, desired, changes, writes)
        };

    match setting.rows.iter().find(|row| is_org_default(row, org_id)) {
        Some(row) => plan_row(row, "org default", &mut changes, &mut writes),
        None => new_row(
            setting,
            org_id,
            "org default",
            desired,
            &mut changes,
            &mut writes,
        ),
    }

    for restore in &opts.restore {
        let wanted = restore.desired(setting);
        match setting
            .rows
            .iter()
            .find(|row| same_owner(&row.setup_owner_id, &restore.setup_owner_id))
        {
            Some(row) => plan_row_to(row, &restore.label, &wanted, &mut changes, &mut writes),
            None => new_row(
                setting,
                &restore.setup_owner_id,
                &restore.label,
                &wanted,
                &mut changes,
                &mut writes,
            ),
        }
    }

    for row in setting.rows.iter().filter(|row| {
        !is_org_default(row, org_id)
            && !opts
                .restore
                .iter()
                .any(|r| same_owner(&r.setup_owner_id, &row.setup_owner_id))
    }) {
        let differs = desired
            .iter()
            .any(|(field, value)| current(row, setting, field) != Some(value.as_str()));
        let who = format!("{} row {}", row.level, row.setup_owner_id);
        if row.level == "org" {
            // An org-level row for another org ID: copied from the source org, never read here.
            result.warnings.push(format!("{who} belongs to another org ID (left from before the refresh?); it has no effect here."));
            continue;
        }
        if !differs {
            continue;
        }
        if include_overrides {
            plan_row(
                row,
                &format!("{} override", row.level),
                &mut changes,
                &mut writes,
            );
        } else {
            let shown = row.runtime_url.as_deref().unwrap_or("(empty)");
            result.check(
                "overrides",
                false,
                format!("{who} shadows the org default with {shown}; its users still see that tenant (add --include-overrides to update it)"),
            );
        }
    }
    (changes, writes)
}

/// A row to create for `owner` (the org ID, a profile or a user) holding `desired`: the change
/// as the user sees it, and the record to write.
fn new_row(
    setting: &TenantSetting,
    owner: &str,
    label: &str,
    desired: &[(String, String)],
    changes: &mut Vec<Change>,
    writes: &mut Vec<Write>,
) {
    let mut fields = Map::new();
    fields.insert("SetupOwnerId".into(), Value::String(owner.to_string()));
    for (field, value) in desired {
        fields.insert(field.clone(), Value::String(value.clone()));
    }
    changes.push(Change {
        target: format!("{} ({label}, new row)", setting.object),
        before: Value::Null,
        after: Value::Object(fields.clone()),
        record: Some(ChangedRecord {
            object: setting.object.clone(),
            id: None,
            field: None,
        }),
    });
    writes.push(Write {
        row_id: None,
        fields,
    });
}

/// The writes and the re-read of every row in one composite, all or none: one round trip, the
/// org never holds half the change, and the rows come back as the org stored them.
async fn apply(
    open: &OpenOrg,
    setting: &TenantSetting,
    writes: &[Write],
) -> Result<Vec<TenantRow>> {
    let client = &open.client;
    let mut subrequests: Vec<Value> = Vec::with_capacity(writes.len());
    for (i, write) in writes.iter().enumerate() {
        // The object and row IDs come from the org's answers: checked before they are a path.
        let path =
            record_ref::sobject_path(&setting.object, write.row_id.as_deref(), "The org's answer")?;
        let method = if write.row_id.is_some() {
            "PATCH"
        } else {
            "POST"
        };
        subrequests.push(json!({"method": method, "url": client.data_path(&path), "referenceId": format!("row{i}"), "body": write.fields}));
    }
    let reread = BatchRead::Query(setting.rows_query());
    let rows = client
        .write_then_read(subrequests, &reread, "POST composite (tenant rows)")
        .await?;
    Ok(setting.rows_from(rows.as_array().map_or(&[], Vec::as_slice)))
}

fn all_applied(
    rows: &[TenantRow],
    setting: &TenantSetting,
    org_id: &str,
    desired: &[(String, String)],
    opts: &TenantUrlsOptions,
) -> bool {
    let include_overrides = opts.include_overrides;
    let restored = opts.restore.iter().all(|restore| {
        rows.iter()
            .find(|r| same_owner(&r.setup_owner_id, &restore.setup_owner_id))
            .is_some_and(|row| {
                restore
                    .desired(setting)
                    .iter()
                    .all(|(field, value)| current(row, setting, field) == Some(value.as_str()))
            })
    });
    let matches = |row: &TenantRow| {
        desired.iter().enumerate().all(|(i, (_, value))| {
            let current = if i == 0 {
                row.runtime_url.as_deref()
            } else {
                row.admin_url.as_deref()
            };
            current == Some(value.as_str())
        })
    };
    let default_ok = rows
        .iter()
        .find(|r| is_org_default(r, org_id))
        .is_some_and(matches);
    let overrides_ok = !include_overrides
        || rows
            .iter()
            .filter(|r| {
                !is_org_default(r, org_id)
                    && r.level != "org"
                    && !opts
                        .restore
                        .iter()
                        .any(|x| same_owner(&x.setup_owner_id, &r.setup_owner_id))
            })
            .all(matches);
    default_ok && overrides_ok && restored
}
