//! The Salesforce REST and Tooling client.

pub mod client;
pub mod error;

pub use client::{Client, Connection, RefreshGrant};
pub mod ids;
