//! `step touch-products` (opt-in): Logik's product sync picks up `Product2` rows by
//! `LastModifiedDate`, so after a repoint the configurable products (`LGK__IsConfigurable__c =
//! true`) are "touched": updated with no field changed, which moves `LastModifiedDate` on. Up
//! to 200 records go in one sObject Collections request.
//!
//! The journal makes it idempotent: a product modified after the step first touched products
//! following the last repoint (by the org's own clock, as the journal recorded it) needs no
//! touch; `step tenant-urls` applying a new repoint makes every product due again, and so does
//! `--force` (for a repoint made another way).

use super::{Change, Outcome, StepResult, guard_production};
use crate::org::session::OpenOrg;
use crate::protocol::{Error, Result};
use crate::salesforce::checked_write::write_checked;
use crate::salesforce::{Client, record_ref, soql_quote};
use crate::steps::journal::{Journal, JournalEntry, JournalEvent};
use jiff::Timestamp;
use serde_json::{Value, json};
use std::collections::HashMap;

pub const STEP: &str = "touch-products";
/// Records in one sObject Collections request (Salesforce's limit).
pub const BATCH_SIZE: usize = 200;
const CONFIGURABLE: &str = "LGK__IsConfigurable__c";

pub struct TouchProductsOptions {
    /// Touch every configurable product, even those touched since the last repoint.
    pub force: bool,
    pub dry_run: bool,
    pub allow_production: bool,
}

#[derive(Debug, Clone)]
struct Product {
    id: String,
    last_modified: String,
}

fn products_from(rows: &[Value]) -> Vec<Product> {
    rows.iter()
        .map(|r| Product {
            id: r
                .get("Id")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
            last_modified: r
                .get("LastModifiedDate")
                .and_then(Value::as_str)
                .unwrap_or_default()
                .to_string(),
        })
        .collect()
}

async fn read_configurable(client: &Client) -> Result<Vec<Product>> {
    let rows = client
        .query(&format!(
            "SELECT Id, LastModifiedDate FROM Product2 WHERE {CONFIGURABLE} = true ORDER BY Id"
        ))
        .await?;
    Ok(products_from(&rows))
}

/// `LastModifiedDate` of these products, by ID.
async fn read_times(client: &Client, ids: &[&str]) -> Result<HashMap<String, String>> {
    let mut list = Vec::with_capacity(ids.len());
    for id in ids {
        list.push(soql_quote(record_ref::checked_id(id, "The org's answer")?));
    }
    let rows = client
        .query(&format!(
            "SELECT Id, LastModifiedDate FROM Product2 WHERE Id IN ({})",
            list.join(", ")
        ))
        .await?;
    Ok(products_from(&rows)
        .into_iter()
        .map(|p| (p.id, p.last_modified))
        .collect())
}

/// A Salesforce date-time (`2026-06-15T09:30:00.000+0000`) as a timestamp.
fn sf_time(text: &str) -> Option<Timestamp> {
    if let Ok(t) = text.parse::<Timestamp>() {
        return Some(t);
    }
    // `+0000` -> `+00:00`
    let cut = text.len().checked_sub(5)?;
    let (head, offset) = (text.get(..cut)?, text.get(cut..)?);
    if offset.starts_with(['+', '-']) && offset[1..].chars().all(|c| c.is_ascii_digit()) {
        return format!("{head}{}:{}", &offset[..3], &offset[3..])
            .parse()
            .ok();
    }
    None
}

/// When this step first touched products after the last repoint, by the org's clock: a
/// product modified since then is known to the sync. None when the tenant was repointed after
/// every touch (or nothing was touched yet): then every product is due.
fn first_touch_since_repoint(journal: &Journal) -> Option<(Timestamp, String)> {
    let entries = journal.entries();
    let repoint = entries
        .iter()
        .rposition(|e| e.step == super::tenant_urls::STEP && e.event == JournalEvent::Applied);
    entries
        .iter()
        .enumerate()
        .filter(|(i, e)| {
            e.step == STEP && e.event == JournalEvent::Applied && repoint.is_none_or(|r| *i > r)
        })
        .flat_map(|(_, e)| e.changes.iter())
        .filter_map(|c| {
            c.after
                .pointer("/lastModifiedDate/from")
                .and_then(Value::as_str)
        })
        .filter_map(|t| sf_time(t).map(|ts| (ts, t.to_string())))
        .min_by_key(|(ts, _)| *ts)
}

/// `{"records": n, "lastModifiedDate": {"from", "to"}}`, with the IDs for the journal.
fn summary(products: &[Product], with_ids: bool) -> Value {
    let mut times: Vec<(Option<Timestamp>, &str)> = products
        .iter()
        .map(|p| (sf_time(&p.last_modified), p.last_modified.as_str()))
        .collect();
    times.sort();
    let mut value = json!({
        "records": products.len(),
        "lastModifiedDate": match (times.first(), times.last()) {
            (Some(from), Some(to)) => json!({"from": from.1, "to": to.1}),
            _ => Value::Null,
        },
    });
    if with_ids {
        value["ids"] = products.iter().map(|p| p.id.clone()).collect();
    }
    value
}

fn batch_change(index: usize, count: usize, before: &[Product], after: Value) -> Change {
    Change {
        target: format!(
            "Product2 batch {} of {count} ({} configurable products).LastModifiedDate",
            index + 1,
            before.len()
        ),
        before: summary(before, false),
        after,
        // A touch has nothing to roll back.
        record: None,
    }
}

fn with_ids(mut change: Change, before: &[Product], after: &[Product]) -> Change {
    change.before["ids"] = before.iter().map(|p| p.id.clone()).collect();
    if change.after.is_object() {
        change.after["ids"] = after.iter().map(|p| p.id.clone()).collect();
    }
    change
}

pub async fn touch_products(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &TouchProductsOptions,
) -> Result<StepResult> {
    let client = &open.client;
    let mut result = StepResult::new(STEP, &open.facts);
    result.dry_run = opts.dry_run;
    let logik_missing = open
        .facts
        .packages
        .as_ref()
        .is_some_and(|p| !p.logik.installed);
    let wrote = if logik_missing {
        result.outcome = Outcome::Skipped;
        result.reason = Some(format!(
            "The Logik.ai package is not installed, so no product is configurable ({CONFIGURABLE})."
        ));
        false
    } else {
        touch(open, journal, opts, &mut result).await?
    };
    if !wrote && !opts.dry_run {
        journal.record_finished(&result)?;
    }
    result.requests = client.request_count();
    Ok(result)
}

async fn touch(
    open: &OpenOrg,
    journal: &mut Journal,
    opts: &TouchProductsOptions,
    result: &mut StepResult,
) -> Result<bool> {
    let client = &open.client;
    let products = read_configurable(client).await?;
    let since = if opts.force {
        None
    } else {
        first_touch_since_repoint(journal)
    };
    let due: Vec<Product> = products
        .iter()
        .filter(|p| match (&since, sf_time(&p.last_modified)) {
            (Some((cutoff, _)), Some(modified)) => modified < *cutoff,
            _ => true,
        })
        .cloned()
        .collect();
    if due.is_empty() {
        result.outcome = Outcome::Unchanged;
        let detail = match (&since, products.len()) {
            (_, 0) => format!("none: no Product2 has {CONFIGURABLE} = true"),
            (Some((_, at)), n) => {
                format!("all {n} modified since they were first touched after the repoint ({at})")
            }
            (None, n) => format!("{n}"),
        };
        result.check("configurable products", true, detail);
        return Ok(false);
    }
    let batches: Vec<&[Product]> = due.chunks(BATCH_SIZE).collect();
    let planned: Vec<Change> = batches
        .iter()
        .enumerate()
        .map(|(i, batch)| {
            batch_change(
                i,
                batches.len(),
                batch,
                json!({"records": batch.len(), "lastModifiedDate": Value::Null}),
            )
        })
        .collect();
    result.changes = planned.clone();
    result.check(
        "configurable products",
        true,
        format!(
            "{} of {} to touch, in {} request{} of up to {BATCH_SIZE}",
            due.len(),
            products.len(),
            batches.len(),
            if batches.len() == 1 { "" } else { "s" }
        ),
    );
    guard_production(&open.facts, opts.allow_production, STEP)?;
    if opts.dry_run {
        result.outcome = Outcome::Planned;
        return Ok(false);
    }

    let mut started = JournalEntry::new(STEP, JournalEvent::ApplyStarted);
    started.changes = planned
        .iter()
        .zip(&batches)
        .map(|(c, b)| with_ids(c.clone(), b, &[]))
        .collect();
    journal.append(started)?;

    let path = client.data_path("composite/sobjects");
    let mut failure: Option<Error> = None;
    for batch in &batches {
        let records: Vec<Value> = batch
            .iter()
            .map(|p| json!({"attributes": {"type": "Product2"}, "id": p.id}))
            .collect();
        // allOrNone false: a product a validation rule refuses does not hold the others back.
        let body = json!({"allOrNone": false, "records": records});
        let ids: Vec<&str> = batch.iter().map(|p| p.id.as_str()).collect();
        let sent = write_checked(
            async || client.patch(&path, &body).await,
            async || {
                let now = read_times(client, &ids).await?;
                Ok(batch
                    .iter()
                    .all(|p| now.get(&p.id).is_some_and(|t| *t != p.last_modified)))
            },
        )
        .await;
        if let Err(err) = sent {
            failure = Some(err);
            break;
        }
    }

    // The org is the truth: which products moved on.
    let now: HashMap<String, String> = match read_configurable(client).await {
        Ok(rows) => rows.into_iter().map(|p| (p.id, p.last_modified)).collect(),
        Err(err) => {
            let mut failed = JournalEntry::new(STEP, JournalEvent::ApplyFailed);
            failed.changes = planned
                .iter()
                .zip(&batches)
                .map(|(c, b)| with_ids(c.clone(), b, &[]))
                .collect();
            failed.note = Some(format!(
                "could not read the products back ({}); some may be touched",
                err.message
            ));
            journal.append(failed)?;
            return Err(err.with_action(format!(
                "Run `logik-refresh step {STEP}` again: it touches only what is left."
            )));
        }
    };
    let mut applied = Vec::new();
    let mut applied_journal = Vec::new();
    let mut left = Vec::new();
    let mut left_journal = Vec::new();
    let mut touched_count = 0;
    for (i, batch) in batches.iter().enumerate() {
        let (touched, untouched): (Vec<Product>, Vec<Product>) = batch
            .iter()
            .cloned()
            .partition(|p| now.get(&p.id).is_some_and(|t| *t != p.last_modified));
        if !touched.is_empty() {
            let after: Vec<Product> = touched
                .iter()
                .map(|p| Product {
                    id: p.id.clone(),
                    last_modified: now[&p.id].clone(),
                })
                .collect();
            touched_count += touched.len();
            let change = batch_change(i, batches.len(), &touched, summary(&after, false));
            applied_journal.push(with_ids(change.clone(), &touched, &after));
            applied.push(change);
        }
        if !untouched.is_empty() {
            let change = batch_change(
                i,
                batches.len(),
                &untouched,
                json!({"records": 0, "lastModifiedDate": Value::Null}),
            );
            left_journal.push(with_ids(change.clone(), &untouched, &[]));
            left.push(change);
        }
    }
    let untouched_count = due.len() - touched_count;
    if !applied.is_empty() {
        let mut entry = JournalEntry::new(STEP, JournalEvent::Applied);
        entry.changes = applied_journal;
        entry.outcome = Some(if left.is_empty() {
            Outcome::Changed
        } else {
            Outcome::Failed
        });
        entry.note = Some(format!("touched {touched_count} configurable products"));
        journal.append(entry)?;
    }
    result.changes = applied;
    result.checks.clear();
    result.check(
        "touched",
        left.is_empty(),
        format!(
            "{touched_count} of {} configurable products (re-read: LastModifiedDate moved on)",
            due.len()
        ),
    );
    if left.is_empty() {
        result.outcome = Outcome::Changed;
        return Ok(true);
    }
    let why = match failure {
        Some(err) => err.message,
        None => "Salesforce refused them (a validation rule, trigger or flow may block updates to these products)".to_string(),
    };
    let mut entry = JournalEntry::new(STEP, JournalEvent::ApplyFailed);
    entry.changes = left_journal;
    entry.note = Some(why.clone());
    journal.append(entry)?;
    result.outcome = Outcome::Failed;
    result.reason = Some(format!(
        "{untouched_count} of {} configurable products were not touched: {why}. Run the step again to touch the rest.",
        due.len()
    ));
    Ok(true)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_times() {
        let a = sf_time("2026-06-15T09:30:00.000+0000").unwrap();
        let b = sf_time("2026-06-15T11:30:00.000+0200").unwrap();
        assert_eq!(a, b);
        assert!(sf_time("2026-06-15T09:30:00Z").is_some());
        assert!(sf_time("yesterday").is_none());
    }

    #[test]
    fn summaries_sort_by_time() {
        let products = vec![
            Product {
                id: "01tB".into(),
                last_modified: "2026-06-16T00:00:00.000+0000".into(),
            },
            Product {
                id: "01tA".into(),
                last_modified: "2026-06-15T00:00:00.000+0000".into(),
            },
        ];
        let s = summary(&products, true);
        assert_eq!(s["records"], 2);
        assert_eq!(
            s["lastModifiedDate"]["from"],
            "2026-06-15T00:00:00.000+0000"
        );
        assert_eq!(s["ids"][0], "01tB");
    }
}
