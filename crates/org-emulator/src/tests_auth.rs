//! The token endpoint through HTTP: a connected app that requires its secret on refresh, and
//! the JWT bearer flow checked against the app's certificate.

use serde_json::{Value, json};

use super::auth::base64url_decode;
use super::tests::{Http, start};
use super::*;

async fn post_token(emu: &Emulator, form: &[(&str, &str)]) -> (u16, Value) {
    let _ = Http::new(emu);
    let resp = reqwest::Client::new()
        .post(format!("{}/services/oauth2/token", emu.base_url()))
        .form(form)
        .send()
        .await
        .expect("response");
    (resp.status().as_u16(), resp.json().await.expect("json"))
}

async fn data_status(emu: &Emulator, token: &str) -> u16 {
    let mut http = Http::new(emu);
    http.token = token.to_string();
    http.get("/services/data/v62.0/sobjects").await.0
}

#[tokio::test]
async fn an_app_that_requires_its_secret_refuses_a_refresh_without_it() {
    let emu = start(Seed::RefreshedSandbox);
    emu.with_state(|s| s.connected_apps.push(ConnectedApp::secret_required()));
    let base = [
        ("grant_type", "refresh_token"),
        ("client_id", SECRET_APP_CONSUMER_KEY),
        ("refresh_token", SEED_REFRESH_TOKEN),
    ];
    let (s, v) = post_token(&emu, &base).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_client")));
    assert_eq!(v["error_description"], "invalid client credentials");
    let mut wrong = base.to_vec();
    wrong.push(("client_secret", "not-the-secret"));
    let (s, v) = post_token(&emu, &wrong).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_client")));
    let mut right = base.to_vec();
    right.push(("client_secret", SECRET_APP_CONSUMER_SECRET));
    let (s, v) = post_token(&emu, &right).await;
    assert_eq!(s, 200, "{v}");
    assert_eq!(
        data_status(&emu, v["access_token"].as_str().unwrap()).await,
        200
    );
    // sf's own app has no secret: the seeds' refresh token still renews through it.
    let platform = [
        ("grant_type", "refresh_token"),
        ("client_id", "PlatformCLI"),
        ("refresh_token", SEED_REFRESH_TOKEN),
    ];
    assert_eq!(post_token(&emu, &platform).await.0, 200);
}

/// An RS256 JWT signed with the test key of the emulator's JWT app.
fn signed_jwt(claims: &Value) -> String {
    let pem: String = JWT_TEST_PRIVATE_KEY_PEM
        .lines()
        .filter(|l| !l.starts_with("-----"))
        .collect();
    let der = base64url_decode(&pem).unwrap();
    let key = ring::signature::RsaKeyPair::from_pkcs8(&der).unwrap();
    let b64 = |bytes: &[u8]| {
        const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut out = String::new();
        for chunk in bytes.chunks(3) {
            let n = chunk.iter().fold(0u32, |acc, b| (acc << 8) | u32::from(*b))
                << (8 * (3 - chunk.len()));
            for i in 0..=chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            }
        }
        out
    };
    let signing_input = format!(
        "{}.{}",
        b64(br#"{"alg":"RS256","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    );
    let mut sig = vec![0; key.public().modulus_len()];
    key.sign(
        &ring::signature::RSA_PKCS1_SHA256,
        &ring::rand::SystemRandom::new(),
        signing_input.as_bytes(),
        &mut sig,
    )
    .unwrap();
    format!("{signing_input}.{}", b64(&sig))
}

#[tokio::test]
async fn the_jwt_bearer_flow_checks_signature_issuer_audience_and_expiry() {
    let emu = start(Seed::RefreshedSandbox);
    emu.with_state(|s| s.connected_apps.push(ConnectedApp::jwt()));
    let grant = "urn:ietf:params:oauth:grant-type:jwt-bearer";
    let claims = |iss: &str, aud: &str, exp: i64| json!({"iss": iss, "sub": SEED_USERNAME, "aud": aud, "exp": exp});
    let later = util::now_ms() + 300; // as sf writes it
    let good = signed_jwt(&claims(JWT_APP_CONSUMER_KEY, &emu.base_url(), later));
    let (s, v) = post_token(&emu, &[("grant_type", grant), ("assertion", &good)]).await;
    assert_eq!(s, 200, "{v}");
    assert!(
        v.get("refresh_token").is_none(),
        "the JWT flow issues no refresh token"
    );
    assert_eq!(
        data_status(&emu, v["access_token"].as_str().unwrap()).await,
        200
    );

    let cases = [
        (
            claims("someone-else", &emu.base_url(), later),
            "invalid_client_id",
        ),
        (
            claims(JWT_APP_CONSUMER_KEY, "https://evil.example.com", later),
            "invalid_grant",
        ),
        (
            claims(JWT_APP_CONSUMER_KEY, &emu.base_url(), 1_000),
            "invalid_grant",
        ),
    ];
    for (claims, error) in cases {
        let jwt = signed_jwt(&claims);
        let (s, v) = post_token(&emu, &[("grant_type", grant), ("assertion", &jwt)]).await;
        assert_eq!((s, v["error"].as_str()), (400, Some(error)), "{claims}");
    }
    // A signature that does not match the certificate.
    let mut forged: Vec<char> = good.chars().collect();
    let at = forged.len() - 10;
    forged[at] = if forged[at] == 'A' { 'B' } else { 'A' };
    let forged: String = forged.into_iter().collect();
    let (s, v) = post_token(&emu, &[("grant_type", grant), ("assertion", &forged)]).await;
    assert_eq!(
        (s, v["error_description"].as_str()),
        (400, Some("invalid assertion"))
    );
    // Without the app (the seeds), no JWT is accepted.
    emu.with_state(|s| s.connected_apps.clear());
    let (s, _) = post_token(&emu, &[("grant_type", grant), ("assertion", &good)]).await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn rotation_issues_a_new_refresh_token_and_reuse_revokes_the_family() {
    let emu = start(Seed::RefreshedSandbox);
    emu.with_state(|s| s.rotate_refresh_tokens = true);
    let renew = |rt: String| {
        let emu = &emu;
        async move {
            post_token(
                emu,
                &[
                    ("grant_type", "refresh_token"),
                    ("client_id", "PlatformCLI"),
                    ("refresh_token", rt.as_str()),
                ],
            )
            .await
        }
    };
    let (s, first) = renew(SEED_REFRESH_TOKEN.to_string()).await;
    assert_eq!(s, 200, "{first}");
    let rotated = first["refresh_token"].as_str().unwrap().to_string();
    assert_ne!(rotated, SEED_REFRESH_TOKEN);
    // The new one renews (and rotates again).
    let (s, second) = renew(rotated.clone()).await;
    assert_eq!(s, 200, "{second}");
    let current = second["refresh_token"].as_str().unwrap().to_string();
    let access = second["access_token"].as_str().unwrap().to_string();
    assert_eq!(data_status(&emu, &access).await, 200);
    // An invalidated one sent again: refused, and the current refresh and access tokens go too.
    let (s, v) = renew(SEED_REFRESH_TOKEN.to_string()).await;
    assert_eq!((s, v["error"].as_str()), (400, Some("invalid_grant")));
    assert_eq!(data_status(&emu, &access).await, 401);
    assert_eq!(renew(current).await.0, 400);
    // Without rotation, a renewal returns no refresh token (the one sent stays good).
    let emu = start(Seed::RefreshedSandbox);
    let (s, v) = post_token(
        &emu,
        &[
            ("grant_type", "refresh_token"),
            ("client_id", "PlatformCLI"),
            ("refresh_token", SEED_REFRESH_TOKEN),
        ],
    )
    .await;
    assert_eq!(s, 200);
    assert!(v.get("refresh_token").is_none(), "{v}");
}
