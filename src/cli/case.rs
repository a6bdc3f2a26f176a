//! `case` topic: the support case payload.

use super::OrgFlags;
use crate::cli::values::RenderFormat;
use clap::{Args, Subcommand};
use std::path::PathBuf;

// Parsed once per run: the size of the largest variant costs nothing worth boxing for.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum CaseCommand {
    /// Build the support case payload (JSON) from flags, an answers file and the org.
    #[command(after_help = "\
Examples:
  Before the refresh, from the sandbox about to be refreshed (the new org ID is TBD):
    sf org display --json -o uat | logik-refresh case build --cpq-url https://acme.test.logik.io \\
        --refresh-date tomorrow --retain-data --cpq-admin jane@acme.com.uat --json > case.json

  Through sf's auth store, users checked in the org, the payload written to a file:
    logik-refresh case build -o uat --cpq-url https://acme.test.logik.io --refresh-date 2026-12-01 \\
        --start-from-scratch --cpq-admin jane@acme.com.uat,bob@acme.com.uat --output case.json

  From an answers file, after the refresh, with the new org ID:
    logik-refresh case build --answers answers.json --new-org-id 00D5e000000AbCd --output case.json

Values come from flags, then the answers file (--answers; `logik-refresh schema case-answers`),
then the org. On a terminal, without --json or --no-prompt, missing values are asked for.")]
    Build(CaseBuildArgs),

    /// Check a payload against its schema; every problem at once, with its JSON path.
    #[command(after_help = "\
Examples:
  A file written by case build (--output, or its --json envelope):
    logik-refresh case validate case.json

  Straight from a pipe:
    logik-refresh case build --answers case-answers.json --json | logik-refresh case validate

  The problems only, for a script:
    logik-refresh case validate case.json --json | jq '.data.errors'")]
    Validate(CaseValidateArgs),

    /// The payload as text for the Now Support form: a subject and a body.
    #[command(after_help = "\
Examples:
  The text to paste into the portal:
    logik-refresh case render case.json

  Markdown, from the build's own output:
    logik-refresh case build --answers case-answers.json --json \\
        | logik-refresh case render --format markdown

  The subject alone:
    logik-refresh case render case.json --json | jq -r .result.subject")]
    Render(CaseRenderArgs),

    /// The follow-up that sends the new org ID once the refresh is done.
    #[command(after_help = "\
Examples:
  From the refreshed sandbox:
    sf org display --json -o uat | logik-refresh case org-id --case-number CS0123456

  Straight from the refresh itself (run against production):
    sf org resume sandbox --name uat -o prod --json \\
        | logik-refresh case org-id --case-number CS0123456

  The follow-up payload as a file to attach:
    logik-refresh case org-id -o uat --case-number CS0123456 --output org-id.json")]
    OrgId(CaseOrgIdArgs),
}

#[derive(Debug, Args)]
#[command(next_display_order = 10)]
pub struct CaseBuildArgs {
    /// The org: before the refresh the sandbox about to be refreshed, after it the refreshed
    /// org. Optional; with none, the payload carries no org facts.
    #[command(flatten)]
    pub org: OrgFlags,

    #[command(flatten)]
    pub config: super::project::ConfigFlags,

    /// (1) The current CPQ environment URL, https://<tenant>.<sector>.logik.io.
    #[arg(long, value_name = "URL")]
    pub cpq_url: Option<String>,

    /// (2) The date of the refresh: YYYY-MM-DD, today or tomorrow.
    #[arg(long, value_name = "DATE")]
    pub refresh_date: Option<String>,

    /// (3) Keep the CPQ environment's data: a repoint (exclusive with --start-from-scratch).
    #[arg(long)]
    pub retain_data: bool,

    /// (3) Start from scratch: decommission the CPQ environment and create a new one.
    #[arg(long)]
    pub start_from_scratch: bool,

    /// (4) The new org ID, 15 or 18 characters, or TBD [default: TBD; the org's own ID when the
    /// org given is the refreshed one].
    #[arg(long, value_name = "ID|TBD")]
    pub new_org_id: Option<String>,

    /// (5) The new My Domain URL, only if it changed [default: unchanged].
    #[arg(long, value_name = "URL")]
    pub my_domain_url: Option<String>,

    /// (6) A username that needs CPQ Admin access (repeat the flag, or separate with commas).
    #[arg(long = "cpq-admin", value_name = "USERNAME", value_delimiter = ',')]
    pub cpq_admins: Vec<String>,

    /// (7) The new CPQ environment host name, only to change it [default: no change].
    #[arg(long, value_name = "HOST")]
    pub new_host: Option<String>,

    /// (8) The provisioning user's username [default: found in the org by its email,
    /// provisioning@logik.io].
    #[arg(long, value_name = "USERNAME")]
    pub provisioning_username: Option<String>,

    /// (8) The provisioning user's email; it must be provisioning@logik.io [default: that].
    #[arg(long, value_name = "EMAIL")]
    pub provisioning_email: Option<String>,

    /// The Now Support case number, when the case already exists (CS0123456).
    #[arg(long, value_name = "NUMBER")]
    pub case_number: Option<String>,

    /// Accept CPQ hosts outside <tenant>.<sector>.logik.io (a warning says so).
    #[arg(long)]
    pub allow_other_host: bool,

    /// Read values from this JSON file (keys as in the payload; flags win).
    #[arg(long, value_name = "FILE")]
    pub answers: Option<PathBuf>,

    /// Write the payload to FILE (atomically: all of it or nothing): a new file or a regular
    /// file you may write; "-" for stdout [default: stdout].
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// Use only the piped JSON: do not call the org (no user checks).
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct CaseValidateArgs {
    /// The payload: a file written by case build or case org-id (bare or their --json
    /// envelope); "-" or nothing for stdin.
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CaseRenderArgs {
    /// The payload: a file written by case build or case org-id (bare or their --json
    /// envelope); "-" or nothing for stdin.
    #[arg(value_name = "FILE|-")]
    pub file: Option<PathBuf>,

    /// How to render the body.
    #[arg(long, value_enum, default_value_t = RenderFormat::Text)]
    pub format: RenderFormat,
}

#[derive(Debug, Args)]
pub struct CaseOrgIdArgs {
    /// The refreshed org: -o, --org-json, or the JSON of sf org display / org resume sandbox
    /// (or this tool's own output) on stdin.
    #[command(flatten)]
    pub org: OrgFlags,

    /// The Now Support case this follows up (CS0123456).
    #[arg(long, value_name = "NUMBER")]
    pub case_number: Option<String>,

    /// How to render the text.
    #[arg(long, value_enum, default_value_t = RenderFormat::Text)]
    pub format: RenderFormat,

    /// Also write the follow-up payload to FILE (atomically): a new file or a regular file you
    /// may write; "-" prints the payload instead of the text.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
}
