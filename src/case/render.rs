//! The payloads as text to paste into the Now Support form: a subject of at most 160 characters
//! (ServiceNow's `short_description`) and a body that follows the vendor procedure's order.

use super::payload::{CaseOrg, DataDisposition, NewOrgId, OrgIdFollowUp, SupportCase};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use std::fmt::Write;

/// The longest subject the portal keeps.
pub const SUBJECT_MAX: usize = 160;
/// The longest description a ServiceNow case keeps.
pub const BODY_MAX: usize = 4000;

/// How to render.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(transform = super::payload::tidy)]
pub enum RenderFormat {
    /// Plain text, for the portal's description field.
    Text,
    /// Markdown, for places that render it (a ticket comment, a pull request, a wiki).
    Markdown,
}

/// A rendering: what to paste where.
#[derive(Debug, Clone, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Rendered {
    /// The format of `body`.
    pub format: RenderFormat,
    /// The subject line (the portal's short description), at most 160 characters.
    pub subject: String,
    /// The body (the portal's description).
    pub body: String,
}

impl Rendered {
    /// The text a person pastes: the subject, a blank line, the body.
    pub fn to_text(&self) -> String {
        format!("Subject: {}\n\n{}", self.subject, self.body)
    }
}

/// Cuts `s` to `max` characters, ending in `…` when cut.
fn fit(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_string();
    }
    let mut out: String = s.chars().take(max - 1).collect();
    out.push('…');
    out
}

fn host_of(url: &str) -> &str {
    url.trim_start_matches("https://")
}

/// One value as each format shows it: Markdown puts values in code spans so usernames with
/// `_` or `*` come out as typed.
struct Style(RenderFormat);

impl Style {
    fn code(&self, value: &str) -> String {
        match self.0 {
            RenderFormat::Text => value.to_string(),
            RenderFormat::Markdown if value.contains('`') => format!("`` {value} ``"),
            RenderFormat::Markdown => format!("`{value}`"),
        }
    }

    fn heading(&self, out: &mut String, text: &str) {
        match self.0 {
            RenderFormat::Text => {
                let _ = writeln!(out, "{text}\n{}", "=".repeat(text.chars().count()));
            }
            RenderFormat::Markdown => {
                let _ = writeln!(out, "## {text}");
            }
        }
    }

    fn subheading(&self, out: &mut String, text: &str) {
        match self.0 {
            RenderFormat::Text => {
                let _ = writeln!(out, "{text}\n{}", "-".repeat(text.chars().count()));
            }
            RenderFormat::Markdown => {
                let _ = writeln!(out, "### {text}");
            }
        }
    }

    /// A numbered item: `1. Label: value`, with continuation lines indented.
    fn item(&self, out: &mut String, n: usize, label: &str, lines: &[String]) {
        let indent = match self.0 {
            RenderFormat::Text => "   ",
            RenderFormat::Markdown => "   - ",
        };
        match lines {
            [one] => {
                let _ = writeln!(out, "{n}. {label}: {one}");
            }
            _ => {
                let _ = writeln!(out, "{n}. {label}:");
                for line in lines {
                    let _ = writeln!(out, "{indent}{line}");
                }
            }
        }
    }

    fn fact(&self, out: &mut String, label: &str, value: Option<&str>) {
        let Some(value) = value else { return };
        match self.0 {
            RenderFormat::Text => {
                let _ = writeln!(out, "  {:<25}{value}", format!("{label}:"));
            }
            RenderFormat::Markdown => {
                let _ = writeln!(out, "- {label}: {}", self.code(value));
            }
        }
    }
}

/// The subject of a support case.
pub fn case_subject(case: &SupportCase) -> String {
    let action = match case.data_disposition {
        DataDisposition::Repoint => "repoint",
        DataDisposition::DecommissionAndRecreate => "decommission and recreate",
    };
    let sandbox = case
        .org
        .as_ref()
        .and_then(|o| o.sandbox_name.as_deref())
        .map(|s| format!(" (sandbox {s})"))
        .unwrap_or_default();
    let number = case
        .case_number
        .as_deref()
        .map(|n| format!("{n}: "))
        .unwrap_or_default();
    fit(
        &format!(
            "{number}Salesforce sandbox refresh on {}{sandbox}: {action} CPQ environment {}",
            case.refresh_date,
            host_of(&case.cpq_url)
        ),
        SUBJECT_MAX,
    )
}

/// The support case as the portal's subject and description.
pub fn render_case(case: &SupportCase, format: RenderFormat) -> Rendered {
    let style = Style(format);
    let c = |v: &str| style.code(v);
    let mut out = String::new();
    style.heading(
        &mut out,
        "CPQ (Logik.ai) environment: Salesforce org refresh",
    );
    let _ = writeln!(
        out,
        "\nPlease complete the CPQ side of a Salesforce org refresh. The facts the procedure \"Refreshing a CPQ connected Salesforce org\" asks for:\n"
    );
    style.item(
        &mut out,
        1,
        "Current CPQ environment URL",
        &[c(&case.cpq_url)],
    );
    style.item(
        &mut out,
        2,
        "Date the refresh will be performed",
        &[c(&case.refresh_date)],
    );
    style.item(
        &mut out,
        3,
        "What to do with the CPQ environment's existing data",
        &[format!(
            "{} [{}]",
            case.data_disposition.describe(),
            case.data_disposition.as_str()
        )],
    );
    let new_org_id = match &case.new_org_id {
        NewOrgId::Tbd => "TBD (sent in a follow-up once the refresh is done)".to_string(),
        NewOrgId::Known(id) => format!("{} (15 characters: {})", c(id.as_18()), c(id.as_15())),
    };
    style.item(&mut out, 4, "New SFDC org ID", &[new_org_id]);
    let my_domain = match &case.my_domain_url {
        Some(url) => c(url),
        None => "unchanged".to_string(),
    };
    style.item(&mut out, 5, "SFDC My Domain URL (if changed)", &[my_domain]);
    let admins: Vec<String> = case.cpq_admins.iter().map(|u| c(u)).collect();
    style.item(
        &mut out,
        6,
        "SFDC usernames that need CPQ Admin access",
        &admins,
    );
    let host = match &case.new_host {
        Some(host) => format!("Yes, change it to {}", c(host)),
        None => format!("No, keep {}", c(host_of(&case.cpq_url))),
    };
    style.item(&mut out, 7, "Change the CPQ environment host name", &[host]);
    let user = &case.provisioning_user;
    style.item(
        &mut out,
        8,
        "Provisioning user",
        &[
            format!("Username: {}", c(&user.username)),
            format!("Email: {}", c(&user.email)),
            format!("Profile: {}", user.profile),
        ],
    );
    if let Some(case_number) = &case.case_number {
        let _ = writeln!(out, "\nCase: {}", c(case_number));
    }
    if let Some(org) = &case.org {
        out.push('\n');
        let title = if org.refreshed {
            "The refreshed org"
        } else {
            "The sandbox before its refresh (current org ID)"
        };
        style.subheading(&mut out, title);
        org_facts(&style, &mut out, org);
    }
    let failed: Vec<_> = case.checks.iter().filter(|c| !c.ok).collect();
    if !case.checks.is_empty() {
        out.push('\n');
        style.subheading(&mut out, "Checked in the org");
        for check in &case.checks {
            let mark = if check.ok { "ok" } else { "NOT OK" };
            let _ = match format {
                RenderFormat::Text => writeln!(out, "  [{mark}] {}: {}", check.name, check.detail),
                RenderFormat::Markdown => {
                    writeln!(out, "- **{mark}** {}: {}", check.name, check.detail)
                }
            };
        }
        match failed.len() {
            0 => {}
            1 => {
                let _ = writeln!(out, "\n1 check needs attention.");
            }
            n => {
                let _ = writeln!(out, "\n{n} checks need attention.");
            }
        }
    }
    let _ = writeln!(
        out,
        "\nThe same facts are attached as JSON (kind support-case, schema version {}), written by {} {} at {}.",
        case.schema_version, case.generator.name, case.generator.version, case.generated_at
    );
    Rendered {
        format,
        subject: case_subject(case),
        body: out,
    }
}

fn org_facts(style: &Style, out: &mut String, org: &CaseOrg) {
    style.fact(out, "Org ID (18)", org.org_id.as_ref().map(|i| i.as_18()));
    style.fact(out, "Org ID (15)", org.org_id15.as_deref());
    style.fact(out, "Org name", org.name.as_deref());
    style.fact(out, "Sandbox name", org.sandbox_name.as_deref());
    style.fact(out, "Instance", org.instance_name.as_deref());
    style.fact(out, "Edition", org.organization_type.as_deref());
    style.fact(out, "My Domain URL", org.my_domain_url.as_deref());
    style.fact(out, "Instance URL", org.instance_url.as_deref());
    style.fact(
        out,
        "Logik.ai package",
        org.logik_package_version.as_deref(),
    );
    style.fact(
        out,
        "Salesforce CPQ package",
        org.cpq_package_version.as_deref(),
    );
    style.fact(out, "Tenant runtime URL", org.tenant_runtime_url.as_deref());
}

/// The subject of the org-ID follow-up.
pub fn follow_up_subject(follow_up: &OrgIdFollowUp) -> String {
    let number = follow_up
        .case_number
        .as_deref()
        .map(|n| format!("{n}: "))
        .unwrap_or_default();
    let sandbox = follow_up
        .org
        .sandbox_name
        .as_deref()
        .map(|s| format!(" (sandbox {s})"))
        .unwrap_or_default();
    fit(
        &format!(
            "{number}New Salesforce org ID after the refresh{sandbox}: {}",
            follow_up.new_org_id
        ),
        SUBJECT_MAX,
    )
}

/// The follow-up as a subject and a comment for the case.
pub fn render_follow_up(follow_up: &OrgIdFollowUp, format: RenderFormat) -> Rendered {
    let style = Style(format);
    let mut out = String::new();
    style.heading(&mut out, "New SFDC org ID");
    let _ = writeln!(out);
    if let Some(number) = &follow_up.case_number {
        let _ = writeln!(
            out,
            "Follow-up to case {}: the refresh is done.\n",
            style.code(number)
        );
    } else {
        let _ = writeln!(out, "The refresh is done.\n");
    }
    let _ = writeln!(
        out,
        "New SFDC org ID: {} (15 characters: {})",
        style.code(follow_up.new_org_id.as_18()),
        style.code(follow_up.new_org_id.as_15())
    );
    out.push('\n');
    style.subheading(&mut out, "The refreshed org");
    org_facts(&style, &mut out, &follow_up.org);
    let _ = writeln!(
        out,
        "\nThe same facts are attached as JSON (kind org-id-follow-up, schema version {}), written by {} {} at {}.",
        follow_up.schema_version,
        follow_up.generator.name,
        follow_up.generator.version,
        follow_up.generated_at
    );
    Rendered {
        format,
        subject: follow_up_subject(follow_up),
        body: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fit_cuts_on_characters() {
        assert_eq!(fit("abc", 3), "abc");
        assert_eq!(fit("abcd", 3), "ab…");
        assert_eq!(fit("ééééé", 4).chars().count(), 4);
    }

    #[test]
    fn subjects_never_exceed_the_limit() {
        let value = crate::case::sample_case();
        let mut case: SupportCase = serde_json::from_value(value).unwrap();
        case.cpq_url = format!("https://{}.test.logik.io", "a".repeat(63));
        case.case_number = Some(format!("CS{}", "0".repeat(38)));
        let subject = case_subject(&case);
        assert!(subject.chars().count() <= SUBJECT_MAX, "{subject}");
        assert!(subject.ends_with('…'));
    }
}
