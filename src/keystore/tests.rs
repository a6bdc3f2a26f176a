//! The keystore's tests: names, the mock store, the variable first, no keystore, values.

use super::probing::{platform_stores, probe_secret_service};
use super::*;
use crate::redacted::Secret;

const TOKEN: &str = "rt_9f8e7d6c5b4a39281706f5e4d3c2b1a0";

fn name(text: &str) -> SecretName {
    SecretName::parse(text).unwrap()
}

fn mock(vars: &[(&str, &str)]) -> (tempfile::TempDir, Secrets) {
    let dir = tempfile::tempdir().unwrap();
    let secrets = Secrets::mock(dir.path().join("state/secrets.json"), vars);
    (dir, secrets)
}

#[test]
fn names_and_their_variables() {
    assert_eq!(
        name("runtime-client/web-store").env_var(),
        "LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"
    );
    assert_eq!(
        name("admin-api-key").env_var(),
        "LOGIK_REFRESH_SECRET_ADMIN_API_KEY"
    );
    assert_eq!(
        name("admin-api-key/acme.uat").env_var(),
        "LOGIK_REFRESH_SECRET_ADMIN_API_KEY_ACME_UAT"
    );
    assert_eq!(
        name(" runtime-client/Web_Store ").as_str(),
        "runtime-client/Web_Store"
    );
    for bad in [
        "runtime-client",
        "runtime-client/",
        "runtime-client/-x",
        "runtime-client/a b",
        "runtime-client/a/b",
        "Runtime-Client/x",
        "token",
        "",
        &format!("runtime-client/{}", "x".repeat(65)),
    ] {
        let err = SecretName::parse(bad).unwrap_err();
        assert_eq!(err.name, "InvalidSecretNameError", "{bad:?}");
        assert_eq!(err.exit.code(), 2);
        assert!(!err.actions.is_empty());
    }
    let err = SecretName::parse("runtime-client").unwrap_err();
    assert!(
        err.message.contains("runtime-client/web-store"),
        "{}",
        err.message
    );
    let err = SecretName::parse("Runtime-Client/x").unwrap_err();
    assert!(err.message.contains("lower case"), "{}", err.message);
    // A token pasted where the name goes is not echoed back.
    for pasted in [TOKEN.to_string(), format!("runtime-client/{TOKEN}!x")] {
        let err = SecretName::parse(&pasted).unwrap_err();
        assert!(!format!("{err:?}").contains(TOKEN), "{err:?}");
    }
}

#[test]
fn set_get_list_delete_with_the_mock_store() {
    let (_dir, secrets) = mock(&[]);
    let web = name("runtime-client/web-store");
    let outcome = secrets.set(&web, &Secret::new(TOKEN)).unwrap();
    assert_eq!(outcome.store, StoreKind::Mock);
    assert!(!outcome.replaced);
    let (value, source) = secrets.require(&web).unwrap();
    assert_eq!(value.expose(), TOKEN);
    assert_eq!(source, SecretSource::Keystore(StoreKind::Mock));
    assert!(secrets.set(&web, &Secret::new("second")).unwrap().replaced);
    assert_eq!(secrets.require(&web).unwrap().0.expose(), "second");

    secrets
        .set(&name("admin-api-key"), &Secret::new(TOKEN))
        .unwrap();
    let listed = secrets.list().unwrap();
    let names: Vec<&str> = listed.iter().map(|l| l.name.as_str()).collect();
    assert_eq!(names, ["admin-api-key", "runtime-client/web-store"]);
    assert_eq!(listed[1].present, Some(true));
    assert_eq!(
        listed[1].env_var,
        "LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE"
    );
    let shown = serde_json::to_string(&listed).unwrap();
    assert!(
        !shown.contains(TOKEN) && !shown.contains("second"),
        "{shown}"
    );
    let index = std::fs::read_to_string(secrets.index_path()).unwrap();
    assert!(
        !index.contains(TOKEN) && !index.contains("second"),
        "{index}"
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(secrets.index_path())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }

    let deleted = secrets.delete(&web).unwrap();
    assert_eq!(deleted.deleted_from, [StoreKind::Mock]);
    assert!(secrets.get(&web).unwrap().is_none());
    assert_eq!(secrets.list().unwrap().len(), 1);
    let again = secrets.delete(&web).unwrap();
    assert!(again.deleted_from.is_empty());
    let err = secrets.require(&web).unwrap_err();
    assert_eq!(err.name, "SecretNotFoundError");
    assert!(
        err.message
            .contains("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE")
    );
}

#[test]
fn the_variable_comes_first() {
    let (_dir, secrets) = mock(&[("LOGIK_REFRESH_SECRET_ADMIN_API_KEY", "from-env")]);
    let key = name("admin-api-key");
    let (value, source) = secrets.require(&key).unwrap();
    assert_eq!(
        (value.expose(), source),
        ("from-env", SecretSource::Environment)
    );
    let outcome = secrets.set(&key, &Secret::new(TOKEN)).unwrap();
    assert!(
        outcome
            .warnings
            .iter()
            .any(|w| w.contains("LOGIK_REFRESH_SECRET_ADMIN_API_KEY"))
    );
    assert_eq!(secrets.require(&key).unwrap().0.expose(), "from-env");
    let listed = secrets.list().unwrap();
    assert!(listed[0].env_set);
    assert!(secrets.env_only(&listed).is_empty());
}

#[test]
fn without_a_keystore_set_names_the_variable() {
    let dir = tempfile::tempdir().unwrap();
    let status = KeystoreStatus {
        store: None,
        choice: KeystoreChoice::None,
        detail: "none (LOGIK_REFRESH_KEYSTORE=none)".into(),
        candidates: Vec::new(),
        env_fallback: format!("{ENV_PREFIX}<NAME>"),
    };
    let secrets = Secrets::with_parts(
        status,
        dir.path().join("secrets.json"),
        Box::new(|var| {
            (var == "LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_CI").then(|| "ci-token".to_string())
        }),
        vec!["LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_CI".into()],
    );
    let web = name("runtime-client/web-store");
    let err = secrets.set(&web, &Secret::new(TOKEN)).unwrap_err();
    assert_eq!(err.name, "NoKeystoreError");
    assert!(
        err.actions
            .iter()
            .any(|a| a.contains("LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_WEB_STORE")),
        "{:?}",
        err.actions
    );
    assert!(!format!("{err:?}").contains(TOKEN));
    assert!(secrets.get(&web).unwrap().is_none());
    let (value, _) = secrets.require(&name("runtime-client/ci")).unwrap();
    assert_eq!(value.expose(), "ci-token");
    assert_eq!(
        secrets.env_only(&[]),
        ["LOGIK_REFRESH_SECRET_RUNTIME_CLIENT_CI"]
    );
}

#[test]
fn keystore_errors_never_show_the_value() {
    let keystore = Keystore::new(StoreKind::Mock);
    let web = name("runtime-client/web-store");
    keystore.set(&web, &Secret::new(TOKEN)).unwrap();
    {
        let entries = keystore.mock.lock().unwrap();
        let mock: &keyring::mock::MockCredential = entries[web.as_str()]
            .get_credential()
            .downcast_ref()
            .unwrap();
        mock.set_error(keyring::Error::BadEncoding(TOKEN.as_bytes().to_vec()));
    }
    let err = keystore.get(&web).unwrap_err();
    assert_eq!(err.name, "KeystoreError");
    let shown = format!("{} {:?} {:?}", err.message, err.actions, err.data);
    assert!(!shown.contains(TOKEN), "{shown}");
    assert!(shown.contains("not UTF-8"), "{shown}");
    {
        let entries = keystore.mock.lock().unwrap();
        let mock: &keyring::mock::MockCredential = entries[web.as_str()]
            .get_credential()
            .downcast_ref()
            .unwrap();
        mock.set_error(keyring::Error::PlatformFailure(
            format!("backend echoed {TOKEN}").into(),
        ));
    }
    let err = keystore.set(&web, &Secret::new(TOKEN)).unwrap_err();
    assert!(!err.message.contains(TOKEN), "{}", err.message);
}

#[test]
fn values_from_stdin() {
    let web = name("runtime-client/web-store");
    let read = |text: &str| read_value(text.as_bytes(), &web);
    assert_eq!(read(&format!("{TOKEN}\n")).unwrap().0.expose(), TOKEN);
    assert_eq!(read(&format!("{TOKEN}\r\n")).unwrap().0.expose(), TOKEN);
    assert_eq!(read(TOKEN).unwrap().0.expose(), TOKEN);
    let (value, warnings) = read(&format!(" {TOKEN}\n")).unwrap();
    assert_eq!(value.expose(), format!(" {TOKEN}"));
    assert_eq!(warnings.len(), 1);
    for (text, error) in [
        ("", "EmptySecretError"),
        ("\n", "EmptySecretError"),
        (&format!("{TOKEN}\n\n"), "MultilineSecretError"),
        (&format!("{TOKEN}\nsecond\n"), "MultilineSecretError"),
        (&format!("{TOKEN}\u{7}"), "InvalidSecretError"),
        (&"x".repeat(MAX_VALUE_BYTES + 1), "SecretTooLargeError"),
    ] {
        let err = read(text).unwrap_err();
        assert_eq!(err.name, error, "{text:?}");
        assert_eq!(err.exit.code(), 2);
        assert!(!format!("{err:?}").contains(TOKEN));
    }
    let err = read_value(&[0xff, 0xfe][..], &web).unwrap_err();
    assert_eq!(err.name, "InputEncodingError");
}

#[test]
fn probing_none_and_the_platform_stores() {
    let status = probe(KeystoreChoice::None);
    assert_eq!(status.store, None);
    assert!(status.candidates.is_empty());
    assert!(
        status.detail.contains("LOGIK_REFRESH_SECRET_<NAME>"),
        "{}",
        status.detail
    );
    #[cfg(target_os = "linux")]
    {
        let status = probe(KeystoreChoice::MacosKeychain);
        assert_eq!(status.store, None);
        assert!(!status.candidates[0].usable);
        assert_eq!(
            platform_stores(),
            [StoreKind::SecretService, StoreKind::KernelKeyring]
        );
    }
}

#[test]
fn a_missing_session_bus_is_said_plainly() {
    // Only the shape of the reason is checked: whether a bus exists depends on the machine.
    if std::env::var_os("DBUS_SESSION_BUS_ADDRESS").is_none()
        && std::env::var_os("XDG_RUNTIME_DIR").is_none()
    {
        let why = probe_secret_service().unwrap_err();
        assert!(why.contains("no D-Bus session bus"), "{why}");
    }
}
