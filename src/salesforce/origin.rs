//! Where a request may go: every request the client sends (query pages, retries, composites,
//! token renewals) passes [`check_same_origin`] just before it leaves, so a URL taken from an
//! answer (`nextRecordsUrl`, a redirect's `Location`) can never carry the token elsewhere. The
//! home of a request is the org's instance URL, or for a renewal the login URL recorded with the
//! refresh token.

use super::instance_url::check_no_credentials;
use crate::protocol::{Error, Result};
use reqwest::Url;

/// Same scheme, host and port as `home`, and no user name or password: otherwise an error, and
/// nothing is sent. The message names the other origin only (its path or query may hold
/// anything) and the request's `method`.
pub(crate) fn check_same_origin(url: &Url, home: &Url, method: &str) -> Result<()> {
    check_no_credentials(url, "request URL")?;
    if url.origin() == home.origin() {
        return Ok(());
    }
    Err(Error::new(
        "ForeignUrlError",
        format!(
            "A {method} request would go to {}, not to {} where this org's token belongs; it was not sent.",
            shown_origin(url),
            shown_origin(home)
        ),
    )
    .with_action("An answer from the org (or a proxy in between) pointed elsewhere: check the instance URL (`sf org display -o <alias>`) and any proxy, then run this again."))
}

/// The error for an answer that redirects (the client follows none: a redirect could take the
/// token to another host, and a 307 or 308 would send a write a second time).
pub(crate) fn redirect_error(status: u16, location: Option<&str>, from: &Url, what: &str) -> Error {
    let target = location
        .and_then(|l| from.join(l).ok())
        .map(|url| shown_origin(&url))
        .unwrap_or_else(|| "an unreadable location".to_string());
    Error::new(
        "RedirectRefusedError",
        format!(
            "The answer to {what} was a redirect (HTTP {status}) to {target}; the tool follows no redirects, so nothing was sent there and no write was sent twice."
        ),
    )
    .with_action("Use the org's own My Domain URL as instance URL (`sf org display -o <alias>` shows it) and check any proxy in between.")
}

/// `scheme://host:port`, never a path, query or credentials (they may hold secrets).
fn shown_origin(url: &Url) -> String {
    let host = url.host_str().unwrap_or("?");
    let host = crate::protocol::output::escape_controls(host);
    match url.port() {
        Some(port) => format!("{}://{host}:{port}", url.scheme()),
        None => format!("{}://{host}", url.scheme()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_home_origin_passes() {
        let home = Url::parse("https://acme.my.salesforce.com/").unwrap();
        let ok =
            Url::parse("https://acme.my.salesforce.com:443/services/data/v62.0/query/01g-2000")
                .unwrap();
        assert!(check_same_origin(&ok, &home, "GET").is_ok());
        for foreign in [
            "http://acme.my.salesforce.com/services/x",
            "https://acme.my.salesforce.com:8443/services/x",
            "https://evil.example/services/x?token=abc",
            "https://acme.my.salesforce.com.evil.example/",
            "https://u:p@acme.my.salesforce.com/",
        ] {
            let url = Url::parse(foreign).unwrap();
            let err = check_same_origin(&url, &home, "GET").unwrap_err();
            assert!(!err.message.contains("token=abc"), "{}", err.message);
            assert!(!err.message.contains("u:p"), "{}", err.message);
        }
    }
}
