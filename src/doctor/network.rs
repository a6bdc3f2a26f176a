//! The network as the tool will use it: the trust store (the platform's, `SSL_CERT_FILE`/
//! `SSL_CERT_DIR`, `NODE_EXTRA_CA_CERTS`) and the proxy for the org (`HTTPS_PROXY`,
//! `NO_PROXY`), its password never shown.

use super::*;
use crate::salesforce::https::{self, EXTRA_CA_VAR, ProxyInUse, TrustStore};

/// Where the org is reached through, for the report.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct NetworkReport {
    pub trust_store: TrustStore,
    /// The host the proxy was looked up for: the org's, else `login.salesforce.com`.
    pub host: String,
    /// The proxy requests to that host go through; null: direct.
    pub proxy: Option<ProxyInUse>,
}

/// Doesn't touch the network: reads the variables and the CA file.
pub(super) fn check_network(org: &OrgReport) -> (NetworkReport, DoctorCheck) {
    let url = org
        .instance_url
        .as_deref()
        .and_then(|u| reqwest::Url::parse(u).ok())
        .filter(|u| u.host_str().is_some())
        .unwrap_or_else(|| reqwest::Url::parse("https://login.salesforce.com/").expect("a URL"));
    let host = url.host_str().unwrap_or_default().to_string();
    let trust_store = https::trust_store();
    let proxy = https::proxy_for(&url);
    let mut roots = match (&trust_store.ssl_cert_file, &trust_store.ssl_cert_dir) {
        (None, None) => "the system's CAs".to_string(),
        (file, dir) => {
            let named: Vec<String> = [("SSL_CERT_FILE", file), ("SSL_CERT_DIR", dir)]
                .into_iter()
                .filter_map(|(name, v)| v.as_ref().map(|v| format!("{name}={v}")))
                .collect();
            format!("CAs from {}", named.join(" and "))
        }
    };
    if let (Some(path), Some(n)) = (&trust_store.extra_ca_certs, trust_store.extra_ca_count) {
        let _ = std::fmt::Write::write_fmt(
            &mut roots,
            format_args!(" + {n} from {EXTRA_CA_VAR}={path}"),
        );
    }
    let route = match &proxy {
        Some(p) if p.authenticates => format!("through the proxy {} (with credentials)", p.url),
        Some(p) => format!("through the proxy {}", p.url),
        None => "direct (no proxy)".to_string(),
    };
    let detail = format!("trust: {roots}; {host}: {route}");
    let check = match &trust_store.error {
        Some(error) => DoctorCheck {
            name: CheckName::Network,
            status: CheckStatus::Error,
            detail: format!("{error} ({detail})"),
            actions: vec![format!(
                "Point {EXTRA_CA_VAR} at a PEM file holding your company's root CA certificate (the same file sf uses), or unset it."
            )],
        },
        None => check(CheckName::Network, CheckStatus::Ok, detail),
    };
    (
        NetworkReport {
            trust_store,
            host,
            proxy,
        },
        check,
    )
}
