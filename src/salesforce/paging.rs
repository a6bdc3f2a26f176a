//! Following a query's `nextRecordsUrl` to its last page, within bounds: a server that keeps
//! saying `done: false` (pointing back at a page it served, or inventing new ones) gets an
//! error, not the tool's memory and time.

use super::client::Client;
use super::limits::within_deadline;
use super::response::take_page;
use crate::protocol::{Error, Result};
use reqwest::Method;
use serde_json::Value;
use std::collections::HashSet;

/// Pages one query may take. Salesforce pages hold 200 to 2,000 records (2,000 unless the rows
/// are wide), so this is the most pages [`MAX_QUERY_RECORDS`] can need.
pub const MAX_QUERY_PAGES: usize = 500;

/// Records one query may return. The tool's largest queries read an org's users, profiles and
/// trusted sites by name or ID; 100,000 is far beyond any of them and holds a few hundred MiB
/// at most.
pub const MAX_QUERY_RECORDS: usize = 100_000;

impl Client {
    /// The records of a query answer, following `nextRecordsUrl` to the last page. All the
    /// pages together are one network operation, within the deadline; every page's URL passes
    /// the client's origin rule like any request.
    pub(super) async fn rest_of_pages(&self, page: Value) -> Result<Vec<Value>> {
        within_deadline("the pages of a query", self.follow_pages(page)).await
    }

    async fn follow_pages(&self, mut page: Value) -> Result<Vec<Value>> {
        let mut records = Vec::new();
        let mut seen = HashSet::new();
        loop {
            if !page.get("records").is_some_and(Value::is_array) {
                return Err(Error::new(
                    "UnexpectedResponseError",
                    "The org's answer to a query has no list of records.",
                )
                .with_action(
                    "Try again; if it persists, the org or a proxy in between is misbehaving.",
                ));
            }
            let (mut rows, next) = take_page(&mut page);
            records.append(&mut rows);
            if records.len() > MAX_QUERY_RECORDS {
                return Err(paging_error(format!(
                    "a query returned more than {MAX_QUERY_RECORDS} records"
                )));
            }
            let Some(next) = next else {
                return Ok(records);
            };
            if seen.len() + 1 >= MAX_QUERY_PAGES {
                return Err(paging_error(format!(
                    "a query went on past {MAX_QUERY_PAGES} pages"
                )));
            }
            let url = self.url(&next)?;
            if !seen.insert(url.clone()) {
                return Err(paging_error(format!(
                    "a query's next page ({}) is one it already served",
                    url.path()
                )));
            }
            page = self.send(Method::GET, url, None, true).await?.body;
        }
    }
}

fn paging_error(what: String) -> Error {
    Error::new(
        "QueryPagingError",
        format!("The org's answers never end: {what}; the tool stopped reading."),
    )
    .with_action("Check that the instance URL is the org's (`sf org display -o <alias>`) and that no proxy in between rewrites answers, then run this again.")
}
