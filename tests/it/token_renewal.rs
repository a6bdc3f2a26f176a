//! Renewing an expired token as sf does (issue 10, point 5): the auth file's `clientId` and
//! decrypted `clientSecret` go with the refresh token to its login URL, and the secret shows
//! nowhere; an org authorized with JWT (no refresh token) is renewed by asking sf, with a
//! warning that says so.

use crate::common::*;
use crate::real_sf::{real_sf, sf};
use logik_org_emulator::{
    ConnectedApp, Emulator, Fault, FaultKind, JWT_APP_CONSUMER_KEY, JWT_TEST_PRIVATE_KEY_PEM,
    SECRET_APP_CONSUMER_KEY, SECRET_APP_CONSUMER_SECRET,
};
use serde_json::Value;

/// The access token stops working at the first request of the data API.
fn expire_token(emulator: &Emulator) {
    emulator.inject(Fault {
        method: None,
        path_contains: Some("/services/data/v".into()),
        times: 1,
        kind: FaultKind::ExpireToken,
    });
}

/// sf's auth store for the emulator's org, logged in through the connected app that requires
/// its secret: `refreshToken` and (when given) `clientSecret` encrypted with sf's key, as sf
/// writes them.
fn auth_store_with_app(sandbox: &Sandbox, instance_url: &str, secret: Option<&str>) {
    use logik_refresh::sf::crypto::{SfKey, encrypt};
    sandbox.sf_auth_store_with_refresh(instance_url);
    let key_json: Value = serde_json::from_str(&fixture("v1-key.json")).unwrap();
    let key = SfKey::from_hex(key_json["key"].as_str().unwrap()).unwrap();
    let path = sandbox.home().join(".sfdx/admin@acme.com.uat.json");
    let mut auth: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    auth["clientId"] = SECRET_APP_CONSUMER_KEY.into();
    if let Some(secret) = secret {
        auth["clientSecret"] = encrypt(secret, &key, "0f1e2d3c4b5a").into();
    }
    std::fs::write(&path, serde_json::to_string_pretty(&auth).unwrap()).unwrap();
}

fn token_requests(emulator: &Emulator) -> Vec<u16> {
    emulator
        .requests()
        .iter()
        .filter(|r| r.path == "/services/oauth2/token")
        .map(|r| r.status)
        .collect()
}

/// Every file under `dir`, as text.
fn texts_under(dir: &std::path::Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(texts_under(&path));
        } else if let Ok(bytes) = std::fs::read(&path) {
            out.push((
                path.display().to_string(),
                String::from_utf8_lossy(&bytes).into_owned(),
            ));
        }
    }
    out
}

#[test]
fn renewal_sends_the_stored_client_secret_and_never_shows_it() {
    let emulator = emulator();
    emulator.with_state(|s| s.connected_apps.push(ConnectedApp::secret_required()));
    let sandbox = Sandbox::new();
    let url = format!("{}/", emulator.base_url());
    auth_store_with_app(&sandbox, &url, Some(SECRET_APP_CONSUMER_SECRET));
    expire_token(&emulator);

    let out = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(out.json()["result"]["orgId"], "00D5e000000AbCdEAK");
    // The app refuses a renewal without its secret: one renewal, accepted, means it was sent.
    assert_eq!(token_requests(&emulator), [200]);
    let warnings = out.json()["warnings"].to_string();
    assert!(
        !warnings.contains("asked sf"),
        "no fallback needed: {warnings}"
    );

    // The secret shows nowhere: output, the trace of every request, the tool's files.
    let trace = std::fs::read_to_string(sandbox.trace()).unwrap();
    assert!(
        trace.contains("/services/oauth2/token") && trace.contains("client_secret"),
        "the trace holds the renewal, its secret removed"
    );
    let mut places = vec![
        ("stdout".to_string(), out.stdout.clone()),
        ("stderr".to_string(), out.stderr.clone()),
        ("trace".to_string(), trace),
    ];
    places.extend(texts_under(&sandbox.state()));
    places.extend(texts_under(&sandbox.work()));
    let tail = &SECRET_APP_CONSUMER_SECRET[SECRET_APP_CONSUMER_SECRET.len() / 2..];
    for (place, text) in places {
        assert!(
            !text.contains(tail),
            "the client secret leaked into {place}"
        );
    }
}

#[test]
fn a_refused_renewal_falls_back_to_sf_and_says_what_failed() {
    // The auth file has no secret, the app requires one: the org refuses the renewal, and sf
    // (not installed here) is asked next.
    let emulator = emulator();
    emulator.with_state(|s| s.connected_apps.push(ConnectedApp::secret_required()));
    let sandbox = Sandbox::new();
    auth_store_with_app(&sandbox, &format!("{}/", emulator.base_url()), None);
    expire_token(&emulator);

    let out = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let envelope = out.json();
    assert_eq!(envelope["name"], "TokenRefreshError", "{envelope:#}");
    let message = envelope["message"].as_str().unwrap();
    assert!(message.contains("invalid client credentials"), "{message}");
    assert!(
        message.contains("sf org auth show-access-token"),
        "{message}"
    );
    assert!(
        envelope["actions"]
            .to_string()
            .contains("sf org login web -o uat"),
        "{envelope:#}"
    );
    assert_eq!(token_requests(&emulator), [400]);
}

#[test]
fn a_jwt_org_is_renewed_through_sf_with_a_warning() {
    let Some(sf_bin) = real_sf() else { return };
    let emulator = emulator();
    emulator.with_state(|s| s.connected_apps.push(ConnectedApp::jwt()));
    let sandbox = Sandbox::new();
    let key_file = sandbox.work().join("server.key");
    std::fs::write(&key_file, JWT_TEST_PRIVATE_KEY_PEM).unwrap();
    let login = run(sf(
        &sandbox,
        &sf_bin,
        &[
            "org",
            "login",
            "jwt",
            "--client-id",
            JWT_APP_CONSUMER_KEY,
            "--jwt-key-file",
            key_file.to_str().unwrap(),
            "--username",
            logik_org_emulator::SEED_USERNAME,
            "--instance-url",
            &emulator.base_url(),
            "--alias",
            "uat",
            "--json",
        ],
    ));
    assert_eq!(
        login.code, 0,
        "sf login jwt:\n{}\n{}",
        login.stdout, login.stderr
    );
    let auth: Value = serde_json::from_str(
        &std::fs::read_to_string(sandbox.home().join(".sfdx/admin@acme.com.uat.json")).unwrap(),
    )
    .unwrap();
    assert!(auth.get("privateKey").is_some(), "{auth:#}");
    assert!(
        auth.get("refreshToken").is_none(),
        "a JWT org has no refresh token"
    );

    expire_token(&emulator);
    emulator.clear_log();
    let mut cmd = sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]);
    cmd.env("LOGIK_REFRESH_SF", &sf_bin);
    let out = run(cmd);
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    let warnings = out.json()["warnings"].to_string();
    assert!(
        warnings.contains(
            "asked sf for a fresh one (sf org auth show-access-token -o admin@acme.com.uat)"
        ),
        "{warnings}"
    );
    // sf renewed it with a new assertion; the tool sent no refresh-token grant of its own.
    assert_eq!(token_requests(&emulator), [200]);
    let current = emulator.access_token();
    let last = emulator.requests().last().unwrap().clone();
    assert_eq!(last.bearer.as_deref(), Some(current.as_str()));
    assert!(last.authorized);
}

#[test]
fn sf_itself_renews_the_auth_file_written_here_with_its_secret() {
    // The auth file the tests above write is one sf reads and renews the same way: with the
    // secret the app requires (and without it, sf is refused too).
    let Some(sf_bin) = real_sf() else { return };
    let emulator = emulator();
    emulator.with_state(|s| s.connected_apps.push(ConnectedApp::secret_required()));
    for (secret, renewed) in [(Some(SECRET_APP_CONSUMER_SECRET), true), (None, false)] {
        let sandbox = Sandbox::new();
        auth_store_with_app(&sandbox, &format!("{}/", emulator.base_url()), secret);
        expire_token(&emulator);
        emulator.clear_log();
        let out = run(sf(
            &sandbox,
            &sf_bin,
            &["org", "auth", "show-access-token", "-o", "uat", "--json"],
        ));
        let expected: &[u16] = if renewed { &[200] } else { &[400] };
        assert_eq!(
            token_requests(&emulator),
            expected,
            "secret sent: {}\n{}",
            secret.is_some(),
            out.stderr
        );
        let token = serde_json::from_str::<Value>(&out.stdout).unwrap()["result"]["accessToken"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        assert_eq!(token == emulator.access_token(), renewed);
        emulator.with_state(|s| s.token_expired = false);
    }
}

/// sf's auth store with a `version` key (v1 or v2) and the seeds' refresh token, encrypted as
/// sf encrypts it.
fn auth_store_with_refresh(sandbox: &Sandbox, instance_url: &str, version: &str) {
    use logik_refresh::sf::crypto::{SfKey, encrypt};
    sandbox.sf_auth_store(version, instance_url);
    let key_json: Value = serde_json::from_str(&fixture(&format!("{version}-key.json"))).unwrap();
    let key = SfKey::from_hex(key_json["key"].as_str().unwrap()).unwrap();
    let iv = if version == "v1" {
        "a1b2c3d4e5f6"
    } else {
        "00112233445566778899aabb"
    };
    let path = sandbox.home().join(".sfdx/admin@acme.com.uat.json");
    let mut auth: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    auth["refreshToken"] = encrypt(logik_org_emulator::SEED_REFRESH_TOKEN, &key, iv).into();
    auth["clientId"] = "PlatformCLI".into();
    std::fs::write(&path, serde_json::to_string_pretty(&auth).unwrap()).unwrap();
}

/// sf's `connectedStatus` for the alias `uat`.
fn sf_connected_status(sandbox: &Sandbox, sf_bin: &std::path::PathBuf) -> String {
    let out = run(sf(
        sandbox,
        sf_bin,
        &["org", "display", "-o", "uat", "--json"],
    ));
    let json: Value = serde_json::from_str(&out.stdout).unwrap_or_default();
    json["result"]["connectedStatus"]
        .as_str()
        .map(str::to_string)
        .unwrap_or_else(|| format!("(none)\n{}\n{}", out.stdout, out.stderr))
}

#[test]
fn rotated_refresh_token_is_stored_back_so_sf_stays_connected() {
    // With Refresh Token Rotation, the tool's renewal invalidates the refresh token sf stored;
    // the tool writes the new tokens back as sf would, and sf goes on: connected at once, and
    // able to renew again itself with the stored (rotated) refresh token.
    let Some(sf_bin) = real_sf() else { return };
    for version in ["v1", "v2"] {
        let emulator = emulator();
        emulator.with_state(|s| s.rotate_refresh_tokens = true);
        let sandbox = Sandbox::new();
        auth_store_with_refresh(&sandbox, &format!("{}/", emulator.base_url()), version);
        let auth_path = sandbox.home().join(".sfdx/admin@acme.com.uat.json");
        let before: Value =
            serde_json::from_str(&std::fs::read_to_string(&auth_path).unwrap()).unwrap();
        expire_token(&emulator);

        let out = run(sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]));
        assert_eq!(out.code, 0, "{version}: {}\n{}", out.stdout, out.stderr);
        assert_eq!(token_requests(&emulator), [200], "{version}: one renewal");
        let rotated = emulator.with_state(|s| s.refresh_token.clone());
        assert_ne!(rotated, logik_org_emulator::SEED_REFRESH_TOKEN);
        let warnings = out.json()["warnings"].to_string();
        assert!(!warnings.contains("auth file"), "{version}: {warnings}");

        // Every field but the two tokens is as sf left it.
        let after: Value =
            serde_json::from_str(&std::fs::read_to_string(&auth_path).unwrap()).unwrap();
        for (field, value) in before.as_object().unwrap() {
            if field != "accessToken" && field != "refreshToken" {
                assert_eq!(&after[field], value, "{version}: {field}");
            }
        }
        assert!(
            !sandbox
                .home()
                .join(".sfdx/admin@acme.com.uat.json.lock")
                .exists()
        );

        assert_eq!(
            sf_connected_status(&sandbox, &sf_bin),
            "Connected",
            "{version}"
        );
        // The session expires again: sf renews with the refresh token the tool stored.
        emulator.clear_log();
        emulator.with_state(|s| s.token_expired = true);
        assert_eq!(
            sf_connected_status(&sandbox, &sf_bin),
            "Connected",
            "{version}"
        );
        assert_eq!(token_requests(&emulator), [200], "{version}: sf renewed");
    }
}
