//! sf's auth store: `~/.sfdx/<username>.json`, one file per logged-in org, read (never written).
//!
//! Fields whose name has `token`, `password` or `secret` in it are stored encrypted
//! (`AuthInfoConfig.encryptedKeys`); sf decrypts a value only when it has the encrypted shape
//! (`Crypto.isEncrypted`) and hands any other value through as plain text. This module does the
//! same, except that a value that is plainly a damaged encrypted one (hexadecimal, or with a
//! `:`) is an error rather than a "token" the server would refuse.

use crate::path_part::PathPart;
use crate::redacted::Secret;
use crate::sf::crypto::{self, DecryptError, looks_encrypted};
use crate::sf::home::sfdx_dir;
use crate::sf::keychain::{KeySource, LoadedKey};
use crate::{Error, Result};
use serde_json::{Map, Value};
use std::fmt;
use std::path::{Path, PathBuf};

/// The path of a username's auth file, or `None` when the name cannot be one (see
/// [`PathPart::username`]): a name never reaches outside `~/.sfdx`.
pub fn auth_file_path(home: &Path, username: &str) -> Option<PathBuf> {
    PathPart::username(username).map(|name| sfdx_dir(home).join(name.file("json")))
}

/// The usernames of the auth files in `~/.sfdx` (names sf's `OrgAccessor` lists:
/// `<local>@<domain>.<tld>.json`, not starting with a dot), sorted.
pub fn list_auth_usernames(home: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(sfdx_dir(home)) else {
        return Vec::new();
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter_map(|name| {
            let stem = name.strip_suffix(".json")?;
            is_auth_file_stem(stem).then(|| stem.to_string())
        })
        .collect();
    names.sort();
    names
}

/// sf's auth file name pattern (`^[^.][^@]*@[^.]+(\.[^.\s]+)+\.json$`) without the suffix.
fn is_auth_file_stem(stem: &str) -> bool {
    if stem.starts_with('.') {
        return false;
    }
    let Some((local, domain)) = stem.split_once('@') else {
        return false;
    };
    if local.is_empty() {
        return false;
    }
    let labels: Vec<&str> = domain.split('.').collect();
    labels.len() >= 2
        && labels.iter().all(|l| !l.is_empty())
        && labels[1..]
            .iter()
            .all(|l| !l.chars().any(char::is_whitespace))
}

/// An auth file as stored: the encrypted fields still encrypted. Its `Debug` leaves them out.
#[derive(Clone)]
pub struct AuthFile {
    pub path: PathBuf,
    /// The file's JSON object.
    pub fields: Map<String, Value>,
}

impl fmt::Debug for AuthFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let keys: Vec<&String> = self.fields.keys().collect();
        f.debug_struct("AuthFile")
            .field("path", &self.path)
            .field("fields", &keys)
            .finish()
    }
}

impl AuthFile {
    /// A text field (not one of the encrypted ones: see [`AuthFile::encrypted`]).
    pub fn text(&self, name: &str) -> Option<&str> {
        self.fields
            .get(name)
            .and_then(Value::as_str)
            .filter(|s| !s.is_empty())
    }

    pub fn flag(&self, name: &str) -> Option<bool> {
        self.fields.get(name).and_then(Value::as_bool)
    }

    /// An encrypted field's stored text, wrapped so it cannot be printed.
    pub fn encrypted(&self, name: &str) -> Option<Secret> {
        self.text(name).map(Secret::new)
    }
}

fn login_action(username: &str) -> String {
    format!(
        "Run \"sf org login web --alias <alias>\" to log in to {username} again (for a sandbox, add \
         --instance-url https://test.salesforce.com or its My Domain URL), then run the command again."
    )
}

/// Reads `~/.sfdx/<username>.json` without decrypting anything.
pub fn read_auth_file(home: &Path, username: &str) -> Result<AuthFile> {
    let not_found = || {
        Error::input(
            "NamedOrgNotFoundError",
            format!("No authorization information found for {username}."),
        )
        .with_action(login_action(username))
    };
    let path = auth_file_path(home, username).ok_or_else(not_found)?;
    let text = match crate::fsutil::read_bounded_text_if_present(&path) {
        Ok(Some(text)) => text,
        Ok(None) => return Err(not_found()),
        Err(e) => {
            return Err(Error::new(
                "AuthFileReadError",
                format!("Cannot read sf's auth file {}: {e}.", path.display()),
            )
            .with_action(format!("Make {} readable by this user.", path.display())));
        }
    };
    let format_error = |what: &str| {
        Error::new(
            "AuthFileFormatError",
            format!("sf's auth file {} {what}.", path.display()),
        )
        .with_action(login_action(username))
    };
    let fields = match serde_json::from_str::<Value>(&text) {
        Ok(Value::Object(map)) => map,
        _ => return Err(format_error("is not a JSON object")),
    };
    let file = AuthFile {
        path: path.clone(),
        fields,
    };
    if file.text("instanceUrl").is_none() {
        return Err(format_error("has no instanceUrl"));
    }
    if file.text("accessToken").is_none() {
        return Err(format_error("has no accessToken"));
    }
    Ok(file)
}

/// A logged-in org from sf's auth store, tokens decrypted.
#[derive(Debug, Clone)]
pub struct StoredAuth {
    pub username: String,
    pub org_id: Option<String>,
    pub instance_url: String,
    pub login_url: Option<String>,
    pub client_id: Option<String>,
    /// `clientSecret`: the connected app's consumer secret, when sf stored one (decrypted).
    pub client_secret: Option<Secret>,
    /// `privateKey` is set: the org was authorized with JWT, and has no refresh token.
    pub jwt: bool,
    pub access_token: Secret,
    pub refresh_token: Option<Secret>,
    /// `instanceApiVersion`: the org's API version when sf last looked.
    pub api_version: Option<String>,
    pub is_sandbox: Option<bool>,
    pub instance_name: Option<String>,
    pub org_edition: Option<String>,
    /// `name`: the organization's name.
    pub org_name: Option<String>,
    pub path: PathBuf,
}

/// Reads `~/.sfdx/<username>.json` and decrypts its access and refresh tokens with sf's key.
pub fn load_stored_auth(home: &Path, username: &str, key: &LoadedKey) -> Result<StoredAuth> {
    let file = read_auth_file(home, username)?;
    let username = file.text("username").unwrap_or(username).to_string();
    let open = |field: &str| -> Result<Option<Secret>> {
        match file.text(field) {
            None => Ok(None),
            Some(stored) => decrypt_field(stored, field, &file.path, &username, key).map(Some),
        }
    };
    let access_token = open("accessToken")?.ok_or_else(|| {
        Error::new(
            "AuthFileFormatError",
            format!("sf's auth file {} has no accessToken.", file.path.display()),
        )
    })?;
    let refresh_token = open("refreshToken")?;
    let client_secret = open("clientSecret")?;
    let text = |name: &str| file.text(name).map(str::to_string);
    Ok(StoredAuth {
        org_id: text("orgId"),
        instance_url: text("instanceUrl").unwrap_or_default(),
        login_url: text("loginUrl"),
        client_id: text("clientId"),
        client_secret,
        jwt: file.text("privateKey").is_some(),
        access_token,
        refresh_token,
        api_version: text("instanceApiVersion"),
        is_sandbox: file.flag("isSandbox"),
        instance_name: text("instanceName"),
        org_edition: text("orgEdition"),
        org_name: text("name"),
        path: file.path.clone(),
        username,
    })
}

/// One stored field in clear: decrypted when it has sf's encrypted shape, handed through when
/// it is plain text (as sf does), an error when it is a damaged encrypted value. Whatever comes
/// out is held ([`Secret::hold`]): no output will ever show it.
fn decrypt_field(
    stored: &str,
    field: &str,
    path: &Path,
    username: &str,
    key: &LoadedKey,
) -> Result<Secret> {
    let stored = stored.trim();
    let damaged = stored.contains(':')
        || (stored.len() >= 6 && stored.bytes().all(|b| b.is_ascii_hexdigit()));
    if !looks_encrypted(stored) && !damaged {
        return Ok(Secret::held(stored));
    }
    let secret = crypto::decrypt_detailed(stored, &key.key)
        .map_err(|reason| decrypt_error(&reason, field, path, username, &key.source))?;
    secret.hold();
    Ok(secret)
}

fn decrypt_error(
    reason: &DecryptError,
    field: &str,
    path: &Path,
    username: &str,
    source: &KeySource,
) -> Error {
    let mut err = Error::new(
        "AuthDecryptError",
        format!(
            "Could not decrypt {field} in sf's auth file {} with the key from the {source}: {reason}.",
            path.display()
        ),
    )
    .with_action(login_action(username))
    .with_data(serde_json::json!({
        "authFile": path.display().to_string(),
        "field": field,
        "keySource": source.to_string(),
    }));
    if matches!(reason, DecryptError::WrongKey) {
        err = err.with_action(match source {
            KeySource::MacKeychain => "The macOS keychain entry (account local, service sfdx) may be out of sync with \
                                       ~/.sfdx: logging in again with sf re-syncs them."
                .to_string(),
            KeySource::KeyFile(key_file) => format!(
                "If ~/.sfdx was copied from another machine or user, {} must come with it.",
                key_file.display()
            ),
            KeySource::SecretTool(_) => "If ~/.sfdx was copied from another machine or user, its Secret Service \
                                         entry (user local, domain sfdx) must come with it, or set \
                                         SF_USE_GENERIC_UNIX_KEYCHAIN=true when sf used ~/.sfdx/key.json there."
                .to_string(),
        });
    }
    err
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf::crypto::SfKey;
    use std::fs;

    const TOKEN: &str = "00D5e000000AbCd!AQ4AQKnownTokenValue.For_Tests";
    const USER: &str = "admin@acme.com.uat";
    const V1_AUTH: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sf-cli-2.146.3/v1-authfile.json"
    ));
    const V2_AUTH: &str = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/sf-cli-2.146.3/v2-authfile.json"
    ));
    const V1_KEY: &str = "0de6bfdf43c69135b8aa04c35092b21e";
    const V2_KEY: &str = "d8df9058dbdf33ce9c5c32b5e641ffa37caa8d07d955b3d76f9981bf601ab3a2";

    fn loaded(hex: &str, home: &Path) -> LoadedKey {
        LoadedKey {
            key: SfKey::from_hex(hex).unwrap(),
            source: KeySource::KeyFile(home.join(".sfdx/key.json")),
        }
    }

    fn home_with(auth: &str) -> tempfile::TempDir {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join(".sfdx");
        fs::create_dir_all(&dir).unwrap();
        fs::write(dir.join(format!("{USER}.json")), auth).unwrap();
        home
    }

    #[test]
    fn loads_sf_v1_and_v2_fixtures() {
        for (auth, key) in [(V1_AUTH, V1_KEY), (V2_AUTH, V2_KEY)] {
            let home = home_with(auth);
            let stored = load_stored_auth(home.path(), USER, &loaded(key, home.path())).unwrap();
            assert_eq!(stored.access_token.expose(), TOKEN);
            assert_eq!(stored.username, USER);
            assert_eq!(stored.org_id.as_deref(), Some("00D5e000000AbCdEAK"));
            assert_eq!(stored.instance_url, "http://127.0.0.1:8765/");
            assert_eq!(stored.login_url.as_deref(), Some("http://127.0.0.1:8765/"));
            assert_eq!(stored.api_version.as_deref(), Some("62.0"));
            assert_eq!(stored.is_sandbox, Some(true));
            assert_eq!(stored.instance_name.as_deref(), Some("CS42"));
            assert_eq!(stored.org_edition.as_deref(), Some("Enterprise Edition"));
            assert_eq!(stored.org_name.as_deref(), Some("Acme"));
            assert!(stored.refresh_token.is_none());
            assert!(stored.client_id.is_none());
            assert_eq!(stored.path, home.path().join(format!(".sfdx/{USER}.json")));
            assert!(!format!("{stored:?}").contains("KnownToken"));
        }
    }

    #[test]
    fn refresh_token_is_decrypted_too() {
        let key = SfKey::from_hex(V2_KEY).unwrap();
        let mut json: Value = serde_json::from_str(V2_AUTH).unwrap();
        json["refreshToken"] =
            crypto::encrypt("5Aep861refresh", &key, "00112233445566778899aabb").into();
        json["clientId"] = "3MVG9app".into();
        json["clientSecret"] =
            crypto::encrypt("app-consumer-secret", &key, "aabbccddeeff001122334455").into();
        let home = home_with(&json.to_string());
        let stored = load_stored_auth(home.path(), USER, &loaded(V2_KEY, home.path())).unwrap();
        assert_eq!(
            stored.refresh_token.as_ref().unwrap().expose(),
            "5Aep861refresh"
        );
        assert_eq!(stored.client_id.as_deref(), Some("3MVG9app"));
        assert_eq!(
            stored.client_secret.as_ref().unwrap().expose(),
            "app-consumer-secret"
        );
        assert!(!stored.jwt);
        assert!(!format!("{stored:?}").contains("app-consumer-secret"));
    }

    #[test]
    fn a_private_key_marks_a_jwt_org() {
        let mut json: Value = serde_json::from_str(V2_AUTH).unwrap();
        json["privateKey"] = "/home/ci/server.key".into();
        json["clientId"] = "3MVG9jwt".into();
        let home = home_with(&json.to_string());
        let stored = load_stored_auth(home.path(), USER, &loaded(V2_KEY, home.path())).unwrap();
        assert!(stored.jwt && stored.refresh_token.is_none() && stored.client_secret.is_none());
    }

    #[test]
    fn wrong_key_names_file_and_key_source() {
        let home = home_with(V1_AUTH);
        let err = load_stored_auth(home.path(), USER, &loaded(V2_KEY, home.path())).unwrap_err();
        assert_eq!(err.name, "AuthDecryptError");
        assert!(
            err.message.contains(&format!("{USER}.json")),
            "{}",
            err.message
        );
        assert!(err.message.contains("key file"), "{}", err.message);
        assert!(err.actions[0].contains("sf org login web"));
        let all = format!("{} {:?} {:?}", err.message, err.actions, err.data);
        assert!(!all.contains("8237076c5f73"), "no stored value: {all}");
        assert!(
            !all.contains(V2_KEY) && !all.contains(V1_KEY),
            "no key: {all}"
        );
    }

    #[test]
    fn damaged_token_is_an_error() {
        let mut json: Value = serde_json::from_str(V1_AUTH).unwrap();
        let stored = json["accessToken"].as_str().unwrap().to_string();
        json["accessToken"] = stored.split(':').next().unwrap().into(); // tag lost
        let home = home_with(&json.to_string());
        let err = load_stored_auth(home.path(), USER, &loaded(V1_KEY, home.path())).unwrap_err();
        assert_eq!(err.name, "AuthDecryptError");
    }

    #[test]
    fn plain_token_passes_through_like_sf() {
        let mut json: Value = serde_json::from_str(V1_AUTH).unwrap();
        json["accessToken"] = TOKEN.into();
        let home = home_with(&json.to_string());
        let stored = load_stored_auth(home.path(), USER, &loaded(V1_KEY, home.path())).unwrap();
        assert_eq!(stored.access_token.expose(), TOKEN);
    }

    #[test]
    fn missing_file_is_named_org_not_found() {
        let home = tempfile::tempdir().unwrap();
        let err = read_auth_file(home.path(), "nobody@acme.com").unwrap_err();
        assert_eq!(err.name, "NamedOrgNotFoundError");
        assert!(err.actions[0].contains("sf org login"));
        let err = read_auth_file(home.path(), "../etc/passwd").unwrap_err();
        assert_eq!(err.name, "NamedOrgNotFoundError");
    }

    #[test]
    fn malformed_files() {
        for (text, what) in [
            ("[]", "not a JSON object"),
            ("{", "not a JSON object"),
            (r#"{"accessToken":"x"}"#, "no instanceUrl"),
            (
                r#"{"instanceUrl":"https://x.my.salesforce.com"}"#,
                "no accessToken",
            ),
        ] {
            let home = home_with(text);
            let err = read_auth_file(home.path(), USER).unwrap_err();
            assert_eq!(err.name, "AuthFileFormatError");
            assert!(err.message.contains(what), "{}", err.message);
        }
    }

    #[test]
    fn raw_file_debug_hides_values() {
        let home = home_with(V1_AUTH);
        let file = read_auth_file(home.path(), USER).unwrap();
        let shown = format!("{file:?}");
        assert!(
            shown.contains("accessToken") && !shown.contains("8237076c"),
            "{shown}"
        );
        assert!(file.encrypted("accessToken").is_some());
    }

    #[test]
    fn lists_usernames_like_sf() {
        let home = home_with(V1_AUTH);
        let dir = home.path().join(".sfdx");
        for name in [
            "key.json",
            "alias.json",
            ".hidden@x.com.json",
            "a@b.json",
            "x@y.co.uk.json",
        ] {
            fs::write(dir.join(name), "{}").unwrap();
        }
        assert_eq!(
            list_auth_usernames(home.path()),
            vec![USER.to_string(), "x@y.co.uk".into()]
        );
        assert!(list_auth_usernames(&home.path().join("none")).is_empty());
    }
}
