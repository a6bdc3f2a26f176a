//! sf's key entry (service `sfdx`, account `local`) and its generic keychain file
//! `~/.sfdx/key.json`: `{"account":"local","key":"<hex>","service":"sfdx"}`, which sf refuses on
//! unix unless its mode is exactly 600, and so does this module. Read, never written: when sf
//! finds no key it makes one; this tool reports `KeyNotFoundError`.

use crate::{Error, Result};
use std::path::Path;

/// The service and account sf keeps its key under, in every keychain.
pub(crate) const SERVICE: &str = "sfdx";
pub(crate) const ACCOUNT: &str = "local";
const LOGIN_AGAIN: &str = "Log in to your org again with sf (for example \"sf org login web --alias <alias>\"): \
                           sf creates its key when it stores a login.";

/// No key where sf keeps it: logging in with sf makes one.
pub(crate) fn key_not_found(message: String) -> Error {
    Error::new("KeyNotFoundError", message).with_action(LOGIN_AGAIN)
}

/// Reads `key.json`, refusing (on unix) a file whose mode is not exactly 600, like sf.
pub fn read_key_file(path: &Path, check_mode: bool) -> Result<String> {
    let meta = match std::fs::metadata(path) {
        Ok(meta) => meta,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(key_not_found(format!(
                "sf's key file {} does not exist, so sf has no stored logins on this machine \
                 (or keeps its key in the OS keychain while SF_USE_GENERIC_UNIX_KEYCHAIN is set).",
                path.display()
            )));
        }
        Err(e) => {
            return Err(Error::new(
                "KeyFileReadError",
                format!("Cannot read sf's key file {}: {e}.", path.display()),
            )
            .with_action(format!(
                "Make {} readable by this user (it must stay private: chmod 600).",
                path.display()
            )));
        }
    };
    #[cfg(unix)]
    if check_mode {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode != 0o600 {
            return Err(Error::new(
                "KeyFileModeError",
                format!(
                    "sf's key file {} has mode {mode:03o}; sf and this tool only use it with \
                     mode 600 (readable and writable by you alone).",
                    path.display()
                ),
            )
            .with_action(format!("chmod 600 {}", path.display()))
            .with_data(serde_json::json!({ "path": path.display().to_string(), "mode": format!("{mode:03o}") })));
        }
    }
    #[cfg(not(unix))]
    let _ = (check_mode, &meta);

    let text = crate::fsutil::read_bounded_text(path).map_err(|e| {
        Error::new(
            "KeyFileReadError",
            format!("Cannot read sf's key file {}: {e}.", path.display()),
        )
        .with_action(format!("Make {} readable by this user.", path.display()))
    })?;
    parse_key_file(&text).map_err(|reason| {
        Error::new(
            "KeyFileFormatError",
            format!("sf's key file {} is not usable: {reason}.", path.display()),
        )
        .with_action(
            "Restore the file if it was edited; otherwise log out and in again with sf \
             (sf org logout --all, then sf org login web) so that it writes a new one.",
        )
    })
}

/// The key from `key.json`'s text. The reason for a refusal never contains the key.
pub fn parse_key_file(text: &str) -> std::result::Result<String, &'static str> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|_| "it is not valid JSON")?;
    let field = |name: &str| value.get(name).and_then(serde_json::Value::as_str);
    if field("service") != Some(SERVICE) || field("account") != Some(ACCOUNT) {
        // sf: "The service and account specified in key.json do not match the version of the toolbelt."
        return Err("its \"service\" and \"account\" are not \"sfdx\" and \"local\"");
    }
    match field("key") {
        Some(key) if !key.trim().is_empty() => Ok(key.to_string()),
        _ => Err("it has no \"key\""),
    }
}
