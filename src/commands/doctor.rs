//! `doctor`: the flags, resolved into what the doctor looks at.

use crate::cli::DoctorArgs;
use crate::doctor::{DoctorRequest, examine};
use crate::protocol::{CommandOutput, Result};

pub async fn cmd_doctor(args: DoctorArgs) -> Result<CommandOutput> {
    examine(DoctorRequest {
        target_org: args.org.target_org,
        org_json: args.org.org_json,
        api_version: args.org.api_version,
        keystore: args.keystore.keystore.into(),
        offline: args.offline,
    })
    .await
}
