//! What the tool knows about the Logik.ai managed package in Salesforce (REFERENCE.md section 2):
//! the tenant custom setting and how to find its URL fields. The Administration URL field's API
//! name is not public. Labels come in the running user's language when the package ships
//! translations, so a known API name is matched first (`LGK__RuntimeUrl__c`), then the English
//! label, then the one URL field of the package whose API name says "runtime" (or "admin").
//! When a rule finds several, the user names the field (`--runtime-url-field`,
//! `--admin-url-field`).

use crate::protocol::{Error, Result};
use serde_json::Value;

/// The Logik managed package namespace.
pub const LOGIK_NAMESPACE: &str = "LGK";
/// The Salesforce CPQ managed package namespace.
pub const CPQ_NAMESPACE: &str = "SBQQ";
/// The tenant hierarchy custom setting ("CPQ Tenant" / "Logik Tenant").
pub const TENANT_OBJECT: &str = "LGK__ConfigurationTenant__c";
/// The runtime URL field as seen in Logik's public Visualforce pages; matched before any label.
pub const RUNTIME_FIELD_FALLBACK: &str = "LGK__RuntimeUrl__c";
/// The Administration URL field's usual API name. Not public, so never relied on: the first
/// read of an org asks for the tenant rows with it, alongside the describe, and that answer is
/// used only when the describe finds the same fields (else the rows are read again).
pub const ADMIN_FIELD_USUAL: &str = "LGK__TenantAdminEndpoint__c";

/// Labels, normalised (lowercase letters and digits only), that name each URL field.
const RUNTIME_LABELS: &[&str] = &["runtimeconfigurationurl", "runtimeurl"];
const ADMIN_LABELS: &[&str] = &[
    "administrationurl",
    "adminurl",
    "administrationconfigurationurl",
];

/// A field of the tenant setting that can hold a URL (types `url`, `string`, `textarea`), as
/// describe gives it: its API name and its label in the running user's language.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SettingField {
    pub name: String,
    pub label: String,
    /// describe's `type`.
    pub field_type: String,
}

/// The fields of the describe of [`TENANT_OBJECT`] that can hold a URL.
pub fn setting_fields(describe: &Value) -> Result<Vec<SettingField>> {
    let fields = describe
        .get("fields")
        .and_then(Value::as_array)
        .ok_or_else(|| {
            Error::new(
                "UnexpectedResponseError",
                format!("The describe of {TENANT_OBJECT} lists no fields."),
            )
        })?;
    Ok(fields
        .iter()
        .filter_map(|f| {
            let text = |key: &str| f.get(key).and_then(Value::as_str).map(str::to_string);
            let field_type = text("type").unwrap_or_else(|| "string".into());
            if !matches!(field_type.as_str(), "url" | "string" | "textarea") {
                return None;
            }
            Some(SettingField {
                name: text("name")?,
                label: text("label").unwrap_or_default(),
                field_type,
            })
        })
        .collect())
}

/// The tenant setting's URL fields, as found in this org.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TenantFields {
    pub runtime_url: Option<String>,
    pub admin_url: Option<String>,
}

/// How one URL field was found among the setting's fields.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Choice {
    Found(String),
    /// Several fields fit the same rule: their API names.
    Ambiguous(Vec<String>),
    Missing,
}

impl Choice {
    /// The first rule that finds anything decides: one field is the answer, several are
    /// ambiguous.
    fn first_of(candidates: impl IntoIterator<Item = Vec<String>>) -> Choice {
        for found in candidates {
            match found.len() {
                0 => continue,
                1 => return Choice::Found(found.into_iter().next().unwrap_or_default()),
                _ => return Choice::Ambiguous(found),
            }
        }
        Choice::Missing
    }

    fn found(self) -> Option<String> {
        match self {
            Choice::Found(name) => Some(name),
            _ => None,
        }
    }
}

fn names(fields: &[SettingField], keep: impl Fn(&SettingField) -> bool) -> Vec<String> {
    fields
        .iter()
        .filter(|f| keep(f))
        .map(|f| f.name.clone())
        .collect()
}

/// A URL field of the package whose API name contains `word`, other than `except`: the rule on
/// API names when no label says which field is which (a translated org).
fn by_name(fields: &[SettingField], word: &str, except: Option<&str>) -> Vec<String> {
    names(fields, |f| {
        f.field_type == "url"
            && except.is_none_or(|e| !f.name.eq_ignore_ascii_case(e))
            && f.name.starts_with(&format!("{LOGIK_NAMESPACE}__"))
            && f.name.to_ascii_lowercase().contains(word)
    })
}

fn by_label(fields: &[SettingField], labels: &[&str], except: Option<&str>) -> Vec<String> {
    names(fields, |f| {
        except.is_none_or(|e| !f.name.eq_ignore_ascii_case(e))
            && labels.contains(&normalise(&f.label).as_str())
    })
}

/// The Runtime Configuration URL field: its known API name, else the English label, else the
/// one URL field of the package whose API name says "runtime".
fn runtime_choice(fields: &[SettingField]) -> Choice {
    Choice::first_of([
        names(fields, |f| {
            f.name.eq_ignore_ascii_case(RUNTIME_FIELD_FALLBACK)
        }),
        by_label(fields, RUNTIME_LABELS, None),
        by_name(fields, "runtime", None),
    ])
}

/// The Administration URL field (its API name is not public): the English label, else the one
/// URL field of the package, other than the runtime one, whose API name says "admin".
fn admin_choice(fields: &[SettingField], runtime: Option<&str>) -> Choice {
    Choice::first_of([
        by_label(fields, ADMIN_LABELS, runtime),
        by_name(fields, "admin", runtime),
    ])
}

/// The URL fields as far as the rules tell them; a field they cannot tell is `None`.
pub fn guess_fields(fields: &[SettingField]) -> TenantFields {
    let runtime_url = runtime_choice(fields).found();
    TenantFields {
        admin_url: admin_choice(fields, runtime_url.as_deref()).found(),
        runtime_url,
    }
}

/// The URL fields to write: the ones named by the flags (`--runtime-url-field`,
/// `--admin-url-field`), else the ones the rules find. When the rules find several candidates
/// for a field, or none for the runtime URL, a clear error lists them and names the flag. No
/// Administration URL field at all is no error (`None`).
pub fn choose_fields(
    fields: &[SettingField],
    runtime: Option<&str>,
    admin: Option<&str>,
) -> Result<TenantFields> {
    let runtime_url = match runtime {
        Some(named) => named_field(fields, named, "--runtime-url-field")?,
        None => match runtime_choice(fields) {
            Choice::Found(name) => name,
            Choice::Ambiguous(candidates) => {
                return Err(ambiguous(
                    "Runtime Configuration URL",
                    &candidates,
                    "--runtime-url-field",
                ));
            }
            Choice::Missing => {
                return Err(Error::new(
                    "TenantFieldNotFoundError",
                    format!(
                        "{TENANT_OBJECT} has no field labelled \"Runtime Configuration URL\", and none is named {RUNTIME_FIELD_FALLBACK}. Its text and URL fields: {}.",
                        listed(&names(fields, |_| true))
                    ),
                )
                .with_action("Name the field that holds the runtime URL with --runtime-url-field <API name>.")
                .with_action("Check the Logik.ai package version in Setup > Installed Packages, and that your profile can see the CPQ Tenant custom setting's fields."));
            }
        },
    };
    let admin_url = match admin {
        Some(named) => Some(named_field(fields, named, "--admin-url-field")?),
        None => match admin_choice(fields, Some(&runtime_url)) {
            Choice::Found(name) => Some(name),
            Choice::Ambiguous(candidates) => {
                return Err(ambiguous(
                    "Administration URL",
                    &candidates,
                    "--admin-url-field",
                ));
            }
            Choice::Missing => None,
        },
    };
    if admin_url
        .as_deref()
        .is_some_and(|a| a.eq_ignore_ascii_case(&runtime_url))
    {
        return Err(Error::input(
            "TenantFieldConflictError",
            format!("{runtime_url} cannot hold both the Runtime Configuration URL and the Administration URL."),
        )
        .with_action("Name two different fields with --runtime-url-field and --admin-url-field."));
    }
    Ok(TenantFields {
        runtime_url: Some(runtime_url),
        admin_url,
    })
}

/// The field a flag names, spelled as the org spells it; an error when the setting has no
/// such text or URL field.
fn named_field(fields: &[SettingField], named: &str, flag: &str) -> Result<String> {
    fields
        .iter()
        .find(|f| f.name.eq_ignore_ascii_case(named.trim()))
        .map(|f| f.name.clone())
        .ok_or_else(|| {
            Error::input(
                "TenantFieldNotFoundError",
                format!(
                    "{flag} {named:?}: {TENANT_OBJECT} has no text or URL field of that API name. Its text and URL fields: {}.",
                    listed(&names(fields, |_| true))
                ),
            )
            .with_action(format!("Give {flag} one of the API names listed."))
        })
}

fn ambiguous(what: &str, candidates: &[String], flag: &str) -> Error {
    Error::new(
        "AmbiguousTenantFieldError",
        format!(
            "Several fields of {TENANT_OBJECT} could be the {what}: {}. Nothing was written.",
            listed(candidates)
        ),
    )
    .with_data(serde_json::json!({ "flag": flag, "candidates": candidates }))
    .with_action(format!(
        "Name the one to write with {flag} <API name>, e.g. {flag} {}.",
        candidates.first().map(String::as_str).unwrap_or_default()
    ))
}

fn listed(names: &[String]) -> String {
    if names.is_empty() {
        "none".into()
    } else {
        names.join(", ")
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

/// The domain every Logik.ai (ServiceNow CPQ) environment lives under.
pub const LOGIK_DOMAIN: &str = "logik.io";

/// True for a tenant host: `<tenant>.<sector>.logik.io`, each label a DNS label.
pub fn is_logik_host(host: &str) -> bool {
    let labels: Vec<&str> = host.split('.').collect();
    labels.len() == 4
        && labels[2] == "logik"
        && labels[3] == "io"
        && labels[..2].iter().all(|l| is_dns_label(l))
}

/// True for a DNS host name (lower case, at least two labels): what another host allowed by
/// `--allow-other-host` must be.
pub fn is_host_name(host: &str) -> bool {
    host.len() <= 253 && host.contains('.') && host.split('.').all(is_dns_label)
}

fn is_dns_label(label: &str) -> bool {
    !label.is_empty()
        && label.len() <= 63
        && label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !label.starts_with('-')
        && !label.ends_with('-')
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

/// A tenant site as [`parse_site`] read it: the URL, and a port when one was given (never for
/// a logik.io host: [`SiteProblem::Port`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Site {
    pub url: TenantUrl,
    pub port: Option<u16>,
}

/// Why a text is not a tenant's site; each caller words it for its own flag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SiteProblem {
    /// Not a URL at all (the parser's reason).
    NotUrl(String),
    /// A host that is not plain ASCII (the reason, from [`non_ascii_host`]).
    NonAscii(String),
    NotHttps {
        scheme: String,
        host: String,
    },
    /// A user name or password in the URL: the site alone would be `base`.
    Credentials {
        base: String,
    },
    /// A path, query or fragment: the site alone would be `base`.
    NotBare {
        base: String,
    },
    /// Not `<tenant>.<sector>.logik.io` (and not allowed, or not even a host name).
    NotTenantHost {
        host: String,
        host_name: bool,
    },
    /// A port on a logik.io host.
    Port {
        host: String,
    },
}

/// The one tenant-URL parser: `text` (with its scheme) must be an https site, without
/// credentials or a path, on a tenant host (`<tenant>.<sector>.logik.io`), or with
/// `allow_other_host` on any host name (then `other_host`, and a port is kept).
pub fn parse_site(text: &str, allow_other_host: bool) -> std::result::Result<Site, SiteProblem> {
    let url = url::Url::parse(text.trim()).map_err(|e| SiteProblem::NotUrl(e.to_string()))?;
    if let Some(why) = non_ascii_host(text, &url) {
        return Err(SiteProblem::NonAscii(why));
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    if url.scheme() != "https" {
        return Err(SiteProblem::NotHttps {
            scheme: url.scheme().to_string(),
            host,
        });
    }
    let base = match url.port() {
        Some(port) => format!("https://{host}:{port}"),
        None => format!("https://{host}"),
    };
    if !url.username().is_empty() || url.password().is_some() {
        return Err(SiteProblem::Credentials { base });
    }
    if url.query().is_some() || url.fragment().is_some() || !matches!(url.path(), "" | "/") {
        return Err(SiteProblem::NotBare { base });
    }
    let is_logik = is_logik_host(&host);
    let allowed = is_logik || (allow_other_host && is_host_name(&host));
    if !allowed {
        let host_name = is_host_name(&host);
        return Err(SiteProblem::NotTenantHost { host, host_name });
    }
    if is_logik && url.port().is_some() {
        return Err(SiteProblem::Port { host });
    }
    Ok(Site {
        url: TenantUrl {
            origin: format!("https://{host}"),
            host,
            other_host: !is_logik,
        },
        port: url.port(),
    })
}

/// Parses and checks a tenant URL for a flag or a setting (`what` names it). `allow_other_host`
/// accepts an https host outside `logik.io` (custom domains); the caller should then warn.
pub fn parse_tenant_url(text: &str, what: &str, allow_other_host: bool) -> Result<TenantUrl> {
    let bad = |why: String| {
        Error::input("InvalidTenantUrlError", format!("{what} {text:?} {why}"))
            .with_action(format!("Give it as https://<tenant>.<sector>.logik.io, e.g. {what_flag} https://acme.test.logik.io", what_flag = flag_hint(what)))
    };
    let problem = match parse_site(text, allow_other_host) {
        Ok(Site { url, port: None }) => return Ok(url),
        Ok(Site { port: Some(_), .. }) => return Err(bad("must not name a port.".to_string())),
        Err(problem) => problem,
    };
    Err(match problem {
        SiteProblem::NotUrl(e) => bad(format!("is not a URL ({e}).")),
        SiteProblem::NonAscii(why) => bad(why),
        SiteProblem::NotHttps { .. } => bad("must use https.".to_string()),
        SiteProblem::Credentials { .. } => bad("must not carry a user name or password.".to_string()),
        SiteProblem::NotBare { .. } => bad("must be the site alone, without a path (the tool adds paths like /ui/configure itself).".to_string()),
        SiteProblem::NotTenantHost { host_name: false, .. } => bad("has an invalid host name.".to_string()),
        SiteProblem::NotTenantHost { .. } => bad(
            "is not a CPQ tenant host (<tenant>.<sector>.logik.io).".to_string(),
        )
        .with_action("If your tenant really lives on another host, add --allow-other-host."),
        SiteProblem::Port { .. } => bad("must not name a port.".to_string()),
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

    fn fields(describe: Value) -> Vec<SettingField> {
        setting_fields(&describe).unwrap()
    }

    #[test]
    fn finds_fields_by_label_whatever_their_names() {
        let f = fields(json!({"fields": [
            {"name": "Id", "label": "Record ID", "type": "id"},
            {"name": "LGK__RuntimeUrl__c", "label": "Runtime Configuration URL", "type": "url"},
            {"name": "LGK__Xyz__c", "label": "Administration URL", "type": "url"},
        ]}));
        let chosen = choose_fields(&f, None, None).unwrap();
        assert_eq!(chosen.runtime_url.as_deref(), Some("LGK__RuntimeUrl__c"));
        assert_eq!(chosen.admin_url.as_deref(), Some("LGK__Xyz__c"));
        assert_eq!(guess_fields(&f), chosen);
    }

    #[test]
    fn falls_back_to_the_public_runtime_field_name_and_reports_missing_ones() {
        let f = fields(
            json!({"fields": [{"name": "LGK__RuntimeUrl__c", "label": "Runtime", "type": "url"}]}),
        );
        let chosen = choose_fields(&f, None, None).unwrap();
        assert_eq!(chosen.runtime_url.as_deref(), Some("LGK__RuntimeUrl__c"));
        assert_eq!(chosen.admin_url, None);
        let err = choose_fields(&[], None, None).unwrap_err();
        assert_eq!(err.name, "TenantFieldNotFoundError");
        assert_eq!(guess_fields(&[]), TenantFields::default());
    }

    #[test]
    fn translated_labels_fall_to_the_api_name_rule_and_ties_are_errors() {
        let f = fields(json!({"fields": [
            {"name": "LGK__RuntimeEndpoint__c", "label": "Laufzeit-URL", "type": "url"},
            {"name": "LGK__AdminEndpoint__c", "label": "Verwaltung", "type": "url"},
            {"name": "LGK__AdminBackup__c", "label": "Verwaltung 2", "type": "url"},
        ]}));
        let err = choose_fields(&f, None, None).unwrap_err();
        assert_eq!(err.name, "AmbiguousTenantFieldError");
        assert!(
            err.message
                .contains("LGK__AdminEndpoint__c, LGK__AdminBackup__c"),
            "{}",
            err.message
        );
        assert!(
            err.actions[0].contains("--admin-url-field"),
            "{:?}",
            err.actions
        );
        let guessed = guess_fields(&f);
        assert_eq!(
            guessed.runtime_url.as_deref(),
            Some("LGK__RuntimeEndpoint__c")
        );
        assert_eq!(guessed.admin_url, None, "a tie is no guess");
        let named = choose_fields(&f, None, Some("lgk__adminbackup__c")).unwrap();
        assert_eq!(
            named.admin_url.as_deref(),
            Some("LGK__AdminBackup__c"),
            "spelled as the org does"
        );
        let err = choose_fields(&f, Some("LGK__Nope__c"), None).unwrap_err();
        assert_eq!(
            (err.name.as_str(), err.exit.code()),
            ("TenantFieldNotFoundError", 2)
        );
        let err = choose_fields(
            &f,
            Some("LGK__AdminEndpoint__c"),
            Some("LGK__AdminEndpoint__c"),
        )
        .unwrap_err();
        assert_eq!(err.name, "TenantFieldConflictError");
    }

    #[test]
    fn setup_owner_levels() {
        assert_eq!(setup_owner_level("00D5e000000AbCdEAK"), "org");
        assert_eq!(setup_owner_level("00e5e000000AbCdEAK"), "profile");
        assert_eq!(setup_owner_level("0055e000000AbCdEAK"), "user");
    }
}
