//! Writing a renewal back into sf's auth file, so that sf's own login keeps working.
//!
//! With Refresh Token Rotation on (the connected app's or the org's setting), a renewal answers
//! a new refresh token and invalidates the one sent, and sending the invalidated one again
//! revokes the whole family (Salesforce Help, "OAuth 2.0 Refresh Token Flow for Renewed
//! Sessions"). The tool renews with the refresh token sf stored, so it must store what it got
//! the way sf stores a renewal (sfdx-core's `AuthInfo.save` through `ConfigFile.write`):
//!
//! - under sf's lock: `proper-lockfile` makes the folder `<file>.lock`; a lock whose folder is
//!   older than 10 seconds is stale and taken over; a fresh one is waited for, up to 10 tries
//!   a second apart (sfdx-core's `lockRetryOptions`);
//! - the file read again under the lock, only `accessToken` (and `refreshToken` when the org
//!   rotated it) changed, every other field kept as it is, in its order;
//! - the tokens encrypted as sf encrypts them, with the key that opened the file (v1 or v2,
//!   a fresh random IV each);
//! - written as `JSON.stringify(contents, null, 2)` writes it, through a temporary file renamed
//!   over the old one (sf writes in place; a rename is never half a file), the file's mode kept.
//!
//! When the file no longer holds the refresh token that was renewed (sf logged in again
//! meanwhile), nothing is written: what sf stored is newer than what the tool has.

use crate::protocol::{Error, Result};
use crate::redacted::Secret;
use crate::sf::crypto::{SfKey, decrypt_detailed, encrypt_fresh, looks_encrypted};
use serde_json::{Map, Value};
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

/// sfdx-core's `lockOptions.stale`: a lock folder older than this is abandoned.
const STALE: Duration = Duration::from_secs(10);
/// sfdx-core's `lockRetryOptions`: 10 retries, at most a second apart.
const RETRIES: u32 = 10;
const RETRY_DELAY: Duration = Duration::from_secs(1);

/// What a renewal gave, to store.
pub struct RenewedTokens<'a> {
    /// The refresh token the renewal was made with (the one the file should still hold).
    pub sent_refresh_token: &'a Secret,
    pub access_token: &'a Secret,
    /// The new refresh token, when the org rotated it.
    pub refresh_token: Option<&'a Secret>,
}

/// What [`store_renewal`] did.
#[derive(Debug, PartialEq, Eq)]
pub enum Stored {
    Written,
    /// The file holds another refresh token now (sf logged in again): left as it is.
    Superseded,
}

/// Writes the renewed tokens into sf's auth file at `path`, under sf's lock.
pub fn store_renewal(path: &Path, key: &SfKey, tokens: &RenewedTokens) -> Result<Stored> {
    let fail = |what: String| {
        Error::new(
            "AuthFileWriteError",
            format!(
                "Could not store the renewed tokens in sf's auth file {}: {what}.",
                path.display()
            ),
        )
    };
    let lock = SfLock::acquire(path).map_err(fail)?;
    let outcome = rewrite(path, key, tokens).map_err(fail);
    lock.release();
    outcome
}

fn rewrite(
    path: &Path,
    key: &SfKey,
    tokens: &RenewedTokens,
) -> std::result::Result<Stored, String> {
    let text = crate::fsutil::read_bounded_text(path).map_err(|e| e.to_string())?;
    let mut fields: Map<String, Value> = match serde_json::from_str(&text) {
        Ok(Value::Object(map)) => map,
        _ => return Err("it is not a JSON object".into()),
    };
    let stored_refresh = fields
        .get("refreshToken")
        .and_then(Value::as_str)
        .map(|stored| {
            if looks_encrypted(stored.trim()) {
                decrypt_detailed(stored, key)
                    .map(|s| s.expose().to_string())
                    .ok()
            } else {
                Some(stored.to_string())
            }
        });
    if stored_refresh.flatten().as_deref() != Some(tokens.sent_refresh_token.expose()) {
        return Ok(Stored::Superseded);
    }
    fields.insert(
        "accessToken".into(),
        encrypt_fresh(tokens.access_token.expose(), key).into(),
    );
    if let Some(refresh) = tokens.refresh_token {
        fields.insert(
            "refreshToken".into(),
            encrypt_fresh(refresh.expose(), key).into(),
        );
    }
    let text = serde_json::to_string_pretty(&Value::Object(fields)).map_err(|e| e.to_string())?;
    // sf writes through a symbolic link; so does the rename, to the file it points at.
    let target = std::fs::canonicalize(path).unwrap_or_else(|_| path.to_path_buf());
    crate::fsutil::write_atomic_keeping_mode(&target, text.as_bytes()).map_err(|e| e.message)?;
    Ok(Stored::Written)
}

/// sf's lock on one of its files: the folder `<file>.lock` (`proper-lockfile`).
struct SfLock {
    dir: PathBuf,
}

impl SfLock {
    fn acquire(file: &Path) -> std::result::Result<SfLock, String> {
        let mut dir = file.as_os_str().to_owned();
        dir.push(".lock");
        let dir = PathBuf::from(dir);
        for attempt in 0..=RETRIES {
            match std::fs::create_dir(&dir) {
                Ok(()) => return Ok(SfLock { dir }),
                Err(e) if e.kind() != std::io::ErrorKind::AlreadyExists => {
                    return Err(format!("cannot make its lock {}: {e}", dir.display()));
                }
                Err(_) => {}
            }
            let stale = std::fs::metadata(&dir)
                .and_then(|m| m.modified())
                .map(|modified| {
                    SystemTime::now()
                        .duration_since(modified)
                        .is_ok_and(|age| age > STALE)
                })
                // Gone meanwhile: try again at once.
                .unwrap_or(true);
            if stale {
                let _ = std::fs::remove_dir(&dir);
                if std::fs::create_dir(&dir).is_ok() {
                    return Ok(SfLock { dir });
                }
            }
            if attempt < RETRIES {
                std::thread::sleep(RETRY_DELAY);
            }
        }
        Err(format!(
            "sf holds its lock {} (another sf command is writing it); run the command again when it is done",
            dir.display()
        ))
    }

    fn release(self) {
        let _ = std::fs::remove_dir(&self.dir);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sf::crypto::{decrypt, encrypt};

    const V1: &str = "0de6bfdf43c69135b8aa04c35092b21e";
    const V2: &str = "d8df9058dbdf33ce9c5c32b5e641ffa37caa8d07d955b3d76f9981bf601ab3a2";

    fn auth_file(dir: &Path, key: &SfKey, refresh: &str) -> PathBuf {
        let iv = if key.version() == "v1" {
            "a1b2c3d4e5f6"
        } else {
            "00112233445566778899aabb"
        };
        let path = dir.join("admin@acme.com.uat.json");
        let json = serde_json::json!({
            "accessToken": encrypt("old-access", key, iv),
            "instanceUrl": "https://acme--uat.sandbox.my.salesforce.com",
            "orgId": "00D5e000000AbCdEAK",
            "refreshToken": encrypt(refresh, key, iv),
            "clientId": "PlatformCLI",
            "isSandbox": true,
            "username": "admin@acme.com.uat",
        });
        std::fs::write(&path, serde_json::to_string_pretty(&json).unwrap()).unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        }
        path
    }

    /// Stores a renewal made with `5Aep861old` that rotated nothing.
    fn renew_unrotated(path: &Path, key: &SfKey) -> Stored {
        let (sent, access) = (Secret::new("5Aep861old"), Secret::new("00D!new-access"));
        let tokens = RenewedTokens {
            sent_refresh_token: &sent,
            access_token: &access,
            refresh_token: None,
        };
        store_renewal(path, key, &tokens).unwrap()
    }

    #[test]
    fn rotated_tokens_are_stored_as_sf_stores_them_and_nothing_else_changes() {
        for hex in [V1, V2] {
            let key = SfKey::from_hex(hex).unwrap();
            let dir = tempfile::tempdir().unwrap();
            let path = auth_file(dir.path(), &key, "5Aep861old");
            let before: Value =
                serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
            let (sent, access, rotated) = (
                Secret::new("5Aep861old"),
                Secret::new("00D!new-access"),
                Secret::new("5Aep861new"),
            );
            let tokens = RenewedTokens {
                sent_refresh_token: &sent,
                access_token: &access,
                refresh_token: Some(&rotated),
            };
            assert_eq!(
                store_renewal(&path, &key, &tokens).unwrap(),
                Stored::Written
            );
            let text = std::fs::read_to_string(&path).unwrap();
            let after: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(
                decrypt(after["accessToken"].as_str().unwrap(), &key)
                    .unwrap()
                    .expose(),
                "00D!new-access"
            );
            assert_eq!(
                decrypt(after["refreshToken"].as_str().unwrap(), &key)
                    .unwrap()
                    .expose(),
                "5Aep861new"
            );
            let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
            assert_eq!(keys(&after), keys(&before), "same fields, same order");
            for field in ["instanceUrl", "orgId", "clientId", "isSandbox", "username"] {
                assert_eq!(after[field], before[field]);
            }
            assert!(
                !text.contains("new-access") && !text.contains("5Aep861new"),
                "encrypted"
            );
            assert!(
                text.starts_with("{\n  \"accessToken\""),
                "two-space indents as sf"
            );
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
                assert_eq!(mode, 0o640, "the file's mode is kept");
            }
            assert!(
                !dir.path().join("admin@acme.com.uat.json.lock").exists(),
                "lock released"
            );
            let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
            assert_eq!(leftovers.len(), 1, "no temporary file left");
        }
    }

    #[test]
    fn a_file_sf_wrote_again_meanwhile_is_left_alone() {
        let key = SfKey::from_hex(V1).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = auth_file(dir.path(), &key, "5Aep861from-a-new-login");
        let before = std::fs::read(&path).unwrap();
        assert_eq!(renew_unrotated(&path, &key), Stored::Superseded);
        assert_eq!(std::fs::read(&path).unwrap(), before);
    }

    #[test]
    fn a_stale_lock_is_taken_over() {
        let key = SfKey::from_hex(V1).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = auth_file(dir.path(), &key, "5Aep861old");
        let lock = dir.path().join("admin@acme.com.uat.json.lock");
        std::fs::create_dir(&lock).unwrap();
        let old = SystemTime::now() - Duration::from_secs(60);
        std::fs::File::open(&lock)
            .unwrap()
            .set_modified(old)
            .unwrap();
        assert_eq!(renew_unrotated(&path, &key), Stored::Written);
        assert!(!lock.exists());
    }

    #[test]
    fn a_held_lock_is_waited_for() {
        let key = SfKey::from_hex(V1).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let path = auth_file(dir.path(), &key, "5Aep861old");
        let lock = dir.path().join("admin@acme.com.uat.json.lock");
        std::fs::create_dir(&lock).unwrap();
        let before = std::fs::read(&path).unwrap();
        let holder = {
            let (path, lock) = (path.clone(), lock.clone());
            std::thread::spawn(move || {
                std::thread::sleep(Duration::from_millis(1500));
                // Nothing was written while sf held its lock.
                let unchanged = std::fs::read(&path).unwrap() == before;
                std::fs::remove_dir(&lock).unwrap();
                unchanged
            })
        };
        assert_eq!(renew_unrotated(&path, &key), Stored::Written);
        assert!(holder.join().unwrap());
    }
}
