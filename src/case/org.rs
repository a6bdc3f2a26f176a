//! The org in the case: whether the org given is the refreshed one, the facts the payload
//! records about it, and whether its tenant setting agrees with the case's CPQ URL.

use super::payload::{CaseCheck, CaseOrg, CaseOrgSource, NewOrgId};
use crate::org::facts::OrgFacts;
use crate::salesforce::ids::OrgId;
use crate::sf::intake::InputShape;
use jiff::civil::Date;

/// Whether the org given is the refreshed one (its ID is the new org ID), and a warning when
/// that is a judgement call.
pub fn org_is_refreshed(
    facts: &OrgFacts,
    given_new_org_id: Option<&NewOrgId>,
    refresh_date: Option<Date>,
    today: Date,
) -> (bool, Option<String>) {
    let org_id = facts.org_id.as_deref();
    if let Some(given) = given_new_org_id {
        let same = matches!(given, NewOrgId::Known(id) if Some(id.as_18()) == org_id);
        let ahead = refresh_date.is_some_and(|date| date > today);
        let warning = (same && ahead).then(|| {
            "--new-org-id is the current ID of the org given, yet the refresh is still ahead: a refresh gives the sandbox a new org ID. Use --new-org-id TBD and send the new one with `logik-refresh case org-id` after the refresh.".to_string()
        });
        return (same, warning);
    }
    let Some(org_id) = org_id else {
        return (false, None);
    };
    if facts.source.input == Some(InputShape::SandboxProcess) {
        // sf org resume/refresh sandbox: SandboxOrganization is the new org, once complete.
        return (true, None);
    }
    if facts.is_sandbox == Some(false) {
        return (
            false,
            Some(format!(
                "The org given ({org_id}) is not a sandbox: the case is about the sandbox to be refreshed. Pipe that one: sf org display --json -o <sandbox alias> | logik-refresh case build ..."
            )),
        );
    }
    match refresh_date {
        Some(date) if date < today => (true, None),
        Some(date) if date == today => (
            false,
            Some(format!(
                "The refresh date is today, so {org_id} was recorded as the sandbox before its refresh and the new org ID as TBD. If the refresh is already done, pass --new-org-id {org_id}."
            )),
        ),
        _ => (false, None),
    }
}

/// The org as the payload records it.
pub fn case_org(facts: &OrgFacts, refreshed: bool) -> CaseOrg {
    let package = |which: fn(&crate::org::facts::Packages) -> &crate::org::facts::PackageInfo| {
        facts
            .packages
            .as_ref()
            .map(which)
            .filter(|p| p.installed)
            .and_then(|p| {
                p.version
                    .clone()
                    .or_else(|| p.version_name.clone())
                    .or_else(|| Some("installed".to_string()))
            })
    };
    let org_id = facts.org_id.as_deref().and_then(|id| OrgId::parse(id).ok());
    CaseOrg {
        refreshed,
        org_id15: org_id.as_ref().map(|id| id.as_15().to_string()),
        org_id,
        name: facts.name.clone(),
        username: facts.username.clone(),
        instance_url: facts
            .instance_url
            .as_deref()
            .map(|u| u.trim_end_matches('/').to_string()),
        instance_name: facts.instance_name.clone(),
        my_domain_url: facts.my_domain_url.clone(),
        sandbox_name: facts.sandbox_name.clone(),
        is_sandbox: facts.is_sandbox,
        organization_type: facts.organization_type.clone(),
        logik_package_version: package(|p| &p.logik),
        cpq_package_version: package(|p| &p.cpq),
        tenant_runtime_url: facts.tenant_setting.as_ref().and_then(|s| {
            s.rows
                .iter()
                .find(|r| r.level == "org")
                .and_then(|r| r.runtime_url.clone())
        }),
        source: CaseOrgSource {
            input: facts.source.input,
            offline: facts.source.offline,
        },
    }
}

/// Compares `--cpq-url` with the org's tenant setting, before the refresh: the sandbox is
/// connected to the environment the case is about.
pub fn tenant_check(org: &CaseOrg, cpq_url: &str) -> Option<CaseCheck> {
    if org.refreshed || org.source.offline {
        return None;
    }
    let runtime = org.tenant_runtime_url.as_deref()?;
    let runtime = runtime.trim_end_matches('/').to_ascii_lowercase();
    let ok = runtime == cpq_url;
    Some(CaseCheck {
        name: "CPQ environment URL".to_string(),
        ok,
        detail: if ok {
            "the org's Logik tenant setting points at it".to_string()
        } else {
            format!(
                "the org's Logik tenant setting points at {runtime}, not {cpq_url}: check which environment the case is about"
            )
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::org::facts::FactsSource;

    fn today() -> Date {
        "2026-11-30".parse().unwrap()
    }

    fn facts(is_sandbox: Option<bool>, input: Option<InputShape>) -> OrgFacts {
        OrgFacts {
            org_id: Some("00D5e000000AbCdEAK".into()),
            org_id15: Some("00D5e000000AbCd".into()),
            username: Some("admin@acme.com.uat".into()),
            alias: None,
            instance_url: None,
            api_version: None,
            my_domain_url: None,
            my_domain: None,
            sandbox_name: Some("uat".into()),
            sandbox_name_source: None,
            is_sandbox,
            instance_name: None,
            organization_type: None,
            name: None,
            packages: None,
            tenant_setting: None,
            cpq_configuration_page: None,
            source: FactsSource {
                input,
                offline: true,
                token_source: None,
                requests: 0,
            },
        }
    }

    #[test]
    fn which_org_is_the_refreshed_one() {
        let sandbox = facts(Some(true), Some(InputShape::OrgDisplay));
        let tomorrow = Some("2026-12-01".parse().unwrap());
        let yesterday = Some("2026-11-29".parse().unwrap());
        assert_eq!(
            org_is_refreshed(&sandbox, None, tomorrow, today()),
            (false, None)
        );
        assert!(org_is_refreshed(&sandbox, None, yesterday, today()).0);
        let (refreshed, warning) = org_is_refreshed(&sandbox, None, Some(today()), today());
        assert!(!refreshed && warning.unwrap().contains("--new-org-id 00D5e000000AbCdEAK"));
        let production = facts(Some(false), Some(InputShape::OrgDisplay));
        let (refreshed, warning) = org_is_refreshed(&production, None, yesterday, today());
        assert!(!refreshed && warning.is_some());
        let process = facts(Some(true), Some(InputShape::SandboxProcess));
        assert!(org_is_refreshed(&process, None, tomorrow, today()).0);
        let given = NewOrgId::Known(OrgId::parse("00D5e000000AbCd").unwrap());
        let (refreshed, warning) = org_is_refreshed(&sandbox, Some(&given), tomorrow, today());
        assert!(refreshed && warning.unwrap().contains("still ahead"));
        assert_eq!(
            org_is_refreshed(&sandbox, Some(&given), yesterday, today()),
            (true, None)
        );
        assert!(!org_is_refreshed(&sandbox, Some(&NewOrgId::Tbd), yesterday, today()).0);
    }
}
