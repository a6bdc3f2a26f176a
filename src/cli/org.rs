//! `org` topic flags, and the flags every org-reading command shares.

use clap::{Args, Subcommand};
use std::path::PathBuf;
use std::time::Duration;

#[derive(Debug, Subcommand)]
#[command(defer = true)]
pub enum OrgCommand {
    /// Show the refreshed org's facts, as sf and the org itself report them.
    #[command(after_help = "\
Examples:
  From sf's output, without calling the org:
    sf org display --json -o uat | logik-refresh org inspect --offline

  Through sf's auth store; only the tenant setting rows:
    logik-refresh org inspect -o uat --json | jq .result.tenantSetting.rows

  Right after a sandbox refresh finishes:
    sf org resume sandbox --name uat -o prod --json | logik-refresh org inspect --offline")]
    Inspect(InspectArgs),

    /// Wait for a sandbox refresh to complete, polling the production org (-o), then print the new org.
    #[command(after_help = "\
Examples:
  Wait for sandbox uat, refreshed from the production org aliased prod:
    logik-refresh org wait --sandbox-name uat -o prod

  In CI: give up after 6 hours (exit 69), keep the new org for the next commands:
    logik-refresh org wait --sandbox-name uat -o prod --timeout 6h --json > uat.json

  Then, once logged in to the sandbox with sf, hand it on:
    logik-refresh step provisioning-user --org-json uat.json")]
    Wait(WaitArgs),
}

// How a command finds its org. With none of these, sf JSON is read from stdin, else sf's
// default org is used.
#[derive(Debug, Args, Clone, Default)]
pub struct OrgFlags {
    /// Username or alias of the org (default: sf JSON piped in, else SF_TARGET_ORG or sf's
    /// target-org).
    #[arg(short = 'o', long = "target-org", value_name = "ALIAS|USERNAME")]
    pub target_org: Option<String>,

    /// Read the org from this file of sf JSON instead of stdin ("-" for stdin).
    #[arg(long, value_name = "FILE")]
    pub org_json: Option<PathBuf>,

    /// API version to use, e.g. 62.0 (default: SF_ORG_API_VERSION, sf's org-api-version, then the org's).
    #[arg(long, value_name = "NN.0")]
    pub api_version: Option<String>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    #[command(flatten)]
    pub org: OrgFlags,

    /// Use only what the piped JSON says; do not call the org.
    #[arg(long)]
    pub offline: bool,
}

#[derive(Debug, Args)]
pub struct WaitArgs {
    /// The sandbox being refreshed (or created), as Setup > Sandboxes names it; repeat it (or
    /// comma-separate) to wait for several at once.
    #[arg(long, value_name = "NAME", required = true, action = clap::ArgAction::Append, value_delimiter = ',')]
    pub sandbox_name: Vec<String>,

    /// The production org that holds the sandbox license (-o, or sf's default org).
    #[command(flatten)]
    pub org: OrgFlags,

    /// Time between two polls: 30s, 2m; a bare number is seconds.
    #[arg(long, value_name = "DURATION", default_value = "30s", value_parser = parse_seconds)]
    pub poll_interval: Duration,

    /// Give up after this long, with exit 69: 90m, 6h, 1d; a bare number is minutes (like sf's
    /// --wait). Default: wait until the refresh ends (Ctrl-C stops waiting).
    #[arg(long, value_name = "DURATION", value_parser = parse_minutes)]
    pub timeout: Option<Duration>,
}

pub(crate) fn parse_seconds(text: &str) -> Result<Duration, String> {
    parse_duration(text, 1.0)
}

fn parse_minutes(text: &str) -> Result<Duration, String> {
    parse_duration(text, 60.0)
}

/// `250ms`, `30s`, `5m`, `1.5h`, `2d`; a bare number counts in `bare_unit` seconds.
fn parse_duration(text: &str, bare_unit: f64) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: f64 = number
        .parse()
        .map_err(|_| format!("{text:?} is not a duration (e.g. 30s, 5m, 2h)"))?;
    let unit_secs = match unit.trim() {
        "" => bare_unit,
        "ms" => 0.001,
        "s" | "sec" | "secs" => 1.0,
        "m" | "min" | "mins" => 60.0,
        "h" | "hr" | "hrs" => 3600.0,
        "d" | "day" | "days" => 86_400.0,
        other => return Err(format!("unknown unit {other:?}: use ms, s, m, h or d")),
    };
    let secs = value * unit_secs;
    if !(secs > 0.0 && secs <= 30.0 * 86_400.0) {
        return Err(format!("{text:?} must be more than 0 and at most 30 days"));
    }
    Ok(Duration::from_secs_f64(secs))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_seconds("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse_seconds("250ms"), Ok(Duration::from_millis(250)));
        assert_eq!(parse_minutes("90"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_minutes("1.5h"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_minutes("2d"), Ok(Duration::from_secs(172_800)));
        for bad in ["", "0", "-1", "5 weeks", "h", "31d"] {
            assert!(parse_minutes(bad).is_err(), "{bad}");
        }
    }
}
