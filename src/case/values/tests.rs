//! The case values' parsers, each value in its accepted and refused forms.

use super::*;

fn date(s: &str) -> Date {
    s.parse().unwrap()
}

/// The case and the steps agree on what a tenant site is: one parser (org::tenant).
#[test]
fn the_case_and_the_steps_agree_on_tenant_hosts() {
    for host in [
        "acme.test.logik.io",
        "acme-2.test02.logik.io",
        "acme.logik.io",
        "a.b.test.logik.io",
        "-acme.test.logik.io",
        "cpq.acme.com",
        "localhost",
        "acme_x.test.logik.io",
    ] {
        for allow in [false, true] {
            let step = crate::org::tenant::parse_tenant_url(
                &format!("https://{host}"),
                "--runtime-url",
                allow,
            );
            let case = parse_cpq_url(host, allow);
            assert_eq!(step.is_ok(), case.is_ok(), "{host} (allow {allow})");
            if let (Ok(step), Ok(case)) = (step, case) {
                assert_eq!(step.origin, case.value);
                assert_eq!(step.other_host, case.warning.is_some());
            }
        }
    }
}

#[test]
fn logik_hosts() {
    assert!(is_logik_host("acme.test.logik.io"));
    assert!(is_logik_host("acme-2.test02.logik.io"));
    assert!(!is_logik_host("acme.logik.io"));
    assert!(!is_logik_host("acme.test.logik.io.evil.com"));
    assert!(!is_logik_host("-acme.test.logik.io"));
    assert!(!is_logik_host("a.b.test.logik.io"));
}

#[test]
fn cpq_urls() {
    let ok = |s: &str| parse_cpq_url(s, false).unwrap().value;
    assert_eq!(
        ok("https://acme.test.logik.io"),
        "https://acme.test.logik.io"
    );
    assert_eq!(
        ok("https://ACME.test.logik.io/"),
        "https://acme.test.logik.io"
    );
    assert_eq!(ok(" acme.test.logik.io "), "https://acme.test.logik.io");
    let err = parse_cpq_url("http://acme.test.logik.io", false).unwrap_err();
    assert!(err.message.contains("https"), "{}", err.message);
    assert_eq!(err.exit, crate::protocol::ExitStatus::Usage);
    let err = parse_cpq_url("https://acme.test.logik.io/ui/configure", false).unwrap_err();
    assert!(
        err.actions[0].contains("--cpq-url https://acme.test.logik.io"),
        "{:?}",
        err.actions
    );
    let err = parse_cpq_url("https://cpq.example.com", false).unwrap_err();
    assert!(
        err.actions[0].contains("--allow-other-host"),
        "{:?}",
        err.actions
    );
    let parsed = parse_cpq_url("https://cpq.example.com", true).unwrap();
    assert_eq!(parsed.value, "https://cpq.example.com");
    assert!(parsed.warning.unwrap().contains("--allow-other-host"));
    assert!(parse_cpq_url("https://acme.test.logik.io:8443", false).is_err());
    assert!(parse_cpq_url("", false).is_err());
    assert!(parse_cpq_url("https://", true).is_err());
}

#[test]
fn new_hosts() {
    let ok = |s: &str| parse_new_host(s, false).unwrap().value;
    assert_eq!(ok("none"), None);
    assert_eq!(ok(""), None);
    assert_eq!(
        ok("acme-uat.test.logik.io").as_deref(),
        Some("acme-uat.test.logik.io")
    );
    assert_eq!(
        ok("https://Acme-Uat.test.logik.io/").as_deref(),
        Some("acme-uat.test.logik.io")
    );
    assert!(parse_new_host("acme-uat.example.com", false).is_err());
    assert!(
        parse_new_host("acme-uat.example.com", true)
            .unwrap()
            .warning
            .is_some()
    );
    assert!(parse_new_host("http://acme-uat.test.logik.io", false).is_err());
}

#[test]
fn refresh_dates() {
    let today = date("2026-11-30");
    assert_eq!(
        parse_refresh_date("2026-12-01", today).unwrap(),
        date("2026-12-01")
    );
    assert_eq!(parse_refresh_date("today", today).unwrap(), today);
    assert_eq!(
        parse_refresh_date("Tomorrow", today).unwrap(),
        date("2026-12-01")
    );
    for bad in [
        "2026-02-30",
        "12/01/2026",
        "next week",
        "2026-1-1",
        "2026-12-01T10:00",
    ] {
        let err = parse_refresh_date(bad, today).unwrap_err();
        assert_eq!(err.name, "InvalidRefreshDateError", "{bad}");
    }
}

#[test]
fn new_org_ids() {
    assert_eq!(parse_new_org_id("TBD").unwrap(), NewOrgId::Tbd);
    assert_eq!(parse_new_org_id("tbd").unwrap(), NewOrgId::Tbd);
    assert_eq!(
        parse_new_org_id("00D5e000000AbCd").unwrap().as_str(),
        "00D5e000000AbCdEAK"
    );
    for (bad, reason) in [
        ("00D5e000000AbC", "length"),
        ("0055e000000AbCd", "prefix"),
        ("00D5e000000AbCdEAA", "checksum"),
    ] {
        let err = parse_new_org_id(bad).unwrap_err();
        assert_eq!(err.name, "InvalidOrgIdError");
        assert_eq!(err.data.as_ref().unwrap()["reason"], reason);
    }
}

#[test]
fn my_domain_urls() {
    assert_eq!(parse_my_domain_url("unchanged").unwrap(), None);
    assert_eq!(
        parse_my_domain_url("https://Acme--uat.sandbox.my.salesforce.com/")
            .unwrap()
            .as_deref(),
        Some("https://acme--uat.sandbox.my.salesforce.com")
    );
    assert_eq!(
        parse_my_domain_url("acme.my.salesforce.com")
            .unwrap()
            .as_deref(),
        Some("https://acme.my.salesforce.com")
    );
    assert!(parse_my_domain_url("http://acme.my.salesforce.com").is_err());
    assert!(parse_my_domain_url("https://acme.example.com").is_err());
    assert!(parse_my_domain_url("https://my.salesforce.com.evil.com").is_err());
}

#[test]
fn usernames_and_admins() {
    assert_eq!(
        parse_cpq_admins(&[
            "Jane@Acme.com.uat".into(),
            "jane@acme.com.uat".into(),
            " bob@acme.com ".into()
        ])
        .unwrap(),
        ["jane@acme.com.uat", "bob@acme.com"]
    );
    assert_eq!(
        parse_cpq_admins(&[]).unwrap_err().name,
        "EmptyCpqAdminsError"
    );
    assert_eq!(
        parse_cpq_admins(&[" ".into()]).unwrap_err().name,
        "EmptyCpqAdminsError"
    );
    assert_eq!(
        parse_cpq_admins(&["jane".into()]).unwrap_err().name,
        "InvalidCpqAdminError"
    );
    assert!(parse_username("a b@c.d", "x", "E").is_err());
}

#[test]
fn provisioning_email() {
    assert!(check_provisioning_email("Provisioning@Logik.io").is_ok());
    let err = check_provisioning_email("provisioning@logik.io.invalid").unwrap_err();
    assert!(err.actions[0].contains(".invalid"), "{:?}", err.actions);
    assert_eq!(
        check_provisioning_email("ops@acme.com").unwrap_err().name,
        "InvalidProvisioningEmailError"
    );
}

#[test]
fn case_numbers() {
    assert_eq!(parse_case_number("cs0123456").unwrap(), "CS0123456");
    assert!(parse_case_number("CS 0123").is_err());
    assert!(parse_case_number("-CS1").is_err());
}
