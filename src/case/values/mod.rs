//! Parsing and normalising the values a support case carries, from whatever a person typed:
//! flags, an answers file or a prompt. Each parser returns the exact form the payload stores, or
//! an input error (exit 2) that says what is wrong and what to type instead.

use super::payload::{NewOrgId, PROVISIONING_EMAIL, TBD};
use crate::org::tenant::{LOGIK_DOMAIN, SiteProblem, is_host_name, is_logik_host, parse_site};
use crate::protocol::{Error, Result};
use crate::salesforce::ids::OrgId;
use jiff::civil::Date;

/// Salesforce My Domain host suffixes (commercial, GovCloud Plus, China).
const MY_DOMAIN_SUFFIXES: &[&str] = &[
    ".my.salesforce.com",
    ".my.salesforce.mil",
    ".my.sfcrmproducts.cn",
];

/// A value that parsed, and the warning it deserves (a non-Logik host allowed by flag).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed<T> {
    pub value: T,
    pub warning: Option<String>,
}

impl<T> Parsed<T> {
    fn plain(value: T) -> Parsed<T> {
        Parsed {
            value,
            warning: None,
        }
    }
}

fn shown(s: &str) -> String {
    let mut out: String = s.chars().take(80).flat_map(char::escape_debug).collect();
    if s.chars().nth(80).is_some() {
        out.push('…');
    }
    out
}

/// The current CPQ environment URL: `https://<tenant>.<sector>.logik.io`, stored without a
/// trailing slash. A bare host gets `https://`. Another host only with `allow_other_host`, and
/// then with a warning.
pub fn parse_cpq_url(input: &str, allow_other_host: bool) -> Result<Parsed<String>> {
    let name = "InvalidCpqUrlError";
    let example = "https://acme.test.logik.io";
    let text = input.trim();
    if text.is_empty() {
        return Err(
            Error::input(name, "The CPQ environment URL is empty.").with_action(format!(
                "Pass the URL you open CPQ Admin at, e.g. --cpq-url {example}"
            )),
        );
    }
    let what = "The CPQ environment URL";
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let problem = match parse_site(&with_scheme, allow_other_host) {
        Ok(site) => {
            let warning = site
                .url
                .other_host
                .then(|| other_host_warning(&site.url.host, "CPQ environment URL"));
            let value = match site.port {
                Some(port) => format!("{}:{port}", site.url.origin),
                None => site.url.origin,
            };
            return Ok(Parsed { value, warning });
        }
        Err(problem) => problem,
    };
    Err(match problem {
        SiteProblem::NotUrl(e) => {
            Error::input(name, format!("\"{}\" is not a URL ({e}).", shown(text)))
                .with_action(format!("Use the form {example}"))
        }
        SiteProblem::NonAscii(why) => {
            Error::input(name, format!("{what} \"{}\" {why}", shown(text)))
                .with_action(format!("Use the form {example}"))
        }
        SiteProblem::NotHttps { scheme, host } => Error::input(
            name,
            format!("{what} must use https, not {scheme}: \"{}\".", shown(text)),
        )
        .with_action(format!("Use https://{host}")),
        SiteProblem::Credentials { base } | SiteProblem::NotBare { base } => Error::input(
            name,
            format!(
                "The CPQ environment URL is the site alone, without a path: \"{}\".",
                shown(text)
            ),
        )
        .with_action(format!("Did you mean --cpq-url {base}?")),
        SiteProblem::NotTenantHost { host, host_name } => {
            not_tenant_host(&host, host_name, name, "CPQ environment URL")
        }
        SiteProblem::Port { host } => Error::input(
            name,
            format!("Logik.ai environments have no port: \"{}\".", shown(text)),
        )
        .with_action(format!("Use https://{host}")),
    })
}

/// A site's URL as people type it (a bare host gets `https://`), which must be https: the URL
/// and its host. `what` starts the messages ("The My Domain URL"), `name` names the error.
fn parse_https_site(
    text: &str,
    name: &str,
    example: &str,
    what: &str,
) -> Result<(url::Url, String)> {
    let with_scheme = if text.contains("://") {
        text.to_string()
    } else {
        format!("https://{text}")
    };
    let url = url::Url::parse(&with_scheme).map_err(|e| {
        Error::input(name, format!("\"{}\" is not a URL ({e}).", shown(text)))
            .with_action(format!("Use the form {example}"))
    })?;
    if let Some(why) = crate::org::tenant::non_ascii_host(text, &url) {
        return Err(
            Error::input(name, format!("{what} \"{}\" {why}", shown(text)))
                .with_action(format!("Use the form {example}")),
        );
    }
    let host = url.host_str().unwrap_or_default().to_string();
    if url.scheme() != "https" {
        return Err(Error::input(
            name,
            format!(
                "{what} must use https, not {}: \"{}\".",
                url.scheme(),
                shown(text)
            ),
        )
        .with_action(format!("Use https://{host}")));
    }
    Ok((url, host))
}

/// A Logik host, or any host with the flag (then the warning). Errors name `what`.
fn check_host(host: &str, allow_other: bool, name: &str, what: &str) -> Result<Option<String>> {
    if is_logik_host(host) {
        return Ok(None);
    }
    if allow_other && is_host_name(host) {
        return Ok(Some(other_host_warning(host, what)));
    }
    Err(not_tenant_host(host, is_host_name(host), name, what))
}

fn other_host_warning(host: &str, what: &str) -> String {
    format!(
        "The {what} host {host} is not a Logik.ai host (<tenant>.<sector>.{LOGIK_DOMAIN}); it was accepted because of --allow-other-host. Make sure it is right."
    )
}

fn not_tenant_host(host: &str, host_name: bool, name: &str, what: &str) -> Error {
    let err = Error::input(
        name,
        format!(
            "The {what} host \"{}\" is not a Logik.ai host: those are <tenant>.<sector>.{LOGIK_DOMAIN}, e.g. acme.test.{LOGIK_DOMAIN}.",
            shown(host)
        ),
    )
    .with_data(serde_json::json!({ "host": shown(host) }));
    if host_name {
        err.with_action(
            "If the vendor really gave you this host, add --allow-other-host (a warning will say so).",
        )
    } else {
        err.with_action(format!(
            "Copy the host from your browser's address bar in CPQ Admin, e.g. acme.test.{LOGIK_DOMAIN}."
        ))
    }
}

/// The new CPQ host name: a bare host or an https URL without a path, validated like the
/// environment's host. `none` (or empty) means no change.
pub fn parse_new_host(input: &str, allow_other_host: bool) -> Result<Parsed<Option<String>>> {
    let name = "InvalidNewHostError";
    let text = input.trim();
    if text.is_empty() || text.eq_ignore_ascii_case("none") {
        return Ok(Parsed::plain(None));
    }
    let host = if text.contains("://") {
        let url = url::Url::parse(text).map_err(|e| {
            Error::input(
                name,
                format!("\"{}\" is not a host name or URL ({e}).", shown(text)),
            )
            .with_action("Give the host name alone, e.g. --new-host acme-uat.test.logik.io")
        })?;
        if let Some(why) = crate::org::tenant::non_ascii_host(text, &url) {
            return Err(
                Error::input(name, format!("The new host \"{}\" {why}", shown(text))).with_action(
                    "Give the host name alone, e.g. --new-host acme-uat.test.logik.io",
                ),
            );
        }
        if url.scheme() != "https" || !matches!(url.path(), "" | "/") || url.port().is_some() {
            return Err(Error::input(
                name,
                format!("The new host is a host name, not \"{}\".", shown(text)),
            )
            .with_action(format!(
                "Give the host name alone, e.g. --new-host {}",
                url.host_str().unwrap_or("acme-uat.test.logik.io")
            )));
        }
        url.host_str().unwrap_or_default().to_string()
    } else {
        text.trim_end_matches('/').to_ascii_lowercase()
    };
    let warning = check_host(&host, allow_other_host, name, "new CPQ environment")?;
    Ok(Parsed {
        value: Some(host),
        warning,
    })
}

/// The refresh date: `YYYY-MM-DD`, `today` or `tomorrow` (in the local time zone, given as
/// `today`), stored as `YYYY-MM-DD`.
pub fn parse_refresh_date(input: &str, today: Date) -> Result<Date> {
    let text = input.trim();
    let fail = |why: String| {
        Error::input("InvalidRefreshDateError", why)
            .with_action("Use an ISO 8601 date (YYYY-MM-DD, e.g. 2026-12-01), today or tomorrow.")
    };
    match text.to_ascii_lowercase().as_str() {
        "today" => return Ok(today),
        "tomorrow" => {
            return today
                .tomorrow()
                .map_err(|e| fail(format!("There is no day after {today}: {e}.")));
        }
        _ => {}
    }
    let shaped = text.len() == 10
        && text.bytes().enumerate().all(|(i, b)| match i {
            4 | 7 => b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shaped {
        return Err(fail(format!(
            "\"{}\" is not a date in the form YYYY-MM-DD.",
            shown(text)
        )));
    }
    text.parse::<Date>()
        .map_err(|e| fail(format!("\"{text}\" is not a calendar date: {e}.")))
}

/// The new org ID: `TBD`, or a 15- or 18-character org ID with a valid checksum, stored as 18.
pub fn parse_new_org_id(input: &str) -> Result<NewOrgId> {
    let text = input.trim();
    if text.eq_ignore_ascii_case(TBD) || text.is_empty() {
        return Ok(NewOrgId::Tbd);
    }
    OrgId::parse(text).map(NewOrgId::Known).map_err(|e| {
        e.with_action("Or pass --new-org-id TBD and send it after the refresh with: logik-refresh case org-id")
    })
}

/// A changed My Domain URL: https and a Salesforce My Domain host, stored as
/// `https://<host>`. `unchanged`, `none` or empty mean it did not change.
pub fn parse_my_domain_url(input: &str) -> Result<Option<String>> {
    let name = "InvalidMyDomainUrlError";
    let example = "https://acme--uat.sandbox.my.salesforce.com";
    let text = input.trim();
    if text.is_empty()
        || ["unchanged", "none"]
            .iter()
            .any(|w| text.eq_ignore_ascii_case(w))
    {
        return Ok(None);
    }
    let (url, host) = parse_https_site(text, name, example, "The My Domain URL")?;
    if !MY_DOMAIN_SUFFIXES.iter().any(|s| host.ends_with(s)) || !is_host_name(&host) {
        return Err(Error::input(
            name,
            format!(
                "\"{}\" is not a Salesforce My Domain URL: those end in .my.salesforce.com (sandboxes: <name>--<sandbox>.sandbox.my.salesforce.com).",
                shown(text)
            ),
        )
        .with_action("Copy it from Setup > My Domain, or from `sf org display` (instanceUrl)."));
    }
    if !matches!(url.path(), "" | "/") || url.query().is_some() || url.port().is_some() {
        return Err(Error::input(
            name,
            format!("The My Domain URL is the site alone: \"{}\".", shown(text)),
        )
        .with_action(format!("Did you mean --my-domain-url https://{host}?")));
    }
    Ok(Some(format!("https://{host}")))
}

/// A Salesforce username (email-shaped), stored trimmed and lowercased (usernames are
/// case-insensitive in Salesforce). `what` names the field for messages.
pub fn parse_username(input: &str, what: &str, name: &str) -> Result<String> {
    let text = input.trim();
    let valid = match text.split_once('@') {
        Some((local, domain)) => {
            !local.is_empty()
                && domain.contains('.')
                && !domain.starts_with('.')
                && !domain.ends_with('.')
                && !domain.contains('@')
                && !text.chars().any(char::is_whitespace)
                && text.len() <= 80
        }
        None => false,
    };
    if !valid {
        return Err(Error::input(
            name,
            format!(
                "The {what} \"{}\" is not a Salesforce username (they look like an email address, e.g. jane@acme.com.uat).",
                shown(text)
            ),
        )
        .with_action("Copy the username from Setup > Users (the Username column)."));
    }
    Ok(text.to_ascii_lowercase())
}

/// The CPQ Admin usernames: one or more, each a username, duplicates dropped (order kept).
pub fn parse_cpq_admins(inputs: &[String]) -> Result<Vec<String>> {
    let non_empty: Vec<&str> = inputs
        .iter()
        .map(|s| s.trim())
        .filter(|s| !s.is_empty())
        .collect();
    if non_empty.is_empty() {
        return Err(Error::input(
            "EmptyCpqAdminsError",
            "The list of usernames that need CPQ Admin access is empty: the case needs at least one.",
        )
        .with_action("Pass --cpq-admin <username> once per user (or comma-separated).")
        .with_action("List the org's users with: sf data query -q \"SELECT Username FROM User WHERE IsActive = true\" -o <alias>"));
    }
    let mut out: Vec<String> = Vec::new();
    for input in non_empty {
        let username = parse_username(input, "CPQ Admin username", "InvalidCpqAdminError")?;
        if !out.contains(&username) {
            out.push(username);
        }
    }
    Ok(out)
}

/// The provisioning user's email, when given: it must be `provisioning@logik.io`.
pub fn check_provisioning_email(input: &str) -> Result<()> {
    let text = input.trim();
    if text.eq_ignore_ascii_case(PROVISIONING_EMAIL) {
        return Ok(());
    }
    let mut err = Error::input(
        "InvalidProvisioningEmailError",
        format!(
            "The provisioning user's email must be {PROVISIONING_EMAIL}, not \"{}\": Logik.ai provisions the environment through that mailbox.",
            shown(text)
        ),
    );
    if text
        .to_ascii_lowercase()
        .starts_with(&format!("{PROVISIONING_EMAIL}."))
    {
        err = err.with_action(format!(
            "A refresh appends .invalid to emails: set the user's email back to {PROVISIONING_EMAIL} in Setup > Users, then build the case again."
        ));
    }
    Err(err.with_action(format!(
        "Drop --provisioning-email (it is always {PROVISIONING_EMAIL}) or pass exactly that."
    )))
}

/// A Now Support case number (`CS0123456`).
pub fn parse_case_number(input: &str) -> Result<String> {
    let text = input.trim();
    let valid = (3..=40).contains(&text.len())
        && text
            .bytes()
            .enumerate()
            .all(|(i, b)| b.is_ascii_alphanumeric() || (i > 0 && b == b'-'));
    if !valid {
        return Err(Error::input(
            "InvalidCaseNumberError",
            format!(
                "\"{}\" is not a case number: Now Support numbers look like CS0123456.",
                shown(text)
            ),
        )
        .with_action("Copy the number from the case page on Now Support."));
    }
    Ok(text.to_ascii_uppercase())
}

#[cfg(test)]
mod tests;
