//! The org's connected apps, as far as token requests care: the seeds' app that requires its
//! secret on refresh and the app with a certificate for the JWT bearer flow (see `auth.rs` for
//! the flows and the pages they follow).

/// A connected app of the org, as far as token requests care.
#[derive(Clone, Debug, Default)]
pub struct ConnectedApp {
    /// The consumer key (`client_id`, or a JWT's `iss`).
    pub consumer_key: String,
    /// The consumer secret; with `require_secret_for_refresh`, a refresh must send it.
    pub consumer_secret: Option<String>,
    /// "Require Secret for Refresh Token Flow".
    pub require_secret_for_refresh: bool,
    /// The public key of the certificate uploaded for "Use digital signatures" (an RSA key,
    /// PKCS#1 DER): the JWT bearer flow is open to this app only with it.
    pub certificate_public_key: Option<Vec<u8>>,
}

/// The consumer key of the seeds' app that requires its secret on refresh (see
/// [`ConnectedApp::secret_required`]).
pub const SECRET_APP_CONSUMER_KEY: &str = "3MVG9LogikRefresh.SecretRequiredApp";
/// That app's consumer secret.
pub const SECRET_APP_CONSUMER_SECRET: &str = "8C1E5A0F2B7D4e96SecretAppConsumerSecret.For_Tests";
/// The consumer key of the seeds' app for the JWT bearer flow (see [`ConnectedApp::jwt`]).
pub const JWT_APP_CONSUMER_KEY: &str = "3MVG9LogikRefresh.JwtApp";
/// The private key (PKCS#8 PEM) whose certificate the JWT app holds: for tests only, so that sf
/// can sign its assertion (`sf org login jwt --jwt-key-file`).
pub const JWT_TEST_PRIVATE_KEY_PEM: &str = include_str!("../testdata/jwt-test-key.pem");
const JWT_TEST_PUBLIC_KEY_DER: &[u8] = include_bytes!("../testdata/jwt-test-public-key.der");

impl ConnectedApp {
    /// A connected app with "Require Secret for Refresh Token Flow" on.
    pub fn secret_required() -> ConnectedApp {
        ConnectedApp {
            consumer_key: SECRET_APP_CONSUMER_KEY.to_string(),
            consumer_secret: Some(SECRET_APP_CONSUMER_SECRET.to_string()),
            require_secret_for_refresh: true,
            certificate_public_key: None,
        }
    }

    /// A connected app with a certificate for the JWT bearer flow (the key of
    /// [`JWT_TEST_PRIVATE_KEY_PEM`]), its users pre-authorized.
    pub fn jwt() -> ConnectedApp {
        ConnectedApp {
            consumer_key: JWT_APP_CONSUMER_KEY.to_string(),
            consumer_secret: None,
            require_secret_for_refresh: false,
            certificate_public_key: Some(JWT_TEST_PUBLIC_KEY_DER.to_vec()),
        }
    }
}
