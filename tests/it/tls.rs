//! A customer's network: the org behind real TLS under its DNS name, a corporate CA trusted the
//! way sf users trust it (`NODE_EXTRA_CA_CERTS`) or through `SSL_CERT_FILE`, certificates that
//! must be refused (each at once, with its own message), and a CONNECT proxy with and without
//! authentication, and `NO_PROXY`.

use crate::common::*;
use logik_org_emulator::proxy::{ConnectProxy, ProxyOptions};
use logik_org_emulator::tls::{ServerIdentity, TestCa, self_signed};
use logik_org_emulator::{Emulator, EmulatorOptions, TlsOptions};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

/// The org's My Domain name, as a real sandbox has it.
const HOST: &str = "acme--uat.sandbox.my.salesforce.com";
const PROXY_PASSWORD: &str = "Corp-Proxy-Pa55word";

/// The emulator serving HTTPS as `HOST` with `identity`, and a sandbox whose sf auth file
/// points at `https://HOST:PORT/`.
fn org_behind_tls(identity: ServerIdentity) -> (Emulator, Sandbox) {
    let emulator = Emulator::start(EmulatorOptions {
        tls: Some(TlsOptions {
            host: HOST.into(),
            identity,
        }),
        ..Default::default()
    })
    .unwrap();
    let sandbox = Sandbox::new();
    sandbox.sf_auth_store_with_refresh(&format!("{}/", emulator.base_url()));
    (emulator, sandbox)
}

/// A CA's certificate written where a user keeps it.
fn pem_file(sandbox: &Sandbox, name: &str, pem: &str) -> PathBuf {
    let path = sandbox.dir.path().join(name);
    std::fs::write(&path, pem).unwrap();
    path
}

/// `org inspect`, with `HOST` resolving to the emulator (the test-only resolver) and `env`.
fn inspect(sandbox: &Sandbox, env: &[(&str, &std::ffi::OsStr)]) -> Run {
    let mut cmd = sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]);
    cmd.env("LOGIK_REFRESH_TEST_RESOLVE", format!("{HOST}=127.0.0.1"));
    for (name, value) in env {
        cmd.env(name, value);
    }
    run_within(cmd, Duration::from_secs(60))
}

fn os(path: &std::path::Path) -> &std::ffi::OsStr {
    path.as_os_str()
}

fn assert_inspected(out: &Run) {
    assert_eq!(out.code, 0, "{}\n{}", out.stdout, out.stderr);
    assert_eq!(
        out.json()["result"]["instanceUrl"],
        format!("https://{HOST}:{}/", port_of(out))
    );
}

fn port_of(out: &Run) -> String {
    let url = out.json()["result"]["instanceUrl"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    url.rsplit(':')
        .next()
        .unwrap_or_default()
        .trim_end_matches('/')
        .to_string()
}

#[test]
fn node_extra_ca_certs_is_trusted_in_addition_to_the_platform_store() {
    let corporate = TestCa::new("Acme Corporate Root CA");
    let (emulator, sandbox) = org_behind_tls(corporate.issue(&[HOST]));
    let extra = pem_file(&sandbox, "corporate-ca.pem", &corporate.cert_pem());
    let out = inspect(&sandbox, &[("NODE_EXTRA_CA_CERTS", os(&extra))]);
    assert_inspected(&out);
    assert!(emulator.requests().iter().all(|r| r.authorized));

    // In addition, not instead: with the platform store being another CA (SSL_CERT_FILE), a
    // server of that CA is trusted too, alongside the corporate one.
    let public = TestCa::new("Some Public Root CA");
    let (_public_org, public_sandbox) = org_behind_tls(public.issue(&[HOST]));
    let platform = pem_file(&public_sandbox, "platform.pem", &public.cert_pem());
    let extra = pem_file(&public_sandbox, "corporate-ca.pem", &corporate.cert_pem());
    let env = [
        ("SSL_CERT_FILE", os(&platform)),
        ("NODE_EXTRA_CA_CERTS", os(&extra)),
    ];
    assert_inspected(&inspect(&public_sandbox, &env));
    assert_inspected(&inspect(&sandbox, &env));
}

#[test]
fn ssl_cert_file_is_the_trust_store_when_set() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (_emulator, sandbox) = org_behind_tls(ca.issue(&[HOST]));
    let file = pem_file(&sandbox, "bundle.pem", &ca.cert_pem());
    assert_inspected(&inspect(&sandbox, &[("SSL_CERT_FILE", os(&file))]));
}

/// A refused certificate: the error a user sees, after one connection (no retry).
fn refused(identity: ServerIdentity, trusted: &TestCa) -> (Run, Emulator) {
    let (emulator, sandbox) = org_behind_tls(identity);
    let extra = pem_file(&sandbox, "corporate-ca.pem", &trusted.cert_pem());
    let out = inspect(&sandbox, &[("NODE_EXTRA_CA_CERTS", os(&extra))]);
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    assert!(emulator.requests().is_empty(), "nothing was served");
    let attempts = attempts(&sandbox);
    assert_eq!(
        emulator.connections(),
        attempts as u64,
        "one connection a request"
    );
    (out, emulator)
}

/// How many requests the trace records, after checking that none was sent twice (the command
/// sends its first reads side by side; a retry would repeat one).
fn attempts(sandbox: &Sandbox) -> usize {
    let trace = std::fs::read_to_string(sandbox.trace()).unwrap_or_default();
    let mut seen = std::collections::BTreeSet::new();
    for line in trace.lines() {
        let exchange: serde_json::Value = serde_json::from_str(line).unwrap();
        let request = format!("{} {}", exchange["method"], exchange["path"]);
        assert!(
            seen.insert(request.clone()),
            "{request} was retried:\n{trace}"
        );
    }
    assert!(!seen.is_empty(), "no request was traced");
    seen.len()
}

fn error(out: &Run) -> (String, String, String, String) {
    let json = out.json();
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    (
        text(&json["name"]),
        text(&json["code"]),
        text(&json["message"]),
        json["actions"]
            .as_array()
            .map(|a| a.iter().map(text).collect::<Vec<_>>().join("\n"))
            .unwrap_or_default(),
    )
}

#[test]
fn certificate_from_an_untrusted_ca_fails_at_once_saying_how_to_trust_a_corporate_ca() {
    let trusted = TestCa::new("Acme Corporate Root CA");
    let inspecting = TestCa::new("Unknown Inspecting Proxy CA");
    let (out, _emulator) = refused(inspecting.issue(&[HOST]), &trusted);
    let (name, code, message, actions) = error(&out);
    assert_eq!(name, "CertificateError");
    assert_eq!(code, "UNABLE_TO_GET_ISSUER_CERT_LOCALLY");
    assert!(message.contains(&format!("the certificate of {HOST} was refused: it is not issued by a certificate authority this machine trusts (unknown issuer)")), "{message}");
    assert!(
        actions.contains("set NODE_EXTRA_CA_CERTS to a PEM file"),
        "{actions}"
    );
}

#[test]
fn certificate_for_another_host_fails_at_once_as_wrong_host() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (out, _emulator) = refused(ca.issue(&["login.example.com"]), &ca);
    let (name, code, message, actions) = error(&out);
    assert_eq!(
        (name.as_str(), code.as_str()),
        ("CertificateError", "ERR_TLS_CERT_ALTNAME_INVALID")
    );
    assert!(
        message.contains(&format!(
            "the certificate of {HOST} was refused: it is for another host name (wrong host)"
        )),
        "{message}"
    );
    assert!(actions.contains("sf org display"), "{actions}");
}

#[test]
fn expired_certificate_fails_at_once_as_expired() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (out, _emulator) = refused(ca.issue_expired(&[HOST]), &ca);
    let (name, code, message, actions) = error(&out);
    assert_eq!(
        (name.as_str(), code.as_str()),
        ("CertificateError", "CERT_HAS_EXPIRED")
    );
    assert!(
        message.contains(&format!(
            "the certificate of {HOST} was refused: it has expired"
        )),
        "{message}"
    );
    assert!(actions.contains("clock"), "{actions}");
}

#[test]
fn self_signed_certificate_fails_at_once_as_self_signed() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (out, _emulator) = refused(self_signed(&[HOST]), &ca);
    let (name, code, message, actions) = error(&out);
    assert_eq!(
        (name.as_str(), code.as_str()),
        ("CertificateError", "DEPTH_ZERO_SELF_SIGNED_CERT")
    );
    assert!(
        message.contains(&format!(
            "the certificate of {HOST} was refused: it is self-signed"
        )),
        "{message}"
    );
    assert!(actions.contains("NODE_EXTRA_CA_CERTS"), "{actions}");
}

#[test]
fn a_bad_node_extra_ca_certs_file_is_a_clear_error() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (emulator, sandbox) = org_behind_tls(ca.issue(&[HOST]));
    let not_pem = pem_file(&sandbox, "notes.txt", "this is not a certificate\n");
    let folder = sandbox.dir.path().to_path_buf();
    let fifo = sandbox.dir.path().join("ca.fifo");
    mkfifo(&fifo);
    for (path, problem) in [
        (not_pem, "it holds no certificate"),
        (folder, "it cannot be read: it is a folder"),
        (fifo, "it cannot be read: it is a FIFO"),
        (sandbox.dir.path().join("missing.pem"), "it cannot be read"),
    ] {
        let out = inspect(&sandbox, &[("NODE_EXTRA_CA_CERTS", os(&path))]);
        assert_eq!(out.code, 2, "{}\n{}", out.stdout, out.stderr);
        let (name, _, message, actions) = error(&out);
        assert_eq!(name, "ExtraCaCertsError");
        assert!(
            message.starts_with("NODE_EXTRA_CA_CERTS names"),
            "{message}"
        );
        assert!(message.contains(problem), "{problem}: {message}");
        assert!(actions.contains("PEM file"), "{actions}");
    }
    assert_eq!(
        emulator.connections(),
        0,
        "nothing is sent without the trust store"
    );
}

/// `org inspect` through `proxy`, given as `proxy_url` (which may carry credentials); no
/// resolver override: the proxy resolves the name, as a corporate proxy does.
fn inspect_via_proxy(sandbox: &Sandbox, ca: &PathBuf, proxy_url: &str) -> Run {
    let mut cmd = sandbox.cmd(&["org", "inspect", "-o", "uat", "--json"]);
    cmd.env("NODE_EXTRA_CA_CERTS", ca)
        .env("HTTPS_PROXY", proxy_url);
    run_within(cmd, Duration::from_secs(60))
}

fn proxy(emulator: &Emulator, credentials: Option<(&str, &str)>, refuse: bool) -> ConnectProxy {
    ConnectProxy::start(ProxyOptions {
        upstream: emulator.addr(),
        credentials: credentials.map(|(u, p)| (u.into(), p.into())),
        refuse,
    })
    .unwrap()
}

fn assert_no_password(sandbox: &Sandbox, out: &Run) {
    let trace = std::fs::read_to_string(sandbox.trace()).unwrap_or_default();
    for (place, text) in [
        ("stdout", &out.stdout),
        ("stderr", &out.stderr),
        ("trace", &trace),
    ] {
        assert!(
            !text.contains(PROXY_PASSWORD),
            "the proxy password is in {place}:\n{text}"
        );
    }
}

#[test]
fn through_a_connect_proxy_the_org_is_reached() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (emulator, sandbox) = org_behind_tls(ca.issue(&[HOST]));
    let corporate = proxy(&emulator, None, false);
    let extra = pem_file(&sandbox, "corporate-ca.pem", &ca.cert_pem());
    let out = inspect_via_proxy(&sandbox, &extra, &corporate.url());
    assert_inspected(&out);
    let target = format!("{HOST}:{}", emulator.port());
    let tunnels = corporate.requests();
    assert!(!tunnels.is_empty());
    assert!(
        tunnels
            .iter()
            .all(|t| t.target == target && t.status == 200),
        "{tunnels:?}"
    );
}

#[test]
fn through_an_authenticating_proxy_the_password_is_sent_and_never_shown() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (emulator, sandbox) = org_behind_tls(ca.issue(&[HOST]));
    let corporate = proxy(&emulator, Some(("jdoe", PROXY_PASSWORD)), false);
    let extra = pem_file(&sandbox, "corporate-ca.pem", &ca.cert_pem());
    let with_password = corporate
        .url()
        .replace("http://", &format!("http://jdoe:{PROXY_PASSWORD}@"));
    let out = inspect_via_proxy(&sandbox, &extra, &with_password);
    assert_inspected(&out);
    assert_no_password(&sandbox, &out);
    assert!(corporate.requests().iter().all(|t| t.status == 200));

    // doctor names the proxy, not its password.
    let mut cmd = sandbox.cmd(&["doctor", "-o", "uat", "--json"]);
    cmd.env("NODE_EXTRA_CA_CERTS", &extra)
        .env("HTTPS_PROXY", &with_password);
    let doctor = run(cmd);
    assert_no_password(&sandbox, &doctor);
    let network = &doctor.json()["result"]["network"];
    assert_eq!(network["proxy"]["url"], corporate.url(), "{network:#}");
    assert_eq!(network["proxy"]["authenticates"], true);
    assert_eq!(network["host"], HOST);
    assert_eq!(network["trustStore"]["extraCaCount"], 1);
}

#[test]
fn a_proxy_asking_for_credentials_fails_at_once_without_showing_the_password() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (emulator, sandbox) = org_behind_tls(ca.issue(&[HOST]));
    let corporate = proxy(&emulator, Some(("jdoe", "the-right-one")), false);
    let extra = pem_file(&sandbox, "corporate-ca.pem", &ca.cert_pem());
    for proxy_url in [
        corporate.url(),
        corporate
            .url()
            .replace("http://", &format!("http://jdoe:{PROXY_PASSWORD}@")),
    ] {
        let before = corporate.requests().len();
        let _ = std::fs::remove_file(sandbox.trace());
        let out = inspect_via_proxy(&sandbox, &extra, &proxy_url);
        assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
        assert_no_password(&sandbox, &out);
        let (name, code, message, actions) = error(&out);
        assert_eq!(
            (name.as_str(), code.as_str()),
            ("ProxyAuthenticationError", "PROXY_AUTHENTICATION_REQUIRED")
        );
        assert!(
            message.contains(&format!(
                "the proxy {} asks for a user name and password (407) to reach {HOST}",
                corporate.url()
            )),
            "{message}"
        );
        assert!(actions.contains("HTTPS_PROXY"), "{actions}");
        let asked = corporate.requests().len() - before;
        assert_eq!(
            asked,
            attempts(&sandbox),
            "one CONNECT a request, none retried"
        );
    }
    assert!(emulator.requests().is_empty());
}

#[test]
fn a_proxy_refusing_the_tunnel_fails_at_once() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (emulator, sandbox) = org_behind_tls(ca.issue(&[HOST]));
    let corporate = proxy(&emulator, None, true);
    let extra = pem_file(&sandbox, "corporate-ca.pem", &ca.cert_pem());
    let out = inspect_via_proxy(&sandbox, &extra, &corporate.url());
    assert_eq!(out.code, 1, "{}\n{}", out.stdout, out.stderr);
    let (name, code, message, actions) = error(&out);
    assert_eq!(
        (name.as_str(), code.as_str()),
        ("ProxyRefusedError", "PROXY_CONNECT_REFUSED")
    );
    assert!(
        message.contains(&format!(
            "the proxy {} refused to open a connection to {HOST}",
            corporate.url()
        )),
        "{message}"
    );
    assert!(actions.contains("NO_PROXY"), "{actions}");
    assert_eq!(
        corporate.requests().len(),
        attempts(&sandbox),
        "one CONNECT a request, none retried"
    );
}

#[test]
fn no_proxy_sends_the_org_direct() {
    let ca = TestCa::new("Acme Corporate Root CA");
    let (emulator, sandbox) = org_behind_tls(ca.issue(&[HOST]));
    // A proxy that would refuse: reaching the org proves it was not used.
    let corporate = proxy(&emulator, None, true);
    let extra = pem_file(&sandbox, "corporate-ca.pem", &ca.cert_pem());
    let proxy_url = corporate.url();
    let env = [
        ("NODE_EXTRA_CA_CERTS", os(&extra)),
        ("HTTPS_PROXY", std::ffi::OsStr::new(&proxy_url)),
        (
            "NO_PROXY",
            std::ffi::OsStr::new(".sandbox.my.salesforce.com"),
        ),
    ];
    assert_inspected(&inspect(&sandbox, &env));
    assert!(
        corporate.requests().is_empty(),
        "{:?}",
        corporate.requests()
    );

    let mut cmd: Command = sandbox.cmd(&["doctor", "-o", "uat", "--json"]);
    cmd.env("LOGIK_REFRESH_TEST_RESOLVE", format!("{HOST}=127.0.0.1"));
    for (name, value) in env {
        cmd.env(name, value);
    }
    let doctor = run(cmd);
    let report = doctor.json();
    assert_valid("doctor", &report);
    assert!(report["result"]["network"]["proxy"].is_null(), "{report:#}");
}
