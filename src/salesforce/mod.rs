//! The Salesforce REST and Tooling client.

pub mod checked_write;
pub mod client;
pub mod composite;
pub mod error;
pub mod https;
pub mod instance_url;
pub mod join;
pub mod limits;
mod origin;
pub mod paging;
pub(crate) mod record_ref;
pub mod response;
pub mod retry;
pub mod trace;

pub use client::{Client, Connection, RefreshGrant, Renewal, RenewalSink, TokenFallback};
pub mod ids;
pub mod tooling_write;

/// Quotes a value as a SOQL string literal (backslash and single quote escaped).
pub fn soql_quote(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "\\'"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn quotes_soql_strings() {
        assert_eq!(super::soql_quote("a@b.c"), "'a@b.c'");
        assert_eq!(super::soql_quote("o'neil\\x"), "'o\\'neil\\\\x'");
    }
}
