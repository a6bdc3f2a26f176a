//! HTTPS as a customer's machine needs it. Trust: the platform's store (on Linux the system's
//! CA files, or `SSL_CERT_FILE`/`SSL_CERT_DIR` instead when set, as OpenSSL reads them) plus the
//! CAs in the PEM file `NODE_EXTRA_CA_CERTS` names, which is how sf (a Node program) is made to
//! trust a corporate CA behind a TLS-inspecting proxy: in addition to the usual roots, not
//! instead. Proxy: `HTTPS_PROXY`/`ALL_PROXY` and `NO_PROXY`, read by reqwest; [`proxy_for`]
//! reads them the same way (the same code) so that `doctor` and messages name the proxy in use.

use crate::protocol::{Error, Result};
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{CertificateError, DigitallySignedStruct, OtherError, SignatureScheme};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

/// Where sf users put their corporate CA (Node's variable).
pub const EXTRA_CA_VAR: &str = "NODE_EXTRA_CA_CERTS";

/// Starts reading the system's root certificates (what setting up HTTPS costs: a few
/// milliseconds) on a thread of its own, for a command that will surely connect: it goes on
/// with its local work (the project config, sf's files) meanwhile, and its first client finds
/// them read instead of reading them while its org waits.
pub fn prepare_https() {
    let _ = std::thread::Builder::new()
        .name("https setup".into())
        .spawn(|| {
            let _ = tls_config();
        });
}

/// The process's one TLS setup, built by the first thread that asks while the others wait for
/// it (`run --all` starts every org's thread at once); a failure is remembered as well as a
/// success. Each client gets a copy (a client itself is not shared: its connections belong to
/// the runtime that made them).
fn tls_config() -> &'static Result<rustls::ClientConfig> {
    static TLS: std::sync::OnceLock<Result<rustls::ClientConfig>> = std::sync::OnceLock::new();
    TLS.get_or_init(|| {
        // reqwest is built without a bundled crypto provider so that we choose ring
        // (small, fast to build); it must be installed before the first client exists.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let platform = match extra_cas()? {
            Some((path, certs)) => {
                rustls_platform_verifier::Verifier::new_with_extra_roots(certs, provider.clone())
                    .map_err(|e| {
                        bad_extra_cas(&path, &format!("a certificate in it is not valid ({e})"))
                    })?
            }
            None => rustls_platform_verifier::Verifier::new(provider.clone())
                .map_err(|e| setup_error(&e))?,
        };
        let mut tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| setup_error(&e))?
            .dangerous()
            .with_custom_certificate_verifier(Arc::new(Explaining(platform)))
            .with_no_client_auth();
        // As reqwest sets it for a client that speaks HTTP/1.1 only.
        tls.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(tls)
    })
}

fn setup_error(e: &dyn std::fmt::Display) -> Error {
    Error::new("HttpClientError", format!("Could not set up HTTPS: {e}"))
}

/// An HTTP client with the process's one TLS setup ([`tls_config`]).
pub(crate) fn http_client() -> Result<reqwest::Client> {
    let tls = tls_config().clone()?;
    let timeout = super::retry::env_u64("LOGIK_REFRESH_HTTP_TIMEOUT_MS").unwrap_or(60_000);
    let builder = reqwest::Client::builder()
        .user_agent(concat!("logik-refresh/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_millis(timeout.min(10_000)))
        .timeout(Duration::from_millis(timeout))
        .tls_backend_preconfigured(tls)
        // No redirect is followed: one to another host would take the token there, and a 307
        // or 308 would send a write twice. The client turns a redirect into a clear error.
        .redirect(reqwest::redirect::Policy::none());
    test_resolver::apply(builder)
        .build()
        .map_err(|e| setup_error(&e))
}

/// The CAs `NODE_EXTRA_CA_CERTS` names (`None` when it is unset or empty), read as every file
/// is (a regular file, bounded). Unlike Node, which warns and goes on without them, a file
/// that cannot be used is an error: going on would only fail later with "unknown issuer".
fn extra_cas() -> Result<Option<(PathBuf, Vec<CertificateDer<'static>>)>> {
    use rustls::pki_types::pem::PemObject;
    let Some(path) = std::env::var_os(EXTRA_CA_VAR).filter(|p| !p.is_empty()) else {
        return Ok(None);
    };
    let path = PathBuf::from(path);
    let bytes = crate::fsutil::read_bounded(&path)
        .map_err(|e| bad_extra_cas(&path, &format!("it cannot be read: {e}")))?;
    let certs = CertificateDer::pem_slice_iter(&bytes)
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| bad_extra_cas(&path, &format!("it is not PEM ({e})")))?;
    if certs.is_empty() {
        return Err(bad_extra_cas(
            &path,
            "it holds no certificate (no -----BEGIN CERTIFICATE----- block)",
        ));
    }
    Ok(Some((path, certs)))
}

fn bad_extra_cas(path: &std::path::Path, problem: &str) -> Error {
    Error::input(
        "ExtraCaCertsError",
        format!("{EXTRA_CA_VAR} names {path:?}, but {problem}."),
    )
    .with_action(format!(
        "Point {EXTRA_CA_VAR} at a PEM file holding your company's root CA certificate (the same file sf uses), or unset it."
    ))
}

/// The trust store the tool uses, for `doctor`: which variables change it.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TrustStore {
    /// `SSL_CERT_FILE`, which replaces the system's CA files on Linux (as for OpenSSL).
    pub ssl_cert_file: Option<String>,
    /// `SSL_CERT_DIR`, likewise.
    pub ssl_cert_dir: Option<String>,
    /// `NODE_EXTRA_CA_CERTS`: CAs trusted in addition (as sf does).
    pub extra_ca_certs: Option<String>,
    /// How many certificates that file holds (`None` when unset).
    pub extra_ca_count: Option<usize>,
    /// Why the trust store cannot be set up (a bad `NODE_EXTRA_CA_CERTS`).
    pub error: Option<String>,
}

/// The trust store in use (see the module's comment).
pub fn trust_store() -> TrustStore {
    let var = |name: &str| {
        std::env::var_os(name).filter(|v| !v.is_empty()).map(|v| {
            format!("{:?}", PathBuf::from(v))
                .trim_matches('"')
                .to_string()
        })
    };
    let linux_only = |name: &str| {
        if cfg!(all(unix, not(target_vendor = "apple"))) {
            var(name)
        } else {
            None
        }
    };
    let (extra_ca_count, error) = match extra_cas() {
        Ok(found) => (found.map(|(_, certs)| certs.len()), None),
        Err(e) => (None, Some(e.message)),
    };
    TrustStore {
        ssl_cert_file: linux_only("SSL_CERT_FILE"),
        ssl_cert_dir: linux_only("SSL_CERT_DIR"),
        extra_ca_certs: var(EXTRA_CA_VAR),
        extra_ca_count,
        error,
    }
}

/// The proxy a request to `url` goes through, for `doctor` and messages.
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct ProxyInUse {
    /// `http://host:port` of the proxy, without credentials.
    pub url: String,
    /// Whether credentials are sent to it (they are never shown).
    pub authenticates: bool,
}

/// The proxy reqwest uses for `url` (`None`: direct, no proxy set or `NO_PROXY` matches). The
/// same reading of the same variables as reqwest's (hyper-util's matcher).
pub fn proxy_for(url: &reqwest::Url) -> Option<ProxyInUse> {
    let uri: hyper_util::client::proxy::matcher::Matcher =
        hyper_util::client::proxy::matcher::Matcher::from_system();
    let dst = url.as_str().parse::<http::Uri>().ok()?;
    let intercept = uri.intercept(&dst)?;
    // The matcher's URI keeps no credentials; scrubbed all the same.
    Some(ProxyInUse {
        url: crate::redacted::scrub(intercept.uri().to_string().trim_end_matches('/')),
        authenticates: intercept.basic_auth().is_some() || intercept.raw_auth().is_some(),
    })
}

/// The platform verifier, saying "self-signed" where it says "unknown issuer" of a certificate
/// that signed itself (the issuer is the subject): a different thing to fix.
#[derive(Debug)]
struct Explaining(rustls_platform_verifier::Verifier);

/// A certificate that names itself as its issuer.
#[derive(Debug)]
pub(crate) struct SelfSigned;

impl std::fmt::Display for SelfSigned {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("self-signed certificate")
    }
}

impl std::error::Error for SelfSigned {}

impl ServerCertVerifier for Explaining {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> std::result::Result<ServerCertVerified, rustls::Error> {
        self.0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
            .map_err(|e| match e {
                rustls::Error::InvalidCertificate(CertificateError::UnknownIssuer)
                    if intermediates.is_empty() && is_self_issued(end_entity) =>
                {
                    rustls::Error::InvalidCertificate(CertificateError::Other(OtherError(
                        Arc::new(SelfSigned),
                    )))
                }
                e => e,
            })
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> std::result::Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// Whether a certificate's issuer is its subject (compared as encoded, which is how a
/// self-signed certificate repeats its name). Walks the DER of `Certificate ::= SEQUENCE {
/// tbsCertificate SEQUENCE { [0] version OPTIONAL, serialNumber, signature, issuer, validity,
/// subject, ... } ... }` (RFC 5280 section 4.1); anything unexpected is "no".
fn is_self_issued(cert: &[u8]) -> bool {
    /// Splits the first TLV off `der`: (tag, whole TLV, rest).
    fn tlv(der: &[u8]) -> Option<(u8, &[u8], &[u8])> {
        let (&tag, rest) = der.split_first()?;
        let (&first, rest) = rest.split_first()?;
        let (len, header) = if first < 0x80 {
            (usize::from(first), 2)
        } else {
            let n = usize::from(first & 0x7f);
            if n == 0 || n > 4 || rest.len() < n {
                return None;
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, b| acc << 8 | usize::from(*b));
            (len, 2 + n)
        };
        let total = header.checked_add(len)?;
        (der.len() >= total).then(|| (tag, &der[..total], &der[total..]))
    }
    fn contents(whole: &[u8]) -> &[u8] {
        let skip = if whole[1] < 0x80 {
            2
        } else {
            2 + usize::from(whole[1] & 0x7f)
        };
        &whole[skip..]
    }
    let parse = || {
        let (_, cert, _) = tlv(cert)?;
        let (_, tbs, _) = tlv(contents(cert))?;
        let mut rest = contents(tbs);
        let (tag, _, after) = tlv(rest)?;
        if tag == 0xa0 {
            rest = after;
        }
        let (_, _serial, rest) = tlv(rest)?;
        let (_, _signature, rest) = tlv(rest)?;
        let (_, issuer, rest) = tlv(rest)?;
        let (_, _validity, rest) = tlv(rest)?;
        let (_, subject, _) = tlv(rest)?;
        Some(issuer == subject)
    };
    parse().unwrap_or(false)
}

/// Tests reach the emulator under an org's DNS name (`*.sandbox.my.salesforce.com`) through
/// the real TLS stack: `LOGIK_REFRESH_TEST_RESOLVE=host=127.0.0.1[,host=...]` makes those names
/// resolve to a loopback address. Only in debug builds (the release binary ignores it), and
/// only to loopback; even so it grants nothing the environment does not already: whoever sets
/// the tool's variables can set `HTTPS_PROXY` and `SSL_CERT_FILE`, and the certificate is still
/// checked for the name, so the token only goes to a server the trust store vouches for.
mod test_resolver {
    #[cfg(debug_assertions)]
    pub(super) fn apply(mut builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        let Ok(spec) = std::env::var("LOGIK_REFRESH_TEST_RESOLVE") else {
            return builder;
        };
        for entry in spec.split(',') {
            let Some((host, ip)) = entry.split_once('=') else {
                continue;
            };
            if let Ok(ip) = ip.trim().parse::<std::net::IpAddr>()
                && ip.is_loopback()
            {
                // Port 0: the URL's port is used.
                builder = builder.resolve(host.trim(), std::net::SocketAddr::new(ip, 0));
            }
        }
        builder
    }

    #[cfg(not(debug_assertions))]
    pub(super) fn apply(builder: reqwest::ClientBuilder) -> reqwest::ClientBuilder {
        builder
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use logik_org_emulator::tls::{TestCa, self_signed};
    use rustls::pki_types::pem::PemObject;

    #[test]
    fn a_self_signed_certificate_is_told_from_an_issued_one() {
        let der = |pem: &str| CertificateDer::from_pem_slice(pem.as_bytes()).unwrap();
        assert!(is_self_issued(&der(&self_signed(&["a.example"]).chain_pem)));
        let ca = TestCa::new("Test CA");
        assert!(is_self_issued(&der(&ca.cert_pem())));
        assert!(!is_self_issued(&der(&ca.issue(&["a.example"]).chain_pem)));
        for garbage in [
            &b""[..],
            b"\x30",
            b"\x30\x84\xff\xff\xff\xff",
            b"\x30\x03\x02\x01\x00",
        ] {
            assert!(!is_self_issued(garbage));
        }
    }
}
