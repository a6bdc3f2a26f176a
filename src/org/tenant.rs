//! What the tool knows about the Logik.ai managed package in Salesforce (REFERENCE.md section 2):
//! the tenant custom setting and how to find its URL fields. The Administration URL field's API
//! name is not public. Labels come in the running user's language when the package ships
//! translations, so a known API name is matched first (`LGK__RuntimeUrl__c`), then the English
//! label, then, for the Administration URL, the one URL field of the package whose API name
//! says "admin".

use crate::protocol::{Error, Result};
use serde_json::Value;

/// The Logik managed package namespace.
pub const LOGIK_NAMESPACE: &str = "LGK";
/// The Salesforce CPQ managed package namespace.
pub const CPQ_NAMESPACE: &str = "SBQQ";
/// The tenant hierarchy custom setting ("CPQ Tenant" / "Logik Tenant").
pub const TENANT_OBJECT: &str = "LGK__ConfigurationTenant__c";
/// The runtime URL field as seen in Logik's public Visualforce pages; matched before any label.
const RUNTIME_FIELD_FALLBACK: &str = "LGK__RuntimeUrl__c";

/// Labels, normalised (lowercase letters and digits only), that name each URL field.
const RUNTIME_LABELS: &[&str] = &["runtimeconfigurationurl", "runtimeurl"];
const ADMIN_LABELS: &[&str] = &[
    "administrationurl",
    "adminurl",
    "administrationconfigurationurl",
];

/// The tenant setting's URL fields, as found in this org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantFields {
    pub runtime_url: String,
    pub admin_url: Option<String>,
}

/// Finds the URL fields in the describe of [`TENANT_OBJECT`].
pub fn tenant_fields(describe: &Value) -> Result<TenantFields> {
    let fields = describe
        .get("fields")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::new(
                "UnexpectedResponseError",
                format!("The describe of {TENANT_OBJECT} lists no fields."),
            )
        })?;
    let by_label = |labels: &[&str]| {
        fields.iter().find_map(|field| {
            let label = normalise(field.get("label")?.as_str()?);
            let name = field.get("name")?.as_str()?;
            labels.contains(&label.as_str()).then(|| name.to_string())
        })
    };
    let has_field = |wanted: &str| {
        fields.iter().any(|f| {
            f.get("name")
                .and_then(Value::as_str)
                .is_some_and(|n| n.eq_ignore_ascii_case(wanted))
        })
    };
    let runtime_url = has_field(RUNTIME_FIELD_FALLBACK)
        .then(|| RUNTIME_FIELD_FALLBACK.to_string())
        .or_else(|| by_label(RUNTIME_LABELS))
        .ok_or_else(|| {
            Error::new(
                "TenantFieldNotFoundError",
                format!("{TENANT_OBJECT} has no field labelled \"Runtime Configuration URL\"."),
            )
            .with_action("Check the Logik.ai package version in Setup > Installed Packages, and that your profile can see the CPQ Tenant custom setting's fields.")
        })?;
    Ok(TenantFields {
        admin_url: by_label(ADMIN_LABELS).or_else(|| admin_by_name(fields, &runtime_url)),
        runtime_url,
    })
}

/// The Administration URL field when no label says so (a translated org): the one URL field
/// of the package, other than the runtime one, whose API name contains "admin".
fn admin_by_name(fields: &[Value], runtime: &str) -> Option<String> {
    let candidates: Vec<&str> = fields
        .iter()
        .filter(|f| f.get("type").and_then(Value::as_str) == Some("url"))
        .filter_map(|f| f.get("name").and_then(Value::as_str))
        .filter(|n| {
            !n.eq_ignore_ascii_case(runtime)
                && n.starts_with(&format!("{LOGIK_NAMESPACE}__"))
                && n.to_ascii_lowercase().contains("admin")
        })
        .collect();
    match candidates.as_slice() {
        [one] => Some(one.to_string()),
        _ => None,
    }
}

fn normalise(label: &str) -> String {
    label
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// Which level of the hierarchy a custom-setting row belongs to, from its `SetupOwnerId`.
pub fn setup_owner_level(setup_owner_id: &str) -> &'static str {
    match setup_owner_id.get(..3) {
        Some("00D") => "org",
        Some("00e") => "profile",
        Some("005") => "user",
        _ => "unknown",
    }
}

/// A CPQ (Logik.ai) tenant URL: `https://<tenant>.<sector>.logik.io`, normalised to the origin
/// (no path, no trailing slash), as the tenant setting and Runtime Client origins want it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TenantUrl {
    /// `https://acme.test.logik.io`
    pub origin: String,
    /// `acme.test.logik.io`
    pub host: String,
    /// True when the host is not under `logik.io` (allowed only on request).
    pub other_host: bool,
}

/// Parses and checks a tenant URL. `allow_other_host` accepts an https host outside
/// `logik.io` (custom domains); the caller should then warn.
pub fn parse_tenant_url(text: &str, what: &str, allow_other_host: bool) -> Result<TenantUrl> {
    let bad = |why: String| {
        Error::input("InvalidTenantUrlError", format!("{what} {text:?} {why}"))
            .with_action(format!("Give it as https://<tenant>.<sector>.logik.io, e.g. {what_flag} https://acme.test.logik.io", what_flag = flag_hint(what)))
    };
    let url = url::Url::parse(text.trim()).map_err(|e| bad(format!("is not a URL ({e}).")))?;
    if let Some(why) = non_ascii_host(text, &url) {
        return Err(bad(why));
    }
    if url.scheme() != "https" {
        return Err(bad("must use https.".to_string()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(bad("must not carry a user name or password.".to_string()));
    }
    if url.query().is_some() || url.fragment().is_some() || !matches!(url.path(), "" | "/") {
        return Err(bad("must be the site alone, without a path (the tool adds paths like /ui/configure itself).".to_string()));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let labels: Vec<&str> = host.split('.').collect();
    let valid_label = |l: &&str| {
        !l.is_empty()
            && l.len() <= 63
            && !l.starts_with('-')
            && !l.ends_with('-')
            && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
    };
    if !labels.iter().all(valid_label) {
        return Err(bad("has an invalid host name.".to_string()));
    }
    let is_logik = host.ends_with(".logik.io") && labels.len() == 4;
    if !is_logik && !allow_other_host {
        return Err(
            bad("is not a CPQ tenant host (<tenant>.<sector>.logik.io).".to_string()).with_action(
                "If your tenant really lives on another host, add --allow-other-host.",
            ),
        );
    }
    if url.port().is_some() {
        return Err(bad("must not name a port.".to_string()));
    }
    Ok(TenantUrl {
        origin: format!("https://{host}"),
        host,
        other_host: !is_logik,
    })
}

/// Why a typed URL is refused when its host is not plain ASCII (`acmé.test.logik.io`): URL
/// parsing would silently turn it into its punycode form (`xn--acm-dma.test.logik.io`), a
/// different-looking host than the one the person saw. The reason names both forms.
pub fn non_ascii_host(text: &str, url: &url::Url) -> Option<String> {
    let after_scheme = text
        .trim()
        .split_once("://")
        .map_or(text.trim(), |(_, rest)| rest);
    let authority = after_scheme
        .split(['/', '?', '#'])
        .next()
        .unwrap_or_default();
    let typed = authority.rsplit('@').next().unwrap_or_default();
    let typed = typed.split(':').next().unwrap_or_default();
    if typed.is_ascii() {
        return None;
    }
    Some(format!(
        "has a host that is not plain ASCII: \"{typed}\" is \"{}\" in DNS (punycode), a different-looking name. Tenant and Salesforce hosts are ASCII: check the host, and if the punycode form really is it, give that form.",
        url.host_str().unwrap_or_default()
    ))
}

fn flag_hint(what: &str) -> &str {
    match what {
        "--cpq-url" | "--runtime-url" | "--admin-url" | "--new-host" => what,
        _ => "--runtime-url",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn tenant_urls() {
        let t = parse_tenant_url("https://Acme.test.logik.io/", "--runtime-url", false).unwrap();
        assert_eq!(t.origin, "https://acme.test.logik.io");
        assert_eq!(t.host, "acme.test.logik.io");
        assert!(!t.other_host);
        for bad in [
            "http://acme.test.logik.io",
            "https://acme.logik.io",
            "https://acme.test.logik.io/ui/configure",
            "https://evil.com",
            "https://a.b.test.logik.io",
            "acme.test.logik.io",
            "https://acme.test.logik.io:8443",
        ] {
            let err = parse_tenant_url(bad, "--runtime-url", false).unwrap_err();
            assert_eq!(err.name, "InvalidTenantUrlError", "{bad}");
            assert_eq!(err.exit.code(), 2);
        }
        let other = parse_tenant_url("https://cpq.acme.com", "--runtime-url", true).unwrap();
        assert!(other.other_host);
    }

    #[test]
    fn finds_fields_by_label_whatever_their_names() {
        let describe = json!({"fields": [
            {"name": "Id", "label": "Record ID"},
            {"name": "LGK__RuntimeUrl__c", "label": "Runtime Configuration URL"},
            {"name": "LGK__Xyz__c", "label": "Administration URL"},
        ]});
        let fields = tenant_fields(&describe).unwrap();
        assert_eq!(fields.runtime_url, "LGK__RuntimeUrl__c");
        assert_eq!(fields.admin_url.as_deref(), Some("LGK__Xyz__c"));
    }

    #[test]
    fn falls_back_to_the_public_runtime_field_name_and_reports_missing_ones() {
        let describe = json!({"fields": [{"name": "LGK__RuntimeUrl__c", "label": "Runtime"}]});
        let fields = tenant_fields(&describe).unwrap();
        assert_eq!(fields.runtime_url, "LGK__RuntimeUrl__c");
        assert_eq!(fields.admin_url, None);
        let err = tenant_fields(&json!({"fields": []})).unwrap_err();
        assert_eq!(err.name, "TenantFieldNotFoundError");
    }

    #[test]
    fn setup_owner_levels() {
        assert_eq!(setup_owner_level("00D5e000000AbCdEAK"), "org");
        assert_eq!(setup_owner_level("00e5e000000AbCdEAK"), "profile");
        assert_eq!(setup_owner_level("0055e000000AbCdEAK"), "user");
    }
}
