//! What `run` knows of a sandbox besides its flags: the project config's entry for the sandbox's
//! name, then the sandbox's snapshot. Each value comes from the flag, else the config, else the
//! snapshot.

use crate::cli::project::SnapshotFlags;
use crate::cli::run::RunArgs;
use crate::project::{LoadedConfig, sandbox_username};
use crate::protocol::Result;
use crate::snapshot::{RowLevel, Snapshot, Wanted};
use std::path::PathBuf;

/// Which snapshot the flags ask for.
pub fn wanted(flags: &SnapshotFlags) -> Wanted<'_> {
    Wanted {
        file: flags.snapshot.as_deref(),
        named_sandbox: flags.snapshot_of.as_deref(),
        accept_edited: flags.accept_edited_snapshot,
    }
}

/// The sandbox's name, its config entry's file and its snapshot.
pub struct SandboxContext {
    pub sandbox: Option<String>,
    pub config: Option<LoadedConfig>,
    pub snapshot: Option<(PathBuf, Snapshot)>,
    /// What finding the snapshot has to say (an older file without checksum, an edited one
    /// accepted).
    pub warnings: Vec<String>,
}

impl SandboxContext {
    /// The context of sandbox `sandbox` (the org `org_id`): its config entry and the snapshot
    /// taken before its refresh, whose values are checked here, before any request.
    pub fn load(
        sandbox: Option<String>,
        org_id: Option<&str>,
        config: Option<LoadedConfig>,
        flags: &SnapshotFlags,
        no_snapshot: bool,
        allow_other_host: bool,
    ) -> Result<SandboxContext> {
        let found = if no_snapshot {
            None
        } else {
            crate::snapshot::find(sandbox.as_deref(), org_id, &wanted(flags))?
        };
        if let Some(found) = &found {
            crate::snapshot::check_values(&found.snapshot, &found.path, allow_other_host)?;
        }
        let (snapshot, warnings) = match found {
            Some(found) => (Some((found.path, found.snapshot)), found.warnings),
            None => (None, Vec::new()),
        };
        Ok(SandboxContext {
            sandbox,
            config,
            snapshot,
            warnings,
        })
    }

    /// Fills what the flags left out, from the config entry, then the snapshot.
    pub fn fill_run_args(&self, args: &mut RunArgs) {
        let entry = match (&self.config, &self.sandbox) {
            (Some(config), Some(name)) => config.sandbox(name).cloned(),
            _ => None,
        };
        let suffix = |u: &str| match &self.sandbox {
            Some(sandbox) => sandbox_username(u, sandbox),
            None => u.to_string(),
        };
        let snapshot = self.snapshot.as_ref().map(|(_, s)| s);
        let org_row = snapshot.and_then(|s| {
            s.tenant_setting
                .iter()
                .flatten()
                .find(|r| r.level == RowLevel::Org)
        });
        let tenant = &mut args.tenant;
        if tenant.runtime_url.is_none() {
            if let Some(url) = entry.as_ref().and_then(|e| e.runtime_url.clone()) {
                tenant.runtime_url = Some(url);
                if tenant.admin_url.is_none() {
                    tenant.admin_url = entry.as_ref().and_then(|e| e.admin_url.clone());
                }
            } else if let Some(url) = org_row.and_then(|r| r.runtime_url.clone()) {
                if tenant.admin_url.is_none() {
                    tenant.admin_url = org_row
                        .and_then(|r| r.admin_url.clone())
                        .filter(|admin| *admin != url);
                }
                tenant.runtime_url = Some(url);
            }
        }
        if args.refresh_token_user.is_none() {
            args.refresh_token_user = entry
                .as_ref()
                .and_then(|e| e.refresh_token_user.as_deref())
                .map(suffix)
                .or_else(|| {
                    snapshot
                        .and_then(|s| s.refresh_token_user.as_ref())
                        .map(|u| u.username.clone())
                });
        }
        if args.clients.is_empty() && !args.no_runtime_clients {
            match entry.as_ref().and_then(|e| e.runtime_clients.as_ref()) {
                Some(list) if list.is_empty() => args.no_runtime_clients = true,
                Some(list) => {
                    args.clients = list
                        .iter()
                        .map(|c| format!("{}={}", c.name, suffix(&c.username)))
                        .collect()
                }
                None => {
                    args.clients = snapshot
                        .map(|s| {
                            s.runtime_clients
                                .iter()
                                .map(|c| format!("{}={}", c.name, c.user.username))
                                .collect()
                        })
                        .unwrap_or_default()
                }
            }
        }
        if !args.trusted_urls {
            args.trusted_urls = entry
                .as_ref()
                .and_then(|e| e.trusted_urls)
                .unwrap_or_else(|| {
                    snapshot.is_some_and(|s| s.trusted_urls.iter().any(|t| t.active))
                });
        }
        if !args.touch_products {
            args.touch_products = entry.as_ref().and_then(|e| e.touch_products) == Some(true);
        }
    }
}

/// `case build`'s defaults from the config: the CPQ URL, and the sandbox's CPQ Admins with the
/// sandbox's suffix (the case is built from the sandbox, where usernames carry it).
pub fn case_defaults(
    config: Option<&LoadedConfig>,
    sandbox: Option<&str>,
) -> (Option<String>, Option<Vec<String>>) {
    let Some(config) = config else {
        return (None, None);
    };
    let admins = sandbox.and_then(|name| {
        let entry = config.sandbox(name)?;
        (!entry.cpq_admins.is_empty()).then(|| {
            entry
                .cpq_admins
                .iter()
                .map(|u| sandbox_username(u, name))
                .collect()
        })
    });
    (config.config.cpq_url.clone(), admins)
}
