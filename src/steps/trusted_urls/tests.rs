use super::sites::*;
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
