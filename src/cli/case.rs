//! `case` topic: the support case payload.

use clap::Subcommand;

#[derive(Debug, Subcommand)]
pub enum CaseCommand {}
