//! The rows of the two setup objects (`CspTrustedSite`, `RemoteProxy`) as read, and whether they
//! let the tenant in: the checks' half of `step trusted-urls`.

use super::DESCRIPTION;
use crate::org::tenant::TenantUrl;
use crate::protocol::Result;
use crate::salesforce::Client;
use serde_json::{Map, Value};

/// The two setup objects this step keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Setup > Trusted URLs (CSP).
    TrustedUrl,
    /// Setup > Remote Site Settings.
    RemoteSite,
}

impl Kind {
    pub(super) fn object(self) -> &'static str {
        match self {
            Kind::TrustedUrl => "CspTrustedSite",
            Kind::RemoteSite => "RemoteProxy",
        }
    }

    pub(super) fn name_field(self) -> &'static str {
        match self {
            Kind::TrustedUrl => "DeveloperName",
            Kind::RemoteSite => "SiteName",
        }
    }

    /// The flags a row needs to let the tenant in.
    pub(super) fn required(self) -> &'static [&'static str] {
        match self {
            Kind::TrustedUrl => &["IsActive", "IsApplicableToFrameSrc", "IsApplicableToImgSrc"],
            Kind::RemoteSite => &["IsActive"],
        }
    }

    pub(super) fn label(self) -> &'static str {
        match self {
            Kind::TrustedUrl => "trusted url",
            Kind::RemoteSite => "remote site",
        }
    }

    /// The rows' query; `namespace` adds `NamespacePrefix` (asked first; an org whose object
    /// lacks it answers INVALID_FIELD and is asked again without).
    pub(super) fn soql(self, namespace: bool) -> String {
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
    pub(super) fn new_row(self, name: &str, origin: &str) -> Map<String, Value> {
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
pub(super) struct Site {
    pub(super) id: String,
    pub(super) name: String,
    pub(super) endpoint: String,
    pub(super) fields: Map<String, Value>,
}

impl Site {
    pub(super) fn from_record(kind: Kind, record: &Value) -> Site {
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

    pub(super) fn flag(&self, field: &str) -> bool {
        self.fields
            .get(field)
            .and_then(Value::as_bool)
            .unwrap_or(false)
    }

    /// The namespace of the managed package that installed the row (the org cannot edit it).
    pub(super) fn managed(&self) -> Option<&str> {
        self.fields
            .get("NamespacePrefix")
            .and_then(Value::as_str)
            .filter(|ns| !ns.is_empty())
    }

    pub(super) fn complete(&self, kind: Kind) -> bool {
        kind.required().iter().all(|f| self.flag(f))
    }

    pub(super) fn missing(&self, kind: Kind) -> Vec<&'static str> {
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
pub(super) struct Endpoint {
    pub(super) scheme: String,
    pub(super) host: String,
    pub(super) port: Option<String>,
    pub(super) whole_site: bool,
}

pub(super) fn endpoint(url: &str) -> Option<Endpoint> {
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
pub(super) fn site_origin(url: &str) -> Option<String> {
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
pub(super) fn wildcard_covers(url: &str, tenant: &TenantUrl) -> bool {
    endpoint(url).is_some_and(|e| {
        e.scheme == "https"
            && e.port.is_none()
            && e.host
                .strip_prefix('*')
                .is_some_and(|suffix| suffix.starts_with('.') && tenant.host.ends_with(suffix))
    })
}

/// A row for a Logik host other than the tenant's: what a refresh leaves behind.
pub(super) fn is_logik_host(url: &str) -> bool {
    endpoint(url).is_some_and(|e| !e.host.contains('*') && e.host.ends_with(".logik.io"))
}

/// Whether the rows let `tenant` in, and how (the check's detail).
pub(super) fn evaluate(kind: Kind, sites: &[Site], tenant: &TenantUrl) -> (bool, String) {
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

pub(super) async fn read_sites(client: &Client, kind: Kind) -> Result<Vec<Site>> {
    let rows = match client.tooling_query(&kind.soql(true)).await {
        Err(err) if err.code() == "INVALID_FIELD" => client.tooling_query(&kind.soql(false)).await,
        other => other,
    }?;
    Ok(rows.iter().map(|r| Site::from_record(kind, r)).collect())
}

pub(super) async fn read_all(client: &Client) -> Result<(Vec<Site>, Vec<Site>)> {
    let (trusted, remote) = tokio::join!(
        read_sites(client, Kind::TrustedUrl),
        read_sites(client, Kind::RemoteSite)
    );
    Ok((trusted?, remote?))
}

pub(super) const KINDS: [Kind; 2] = [Kind::TrustedUrl, Kind::RemoteSite];
