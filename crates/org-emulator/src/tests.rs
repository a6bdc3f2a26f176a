//! The emulator through real HTTP requests.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::*;

pub(crate) fn start(seed: Seed) -> Emulator {
    Emulator::start(EmulatorOptions {
        seed,
        ..EmulatorOptions::default()
    })
    .expect("emulator starts")
}

pub(crate) struct Http {
    client: reqwest::Client,
    base: String,
    pub(crate) token: String,
}

impl Http {
    pub(crate) fn new(emu: &Emulator) -> Http {
        // reqwest is built without a TLS provider of its own; plain http still needs one set.
        let _ = rustls::crypto::ring::default_provider().install_default();
        Http {
            client: reqwest::Client::builder()
                .timeout(Duration::from_secs(10))
                .build()
                .expect("client"),
            base: emu.base_url(),
            token: SEED_ACCESS_TOKEN.to_string(),
        }
    }

    pub(crate) async fn send(
        &self,
        method: &str,
        path: &str,
        body: Option<Value>,
    ) -> (u16, reqwest::header::HeaderMap, Value) {
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self
            .client
            .request(m, format!("{}{path}", self.base))
            .bearer_auth(&self.token);
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.expect("response");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.expect("body");
        let v = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, headers, v)
    }

    pub(crate) async fn get(&self, path: &str) -> (u16, Value) {
        let (s, _, v) = self.send("GET", path, None).await;
        (s, v)
    }

    pub(crate) async fn query(&self, soql: &str) -> (u16, Value) {
        let q: String = soql
            .replace(' ', "+")
            .replace('\'', "%27")
            .replace('=', "%3D");
        self.get(&format!("/services/data/v62.0/query?q={q}")).await
    }
}

/// A raw HTTP/1.1 exchange: time to the first byte of the answer, and everything read.
fn raw(emu: &Emulator, request: &str) -> (Duration, String) {
    let mut s = TcpStream::connect(("127.0.0.1", emu.port())).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let t0 = Instant::now();
    s.write_all(request.as_bytes()).unwrap();
    let mut first = [0u8; 1];
    let n = s.read(&mut first).unwrap_or(0);
    let elapsed = t0.elapsed();
    let mut out = first[..n].to_vec();
    if n > 0 {
        let _ = s.read_to_end(&mut out);
    }
    (elapsed, String::from_utf8_lossy(&out).into_owned())
}

fn get_request(path: &str) -> String {
    format!(
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {SEED_ACCESS_TOKEN}\r\nConnection: close\r\n\r\n"
    )
}

pub(crate) fn error_code(v: &Value) -> &str {
    v[0]["errorCode"].as_str().unwrap_or("")
}

#[tokio::test]
async fn the_sf_login_requests_and_shapes() {
    let emu = start(Seed::RefreshedSandbox);
    let mut http = Http::new(&emu);
    let (s, versions) = http.get("//services/data").await;
    assert_eq!(s, 200);
    let last = versions.as_array().unwrap().last().unwrap().clone();
    assert_eq!(
        last,
        json!({"label": "Spring '26", "url": "/services/data/v66.0", "version": "66.0"})
    );
    let (s, info) = http.get("/services/oauth2/userinfo").await;
    assert_eq!(s, 200);
    assert_eq!(info["organization_id"], SEED_ORG_ID);
    let user_id = info["user_id"].as_str().unwrap().to_string();
    assert!(is_valid_id18(&user_id) && user_id.starts_with("005"));
    let (s, headers, user) = http
        .send(
            "GET",
            &format!("/services/data/v51.0/sobjects/User/{user_id}"),
            None,
        )
        .await;
    assert_eq!((s, user["Username"].as_str()), (200, Some(SEED_USERNAME)));
    assert_eq!(user["attributes"]["type"], "User");
    assert_eq!(
        headers["sforce-limit-info"],
        "api-usage=1/5000; per-app-api-usage=1/5000(appName=PlatformCLI)"
    );
    let (s, err) = http.query("SELECT Id FROM ScratchOrgInfo limit 1").await;
    assert_eq!((s, error_code(&err)), (400, "INVALID_TYPE"));
    let (s, org) = http
        .query("SELECT Name, InstanceName, IsSandbox, TrialExpirationDate, NamespacePrefix, OrganizationType FROM Organization")
        .await;
    assert_eq!(s, 200);
    assert_eq!(org["records"][0]["IsSandbox"], true);
    assert_eq!(org["records"][0]["InstanceName"], "CS42");
    assert_eq!(org["done"], true);
    let (s, err) = http.get("/services/data/v62.0/nothing/here").await;
    assert_eq!((s, error_code(&err)), (404, "NOT_FOUND"));
    let (s, _) = http.get("/services/apexrest/whatever").await;
    assert_eq!(s, 404);
    http.token = "wrong".into();
    let (s, err) = http.get("/services/data/v62.0/sobjects").await;
    assert_eq!((s, error_code(&err)), (401, "INVALID_SESSION_ID"));
    let (s, _) = http.get("/services/oauth2/userinfo").await;
    assert_eq!(s, 403);
    let log = emu.requests();
    assert_eq!(log.len(), 9);
    assert_eq!(log[0].path, "//services/data");
    assert!(log.windows(2).all(|w| w[0].seq + 1 == w[1].seq));
    assert!(log[1].authorized && !log[8].authorized);
    assert_eq!(log[8].bearer.as_deref(), Some("wrong"));
    assert_eq!(log[6].status, 404);
    assert!(log.iter().all(|r| !r.write));
}

#[tokio::test]
async fn token_expiry_and_refresh() {
    let emu = start(Seed::RefreshedSandbox);
    let mut http = Http::new(&emu);
    emu.inject(Fault {
        method: None,
        path_contains: Some("/limits".into()),
        times: 1,
        kind: FaultKind::ExpireToken,
    });
    let (s, err) = http.get("/services/data/v62.0/limits").await;
    assert_eq!((s, error_code(&err)), (401, "INVALID_SESSION_ID"));
    let (s, _) = http.get("/services/data/v62.0/sobjects").await;
    assert_eq!(s, 401, "the token stays expired");
    let form = |rt: &str| {
        vec![
            ("grant_type", "refresh_token".to_string()),
            ("client_id", "PlatformCLI".to_string()),
            ("refresh_token", rt.to_string()),
        ]
    };
    let resp = http
        .client
        .post(format!("{}/services/oauth2/token", http.base))
        .form(&form("not-the-token"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["error"], "invalid_grant");
    let resp = http
        .client
        .post(format!("{}/services/oauth2/token", http.base))
        .form(&form(SEED_REFRESH_TOKEN))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = resp.json().await.unwrap();
    let new_token = v["access_token"].as_str().unwrap().to_string();
    assert!(new_token.starts_with("00D5e000000AbCd!"));
    assert_eq!(v["token_type"], "Bearer");
    assert_eq!(v["instance_url"], emu.base_url());
    assert_eq!(emu.access_token(), new_token);
    let (s, v) = http.get("/services/data/v62.0/limits").await;
    assert_eq!(s, 401, "the old token no longer works: {v}");
    http.token = new_token.clone();
    let (s, v) = http.get("/services/data/v62.0/limits").await;
    assert_eq!(s, 200);
    assert_eq!(v["DailyApiRequests"]["Max"], 5000);
    let log = emu.requests();
    assert_eq!(
        log.last().unwrap().bearer.as_deref(),
        Some(new_token.as_str())
    );
    assert!(log.last().unwrap().authorized);
    assert!(
        !log[0].authorized,
        "the expiring request reports the expired token"
    );
    assert!(!log[2].write, "the OAuth endpoint is not a data write");
}

#[tokio::test]
async fn describe_and_writes() {
    let emu = start(Seed::RefreshedSandbox);
    let http = Http::new(&emu);
    let (s, global) = http.get("/services/data/v62.0/sobjects").await;
    assert_eq!(s, 200);
    let tenant = global["sobjects"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["name"] == "LGK__ConfigurationTenant__c")
        .unwrap();
    assert_eq!(
        (tenant["customSetting"].as_bool(), tenant["label"].as_str()),
        (Some(true), Some("CPQ Tenant"))
    );
    let (s, d) = http
        .get("/services/data/v62.0/sobjects/LGK__ConfigurationTenant__c/describe")
        .await;
    assert_eq!(s, 200);
    let admin_field = d["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["label"] == "Administration URL")
        .unwrap()["name"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(admin_field, "LGK__TenantAdminEndpoint__c");
    let (s, _) = http
        .get("/services/data/v62.0/sobjects/Nope__c/describe")
        .await;
    assert_eq!(s, 404);

    // PATCH the org-default row.
    let row = emu
        .records("LGK__ConfigurationTenant__c")
        .into_iter()
        .find(|r| r["SetupOwnerId"] == SEED_ORG_ID)
        .unwrap();
    let id = row["Id"].as_str().unwrap();
    assert!(is_valid_id18(id));
    let url = format!("/services/data/v62.0/sobjects/LGK__ConfigurationTenant__c/{id}");
    let (s, _, body) = http
        .send("PATCH", &url, Some(json!({admin_field.clone(): "https://acme.test02.logik.io", "LGK__RuntimeUrl__c": "https://acme.test02.logik.io"})))
        .await;
    assert_eq!((s, body), (204, Value::Null));
    let (s, after) = http
        .get(&format!("{url}?fields=LGK__RuntimeUrl__c,LastModifiedDate"))
        .await;
    assert_eq!(s, 200);
    assert_eq!(after["LGK__RuntimeUrl__c"], "https://acme.test02.logik.io");
    assert!(
        after.get("SetupOwnerId").is_none(),
        "only the fields asked for"
    );
    let modified = after["LastModifiedDate"].as_str().unwrap();
    assert_ne!(modified, row["LastModifiedDate"].as_str().unwrap());
    assert_eq!(modified.len(), "2026-11-29T12:00:00.000+0000".len());
    assert!(modified.ends_with("+0000"));
    let (s, _, err) = http
        .send("PATCH", &url, Some(json!({"LGK__Nope__c": "x"})))
        .await;
    assert_eq!((s, error_code(&err)), (400, "INVALID_FIELD"));
    let (s, _, err) = http
        .send("PATCH", &url, Some(json!({"SetupOwnerId": "not-an-id"})))
        .await;
    assert_eq!((s, error_code(&err)), (400, "MALFORMED_ID"));
    let (s, _, err) = http
        .send("PATCH", &url, Some(json!({"LGK__RuntimeUrl__c": true})))
        .await;
    assert_eq!((s, error_code(&err)), (400, "JSON_PARSER_ERROR"));
    let (s, _, err) = http
        .send(
            "PATCH",
            &url,
            Some(json!({"CreatedDate": "2020-01-01T00:00:00Z"})),
        )
        .await;
    assert_eq!(
        (s, error_code(&err)),
        (400, "INVALID_FIELD_FOR_INSERT_UPDATE")
    );

    // A second row for the same location is a duplicate.
    let (s, _, err) = http
        .send(
            "POST",
            "/services/data/v62.0/sobjects/LGK__ConfigurationTenant__c",
            Some(json!({"SetupOwnerId": SEED_ORG_ID, "LGK__RuntimeUrl__c": "https://x.test.logik.io"})),
        )
        .await;
    assert_eq!((s, error_code(&err)), (400, "DUPLICATE_VALUE"));
    // A user-level row is fine.
    let jane = emu
        .with_state(|s| s.find_id("User", "Username", "jane@acme.com.uat"))
        .unwrap();
    let (s, _, created) = http
        .send(
            "POST",
            "/services/data/v62.0/sobjects/LGK__ConfigurationTenant__c",
            Some(json!({"SetupOwnerId": jane, "LGK__RuntimeUrl__c": "https://x.test.logik.io"})),
        )
        .await;
    assert_eq!(s, 201);
    assert_eq!(
        (created["success"].as_bool(), created["errors"].clone()),
        (Some(true), json!([]))
    );
    let new_id = created["id"].as_str().unwrap();
    assert!(new_id.starts_with("a0C") && is_valid_id18(new_id));
    assert_eq!(emu.records("LGK__ConfigurationTenant__c").len(), 3);
    let (s, _, _) = http
        .send(
            "DELETE",
            &format!("/services/data/v62.0/sobjects/LGK__ConfigurationTenant__c/{new_id}"),
            None,
        )
        .await;
    assert_eq!(s, 204);
    let (s, _, err) = http
        .send(
            "DELETE",
            &format!("/services/data/v62.0/sobjects/LGK__ConfigurationTenant__c/{new_id}"),
            None,
        )
        .await;
    assert_eq!((s, error_code(&err)), (404, "NOT_FOUND"));

    // Tooling: create a trusted URL, bad URL refused, query it back.
    let tooling = "/services/data/v62.0/tooling/sobjects/CspTrustedSite";
    let (s, _, err) = http
        .send(
            "POST",
            tooling,
            Some(json!({"DeveloperName": "Logik_New", "EndpointUrl": "not a url"})),
        )
        .await;
    assert_eq!((s, error_code(&err)), (400, "FIELD_INTEGRITY_EXCEPTION"));
    let (s, _, err) = http
        .send("POST", tooling, Some(json!({"DeveloperName": "Logik_Tenant", "EndpointUrl": "https://acme.test02.logik.io"})))
        .await;
    assert_eq!((s, error_code(&err)), (400, "DUPLICATE_DEVELOPER_NAME"));
    let (s, _, created) = http
        .send(
            "POST",
            tooling,
            Some(json!({"DeveloperName": "Logik_New", "EndpointUrl": "https://acme.test02.logik.io", "IsActive": true, "IsApplicableToFrameSrc": true})),
        )
        .await;
    assert_eq!(s, 201);
    assert!(created["id"].as_str().unwrap().starts_with("08y"));
    let (s, q) = http
        .get("/services/data/v62.0/tooling/query?q=SELECT+DeveloperName,EndpointUrl+FROM+CspTrustedSite+ORDER+BY+DeveloperName")
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        (q["size"].as_u64(), q["entityTypeName"].as_str()),
        (Some(2), Some("CspTrustedSite"))
    );
    assert_eq!(q["records"][0]["DeveloperName"], "Logik_New");
    assert!(
        q["records"][0]["attributes"]["url"]
            .as_str()
            .unwrap()
            .contains("/tooling/sobjects/CspTrustedSite/08y")
    );
    let writes: Vec<bool> = emu.requests().iter().map(|r| r.write).collect();
    assert_eq!(writes.iter().filter(|w| **w).count(), 12);
}

#[tokio::test]
async fn query_paging() {
    let emu = Emulator::start(EmulatorOptions {
        page_size: 2,
        ..EmulatorOptions::default()
    })
    .unwrap();
    let http = Http::new(&emu);
    let (s, page) = http.query("SELECT Name FROM Product2 ORDER BY Name").await;
    assert_eq!(s, 200);
    let mut names = Vec::new();
    let mut page = page;
    let mut pages = 0;
    loop {
        pages += 1;
        assert_eq!(page["totalSize"], 5);
        names.extend(
            page["records"]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["Name"].as_str().unwrap().to_string()),
        );
        match page["nextRecordsUrl"].as_str() {
            Some(next) => {
                assert_eq!(page["done"], false);
                assert!(next.starts_with("/services/data/v62.0/query/01g"));
                let (s, p) = http.get(next).await;
                assert_eq!(s, 200);
                page = p;
            }
            None => {
                assert_eq!(page["done"], true);
                break;
            }
        }
    }
    assert_eq!(pages, 3);
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(names, sorted);
    assert_eq!(names.len(), 5);
    let (s, err) = http.get("/services/data/v62.0/query/01gBOGUS-2").await;
    assert_eq!((s, error_code(&err)), (400, "INVALID_QUERY_LOCATOR"));
    let (s, err) = http.query("SELECT Nope FROM Product2").await;
    assert_eq!((s, error_code(&err)), (400, "INVALID_FIELD"));
    let (s, err) = http.query("SELECT Id FROM").await;
    assert_eq!((s, error_code(&err)), (400, "MALFORMED_QUERY"));
}

#[tokio::test]
async fn composite_all_or_none_rolls_back() {
    let emu = start(Seed::RefreshedSandbox);
    let http = Http::new(&emu);
    let products = emu.records("Product2");
    let configurable: Vec<String> = products
        .iter()
        .filter(|p| p["LGK__IsConfigurable__c"] == true)
        .map(|p| p["Id"].as_str().unwrap().to_string())
        .collect();
    let before = emu.records("Product2");
    let mut subs: Vec<Value> = configurable
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({"method": "PATCH", "url": format!("/services/data/v62.0/sobjects/Product2/{id}"),
                   "referenceId": format!("p{i}"), "body": {"Description": "touched"}})
        })
        .collect();
    subs.insert(
        1,
        json!({"method": "POST", "url": "/services/data/v62.0/sobjects/Account", "referenceId": "acct", "body": {"Name": "New Co"}}),
    );
    subs.push(
        json!({"method": "PATCH", "url": "/services/data/v62.0/sobjects/Product2/@{acct.id}",
                     "referenceId": "bad", "body": {"Description": "x"}}),
    );
    let (s, _, v) = http
        .send(
            "POST",
            "/services/data/v62.0/composite",
            Some(json!({"allOrNone": true, "compositeRequest": subs.clone()})),
        )
        .await;
    assert_eq!(s, 200);
    let resp = v["compositeResponse"].as_array().unwrap();
    assert_eq!(resp.len(), 5);
    assert_eq!(
        resp[4]["httpStatusCode"], 404,
        "an Account id is not a Product2: {v}"
    );
    for r in &resp[..4] {
        assert_eq!(r["httpStatusCode"], 400);
        assert_eq!(r["body"][0]["errorCode"], "PROCESSING_HALTED");
    }
    assert_eq!(emu.records("Product2"), before, "rolled back");
    assert_eq!(emu.records("Account").len(), 2, "rolled back");

    // Without the bad subrequest, everything applies, references resolve, GETs work.
    subs.pop();
    subs.push(json!({"method": "GET", "url": "/services/data/v62.0/sobjects/Account/@{acct.id}?fields=Name", "referenceId": "read"}));
    let (s, _, v) = http
        .send(
            "POST",
            "/services/data/v62.0/composite",
            Some(json!({"allOrNone": true, "compositeRequest": subs})),
        )
        .await;
    assert_eq!(s, 200);
    let resp = v["compositeResponse"].as_array().unwrap();
    assert_eq!(resp[0]["httpStatusCode"], 204);
    assert_eq!(resp[0]["body"], Value::Null);
    assert_eq!(resp[1]["httpStatusCode"], 201);
    assert!(
        resp[1]["httpHeaders"]["Location"]
            .as_str()
            .unwrap()
            .contains("/sobjects/Account/001")
    );
    assert_eq!(resp[4]["body"]["Name"], "New Co");
    let touched = emu
        .records("Product2")
        .iter()
        .filter(|p| p["Description"] == "touched")
        .count();
    assert_eq!(touched, 3);
    let log = emu.requests();
    assert!(
        log.iter().all(|r| r.write),
        "composites with PATCH/POST are writes"
    );
}

#[tokio::test]
async fn faults_through_http() {
    let emu = start(Seed::RefreshedSandbox);
    let http = Http::new(&emu);
    let limits = "/services/data/v62.0/limits";

    // Status 503 twice with Retry-After, then normal.
    emu.inject(Fault {
        method: Some("GET".into()),
        path_contains: Some("/limits".into()),
        times: 2,
        kind: FaultKind::Status {
            status: 503,
            retry_after: Some(2),
            error_code: None,
        },
    });
    for _ in 0..2 {
        let (s, h, v) = http.send("GET", limits, None).await;
        assert_eq!((s, error_code(&v)), (503, "SERVER_UNAVAILABLE"));
        assert_eq!(h["retry-after"], "2");
    }
    assert_eq!(http.get(limits).await.0, 200);
    assert!(emu.pending_faults().is_empty());

    // 403 REQUEST_LIMIT_EXCEEDED by default; a fault matching on the decoded query.
    emu.inject(Fault {
        method: None,
        path_contains: Some("FROM Product2".into()),
        times: 1,
        kind: FaultKind::Status {
            status: 403,
            retry_after: None,
            error_code: None,
        },
    });
    let (s, v) = http.query("SELECT Id FROM User").await;
    assert_eq!(s, 200, "{v}");
    let (s, v) = http.query("SELECT Id FROM Product2").await;
    assert_eq!((s, error_code(&v)), (403, "REQUEST_LIMIT_EXCEEDED"));

    // Unauthorized once, the token staying good.
    emu.inject(Fault {
        method: None,
        path_contains: None,
        times: 1,
        kind: FaultKind::Unauthorized,
    });
    assert_eq!(http.get(limits).await.0, 401);
    assert_eq!(http.get(limits).await.0, 200);

    // Latency.
    emu.inject(Fault {
        method: None,
        path_contains: None,
        times: 1,
        kind: FaultKind::Latency { ms: 300 },
    });
    let t0 = Instant::now();
    assert_eq!(http.get(limits).await.0, 200);
    assert!(t0.elapsed() >= Duration::from_millis(300));

    // Malformed JSON: 200, does not parse.
    emu.inject(Fault {
        method: None,
        path_contains: None,
        times: 1,
        kind: FaultKind::MalformedJson,
    });
    let resp = http
        .client
        .get(format!("{}{limits}", http.base))
        .bearer_auth(SEED_ACCESS_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let text = resp.text().await.unwrap();
    assert!(serde_json::from_str::<Value>(&text).is_err(), "{text}");

    // Dropped before the write: nothing changes; after the write: the change is there.
    let product = emu.records("Product2")[0]["Id"]
        .as_str()
        .unwrap()
        .to_string();
    let url = format!("/services/data/v62.0/sobjects/Product2/{product}");
    for after_apply in [false, true] {
        emu.inject(Fault {
            method: Some("PATCH".into()),
            path_contains: None,
            times: 1,
            kind: FaultKind::DropConnection { after_apply },
        });
        let name = format!("Renamed {after_apply}");
        let r = http
            .client
            .patch(format!("{}{url}", http.base))
            .bearer_auth(SEED_ACCESS_TOKEN)
            .json(&json!({"Name": name}))
            .send()
            .await;
        assert!(r.is_err(), "no answer");
        let now = emu.records("Product2")[0]["Name"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(now == name, after_apply);
    }

    // Slow body: the headers come at once, the body later.
    emu.inject(Fault {
        method: None,
        path_contains: None,
        times: 1,
        kind: FaultKind::SlowBody { ms: 600 },
    });
    let t0 = Instant::now();
    let resp = http
        .client
        .get(format!("{}{limits}", http.base))
        .bearer_auth(SEED_ACCESS_TOKEN)
        .send()
        .await
        .unwrap();
    let headers_at = t0.elapsed();
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = resp.json().await.unwrap();
    assert!(v["DailyApiRequests"].is_object());
    assert!(headers_at < Duration::from_millis(500), "{headers_at:?}");
    assert!(t0.elapsed() >= Duration::from_millis(600));

    let statuses: Vec<u16> = emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(
        statuses,
        [503, 503, 200, 200, 403, 401, 200, 200, 200, 0, 0, 200]
    );
}

#[test]
fn dropped_connections_close_without_an_answer() {
    let emu = start(Seed::RefreshedSandbox);
    emu.inject(Fault {
        method: None,
        path_contains: None,
        times: 1,
        kind: FaultKind::DropConnection { after_apply: false },
    });
    let (_, answer) = raw(&emu, &get_request("/services/data/v62.0/limits"));
    assert_eq!(answer, "");
    emu.inject(Fault {
        method: None,
        path_contains: None,
        times: 1,
        kind: FaultKind::SlowBody { ms: 600 },
    });
    let (first_byte, answer) = raw(&emu, &get_request("/services/data/v62.0/limits"));
    assert!(first_byte < Duration::from_millis(500), "{first_byte:?}");
    assert!(answer.starts_with("HTTP/1.1 200"));
    assert!(answer.contains("DailyApiRequests"));
    assert_eq!(emu.requests()[0].status, 0);
}

#[test]
fn api_usage_and_control_plane() {
    let emu = start(Seed::RefreshedSandbox);
    emu.with_state(|s| s.api_usage_start = 4600);
    let (_, answer) = raw(&emu, &get_request("/services/data/v62.0/limits"));
    assert!(
        answer
            .to_ascii_lowercase()
            .contains("sforce-limit-info: api-usage=4601/5000"),
        "{answer}"
    );
    let fault = r#"{"method":"GET","path_contains":"/sobjects","times":1,"kind":{"type":"status","status":429,"retry_after":1}}"#;
    let post = format!(
        "POST /__emulator/faults HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{fault}",
        fault.len()
    );
    let (_, answer) = raw(&emu, &post);
    assert!(answer.starts_with("HTTP/1.1 201"), "{answer}");
    assert_eq!(
        emu.pending_faults()[0].kind,
        FaultKind::Status {
            status: 429,
            retry_after: Some(1),
            error_code: None
        }
    );
    let (_, answer) = raw(
        &emu,
        "GET /__emulator/log HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.contains("\"path\":\"/services/data/v62.0/limits\""));
    let (_, answer) = raw(
        &emu,
        "GET /__emulator/records/CspTrustedSite HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.contains("https://acme.test.logik.io"));
    let patch = r#"{"apiUsageStart": 10}"#;
    let (_, answer) = raw(
        &emu,
        &format!(
            "PATCH /__emulator/state HTTP/1.1\r\nHost: x\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{patch}",
            patch.len()
        ),
    );
    assert!(answer.starts_with("HTTP/1.1 204"), "{answer}");
    assert_eq!(emu.with_state(|s| s.api_usage_start), 10);
    emu.with_state(|s| s.data.table_mut("Product2").unwrap().records.clear());
    let (_, answer) = raw(
        &emu,
        "POST /__emulator/reset HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
    );
    assert!(answer.starts_with("HTTP/1.1 204"));
    assert_eq!(emu.records("Product2").len(), 5);
    assert!(emu.requests().is_empty() && emu.pending_faults().is_empty());
}

#[test]
fn seeds() {
    let sandbox = OrgState::new(Seed::RefreshedSandbox);
    let users = sandbox.records("User");
    assert_eq!(users.len(), 4);
    let prov = users
        .iter()
        .find(|u| u["Email"] == "provisioning@logik.io.invalid")
        .unwrap();
    assert_eq!(prov["Username"], "provisioning@logik.io.acme.uat");
    let admin = users
        .iter()
        .find(|u| u["Username"] == SEED_USERNAME)
        .unwrap();
    assert_eq!(
        (admin["Email"].as_str(), admin["Id"].as_str()),
        (Some("admin@acme.com"), Some(sandbox.user_id.as_str()))
    );
    for r in sandbox
        .data
        .tables
        .iter()
        .chain(sandbox.tooling.tables.iter())
        .flat_map(|t| t.records.iter())
    {
        assert!(is_valid_id18(r["Id"].as_str().unwrap()), "{r:?}");
    }
    let no_logik = OrgState::new(Seed::NoLogik);
    assert!(no_logik.data.table("LGK__ConfigurationTenant__c").is_none());
    assert!(
        no_logik
            .data
            .table("Product2")
            .unwrap()
            .schema
            .field("LGK__IsConfigurable__c")
            .is_none()
    );
    assert_eq!(no_logik.records("InstalledSubscriberPackage").len(), 1);
    let no_cpq = OrgState::new(Seed::NoCpq);
    assert!(no_cpq.data.table("SBQQ__Quote__c").is_none());
    assert_eq!(no_cpq.records("InstalledSubscriberPackage").len(), 1);
    let prod = OrgState::new(Seed::Production);
    assert!(is_valid_id18(PRODUCTION_ORG_ID));
    assert_eq!(prod.records("Organization")[0]["IsSandbox"], false);
    assert_eq!(prod.username, "admin@acme.com");
    assert_eq!("no-cpq".parse::<Seed>(), Ok(Seed::NoCpq));
    assert!("nope".parse::<Seed>().is_err());
}

#[tokio::test]
async fn sandbox_process_advances_per_query() {
    let emu = start(Seed::Production);
    let http = Http::new(&emu);
    let q = "/services/data/v62.0/tooling/query?q=SELECT+Status,CopyProgress,SandboxOrganization+FROM+SandboxProcess+WHERE+SandboxName+%3D+%27uat%27+ORDER+BY+CreatedDate+DESC+LIMIT+1";
    // A query that returns no unfinished process (like sf's own at login) moves nothing.
    let (s, v) = http
        .get("/services/data/v62.0/tooling/query?q=SELECT+Id+FROM+SandboxProcess+WHERE+Status+%3D+%27Completed%27")
        .await;
    assert_eq!((s, v["totalSize"].as_u64()), (200, Some(1)));
    let mut seen = Vec::new();
    for _ in 0..5 {
        let (s, v) = http.get(q).await;
        assert_eq!(s, 200, "{v}");
        let r = &v["records"][0];
        seen.push((
            r["CopyProgress"].as_i64().unwrap(),
            r["Status"].as_str().unwrap().to_string(),
        ));
        if r["Status"] == "Completed" {
            assert_eq!(r["SandboxOrganization"], &SEED_ORG_ID[..15]);
        }
    }
    let progress: Vec<i64> = seen.iter().map(|s| s.0).collect();
    assert_eq!(progress, [0, 40, 80, 100, 100]);
    assert_eq!(seen[2].1, "Activating");
    assert_eq!(seen[3].1, "Completed");
}

#[tokio::test]
async fn sobject_collections_update_up_to_200_records() {
    let emu = start(Seed::RefreshedSandbox);
    let http = Http::new(&emu);
    let products = emu.records("Product2");
    let ids: Vec<String> = products
        .iter()
        .map(|p| p["Id"].as_str().unwrap().to_string())
        .collect();
    let before = products[0]["LastModifiedDate"].clone();
    let path = "/services/data/v62.0/composite/sobjects";
    // A touch: no field but the id; the audit fields move on.
    let records: Vec<Value> = ids[..2]
        .iter()
        .map(|id| json!({"attributes": {"type": "Product2"}, "id": id}))
        .collect();
    let (s, _, v) = http
        .send(
            "PATCH",
            path,
            Some(json!({"allOrNone": false, "records": records})),
        )
        .await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(v[0], json!({"id": ids[0], "success": true, "errors": []}));
    assert_eq!(v[1]["success"], true);
    let after = emu.records("Product2");
    assert_ne!(after[0]["LastModifiedDate"], before);
    assert_eq!(
        after[2]["LastModifiedDate"],
        products[2]["LastModifiedDate"]
    );
    // One bad record: with allOrNone the good one is rolled back too.
    let (s, _, v) = http
        .send(
            "PATCH",
            path,
            Some(json!({"allOrNone": true, "records": [
                {"attributes": {"type": "Product2"}, "id": ids[2], "Name": "Renamed"},
                {"attributes": {"type": "Product2"}, "id": ids[3], "Nope__c": 1},
            ]})),
        )
        .await;
    assert_eq!(s, 200);
    assert_eq!(
        v[0]["errors"][0]["statusCode"],
        "ALL_OR_NONE_OPERATION_ROLLED_BACK"
    );
    assert_eq!(v[1]["errors"][0]["statusCode"], "INVALID_FIELD");
    assert_eq!(emu.records("Product2")[2]["Name"], "Solar Install Kit");
    // Without it, the good one stays.
    let (_, _, v) = http
        .send(
            "PATCH",
            path,
            Some(json!({"records": [
                {"attributes": {"type": "Product2"}, "id": ids[2], "Name": "Renamed"},
                {"attributes": {"type": "Product2"}, "id": ids[3], "Nope__c": 1},
            ]})),
        )
        .await;
    assert_eq!(
        (v[0]["success"].clone(), v[1]["success"].clone()),
        (json!(true), json!(false))
    );
    assert_eq!(emu.records("Product2")[2]["Name"], "Renamed");
    let too_many: Vec<Value> = (0..201)
        .map(|_| json!({"attributes": {"type": "Product2"}, "id": ids[0]}))
        .collect();
    let (s, _, v) = http
        .send("PATCH", path, Some(json!({"records": too_many})))
        .await;
    assert_eq!((s, error_code(&v)), (400, "EXCEEDED_ID_LIMIT"));
    let (s, _, _) = http.send("POST", path, Some(json!({"records": []}))).await;
    assert_eq!(s, 405);
    let log = emu.requests();
    assert!(log.iter().filter(|r| r.method == "PATCH").all(|r| r.write));
}

#[tokio::test]
async fn user_email_changes_wait_for_verification_when_asked() {
    let emu = start(Seed::RefreshedSandbox);
    let http = Http::new(&emu);
    let id = emu
        .with_state(|s| s.find_id("User", "Alias", "lprov"))
        .unwrap();
    let path = format!("/services/data/v62.0/sobjects/User/{id}");
    let email = |emu: &Emulator| {
        emu.records("User")
            .into_iter()
            .find(|u| u["Id"] == id.as_str())
            .unwrap()["Email"]
            .clone()
    };
    emu.with_state(|s| s.verify_email_changes = true);
    let (s, _, _) = http
        .send(
            "PATCH",
            &path,
            Some(json!({"Email": "provisioning@logik.io", "IsActive": true})),
        )
        .await;
    assert_eq!(s, 204, "Salesforce accepts the change");
    assert_eq!(email(&emu), "provisioning@logik.io.invalid", "but holds it");
    assert_eq!(
        emu.with_state(|s| s.pending_email_changes.clone()),
        [(id.clone(), "provisioning@logik.io".to_string())]
    );
    assert!(emu.with_state(|s| s.confirm_email_change(&id)));
    assert_eq!(email(&emu), "provisioning@logik.io");
    assert!(!emu.with_state(|s| s.confirm_email_change(&id)));
    // Off (the seeds' default): applied at once.
    emu.with_state(|s| s.verify_email_changes = false);
    let (s, _, _) = http
        .send("PATCH", &path, Some(json!({"Email": "other@logik.io"})))
        .await;
    assert_eq!(s, 204);
    assert_eq!(email(&emu), "other@logik.io");
}
