//! `step trusted-urls`: the org must let the tenant in. The Logik configurator is framed from
//! the tenant and shows its images (a Trusted URL, `CspTrustedSite`, allowed for frame-src and
//! img-src), and Apex calls it (a Remote Site Setting, `RemoteProxy`). Both carry the tenant
//! host, so when a refreshed sandbox moves to another tenant they break the same way the tenant
//! setting does (REFERENCE.md section 2).
//!
//! Without `--fix` the step checks. With it, through the Tooling API: a row for the tenant that
//! lacks something is updated; else a row left for another Logik host (the tenant before the
//! refresh) is repointed, keeping its name; else a row is added. Rows a managed package
//! installed (`NamespacePrefix` set) cannot be edited by the org: they are never picked, and
//! are reported. Remote Sites are written through their `Metadata` (`salesforce::tooling_write`);
//! Trusted URLs through the Tooling API's `CspTrustedSite`, whose REST create and update take the
//! same fields as the Data API object (Tooling API object reference).

use super::{Change, ChangedRecord, Check, Outcome, StepResult, guard_production};
use crate::org::session::OpenOrg;
use crate::org::tenant::TenantUrl;
use crate::protocol::{Error, Result};
use crate::salesforce::checked_write::write_checked;
use crate::salesforce::{Client, tooling_write};
use crate::steps::journal::{Journal, JournalEntry, JournalEvent};
use serde_json::{Map, Value};

pub const STEP: &str = "trusted-urls";

/// Longest name a new row gets (Remote Site names stop at 40 characters).
const NAME_MAX: usize = 40;
const DESCRIPTION: &str = "Logik.ai tenant (set by logik-refresh)";

pub struct TrustedUrlsOptions {
    /// The tenant's sites to allow (runtime and administration; usually one host).
    pub origins: Vec<TenantUrl>,
    /// Add or update rows; `dry_run` shows what it would do.
    pub fix: bool,
    pub dry_run: bool,
    pub allow_production: bool,
}

mod sites;
#[cfg(test)]
mod tests;

use sites::{KINDS, Kind, Site, evaluate, is_logik_host, read_all, read_sites, site_origin};

/// One record to write.
#[derive(Debug, Clone)]
struct SiteWrite {
    kind: Kind,
    /// None: a new row.
    id: Option<String>,
    name: String,
    fields: Map<String, Value>,
    changes: Vec<Change>,
}

impl SiteWrite {
    /// Whether the org shows this write.
    fn visible(&self, sites: &[Site]) -> bool {
        let row = match &self.id {
            Some(id) => sites.iter().find(|s| &s.id == id),
            None => sites
                .iter()
                .find(|s| s.name.eq_ignore_ascii_case(&self.name)),
        };
        row.is_some_and(|row| {
            // What lets the tenant in: the URL and the flags (not the description).
            self.fields.iter().all(|(field, value)| {
                if field == "EndpointUrl" {
                    site_origin(&row.endpoint) == value.as_str().map(str::to_string)
                } else if self.kind.required().contains(&field.as_str()) {
                    row.fields.get(field) == Some(value)
                } else {
                    true
                }
            })
        })
    }

    async fn send(&self, client: &Client) -> Result<()> {
        let object = self.kind.object();
        match &self.id {
            Some(id) => tooling_write::update(client, object, id, &self.fields).await,
            None => tooling_write::create(client, object, &self.fields)
                .await
                .map(|_| ()),
        }
    }
}

fn checks(sites: &[Vec<Site>; 2], origins: &[TenantUrl]) -> Vec<Check> {
    let mut out = Vec::new();
    for (kind, rows) in KINDS.iter().zip(sites) {
        for tenant in origins {
            let (ok, detail) = evaluate(*kind, rows, tenant);
            out.push(Check {
                name: format!("{} {}", kind.label(), tenant.origin),
                ok,
                detail,
            });
        }
    }
    out
}

pub async fn ensure_trusted_urls(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &TrustedUrlsOptions,
) -> Result<StepResult> {
    let client = &open.client;
    let mut result = StepResult::new(STEP, &open.facts);
    result.dry_run = opts.dry_run;
    let mut origins = opts.origins.clone();
    origins.dedup_by(|a, b| a.origin == b.origin);

    let (trusted, remote) = read_all(client).await?;
    let sites = [trusted, remote];
    result.checks = checks(&sites, &origins);
    for site in sites[0].iter() {
        let context = site.fields.get("Context").and_then(Value::as_str);
        let for_tenant = origins
            .iter()
            .any(|t| site_origin(&site.endpoint).as_deref() == Some(t.origin.as_str()));
        if for_tenant && context.is_some_and(|c| !c.eq_ignore_ascii_case("All")) {
            result.warnings.push(format!(
                "Trusted URL {} applies only in the {} context; the configurator needs the tenant wherever Logik runs (Context \"All\").",
                site.name,
                context.unwrap_or_default()
            ));
        }
    }
    result.warnings.extend(managed_warnings(&sites, &origins));
    let writes = plan(&sites, &origins);
    let wrote = if writes.is_empty() {
        result.outcome = Outcome::Unchanged;
        false
    } else if !opts.fix && !opts.dry_run {
        let failing: Vec<String> = result
            .checks
            .iter()
            .filter(|c| !c.ok)
            .map(|c| c.name.clone())
            .collect();
        result.outcome = Outcome::Failed;
        result.reason = Some(format!(
            "The org does not let the tenant in: {}. Run the step again with --fix (see what it would do with --dry-run).",
            failing.join(", ")
        ));
        false
    } else {
        result.changes = writes.iter().flat_map(|w| w.changes.clone()).collect();
        guard_production(&open.facts, opts.allow_production, STEP)?;
        if opts.dry_run {
            result.outcome = Outcome::Planned;
            false
        } else {
            apply(client, journal, &writes, &origins, &mut result).await?;
            true
        }
    };
    if !wrote && !opts.dry_run {
        journal.record_finished(&result)?;
    }
    result.requests = client.request_count();
    Ok(result)
}

/// The writes that make every check pass.
fn plan(sites: &[Vec<Site>; 2], origins: &[TenantUrl]) -> Vec<SiteWrite> {
    let mut writes = Vec::new();
    for (kind, rows) in KINDS.iter().copied().zip(sites) {
        let mut claimed: Vec<String> = Vec::new();
        let mut names: Vec<String> = rows.iter().map(|s| s.name.to_ascii_lowercase()).collect();
        for tenant in origins {
            if evaluate(kind, rows, tenant).0 {
                continue;
            }
            let exact = rows.iter().find(|s| {
                s.managed().is_none()
                    && site_origin(&s.endpoint).as_deref() == Some(tenant.origin.as_str())
            });
            let spare = || {
                rows.iter().find(|s| {
                    s.managed().is_none()
                        && is_logik_host(&s.endpoint)
                        && !claimed.contains(&s.id)
                        && !origins
                            .iter()
                            .any(|t| site_origin(&s.endpoint).as_deref() == Some(t.origin.as_str()))
                })
            };
            let write = match exact.or_else(spare) {
                Some(site) => {
                    claimed.push(site.id.clone());
                    update(kind, site, tenant)
                }
                None => {
                    let name = new_name(&tenant.host, &names);
                    names.push(name.to_ascii_lowercase());
                    let fields = kind.new_row(&name, &tenant.origin);
                    SiteWrite {
                        kind,
                        id: None,
                        changes: vec![Change {
                            target: format!("{} {name} (new)", kind.object()),
                            before: Value::Null,
                            after: Value::Object(fields.clone()),
                            record: Some(ChangedRecord {
                                object: format!("tooling:{}", kind.object()),
                                id: None,
                                field: None,
                            }),
                        }],
                        name,
                        fields,
                    }
                }
            };
            writes.push(write);
        }
    }
    writes
}

/// The managed rows the step would have edited (for the tenant but lacking a flag, or left for
/// another Logik host), each said once: the org cannot edit them.
fn managed_warnings(sites: &[Vec<Site>; 2], origins: &[TenantUrl]) -> Vec<String> {
    let mut out = Vec::new();
    for (kind, rows) in KINDS.iter().copied().zip(sites) {
        for site in rows {
            let Some(ns) = site.managed() else { continue };
            let for_tenant = origins
                .iter()
                .any(|t| site_origin(&site.endpoint).as_deref() == Some(t.origin.as_str()));
            if (for_tenant && !site.complete(kind))
                || (!for_tenant && is_logik_host(&site.endpoint))
            {
                out.push(format!(
                    "{} {} ({}) belongs to the managed package {ns} and cannot be edited here; the step leaves it and uses a row of the org's own.",
                    kind.object(),
                    site.name,
                    site.endpoint
                ));
            }
        }
    }
    out
}

/// Points an existing row at the tenant and sets the flags it lacks.
fn update(kind: Kind, site: &Site, tenant: &TenantUrl) -> SiteWrite {
    let mut fields = Map::new();
    if site_origin(&site.endpoint).as_deref() != Some(tenant.origin.as_str()) {
        fields.insert("EndpointUrl".into(), tenant.origin.clone().into());
    }
    for flag in site.missing(kind) {
        fields.insert(flag.into(), true.into());
    }
    let changes = fields
        .iter()
        .map(|(field, after)| Change {
            target: format!("{} {} ({}).{field}", kind.object(), site.name, site.id),
            before: site.fields.get(field).cloned().unwrap_or(Value::Null),
            after: after.clone(),
            record: Some(ChangedRecord {
                object: format!("tooling:{}", kind.object()),
                id: Some(site.id.clone()),
                field: Some(field.clone()),
            }),
        })
        .collect();
    SiteWrite {
        kind,
        id: Some(site.id.clone()),
        name: site.name.clone(),
        fields,
        changes,
    }
}

/// `Logik_acme_uat_test_logik_io`, unique among `taken` (lowercase names).
fn new_name(host: &str, taken: &[String]) -> String {
    let mut base = String::from("Logik_");
    for c in host.chars() {
        let c = if c.is_ascii_alphanumeric() { c } else { '_' };
        if !(c == '_' && base.ends_with('_')) {
            base.push(c);
        }
    }
    let base: String = base.chars().take(NAME_MAX).collect();
    let base = base.trim_end_matches('_').to_string();
    let mut name = base.clone();
    let mut n = 2;
    while taken.contains(&name.to_ascii_lowercase()) {
        let suffix = format!("_{n}");
        let stem: String = base.chars().take(NAME_MAX - suffix.len()).collect();
        name = format!("{}{suffix}", stem.trim_end_matches('_'));
        n += 1;
    }
    name
}

async fn apply(
    client: &Client,
    journal: &mut Journal,
    writes: &[SiteWrite],
    origins: &[TenantUrl],
    result: &mut StepResult,
) -> Result<()> {
    let mut started = JournalEntry::new(STEP, JournalEvent::ApplyStarted);
    started.changes = result.changes.clone();
    journal.append(started)?;

    // One write at a time; a failure stops the rest (they are journaled as not applied).
    let mut failure: Option<Error> = None;
    for write in writes {
        let sent = write_checked(
            async || write.send(client).await,
            async || Ok(write.visible(&read_sites(client, write.kind).await?)),
        )
        .await;
        if let Err(err) = sent {
            failure = Some(err);
            break;
        }
    }

    // Whatever the writes said, the org is the truth.
    let (trusted, remote) = match read_all(client).await {
        Ok(both) => both,
        Err(err) => {
            let mut failed = JournalEntry::new(STEP, JournalEvent::ApplyFailed);
            failed.changes = result.changes.clone();
            failed.note = Some(format!(
                "could not read the rows back ({}); some may be written",
                err.message
            ));
            journal.append(failed)?;
            return Err(err.with_action(format!(
                "Run `logik-refresh step {STEP} --fix` again: it reads the rows and finishes what is left."
            )));
        }
    };
    let sites = [trusted, remote];
    let (done, left): (Vec<&SiteWrite>, Vec<&SiteWrite>) = writes.iter().partition(|w| {
        let rows = if w.kind == Kind::TrustedUrl {
            &sites[0]
        } else {
            &sites[1]
        };
        w.visible(rows)
    });
    let applied: Vec<Change> = done.iter().flat_map(|w| w.changes.clone()).collect();
    let not_applied: Vec<Change> = left.iter().flat_map(|w| w.changes.clone()).collect();
    if !applied.is_empty() {
        let mut entry = JournalEntry::new(STEP, JournalEvent::Applied);
        entry.changes = applied.clone();
        entry.outcome = Some(if left.is_empty() {
            Outcome::Changed
        } else {
            Outcome::Failed
        });
        journal.append(entry)?;
    }
    result.checks = checks(&sites, origins);
    result.changes = applied;
    if left.is_empty() {
        result.outcome = Outcome::Changed;
        return Ok(());
    }
    let why = match failure {
        Some(err) => err.message,
        None => "the org accepted the writes but reads back other values".to_string(),
    };
    let mut entry = JournalEntry::new(STEP, JournalEvent::ApplyFailed);
    entry.changes = not_applied;
    entry.note = Some(why.clone());
    journal.append(entry)?;
    let names: Vec<String> = left
        .iter()
        .map(|w| format!("{} {}", w.kind.object(), w.name))
        .collect();
    result.outcome = Outcome::Failed;
    result.reason = Some(format!(
        "{} of {} writes did not land ({}): {why} Run the step again with --fix to finish.",
        left.len(),
        writes.len(),
        names.join(", ")
    ));
    Ok(())
}
