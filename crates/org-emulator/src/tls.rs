//! The emulator behind real TLS, as a customer's machine reaches an org: under a DNS name
//! (`acme--uat.sandbox.my.salesforce.com`), with a certificate a CA issued. Tests make their own
//! CA here and the certificates a network meets: one the CA issued for the org's name, one for
//! another name, an expired one, a self-signed one, and one from a CA nobody trusts.

use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, IsCa, KeyPair, KeyUsagePurpose,
    date_time_ymd,
};

/// What the emulator presents: its certificate chain and private key, in PEM.
#[derive(Clone, Debug)]
pub struct ServerIdentity {
    pub chain_pem: String,
    pub key_pem: String,
}

/// A certificate authority made for one test (a corporate CA, a TLS-inspecting proxy's).
pub struct TestCa {
    issuer: CertifiedIssuer<'static, KeyPair>,
}

impl TestCa {
    /// A new root CA named `name` (its Common Name).
    pub fn new(name: &str) -> TestCa {
        let mut params = CertificateParams::new(Vec::<String>::new()).expect("CA parameters");
        params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        params.distinguished_name.push(DnType::CommonName, name);
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let key = KeyPair::generate().expect("a CA key");
        TestCa {
            issuer: CertifiedIssuer::self_signed(params, key).expect("a CA certificate"),
        }
    }

    /// The CA's certificate in PEM: what a user puts in `NODE_EXTRA_CA_CERTS`.
    pub fn cert_pem(&self) -> String {
        self.issuer.pem()
    }

    /// A server certificate for `hosts`, valid now (rcgen's default: 1975 to 4096).
    pub fn issue(&self, hosts: &[&str]) -> ServerIdentity {
        self.issue_with(hosts, |_| {})
    }

    /// A server certificate for `hosts` that expired in 2021.
    pub fn issue_expired(&self, hosts: &[&str]) -> ServerIdentity {
        self.issue_with(hosts, |params| {
            params.not_before = date_time_ymd(2020, 1, 1);
            params.not_after = date_time_ymd(2021, 1, 1);
        })
    }

    fn issue_with(
        &self,
        hosts: &[&str],
        adjust: impl FnOnce(&mut CertificateParams),
    ) -> ServerIdentity {
        let mut params = leaf_params(hosts);
        adjust(&mut params);
        let key = KeyPair::generate().expect("a server key");
        let cert = params.signed_by(&key, &self.issuer).expect("a server cert");
        ServerIdentity {
            chain_pem: cert.pem(),
            key_pem: key.serialize_pem(),
        }
    }
}

/// A certificate for `hosts` signed by its own key (issuer = subject), as a device's default
/// certificate is.
pub fn self_signed(hosts: &[&str]) -> ServerIdentity {
    let key = KeyPair::generate().expect("a server key");
    let cert = leaf_params(hosts).self_signed(&key).expect("a cert");
    ServerIdentity {
        chain_pem: cert.pem(),
        key_pem: key.serialize_pem(),
    }
}

fn leaf_params(hosts: &[&str]) -> CertificateParams {
    let names: Vec<String> = hosts.iter().map(|h| h.to_string()).collect();
    let mut params = CertificateParams::new(names).expect("server parameters");
    params.distinguished_name.push(
        DnType::CommonName,
        hosts.first().copied().unwrap_or("server"),
    );
    params
}

/// The server side of TLS for the emulator's listener (HTTP/1.1 only, as the tool speaks).
pub(crate) fn acceptor(identity: &ServerIdentity) -> std::io::Result<tokio_rustls::TlsAcceptor> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let invalid = |e: &dyn std::fmt::Display| std::io::Error::other(e.to_string());
    let chain = CertificateDer::pem_slice_iter(identity.chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| invalid(&e))?;
    let key =
        PrivateKeyDer::from_pem_slice(identity.key_pem.as_bytes()).map_err(|e| invalid(&e))?;
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| invalid(&e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| invalid(&e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(tokio_rustls::TlsAcceptor::from(Arc::new(config)))
}
