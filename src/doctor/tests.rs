//! doctor's unit tests.

use super::local::keystore_check;
use super::sf::parse_sf_version;
use super::*;

#[test]
fn sf_versions() {
    assert_eq!(
        parse_sf_version("@salesforce/cli/2.146.3 linux-x64 node-v22.15.0").as_deref(),
        Some("2.146.3")
    );
    assert_eq!(parse_sf_version("sf-cli/1.0 x").as_deref(), Some("1.0"));
    assert_eq!(parse_sf_version("something else"), None);
}

#[test]
fn no_keystore_names_the_variable() {
    let status = keystore::probe(keystore::KeystoreChoice::None);
    let check = keystore_check(&status, 0);
    assert_eq!(check.status, CheckStatus::Warning);
    assert!(
        check
            .actions
            .iter()
            .any(|a| a.contains("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"))
    );
}
