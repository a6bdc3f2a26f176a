//! The org's URLs before any token goes to them: `https` (plain `http` only to loopback), no
//! user name or password in them.

use crate::protocol::{Error, Result};
use reqwest::Url;

/// `https` always; plain `http` only to this machine (the org emulator, a local proxy); never a
/// URL with a user name or password in it (it would send a second `Authorization`).
pub fn check_url_is_safe(url: &Url, what: &str) -> Result<()> {
    check_no_credentials(url, what)?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(url) => Ok(()),
        scheme => Err(Error::input(
            "InsecureInstanceUrlError",
            format!(
                "The org's {what} {url} uses {scheme}://; tokens are only sent over https (plain http is allowed only to loopback addresses)."
            ),
        )
        .with_action("Use the https:// My Domain URL of the org (`sf org display -o <alias>` shows it).")),
    }
}

/// Refuses `https://user:pass@host`; the message shows the URL without them.
pub fn check_no_credentials(url: &Url, what: &str) -> Result<()> {
    if url.username().is_empty() && url.password().is_none() {
        return Ok(());
    }
    let mut shown = url.clone();
    let _ = shown.set_username("");
    let _ = shown.set_password(None);
    Err(Error::input(
        "CredentialsInUrlError",
        format!(
            "The org's {what} {shown} carries a user name or password before the host (user:password@); the tool never sends them."
        ),
    )
    .with_action("Use the org's https:// My Domain URL without credentials (`sf org display -o <alias>` shows it)."))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        Some(url::Host::Domain(host)) => host.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// Parses an instance URL as sf prints it (it may end in `/`) and checks it is safe to use.
pub fn parse_instance_url(text: &str) -> Result<Url> {
    let url = Url::parse(text.trim()).map_err(|e| {
        // A URL that does not parse may still hold a password: only its scheme is shown.
        let scheme = text.trim().split(':').next().unwrap_or_default();
        Error::input(
            "InvalidInstanceUrlError",
            format!("The instance URL (starting {scheme:?}) is not a URL: {e}."),
        )
        .with_action("Pass the org as sf prints it: sf org display --json -o <alias>")
    })?;
    check_url_is_safe(&url, "instance URL")?;
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_may_use_http() {
        assert!(parse_instance_url("http://127.0.0.1:8765/").is_ok());
        assert!(parse_instance_url("http://localhost:1/").is_ok());
        assert!(parse_instance_url("http://[::1]:1/").is_ok());
        assert!(parse_instance_url("https://acme--uat.sandbox.my.salesforce.com").is_ok());
        let err = parse_instance_url("http://acme.my.salesforce.com").unwrap_err();
        assert_eq!(err.name, "InsecureInstanceUrlError");
        assert_eq!(err.exit.code(), 2);
        assert!(parse_instance_url("not a url").is_err());
    }

    #[test]
    fn credentials_are_refused_without_showing_them() {
        let err =
            parse_instance_url("https://user:hunter2secret@acme.my.salesforce.com/").unwrap_err();
        assert_eq!(err.name, "CredentialsInUrlError");
        assert_eq!(err.exit.code(), 2);
        assert!(!err.message.contains("hunter2secret"), "{}", err.message);
        assert!(err.message.contains("acme.my.salesforce.com"));
    }
}
