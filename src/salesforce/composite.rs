//! Composite requests: several subrequests in one round trip and one API call. A composite
//! carries at most [`MAX_SUBREQUESTS`] subrequests, at most [`MAX_QUERIES`] of them queries or
//! sObject Collections (REST API, "Composite"): reads beyond that go in several composites, sent
//! at the same time. A write can carry the read that checks it, all or none.

use super::client::Client;
use super::error::api_error;
use super::join::{Boxed, join_all};
use super::response::{composite_failure, composite_items, subrequest_answer};
use crate::protocol::Result;
use reqwest::{Method, Url};
use serde_json::{Value, json};

/// Subrequests one composite may carry.
pub const MAX_SUBREQUESTS: usize = 25;
/// Of them, queries (and sObject Collections) one composite may carry.
pub const MAX_QUERIES: usize = 5;

/// One read of a [`Client::get_batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BatchRead {
    /// A SOQL query (on the batch's API).
    Query(String),
    /// A GET of a path (absolute `/services/...` or relative to `/services/data/vNN.N/`).
    Get(String),
}

/// The reads split into composites within the limits, in order.
pub fn chunks(reads: &[BatchRead]) -> Vec<&[BatchRead]> {
    let mut out = Vec::new();
    let (mut start, mut queries) = (0, 0);
    for (i, read) in reads.iter().enumerate() {
        let query = matches!(read, BatchRead::Query(_));
        if i - start == MAX_SUBREQUESTS || (query && queries == MAX_QUERIES) {
            out.push(&reads[start..i]);
            (start, queries) = (i, 0);
        }
        queries += usize::from(query);
    }
    if start < reads.len() {
        out.push(&reads[start..]);
    }
    out
}

impl Client {
    /// Several GETs (queries, describes) in one round trip: composites of reads, on the Data
    /// API or, with `tooling`, the Tooling API, as many as the limits need, sent at the same
    /// time. Each answer comes back on its own, as its body or its error, in order; a query's
    /// further pages are followed.
    pub async fn get_batch(
        &self,
        tooling: bool,
        reads: &[BatchRead],
    ) -> Result<Vec<Result<Value>>> {
        let sent: Vec<Boxed<'_, Result<Vec<Result<Value>>>>> = chunks(reads)
            .into_iter()
            .map(|chunk| Box::pin(self.get_composite(tooling, chunk)) as Boxed<'_, _>)
            .collect();
        let mut results = Vec::with_capacity(reads.len());
        for answers in join_all(sent).await {
            results.extend(answers?);
        }
        Ok(results)
    }

    /// One composite of reads, within the limits.
    async fn get_composite(
        &self,
        tooling: bool,
        reads: &[BatchRead],
    ) -> Result<Vec<Result<Value>>> {
        let subrequests: Vec<Value> = reads
            .iter()
            .enumerate()
            .map(|(i, read)| self.read_subrequest(tooling, &format!("read{i}"), read))
            .collect();
        let endpoint = endpoint(tooling);
        let mut answers = self.composite_at(endpoint, false, subrequests).await?;
        let mut results = Vec::with_capacity(reads.len());
        for (i, read) in reads.iter().enumerate() {
            let answer =
                subrequest_answer(&mut answers, &format!("read{i}"), &what(endpoint, read));
            results.push(self.read_answer(read, answer).await);
        }
        Ok(results)
    }

    fn read_subrequest(&self, tooling: bool, reference: &str, read: &BatchRead) -> Value {
        let url = match read {
            BatchRead::Query(soql) => {
                let endpoint = if tooling { "tooling/query" } else { "query" };
                let mut url = Url::parse("http://x/").expect("static URL");
                url.set_path(&self.data_path(endpoint));
                url.query_pairs_mut().append_pair("q", soql);
                format!("{}?{}", url.path(), url.query().unwrap_or_default())
            }
            BatchRead::Get(path) => self.resolve(path),
        };
        json!({"method": "GET", "url": url, "referenceId": reference})
    }

    /// A read's answer: a query's records (all pages), or the body of a GET.
    async fn read_answer(&self, read: &BatchRead, answer: Result<Value>) -> Result<Value> {
        match (read, answer) {
            (_, Err(err)) => Err(err),
            (BatchRead::Query(_), Ok(body)) => self.rest_of_pages(body).await.map(Value::Array),
            (BatchRead::Get(_), Ok(body)) => Ok(body),
        }
    }

    /// Writes (Data API subrequests) and the read that checks them, in one composite, all or
    /// none: the org never holds half the writes, and the read sees them as the org stored
    /// them. Not retried (see `checked_write`). The read's answer: a query's records, or the
    /// body of a GET; a failed write is the error, named by `what`.
    pub async fn write_then_read(
        &self,
        writes: Vec<Value>,
        reread: &BatchRead,
        what: &str,
    ) -> Result<Value> {
        let mut subrequests = writes;
        subrequests.push(self.read_subrequest(false, "reread", reread));
        let mut answers = self.composite_at("composite", true, subrequests).await?;
        if let Some(failed) = composite_failure(&answers) {
            let body = failed.get("body").map(Value::to_string).unwrap_or_default();
            let status = failed
                .get("httpStatusCode")
                .and_then(Value::as_u64)
                .and_then(|s| u16::try_from(s).ok())
                .unwrap_or(400);
            return Err(api_error(status, &body, what));
        }
        let answer = subrequest_answer(&mut answers, "reread", what);
        self.read_answer(reread, answer).await
    }

    /// `POST composite`: several subrequests in one round trip. A composite of GETs only is
    /// safe to retry; one that writes is not.
    pub async fn composite(
        &self,
        all_or_none: bool,
        subrequests: Vec<Value>,
    ) -> Result<Vec<Value>> {
        self.composite_at("composite", all_or_none, subrequests)
            .await
    }

    async fn composite_at(
        &self,
        endpoint: &str,
        all_or_none: bool,
        subrequests: Vec<Value>,
    ) -> Result<Vec<Value>> {
        let read_only = subrequests
            .iter()
            .all(|r| r.get("method").and_then(Value::as_str) == Some("GET"));
        let mut body = json!({ "allOrNone": all_or_none, "compositeRequest": subrequests });
        // From API 49.0 the org may collate subrequests and run them out of order unless told
        // not to (REST API, "Composite": `collateSubrequests` defaults to true); a write's
        // re-read must run after it. Before 49.0 the order is kept and the key unknown.
        let collates = self.api_version().parse::<f64>().is_ok_and(|v| v >= 49.0);
        if !read_only && collates {
            body["collateSubrequests"] = false.into();
        }
        let url = self.url(&self.data_path(endpoint))?;
        let answer = self
            .send(Method::POST, url, Some(&body), read_only)
            .await?
            .body;
        composite_items(answer)
    }
}

fn endpoint(tooling: bool) -> &'static str {
    if tooling {
        "tooling/composite"
    } else {
        "composite"
    }
}

fn what(endpoint: &str, read: &BatchRead) -> String {
    match read {
        BatchRead::Query(_) => format!("GET {endpoint} (query)"),
        BatchRead::Get(path) => format!("GET {endpoint} ({path})"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_are_chunked_within_the_composite_limits() {
        let q = |i: usize| BatchRead::Query(format!("SELECT Id FROM T{i}"));
        let g = |i: usize| BatchRead::Get(format!("sobjects/T{i}/describe"));
        let sizes = |reads: &[BatchRead]| -> Vec<(usize, usize)> {
            chunks(reads)
                .iter()
                .map(|c| {
                    let queries = c
                        .iter()
                        .filter(|r| matches!(r, BatchRead::Query(_)))
                        .count();
                    (c.len(), queries)
                })
                .collect()
        };
        let five: Vec<BatchRead> = (0..5).map(q).collect();
        assert_eq!(sizes(&five), [(5, 5)]);
        let mut mixed: Vec<BatchRead> = (0..12).map(q).collect();
        mixed.insert(1, g(0));
        assert_eq!(sizes(&mixed), [(6, 5), (5, 5), (2, 2)]);
        let gets: Vec<BatchRead> = (0..30).map(g).collect();
        assert_eq!(sizes(&gets), [(25, 0), (5, 0)]);
        assert!(chunks(&[]).is_empty());
        // Order kept across chunks.
        let flat: Vec<&BatchRead> = chunks(&mixed).into_iter().flatten().collect();
        assert_eq!(flat, mixed.iter().collect::<Vec<_>>());
    }
}
