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

/// The two setup objects this step keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Setup > Trusted URLs (CSP).
    TrustedUrl,
    /// Setup > Remote Site Settings.
    RemoteSite,
}

impl Kind {
    fn object(self) -> &'static str {
        match self {
            Kind::TrustedUrl => "CspTrustedSite",
            Kind::RemoteSite => "RemoteProxy",
        }
    }

    fn name_field(self) -> &'static str {
        match self {
            Kind::TrustedUrl => "DeveloperName",
            Kind::RemoteSite => "SiteName",
        }
    }

    /// The flags a row needs to let the tenant in.
    fn required(self) -> &'static [&'static str] {
        match self {
            Kind::TrustedUrl => &["IsActive", "IsApplicableToFrameSrc", "IsApplicableToImgSrc"],
            Kind::RemoteSite => &["IsActive"],
        }
    }

    fn label(self) -> &'static str {
        match self {
            Kind::TrustedUrl => "trusted url",
            Kind::RemoteSite => "remote site",
        }
    }

    /// The rows' query; `namespace` adds `NamespacePrefix` (asked first; an org whose object
    /// lacks it answers INVALID_FIELD and is asked again without).
    fn soql(self, namespace: bool) -> String {
        let mut fields = vec!["Id", self.name_field(), "EndpointUrl"];
        fields.extend_from_slice(self.required());
        if self == Kind::TrustedUrl {
            fields.push("Context");
        }
        if namespace {
            fields.push("NamespacePrefix");
        }
        format!(
            "SELECT {} FROM {} ORDER BY {}",
            fields.join(", "),
            self.object(),
            self.name_field()
        )
    }

    /// The fields of a new row for `origin`.
    fn new_row(self, name: &str, origin: &str) -> Map<String, Value> {
        let mut fields = Map::new();
        fields.insert(self.name_field().into(), name.into());
        fields.insert("EndpointUrl".into(), origin.into());
        for flag in self.required() {
            fields.insert((*flag).into(), true.into());
        }
        match self {
            Kind::TrustedUrl => {
                fields.insert("Context".into(), "All".into());
            }
            Kind::RemoteSite => {
                fields.insert("DisableProtocolSecurity".into(), false.into());
            }
        }
        fields.insert("Description".into(), DESCRIPTION.into());
        fields
    }
}

/// One row of either object, as read.
#[derive(Debug, Clone)]
struct Site {
    id: String,
    name: String,
    endpoint: String,
    fields: Map<String, Value>,
}

impl Site {
    fn from_record(kind: Kind, record: &Value) -> Site {
        let text = |field: &str| {
            record
                .get(field)
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string()
        };
        let fields = record
            .as_object()
            .map(|m| {
                m.iter()
                    .filter(|(k, _)| *k != "attributes")
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Site {
            id: text("Id"),
            name: text(kind.name_field()),
            endpoint: text("EndpointUrl"),
            fields,
        }
    }

    fn flag(&self, field: &str) -> bool {
        self.fields
            .get(field)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The namespace of the managed package that installed the row (the org cannot edit it).
    fn managed(&self) -> Option<&str> {
        self.fields
            .get("NamespacePrefix")
            .and_then(Value::as_str)
            .filter(|ns| !ns.is_empty())
    }

    fn complete(&self, kind: Kind) -> bool {
        kind.required().iter().all(|f| self.flag(f))
    }

    fn missing(&self, kind: Kind) -> Vec<&'static str> {
        kind.required()
            .iter()
            .copied()
            .filter(|f| !self.flag(f))
            .collect()
    }
}

/// An endpoint URL split: scheme, host (lowercase, maybe `*.`-prefixed) and port, and
/// whether it names a whole site (no path).
#[derive(Debug, PartialEq, Eq)]
struct Endpoint {
    scheme: String,
    host: String,
    port: Option<String>,
    whole_site: bool,
}

fn endpoint(url: &str) -> Option<Endpoint> {
    let (scheme, rest) = url.trim().split_once("://")?;
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(end);
    let (host, port) = match authority.rsplit_once(':') {
        Some((host, port)) if port.chars().all(|c| c.is_ascii_digit()) => {
            (host, Some(port.to_string()))
        }
        _ => (authority, None),
    };
    if host.is_empty() {
        return None;
    }
    Some(Endpoint {
        scheme: scheme.to_ascii_lowercase(),
        host: host.trim_end_matches('.').to_ascii_lowercase(),
        port,
        whole_site: matches!(path, "" | "/"),
    })
}

/// `https://host[:port]` when the URL names a whole site.
fn site_origin(url: &str) -> Option<String> {
    let e = endpoint(url)?;
    if !e.whole_site || e.host.starts_with("*.") {
        return None;
    }
    Some(match e.port {
        Some(port) => format!("{}://{}:{port}", e.scheme, e.host),
        None => format!("{}://{}", e.scheme, e.host),
    })
}

/// A wildcard Trusted URL (`https://*.test.logik.io`) that covers the tenant's host.
fn wildcard_covers(url: &str, tenant: &TenantUrl) -> bool {
    endpoint(url).is_some_and(|e| {
        e.scheme == "https"
            && e.port.is_none()
            && e.host
                .strip_prefix('*')
                .is_some_and(|suffix| suffix.starts_with('.') && tenant.host.ends_with(suffix))
    })
}

/// A row for a Logik host other than the tenant's: what a refresh leaves behind.
fn is_logik_host(url: &str) -> bool {
    endpoint(url).is_some_and(|e| !e.host.contains('*') && e.host.ends_with(".logik.io"))
}

/// Whether the rows let `tenant` in, and how (the check's detail).
fn evaluate(kind: Kind, sites: &[Site], tenant: &TenantUrl) -> (bool, String) {
    let exact: Vec<&Site> = sites
        .iter()
        .filter(|s| site_origin(&s.endpoint).as_deref() == Some(tenant.origin.as_str()))
        .collect();
    if let Some(site) = exact.iter().find(|s| s.complete(kind)) {
        return (true, format!("{} allows {}", site.name, tenant.origin));
    }
    if kind == Kind::TrustedUrl
        && let Some(site) = sites
            .iter()
            .find(|s| s.complete(kind) && wildcard_covers(&s.endpoint, tenant))
    {
        return (
            true,
            format!("{} ({}) allows {}", site.name, site.endpoint, tenant.origin),
        );
    }
    match exact.first() {
        Some(site) => (
            false,
            format!(
                "{} names {} but lacks {} (--fix sets it)",
                site.name,
                tenant.origin,
                site.missing(kind).join(", ")
            ),
        ),
        None => (
            false,
            format!(
                "no {} allows {} (--fix adds it)",
                kind.label(),
                tenant.origin
            ),
        ),
    }
}

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

async fn read_sites(client: &Client, kind: Kind) -> Result<Vec<Site>> {
    let rows = match client.tooling_query(&kind.soql(true)).await {
        Err(err) if err.code() == "INVALID_FIELD" => client.tooling_query(&kind.soql(false)).await,
        other => other,
    }?;
    Ok(rows.iter().map(|r| Site::from_record(kind, r)).collect())
}

async fn read_all(client: &Client) -> Result<(Vec<Site>, Vec<Site>)> {
    let (trusted, remote) = tokio::join!(
        read_sites(client, Kind::TrustedUrl),
        read_sites(client, Kind::RemoteSite)
    );
    Ok((trusted?, remote?))
}

const KINDS: [Kind; 2] = [Kind::TrustedUrl, Kind::RemoteSite];

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

pub async fn run(
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
        let mut entry = JournalEntry::new(STEP, JournalEvent::Finished);
        entry.outcome = Some(result.outcome);
        entry.note = result.reason.clone();
        journal.append(entry)?;
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::tenant::parse_tenant_url;
    use serde_json::json;

    fn tenant(url: &str) -> TenantUrl {
        parse_tenant_url(url, "--runtime-url", false).unwrap()
    }

    fn site(kind: Kind, id: &str, name: &str, url: &str, flags: bool) -> Site {
        let mut record = json!({"Id": id, kind.name_field(): name, "EndpointUrl": url});
        for f in kind.required() {
            record[*f] = flags.into();
        }
        Site::from_record(kind, &record)
    }

    #[test]
    fn endpoints() {
        assert_eq!(
            site_origin("HTTPS://Acme.test.logik.io/").as_deref(),
            Some("https://acme.test.logik.io")
        );
        assert_eq!(site_origin("https://acme.test.logik.io/ui"), None);
        assert_eq!(
            site_origin("https://x.io:8443").as_deref(),
            Some("https://x.io:8443")
        );
        let t = tenant("https://acme-uat.test.logik.io");
        assert!(wildcard_covers("https://*.test.logik.io", &t));
        assert!(wildcard_covers("https://*.logik.io/", &t));
        assert!(!wildcard_covers("https://*.prod.logik.io", &t));
        assert!(!wildcard_covers("http://*.test.logik.io", &t));
        assert!(is_logik_host("https://acme.prod.logik.io"));
        assert!(!is_logik_host("https://*.logik.io"));
        assert!(!is_logik_host("https://evil-logik.io"));
    }

    #[test]
    fn plans_update_repoint_and_add() {
        let t = tenant("https://acme-uat.test.logik.io");
        // An exact row lacking img-src: updated in place.
        let mut lacking = site(
            Kind::TrustedUrl,
            "08y1",
            "Uat",
            "https://acme-uat.test.logik.io",
            true,
        );
        lacking
            .fields
            .insert("IsApplicableToImgSrc".into(), false.into());
        let writes = plan(&[vec![lacking], vec![]], std::slice::from_ref(&t));
        assert_eq!(writes.len(), 2);
        assert_eq!(writes[0].id.as_deref(), Some("08y1"));
        assert_eq!(
            writes[0].fields.keys().collect::<Vec<_>>(),
            ["IsApplicableToImgSrc"]
        );
        assert_eq!(writes[1].id, None, "no remote site: one is added");
        assert_eq!(writes[1].name, "Logik_acme_uat_test_logik_io");
        // The old tenant's rows: repointed.
        let old = [
            vec![site(
                Kind::TrustedUrl,
                "08y2",
                "Logik_Tenant",
                "https://acme.test.logik.io",
                true,
            )],
            vec![site(
                Kind::RemoteSite,
                "0rp2",
                "Logik_Tenant",
                "https://acme.test.logik.io",
                true,
            )],
        ];
        let writes = plan(&old, std::slice::from_ref(&t));
        assert_eq!(writes.len(), 2);
        assert!(
            writes
                .iter()
                .all(|w| w.fields.len() == 1 && w.fields["EndpointUrl"] == t.origin)
        );
        assert_eq!(writes[0].changes[0].before, "https://acme.test.logik.io");
        // All good, or covered by a wildcard: nothing.
        let fine = [
            vec![site(
                Kind::TrustedUrl,
                "08y3",
                "All_Logik",
                "https://*.logik.io",
                true,
            )],
            vec![site(
                Kind::RemoteSite,
                "0rp3",
                "Tenant",
                "https://acme-uat.test.logik.io/",
                true,
            )],
        ];
        assert!(plan(&fine, std::slice::from_ref(&t)).is_empty());
    }

    #[test]
    fn new_names_are_unique_and_short() {
        assert_eq!(
            new_name("acme.test.logik.io", &[]),
            "Logik_acme_test_logik_io"
        );
        let taken = vec!["logik_acme_test_logik_io".to_string()];
        assert_eq!(
            new_name("acme.test.logik.io", &taken),
            "Logik_acme_test_logik_io_2"
        );
        let long = new_name("a-very-long-tenant-name-for-acme.test02.logik.io", &[]);
        assert!(long.len() <= NAME_MAX && !long.ends_with('_'), "{long}");
    }
}
