//! The rules of `rules.rs`, each through real HTTP: what a real org refuses, the emulator
//! refuses the same way.

use serde_json::{Value, json};

use super::tests::{Http, error_code, start};
use super::*;

fn enc(soql: &str) -> String {
    soql.replace(' ', "+")
        .replace('\'', "%27")
        .replace('=', "%3D")
        .replace(',', "%2C")
}

async fn tooling_query(http: &Http, version: &str, soql: &str) -> (u16, Value) {
    http.get(&format!(
        "/services/data/v{version}/tooling/query?q={}",
        enc(soql)
    ))
    .await
}

#[tokio::test]
async fn retired_and_too_old_versions() {
    let emu = start(Seed::RefreshedSandbox);
    let http = Http::new(&emu);
    let (s, versions) = http.get("/services/data").await;
    assert_eq!(s, 200);
    assert_eq!(versions[0]["version"], "31.0", "21.0-30.0 are retired");
    let (s, _) = http.get("/services/data/v30.0/sobjects").await;
    assert_eq!(s, 410);
    let (s, _) = http.get("/services/data/v31.0/sobjects").await;
    assert_eq!(s, 200);
    // Tooling composite from 40.0, sObject Collections from 42.0.
    let reads = json!({"compositeRequest": [{"method": "GET", "url": "/services/data/v39.0/tooling/sobjects", "referenceId": "a"}]});
    let (s, _, v) = http
        .send(
            "POST",
            "/services/data/v39.0/tooling/composite",
            Some(reads.clone()),
        )
        .await;
    assert_eq!((s, error_code(&v)), (404, "NOT_FOUND"));
    let (s, _, _) = http
        .send(
            "POST",
            "/services/data/v40.0/tooling/composite",
            Some(json!({"compositeRequest": [{"method": "GET", "url": "/services/data/v40.0/tooling/sobjects", "referenceId": "a"}]})),
        )
        .await;
    assert_eq!(s, 200);
    let (s, _, v) = http
        .send(
            "PATCH",
            "/services/data/v41.0/composite/sobjects",
            Some(json!({"records": []})),
        )
        .await;
    assert_eq!((s, error_code(&v)), (404, "NOT_FOUND"));
    // CspTrustedSite.Context from 44.0: unknown before, in queries and describe alike.
    let (s, v) = tooling_query(&http, "43.0", "SELECT Id, Context FROM CspTrustedSite").await;
    assert_eq!((s, error_code(&v)), (400, "INVALID_FIELD"), "{v}");
    let (s, v) = tooling_query(&http, "44.0", "SELECT Id, Context FROM CspTrustedSite").await;
    assert_eq!((s, v["records"][0]["Context"].as_str()), (200, Some("All")));
    let (_, d) = http
        .get("/services/data/v43.0/tooling/sobjects/CspTrustedSite/describe")
        .await;
    let names: Vec<&str> = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap())
        .collect();
    assert!(names.contains(&"EndpointUrl") && !names.contains(&"Context"));
    // CspTrustedSite itself from 39.0.
    let (s, _) = http
        .get("/services/data/v38.0/tooling/sobjects/CspTrustedSite/describe")
        .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn composite_allows_five_queries() {
    let emu = start(Seed::RefreshedSandbox);
    let http = Http::new(&emu);
    let subs = |n: usize| -> Value {
        let list: Vec<Value> = (0..n)
            .map(|i| json!({"method": "GET", "url": "/services/data/v62.0/query?q=SELECT+Id+FROM+Account", "referenceId": format!("q{i}")}))
            .chain(std::iter::once(json!({"method": "GET", "url": "/services/data/v62.0/sobjects/Account/describe", "referenceId": "d"})))
            .collect();
        json!({"compositeRequest": list})
    };
    let (s, _, _) = http
        .send("POST", "/services/data/v62.0/composite", Some(subs(5)))
        .await;
    assert_eq!(s, 200);
    let (s, _, v) = http
        .send("POST", "/services/data/v62.0/composite", Some(subs(6)))
        .await;
    assert_eq!((s, error_code(&v)), (400, "LIMIT_EXCEEDED"));
    let many: Vec<Value> = (0..26)
        .map(|i| json!({"method": "GET", "url": "/services/data/v62.0/sobjects/Account/describe", "referenceId": format!("d{i}")}))
        .collect();
    let (s, _, v) = http
        .send(
            "POST",
            "/services/data/v62.0/composite",
            Some(json!({"compositeRequest": many})),
        )
        .await;
    assert_eq!((s, error_code(&v)), (400, "LIMIT_EXCEEDED"));
}

#[tokio::test]
async fn remote_proxy_takes_metadata_and_full_name_only() {
    let emu = start(Seed::RefreshedSandbox);
    let http = Http::new(&emu);
    let base = "/services/data/v62.0/tooling/sobjects/RemoteProxy";
    // Top-level fields: refused, create and update alike.
    let (s, _, v) = http
        .send(
            "POST",
            base,
            Some(json!({"SiteName": "X", "EndpointUrl": "https://x.test.logik.io", "IsActive": true})),
        )
        .await;
    assert_eq!(
        (s, error_code(&v)),
        (400, "FIELD_INTEGRITY_EXCEPTION"),
        "{v}"
    );
    let (s, _, v) = http
        .send("POST", base, Some(json!({"FullName": "X"})))
        .await;
    assert_eq!((s, error_code(&v)), (400, "REQUIRED_FIELD_MISSING"));
    let (s, _, v) = http
        .send(
            "POST",
            base,
            Some(json!({"FullName": "Logik_New", "Metadata": {"url": "https://new.test.logik.io", "isActive": true, "disableProtocolSecurity": false, "description": "d"}})),
        )
        .await;
    assert_eq!(s, 201, "{v}");
    let id = v["id"].as_str().unwrap().to_string();
    let (s, rec) = http.get(&format!("{base}/{id}")).await;
    assert_eq!(s, 200);
    assert_eq!(rec["SiteName"], "Logik_New");
    assert_eq!(rec["FullName"], "Logik_New");
    assert_eq!(rec["Metadata"]["url"], "https://new.test.logik.io");
    let (s, _, v) = http
        .send(
            "PATCH",
            &format!("{base}/{id}"),
            Some(json!({"EndpointUrl": "https://other.test.logik.io"})),
        )
        .await;
    assert_eq!((s, error_code(&v)), (400, "FIELD_INTEGRITY_EXCEPTION"));
    // An update replaces the whole Metadata: what is left out is cleared.
    let (s, _, _) = http
        .send(
            "PATCH",
            &format!("{base}/{id}"),
            Some(json!({"Metadata": {"url": "https://other.test.logik.io"}})),
        )
        .await;
    assert_eq!(s, 204);
    let (_, rec) = http.get(&format!("{base}/{id}")).await;
    assert_eq!(rec["EndpointUrl"], "https://other.test.logik.io");
    assert_eq!(rec["IsActive"], false);
    assert_eq!(rec["Description"], Value::Null);
    // Metadata in a query of more than one row: refused; of one row: given.
    let (s, v) = tooling_query(&http, "62.0", "SELECT Id, Metadata FROM RemoteProxy").await;
    assert_eq!((s, error_code(&v)), (400, "MALFORMED_QUERY"), "{v}");
    let (s, v) = tooling_query(
        &http,
        "62.0",
        &format!("SELECT Id, Metadata FROM RemoteProxy WHERE Id = '{id}'"),
    )
    .await;
    assert_eq!(
        (s, v["records"][0]["Metadata"]["isActive"].as_bool()),
        (200, Some(false))
    );
}

#[tokio::test]
async fn managed_rows_are_not_editable() {
    let emu = start(Seed::RefreshedSandbox);
    let id = emu.with_state(|s| {
        s.insert_raw(
            true,
            "CspTrustedSite",
            json!({"DeveloperName": "Vendor_Site", "EndpointUrl": "https://acme.test.logik.io",
                   "IsActive": true, "NamespacePrefix": "LGK"}),
        )
        .unwrap()
    });
    let http = Http::new(&emu);
    let path = format!("/services/data/v62.0/tooling/sobjects/CspTrustedSite/{id}");
    let (s, _, v) = http
        .send("PATCH", &path, Some(json!({"IsActive": false})))
        .await;
    assert_eq!((s, error_code(&v)), (400, "CANNOT_MODIFY_MANAGED_OBJECT"));
    let (s, _, v) = http.send("DELETE", &path, None).await;
    assert_eq!((s, error_code(&v)), (400, "CANNOT_MODIFY_MANAGED_OBJECT"));
}

#[tokio::test]
async fn userinfo_username_is_lower_case() {
    let emu = start(Seed::RefreshedSandbox);
    emu.with_state(|s| {
        let id = s.user_id.clone();
        let t = s.data.table_mut("User").unwrap();
        let i = t.position(&id).unwrap();
        t.records[i].insert("Username".into(), "Admin@Acme.com.UAT".into());
    });
    let http = Http::new(&emu);
    let (_, info) = http.get("/services/oauth2/userinfo").await;
    assert_eq!(info["preferred_username"], "admin@acme.com.uat");
}

/// The Tooling API's `Profile`: the Data API's profiles (same IDs, the same `Name` in the
/// running user's language) with the language-free `FullName`, which a query returns for one
/// row at most and no WHERE may filter on (Tooling API object reference, `Profile`).
#[tokio::test]
async fn tooling_profiles_have_a_language_free_full_name_read_one_row_at_a_time() {
    let emu = start(Seed::RefreshedSandbox);
    let http = Http::new(&emu);
    let admin = emu
        .with_state(|s| s.find_id("Profile", "Name", "System Administrator"))
        .unwrap();
    let one = format!("SELECT Id, Name, FullName FROM Profile WHERE Id = '{admin}'");
    let (s, v) = tooling_query(&http, "62.0", &one).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v["records"][0]["Id"], admin.as_str());
    assert_eq!(v["records"][0]["FullName"], "Admin");
    assert_eq!(v["records"][0]["Name"], "System Administrator");
    // More than one row with FullName or Metadata: refused, in Salesforce's words.
    for wide in [
        "SELECT Id, FullName FROM Profile",
        "SELECT Id, Metadata FROM Profile",
    ] {
        let (s, v) = tooling_query(&http, "62.0", wide).await;
        assert_eq!((s, error_code(&v)), (400, "MALFORMED_QUERY"), "{wide}: {v}");
        assert!(
            v[0]["message"]
                .as_str()
                .unwrap()
                .contains("must specify no more than one row for retrieval"),
            "{v}"
        );
    }
    // Without FullName, every profile in one query.
    let (s, v) = tooling_query(&http, "62.0", "SELECT Id, Name FROM Profile").await;
    assert_eq!((s, v["totalSize"].as_u64()), (200, Some(2)), "{v}");
    // FullName is neither filterable nor sortable.
    let (s, v) = tooling_query(
        &http,
        "62.0",
        "SELECT Id FROM Profile WHERE FullName = 'Admin'",
    )
    .await;
    assert_eq!((s, error_code(&v)), (400, "INVALID_FIELD"), "{v}");
    assert_eq!(
        v[0]["message"],
        "field 'FullName' can not be filtered in query call"
    );
    let (s, v) = tooling_query(
        &http,
        "62.0",
        "SELECT Id FROM Profile WHERE FullName IN ('Admin')",
    )
    .await;
    assert_eq!((s, error_code(&v)), (400, "INVALID_FIELD"), "{v}");
    let (_, d) = http
        .get("/services/data/v62.0/tooling/sobjects/Profile/describe")
        .await;
    let full_name = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "FullName")
        .unwrap();
    assert_eq!(
        (&full_name["filterable"], &full_name["sortable"]),
        (&json!(false), &json!(false))
    );
    // The Data API's Profile has no FullName.
    let (s, v) = http.query("SELECT Id, FullName FROM Profile").await;
    assert_eq!((s, error_code(&v)), (400, "INVALID_FIELD"), "{v}");

    // In German, both APIs show the translated name; FullName stays.
    emu.set_language(language::Language::German);
    let (_, v) = tooling_query(&http, "62.0", &one).await;
    assert_eq!(v["records"][0]["Name"], "Systemadministrator");
    assert_eq!(v["records"][0]["FullName"], "Admin");
    let (_, v) = http
        .query(&format!("SELECT Name FROM Profile WHERE Id = '{admin}'"))
        .await;
    assert_eq!(v["records"][0]["Name"], "Systemadministrator");
    emu.set_language(language::Language::Japanese);
    let (_, v) = tooling_query(&http, "62.0", &one).await;
    assert_eq!(v["records"][0]["Name"], "システム管理者");

    // A profile added to the Data API is in the Tooling API too, its name its FullName.
    let custom = emu.with_state(|s| {
        s.insert_raw(
            false,
            "Profile",
            json!({"Name": "Acme Sales", "UserType": "Standard"}),
        )
        .unwrap()
    });
    let (_, v) = tooling_query(
        &http,
        "62.0",
        &format!("SELECT Id, FullName FROM Profile WHERE Id = '{custom}'"),
    )
    .await;
    assert_eq!(v["records"][0]["FullName"], "Acme Sales");

    // A refresh gives every profile a new ID, the same in both APIs.
    emu.refresh("uat");
    let data: Vec<String> = emu
        .records("Profile")
        .iter()
        .map(|p| p["Id"].as_str().unwrap().to_string())
        .collect();
    assert!(!data.contains(&admin));
    let tooling: Vec<(String, String)> = emu.with_state(|s| {
        s.tooling
            .table("Profile")
            .unwrap()
            .records
            .iter()
            .map(|r| {
                (
                    r["Id"].as_str().unwrap().to_string(),
                    r["FullName"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    });
    let mut ids: Vec<&String> = tooling.iter().map(|(id, _)| id).collect();
    ids.sort();
    let mut data_sorted: Vec<&String> = data.iter().collect();
    data_sorted.sort();
    assert_eq!(ids, data_sorted);
    let mut names: Vec<&str> = tooling.iter().map(|(_, n)| n.as_str()).collect();
    names.sort();
    assert_eq!(names, ["Admin", "Standard"]);
}
