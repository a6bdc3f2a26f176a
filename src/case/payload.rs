//! The support case payload and the org-ID follow-up: the JSON documents a customer attaches to
//! a Now Support case. Their schemas (`schemas/support-case.schema.json`,
//! `schemas/case-follow-up.schema.json`) are generated from these types; every field carries a
//! description and an example, and every field is always present (`null` where the seed says
//! "if changed" and nothing changed), so a support engineer never has to guess.

use crate::salesforce::ids::OrgId;
use crate::sf::intake::InputShape;
use schemars::{JsonSchema, Schema};
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_json::Value;

/// The version of both payload schemas. Raise it when a field changes meaning or goes away.
pub const SCHEMA_VERSION: u32 = 1;
pub use crate::org::users::PROVISIONING_EMAIL;
/// The profile the provisioning user must have.
pub const SYSTEM_ADMINISTRATOR: &str = "System Administrator";
/// The value of `newOrgId` before the refresh, as the vendor procedure spells it.
pub const TBD: &str = "TBD";
/// This program, as payloads name their generator.
pub const GENERATOR_NAME: &str = env!("CARGO_PKG_NAME");

/// Pattern of a Salesforce username as this tool accepts it (email-shaped, no spaces).
pub const USERNAME_PATTERN: &str = r"^[^@\s]+@[^@\s]+\.[^@\s]+$";
/// Pattern of a host name: lowercase DNS labels.
pub const HOST_PATTERN: &str = r"^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$";
/// Pattern of the CPQ environment URL: https, a host, an optional port, no path.
pub const CPQ_URL_PATTERN: &str =
    r"^https://[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+(:[0-9]{1,5})?$";
/// Pattern of a My Domain URL: https and a Salesforce My Domain host.
pub const MY_DOMAIN_URL_PATTERN: &str =
    r"^https://[a-z0-9.-]+\.my\.(salesforce\.com|salesforce\.mil|sfcrmproducts\.cn)$";
/// Pattern of an ISO 8601 calendar date.
pub const DATE_PATTERN: &str = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$";
/// Pattern of a Now Support case number as this tool accepts it.
pub const CASE_NUMBER_PATTERN: &str = r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$";

/// Joins the lines of every description in a schema node (doc comments wrap at 100 columns;
/// a description is one paragraph). Examples are data and stay as they are.
pub(crate) fn tidy(schema: &mut Schema) {
    fn walk(value: &mut Value) {
        match value {
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    match child {
                        Value::String(text) if key == "description" => {
                            *text = text
                                .split('\n')
                                .map(str::trim)
                                .collect::<Vec<_>>()
                                .join(" ");
                        }
                        _ if key == "examples" => {}
                        _ => walk(child),
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(walk),
            _ => {}
        }
    }
    if let Some(map) = schema.as_object_mut() {
        let mut value = Value::Object(std::mem::take(map));
        walk(&mut value);
        if let Value::Object(tidied) = value {
            *map = tidied;
        }
    }
}

/// Marks every property of an object schema as required: the payloads always carry every
/// field, `null` included, so a missing one is a broken payload. Tidies descriptions too.
fn all_required(schema: &mut Schema) {
    tidy(schema);
    let Some(names) = schema
        .get("properties")
        .and_then(Value::as_object)
        .map(|p| p.keys().cloned().map(Value::String).collect::<Vec<_>>())
    else {
        return;
    };
    schema.insert("required".into(), Value::Array(names));
}

/// The support case payload (`logik-refresh case build`): the eight facts the vendor procedure
/// asks for, in its order, plus what helps a support engineer act on them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = all_required)]
pub struct SupportCase {
    /// What this document is: always `support-case`.
    #[schemars(example = &"support-case")]
    pub kind: SupportCaseKind,
    /// The version of this payload's schema.
    #[schemars(extend("const" = 1), example = 1)]
    pub schema_version: u32,
    /// The program that wrote this payload.
    #[schemars(example = Generator::example())]
    pub generator: Generator,
    /// When the payload was written (RFC 3339, UTC).
    #[schemars(extend("format" = "date-time"), example = &"2026-11-30T09:15:00Z")]
    pub generated_at: String,
    /// The Now Support case number once the case exists (`--case-number`); `null` when the
    /// payload is built to open the case.
    #[schemars(regex(pattern = CASE_NUMBER_PATTERN), example = &"CS0123456")]
    pub case_number: Option<String>,
    /// (1) The current CPQ environment URL, `https://<tenant>.<sector>.logik.io` (`--cpq-url`).
    #[schemars(regex(pattern = CPQ_URL_PATTERN), example = &"https://acme.test.logik.io")]
    pub cpq_url: String,
    /// (2) The date the refresh will be (or was) performed, ISO 8601 (`--refresh-date`).
    #[schemars(regex(pattern = DATE_PATTERN), extend("format" = "date"), example = &"2026-12-01")]
    pub refresh_date: String,
    /// (3) What to do with the connected CPQ environment's existing data (`--retain-data` or
    /// `--start-from-scratch`).
    #[schemars(example = &"repoint")]
    pub data_disposition: DataDisposition,
    /// (4) The new Salesforce org ID, 18 characters, or `TBD` until the refresh is done
    /// (`--new-org-id`; sent later with `case org-id`).
    #[schemars(example = &"TBD", example = &"00D5e000000AbCdEAK")]
    pub new_org_id: NewOrgId,
    /// (5) The Salesforce My Domain URL if it changed with the refresh; `null` when unchanged
    /// (`--my-domain-url`).
    #[schemars(regex(pattern = MY_DOMAIN_URL_PATTERN), example = &"https://acme--uat.sandbox.my.salesforce.com")]
    pub my_domain_url: Option<String>,
    /// (6) The Salesforce usernames of the users who need CPQ Admin access (`--cpq-admin`).
    #[schemars(length(min = 1), inner(regex(pattern = USERNAME_PATTERN)))]
    #[schemars(extend("uniqueItems" = true), example = ["jane@acme.com.uat"])]
    pub cpq_admins: Vec<String>,
    /// (7) The new CPQ environment host name if it should change; `null` to keep the current
    /// one (`--new-host`).
    #[schemars(regex(pattern = HOST_PATTERN), example = &"acme-uat.test.logik.io")]
    pub new_host: Option<String>,
    /// (8) The provisioning user: email `provisioning@logik.io`, profile System Administrator
    /// (`--provisioning-username`).
    #[schemars(example = ProvisioningUser::example())]
    pub provisioning_user: ProvisioningUser,
    /// The org given to `case build` (piped or `-o`), as `org inspect` saw it; `null` when
    /// none was given.
    #[schemars(example = CaseOrg::example())]
    pub org: Option<CaseOrg>,
    /// What was checked in the org (users exist and are active, the provisioning user's email
    /// and profile); empty when the org was not called.
    #[schemars(example = [CaseCheck::example()])]
    pub checks: Vec<CaseCheck>,
}

/// The follow-up that sends the new org ID (`logik-refresh case org-id`), for the case that
/// said `TBD`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = all_required)]
pub struct OrgIdFollowUp {
    /// What this document is: always `org-id-follow-up`.
    #[schemars(example = &"org-id-follow-up")]
    pub kind: FollowUpKind,
    /// The version of this payload's schema.
    #[schemars(extend("const" = 1), example = 1)]
    pub schema_version: u32,
    /// The program that wrote this payload.
    #[schemars(example = Generator::example())]
    pub generator: Generator,
    /// When the payload was written (RFC 3339, UTC).
    #[schemars(extend("format" = "date-time"), example = &"2026-12-01T16:40:00Z")]
    pub generated_at: String,
    /// The Now Support case this follows up (`--case-number`); `null` when not given.
    #[schemars(regex(pattern = CASE_NUMBER_PATTERN), example = &"CS0123456")]
    pub case_number: Option<String>,
    /// The refreshed org's ID, 18 characters (the 15-character form is `org.orgId15`).
    #[schemars(example = &"00D5e000000AbCdEAK")]
    pub new_org_id: OrgId,
    /// The refreshed org, as far as the input tells.
    #[schemars(example = CaseOrg::example())]
    pub org: CaseOrg,
}

/// The `kind` of a support case payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SupportCaseKind {
    /// A support case payload.
    #[serde(rename = "support-case")]
    SupportCase,
}

/// The `kind` of an org-ID follow-up payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum FollowUpKind {
    /// An org-ID follow-up payload.
    #[serde(rename = "org-id-follow-up")]
    OrgIdFollowUp,
}

/// The program that wrote a payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = all_required)]
pub struct Generator {
    /// Always `logik-refresh`.
    #[schemars(extend("const" = GENERATOR_NAME), example = &GENERATOR_NAME)]
    pub name: String,
    /// Its version.
    #[schemars(example = &"0.1.0")]
    pub version: String,
}

impl Generator {
    pub fn this() -> Generator {
        Generator {
            name: GENERATOR_NAME.to_string(),
            version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    fn example() -> Value {
        serde_json::json!({"name": GENERATOR_NAME, "version": "0.1.0"})
    }
}

/// What to do with the connected CPQ environment's existing data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "kebab-case")]
#[schemars(transform = tidy)]
pub enum DataDisposition {
    /// Retain its data: repoint the CPQ environment to the refreshed org (`--retain-data`).
    Repoint,
    /// Start from scratch: decommission the CPQ environment and create a new one
    /// (`--start-from-scratch`).
    DecommissionAndRecreate,
}

impl DataDisposition {
    pub fn as_str(self) -> &'static str {
        match self {
            DataDisposition::Repoint => "repoint",
            DataDisposition::DecommissionAndRecreate => "decommission-and-recreate",
        }
    }

    /// The vendor procedure's words for it.
    pub fn describe(self) -> &'static str {
        match self {
            DataDisposition::Repoint => "Retain its data (a repoint)",
            DataDisposition::DecommissionAndRecreate => {
                "Start from scratch (decommission and create a new environment)"
            }
        }
    }

    /// The `case build` flag that chooses it.
    pub fn flag(self) -> &'static str {
        match self {
            DataDisposition::Repoint => "--retain-data",
            DataDisposition::DecommissionAndRecreate => "--start-from-scratch",
        }
    }
}

/// The new org ID: known, or `TBD` until the refresh is done.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NewOrgId {
    Tbd,
    Known(OrgId),
}

impl NewOrgId {
    pub fn as_str(&self) -> &str {
        match self {
            NewOrgId::Tbd => TBD,
            NewOrgId::Known(id) => id.as_18(),
        }
    }
}

impl Serialize for NewOrgId {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for NewOrgId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        if s == TBD {
            return Ok(NewOrgId::Tbd);
        }
        OrgId::parse(&s)
            .map(NewOrgId::Known)
            .map_err(|e| serde::de::Error::custom(e.message))
    }
}

impl JsonSchema for NewOrgId {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "NewOrgId".into()
    }

    fn json_schema(generator: &mut schemars::SchemaGenerator) -> Schema {
        let org_id = generator.subschema_for::<OrgId>();
        schemars::json_schema!({
            "anyOf": [
                {
                    "type": "string",
                    "const": TBD,
                    "description": "Not known yet: the refresh has not been done. Send it later with `logik-refresh case org-id`."
                },
                org_id
            ]
        })
    }
}

/// The provisioning user the vendor asks for.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = all_required)]
pub struct ProvisioningUser {
    /// Its Salesforce username.
    #[schemars(regex(pattern = USERNAME_PATTERN), example = &"provisioning@logik.io.acme.uat")]
    pub username: String,
    /// Its email: always `provisioning@logik.io`.
    #[schemars(extend("const" = PROVISIONING_EMAIL), example = &PROVISIONING_EMAIL)]
    pub email: String,
    /// Its profile: always `System Administrator`.
    #[schemars(extend("const" = SYSTEM_ADMINISTRATOR), example = &SYSTEM_ADMINISTRATOR)]
    pub profile: String,
}

impl ProvisioningUser {
    pub fn new(username: String) -> ProvisioningUser {
        ProvisioningUser {
            username,
            email: PROVISIONING_EMAIL.to_string(),
            profile: SYSTEM_ADMINISTRATOR.to_string(),
        }
    }

    fn example() -> Value {
        serde_json::json!({
            "username": "provisioning@logik.io.acme.uat",
            "email": PROVISIONING_EMAIL,
            "profile": SYSTEM_ADMINISTRATOR,
        })
    }
}

/// An org as a payload records it: the facts of `org inspect` that identify it. Before the
/// refresh this is the sandbox about to be refreshed (its current org ID); after it, the
/// refreshed org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = all_required)]
pub struct CaseOrg {
    /// True when this is the refreshed org (its `orgId` is the new org ID); false when it is
    /// the sandbox before its refresh.
    #[schemars(example = false)]
    pub refreshed: bool,
    /// The org ID, 18 characters.
    #[schemars(example = &"00D5e000000AbCdEAK")]
    pub org_id: Option<OrgId>,
    /// The org ID, 15 characters (as Setup > Company Information shows it).
    #[schemars(regex(pattern = r"^00D[0-9A-Za-z]{12}$"), example = &"00D5e000000AbCd")]
    pub org_id15: Option<String>,
    /// `Organization.Name`.
    #[schemars(example = &"Acme")]
    pub name: Option<String>,
    /// The username sf is logged in as (not a secret; never a token).
    #[schemars(example = &"admin@acme.com.uat")]
    pub username: Option<String>,
    /// The instance URL sf uses for the org.
    #[schemars(example = &"https://acme--uat.sandbox.my.salesforce.com")]
    pub instance_url: Option<String>,
    /// `Organization.InstanceName`.
    #[schemars(example = &"CS42")]
    pub instance_name: Option<String>,
    /// The org's My Domain URL, when the instance URL is a My Domain host.
    #[schemars(example = &"https://acme--uat.sandbox.my.salesforce.com")]
    pub my_domain_url: Option<String>,
    /// The sandbox name.
    #[schemars(example = &"uat")]
    pub sandbox_name: Option<String>,
    /// `Organization.IsSandbox`.
    #[schemars(example = true)]
    pub is_sandbox: Option<bool>,
    /// `Organization.OrganizationType` (the edition).
    #[schemars(example = &"Enterprise Edition")]
    pub organization_type: Option<String>,
    /// The installed Logik.ai package (`LGK`) version; `null` when not installed or not
    /// asked (offline).
    #[schemars(example = &"1.42.0")]
    pub logik_package_version: Option<String>,
    /// The installed Salesforce CPQ package (`SBQQ`) version; `null` when not installed or not
    /// asked (offline).
    #[schemars(example = &"252.3.0")]
    pub cpq_package_version: Option<String>,
    /// The Runtime Configuration URL of the org's Logik tenant setting (org default row);
    /// `null` when there is none or it was not read (offline).
    #[schemars(example = &"https://acme.test.logik.io")]
    pub tenant_runtime_url: Option<String>,
    /// How these facts were obtained.
    #[schemars(example = CaseOrgSource::example())]
    pub source: CaseOrgSource,
}

impl CaseOrg {
    fn example() -> Value {
        serde_json::json!({
            "refreshed": false,
            "orgId": "00D5e000000AbCdEAK",
            "orgId15": "00D5e000000AbCd",
            "name": "Acme",
            "username": "admin@acme.com.uat",
            "instanceUrl": "https://acme--uat.sandbox.my.salesforce.com",
            "instanceName": "CS42",
            "myDomainUrl": "https://acme--uat.sandbox.my.salesforce.com",
            "sandboxName": "uat",
            "isSandbox": true,
            "organizationType": "Enterprise Edition",
            "logikPackageVersion": "1.42.0",
            "cpqPackageVersion": "252.3.0",
            "tenantRuntimeUrl": "https://acme.test.logik.io",
            "source": CaseOrgSource::example(),
        })
    }
}

/// Where an org's facts came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = all_required)]
pub struct CaseOrgSource {
    /// The shape of the JSON piped in, if any (`org-display`, `org-login`, `sandbox-process`,
    /// `logik-refresh`).
    #[schemars(example = &"org-display")]
    pub input: Option<InputShape>,
    /// True when the org itself was not called: the facts are what the input said.
    #[schemars(example = false)]
    pub offline: bool,
}

impl CaseOrgSource {
    fn example() -> Value {
        serde_json::json!({"input": "org-display", "offline": false})
    }
}

/// One thing checked in the org.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(transform = all_required)]
pub struct CaseCheck {
    /// What was checked.
    #[schemars(example = &"CPQ Admin jane@acme.com.uat")]
    pub name: String,
    /// Whether it is as the case needs it.
    #[schemars(example = true)]
    pub ok: bool,
    /// What was found.
    #[schemars(example = &"an active user (profile System Administrator)")]
    pub detail: String,
}

impl CaseCheck {
    fn example() -> Value {
        serde_json::json!({
            "name": "CPQ Admin jane@acme.com.uat",
            "ok": true,
            "detail": "an active user (profile System Administrator)",
        })
    }
}

/// The current time as payloads write it: RFC 3339, UTC, whole seconds.
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .strftime("%Y-%m-%dT%H:%M:%SZ")
        .to_string()
}
