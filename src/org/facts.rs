//! The refreshed org's facts (`org inspect`): identity from what sf printed, and, online, what
//! the org itself says (Organization, installed packages, the Logik tenant setting rows).
//! Other commands reuse these facts, and their outputs carry them so commands chain.

use crate::org::tenant::{
    ADMIN_FIELD_USUAL, CPQ_NAMESPACE, LOGIK_NAMESPACE, RUNTIME_FIELD_FALLBACK, SettingField,
    TENANT_OBJECT, guess_fields, setting_fields, setup_owner_level,
};
use crate::protocol::Result;
use crate::salesforce::Client;
use crate::salesforce::client::BatchRead;
pub use crate::sf::connect::username_sandbox_suffix;
use crate::sf::connect::{OrgIdentity, TokenSource};
use crate::sf::intake::InputShape;
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Everything known about the org.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct OrgFacts {
    /// The org ID, 18 characters.
    #[schemars(example = "00D5e000000AbCdEAK")]
    pub org_id: Option<String>,
    /// The org ID, 15 characters (as Setup > Company Information shows it).
    #[schemars(example = "00D5e000000AbCd")]
    pub org_id15: Option<String>,
    /// The username the tool works as.
    pub username: Option<String>,
    /// The sf alias, when known.
    pub alias: Option<String>,
    /// The instance URL sf uses for the org.
    pub instance_url: Option<String>,
    /// The REST API version used.
    pub api_version: Option<String>,
    /// The org's My Domain URL, when the instance URL is a My Domain host.
    pub my_domain_url: Option<String>,
    /// The My Domain name (`acme` in `acme--uat.sandbox.my.salesforce.com`).
    pub my_domain: Option<String>,
    /// The sandbox name (`uat`).
    pub sandbox_name: Option<String>,
    /// Where the sandbox name came from.
    pub sandbox_name_source: Option<SandboxNameSource>,
    /// `Organization.IsSandbox`.
    pub is_sandbox: Option<bool>,
    /// `Organization.InstanceName` (e.g. `CS42`).
    pub instance_name: Option<String>,
    /// `Organization.OrganizationType` (the edition, e.g. `Enterprise Edition`).
    pub organization_type: Option<String>,
    /// `Organization.Name`.
    pub name: Option<String>,
    /// Installed managed packages that matter here; absent offline.
    pub packages: Option<Packages>,
    /// The Logik tenant custom setting; absent offline or without the Logik package.
    pub tenant_setting: Option<TenantSetting>,
    /// Whether the Visualforce page LGK__CpqConfiguration exists: partner-community setups use
    /// it as Salesforce CPQ's configurator URL. Absent offline.
    pub cpq_configuration_page: Option<bool>,
    /// How these facts were obtained.
    pub source: FactsSource,
}

#[derive(Debug, Clone, Copy, Serialize, Deserialize, JsonSchema, PartialEq, Eq)]
#[serde(rename_all = "kebab-case")]
pub enum SandboxNameSource {
    /// From the My Domain host `name--sandbox.sandbox.my.salesforce.com`.
    MyDomain,
    /// From the username's suffix (`admin@acme.com.uat`), which a refresh appends.
    Username,
    /// From the SandboxProcess record sf printed.
    SandboxProcess,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct Packages {
    /// The Logik.ai package (namespace `LGK`).
    pub logik: PackageInfo,
    /// Salesforce CPQ (namespace `SBQQ`).
    pub cpq: PackageInfo,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct PackageInfo {
    pub namespace: String,
    pub installed: bool,
    /// The package's name, when installed.
    pub name: Option<String>,
    /// `major.minor.patch`, when the Tooling API gives it.
    pub version: Option<String>,
    /// The installed version's name.
    pub version_name: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantSetting {
    /// The custom setting's API name.
    pub object: String,
    /// The API name of the Runtime Configuration URL field; null when the org's fields do not
    /// tell which it is (`step tenant-urls --runtime-url-field` names it).
    pub runtime_url_field: Option<String>,
    /// The API name of the field labelled "Administration URL", when the org has one.
    pub admin_url_field: Option<String>,
    /// The setting's text and URL fields (from describe), the candidates a flag may name.
    #[serde(skip)]
    pub fields: Vec<SettingField>,
    /// Every row of the hierarchy: the org default and any profile or user rows that shadow it.
    pub rows: Vec<TenantRow>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct TenantRow {
    pub id: String,
    /// The org ID (org default), a profile ID or a user ID.
    pub setup_owner_id: String,
    /// `org`, `profile` or `user`.
    pub level: String,
    pub runtime_url: Option<String>,
    pub admin_url: Option<String>,
}

#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase")]
pub struct FactsSource {
    /// The shape of the JSON piped in, if any.
    pub input: Option<InputShape>,
    /// True when the org was not called.
    pub offline: bool,
    /// Where the access token came from (never the token itself).
    pub token_source: Option<TokenSource>,
    /// HTTP requests sent to the org.
    pub requests: u64,
}

impl OrgFacts {
    /// The facts that need no network: what sf printed and what the URLs and username say.
    pub fn from_identity(identity: &OrgIdentity) -> OrgFacts {
        let piped = identity.piped.as_ref();
        let mut facts = OrgFacts {
            org_id: identity.org_id.as_ref().map(|id| id.as_18().to_string()),
            org_id15: identity.org_id.as_ref().map(|id| id.as_15().to_string()),
            username: identity.username.clone(),
            alias: identity.alias.clone(),
            instance_url: identity.instance_url.clone(),
            api_version: identity.api_version.clone(),
            my_domain_url: None,
            my_domain: None,
            sandbox_name: None,
            sandbox_name_source: None,
            is_sandbox: piped.and_then(|p| p.is_sandbox),
            instance_name: piped.and_then(|p| p.instance_name.clone()),
            organization_type: piped.and_then(|p| p.org_edition.clone()),
            name: piped.and_then(|p| p.org_name.clone()),
            packages: None,
            tenant_setting: None,
            cpq_configuration_page: None,
            source: FactsSource {
                input: piped.and_then(|p| p.shape),
                offline: true,
                token_source: None,
                requests: 0,
            },
        };
        // The piped JSON's sandbox name only when it is about this org (`identify` has refused
        // one that disagrees with the username's).
        let same_org = |p: &&crate::sf::intake::PipedOrg| {
            p.username.is_none() || p.username == identity.username
        };
        if let Some(name) = piped.filter(same_org).and_then(|p| p.sandbox_name.clone()) {
            facts.sandbox_name = Some(name);
            facts.sandbox_name_source = Some(SandboxNameSource::SandboxProcess);
        }
        facts.derive_names();
        facts
    }

    /// My Domain and sandbox name from the instance URL, else the sandbox name from the
    /// username suffix.
    fn derive_names(&mut self) {
        if let Some(domain) = self.instance_url.as_deref().and_then(parse_my_domain) {
            self.my_domain_url = Some(domain.url);
            self.my_domain = Some(domain.name);
            if domain.sandbox.is_some() {
                self.sandbox_name = domain.sandbox;
                self.sandbox_name_source = Some(SandboxNameSource::MyDomain);
                if self.is_sandbox.is_none() {
                    self.is_sandbox = Some(true);
                }
            }
        }
        if self.sandbox_name.is_none()
            && self.is_sandbox != Some(false)
            && let Some(suffix) = self.username.as_deref().and_then(username_sandbox_suffix)
        {
            self.sandbox_name = Some(suffix);
            self.sandbox_name_source = Some(SandboxNameSource::Username);
        }
    }

    /// Calls the org: Organization, installed packages, the tenant setting's describe and its
    /// rows (asked for with the usual field names, see [`ADMIN_FIELD_USUAL`]) in one round trip.
    /// `extra_reads` ride along in the Data API batch (a command that will read them anyway
    /// saves a round trip); their answers come back in order.
    pub async fn gather_online(
        &mut self,
        client: &Client,
        token_source: TokenSource,
        extra_reads: &[BatchRead],
    ) -> Result<Vec<Result<Value>>> {
        // One round trip for everything the steps read up front: the Data API's reads in one
        // composite (or several, within the limits), the Tooling API's in another, at the
        // same time.
        let usual = TenantSetting::usual();
        let data_reads = [
                BatchRead::Query(
                    "SELECT Id, Name, IsSandbox, InstanceName, OrganizationType, NamespacePrefix FROM Organization LIMIT 1".into(),
                ),
                BatchRead::Get(format!("sobjects/{TENANT_OBJECT}/describe")),
                BatchRead::Query(usual.rows_query()),
        ];
        let data_reads: Vec<BatchRead> = data_reads
            .into_iter()
            .chain(extra_reads.iter().cloned())
            .collect();
        let tooling_reads = [
                BatchRead::Query(
                    "SELECT SubscriberPackage.NamespacePrefix, SubscriberPackage.Name, SubscriberPackageVersion.Name, \
                     SubscriberPackageVersion.MajorVersion, SubscriberPackageVersion.MinorVersion, \
                     SubscriberPackageVersion.PatchVersion FROM InstalledSubscriberPackage"
                        .into(),
                ),
                BatchRead::Query(format!(
                    "SELECT Id FROM ApexPage WHERE NamespacePrefix = '{LOGIK_NAMESPACE}' AND Name = 'CpqConfiguration'"
                )),
        ];
        let data = client.get_batch(false, &data_reads);
        let tooling = client.get_batch(true, &tooling_reads);
        // A token handed over in the environment comes without a username: ask the org.
        let whoami = async {
            match &self.username {
                Some(_) => Ok(None),
                None => client.get("/services/oauth2/userinfo").await.map(Some),
            }
        };
        let (data, tooling, whoami) = tokio::join!(data, tooling, whoami);
        if let Some(info) = whoami? {
            self.username = real_username(client, &info).await?;
        }
        let mut data = data?.into_iter();
        let (organization, describe, usual_rows) = (
            next_read(&mut data),
            next_read(&mut data),
            next_read(&mut data),
        );
        let extra_answers: Vec<Result<Value>> = data.collect();
        let mut tooling = tooling?.into_iter();
        let (packages, pages) = (next_read(&mut tooling), next_read(&mut tooling));
        let organization = records(organization)?;
        self.cpq_configuration_page = Some(!records(pages)?.is_empty());

        if let Some(org) = organization.first() {
            let id = str_of(org, "Id");
            if let Some(id) = id
                .as_deref()
                .and_then(|id| crate::salesforce::ids::OrgId::parse(id).ok())
            {
                self.org_id = Some(id.as_18().to_string());
                self.org_id15 = Some(id.as_15().to_string());
            }
            self.name = str_of(org, "Name").or(self.name.take());
            self.is_sandbox = org
                .get("IsSandbox")
                .and_then(Value::as_bool)
                .or(self.is_sandbox);
            self.instance_name = str_of(org, "InstanceName").or(self.instance_name.take());
            self.organization_type =
                str_of(org, "OrganizationType").or(self.organization_type.take());
        }
        let packages = records(packages)?;
        self.packages = Some(Packages {
            logik: package_info(&packages, LOGIK_NAMESPACE),
            cpq: package_info(&packages, CPQ_NAMESPACE),
        });

        match describe {
            Ok(describe) => {
                let fields = setting_fields(&describe)?;
                let guessed = guess_fields(&fields);
                let mut setting = TenantSetting {
                    object: TENANT_OBJECT.to_string(),
                    runtime_url_field: guessed.runtime_url,
                    admin_url_field: guessed.admin_url,
                    fields,
                    rows: Vec::new(),
                };
                setting.rows = match usual_rows {
                    Ok(Value::Array(rows)) if setting.rows_query() == usual.rows_query() => {
                        setting.rows_from(&rows)
                    }
                    _ => setting.read_rows(client).await?,
                };
                self.tenant_setting = Some(setting);
            }
            // No such object: the Logik package is not installed (packages say so).
            Err(err) if matches!(err.code(), "NOT_FOUND" | "INVALID_TYPE") => {}
            Err(err) => return Err(err),
        }
        self.sandbox_name_source
            .take_if(|s| *s == SandboxNameSource::Username);
        if self.sandbox_name_source.is_none() {
            self.sandbox_name = None;
        }
        self.derive_names();
        self.source.offline = false;
        self.source.token_source = Some(token_source);
        self.source.requests = client.request_count();
        Ok(extra_answers)
    }
}

impl TenantSetting {
    /// The setting as the package usually ships it (its fields' usual API names), no rows.
    fn usual() -> TenantSetting {
        TenantSetting {
            object: TENANT_OBJECT.to_string(),
            runtime_url_field: Some(RUNTIME_FIELD_FALLBACK.to_string()),
            admin_url_field: Some(ADMIN_FIELD_USUAL.to_string()),
            fields: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// The query that reads every row of the setting.
    pub fn rows_query(&self) -> String {
        let mut select = vec!["Id", "SetupOwnerId"];
        select.extend(self.runtime_url_field.as_deref());
        select.extend(self.admin_url_field.as_deref());
        format!(
            "SELECT {} FROM {} ORDER BY SetupOwnerId",
            select.join(", "),
            self.object
        )
    }

    /// Reads every row of the setting afresh (used again after a write, to verify it).
    pub async fn read_rows(&self, client: &Client) -> Result<Vec<TenantRow>> {
        Ok(self.rows_from(&client.query(&self.rows_query()).await?))
    }

    /// The rows of an answer to [`TenantSetting::rows_query`].
    pub fn rows_from(&self, records: &[Value]) -> Vec<TenantRow> {
        records
            .iter()
            .map(|row| {
                let owner = str_of(row, "SetupOwnerId").unwrap_or_default();
                TenantRow {
                    id: str_of(row, "Id").unwrap_or_default(),
                    level: setup_owner_level(&owner).to_string(),
                    setup_owner_id: owner,
                    runtime_url: self
                        .runtime_url_field
                        .as_deref()
                        .and_then(|f| str_of(row, f)),
                    admin_url: self.admin_url_field.as_deref().and_then(|f| str_of(row, f)),
                }
            })
            .collect()
    }
}

/// The running user's username as the org spells it: userinfo's `preferred_username` comes in
/// lower case (sf's own bug, forcedotcom/cli#1025, fixed by reading `User.Username`), and sf's
/// auth file is named by the real one.
async fn real_username(client: &Client, info: &Value) -> Result<Option<String>> {
    let Some(user_id) =
        str_of(info, "user_id").filter(|id| crate::salesforce::ids::is_valid_id(id))
    else {
        return Ok(str_of(info, "preferred_username"));
    };
    let rows = client
        .query(&format!(
            "SELECT Username FROM User WHERE Id = {}",
            crate::salesforce::soql_quote(&user_id)
        ))
        .await?;
    Ok(rows
        .first()
        .and_then(|r| str_of(r, "Username"))
        .or_else(|| str_of(info, "preferred_username")))
}

fn next_read(reads: &mut impl Iterator<Item = Result<Value>>) -> Result<Value> {
    reads.next().unwrap_or_else(|| {
        Err(crate::protocol::Error::new(
            "UnexpectedResponseError",
            "A batch of reads came back short.",
        ))
    })
}

fn records(read: Result<Value>) -> Result<Vec<Value>> {
    Ok(match read? {
        Value::Array(rows) => rows,
        _ => Vec::new(),
    })
}

fn package_info(rows: &[Value], namespace: &str) -> PackageInfo {
    let row = rows.iter().find(|row| {
        row.pointer("/SubscriberPackage/NamespacePrefix")
            .and_then(Value::as_str)
            .is_some_and(|ns| ns.eq_ignore_ascii_case(namespace))
    });
    let version = row.and_then(|row| {
        let part = |name: &str| {
            row.pointer(&format!("/SubscriberPackageVersion/{name}"))
                .and_then(Value::as_i64)
        };
        Some(format!(
            "{}.{}.{}",
            part("MajorVersion")?,
            part("MinorVersion")?,
            part("PatchVersion").unwrap_or(0)
        ))
    });
    PackageInfo {
        namespace: namespace.to_string(),
        installed: row.is_some(),
        name: row
            .and_then(|r| r.pointer("/SubscriberPackage/Name"))
            .and_then(Value::as_str)
            .map(str::to_string),
        version,
        version_name: row
            .and_then(|r| r.pointer("/SubscriberPackageVersion/Name"))
            .and_then(Value::as_str)
            .map(str::to_string),
    }
}

fn str_of(record: &Value, field: &str) -> Option<String> {
    record
        .get(field)
        .and_then(Value::as_str)
        .map(str::to_string)
}

/// A My Domain host, split.
#[derive(Debug, PartialEq, Eq)]
pub struct MyDomain {
    pub url: String,
    pub name: String,
    pub sandbox: Option<String>,
}

/// `https://acme--uat.sandbox.my.salesforce.com` -> name `acme`, sandbox `uat`;
/// `https://acme.my.salesforce.com` -> name `acme`. Other hosts are not My Domains.
pub fn parse_my_domain(url: &str) -> Option<MyDomain> {
    let parsed = url::Url::parse(url).ok()?;
    let host = parsed.host_str()?.to_ascii_lowercase();
    let rest = host.strip_suffix(".my.salesforce.com")?;
    let mut labels = rest.split('.');
    let first = labels.next()?;
    let (name, sandbox) = match first.split_once("--") {
        Some((name, sandbox)) if !name.is_empty() && !sandbox.is_empty() => {
            (name, Some(sandbox.to_string()))
        }
        _ => (first, None),
    };
    Some(MyDomain {
        url: format!("https://{host}"),
        name: name.to_string(),
        sandbox,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn my_domain_hosts() {
        let d = parse_my_domain("https://acme--uat.sandbox.my.salesforce.com/").unwrap();
        assert_eq!(d.name, "acme");
        assert_eq!(d.sandbox.as_deref(), Some("uat"));
        assert_eq!(d.url, "https://acme--uat.sandbox.my.salesforce.com");
        let d = parse_my_domain("https://Acme.my.salesforce.com").unwrap();
        assert_eq!((d.name.as_str(), d.sandbox), ("acme", None));
        assert_eq!(parse_my_domain("http://127.0.0.1:8765/"), None);
        assert_eq!(parse_my_domain("https://cs42.salesforce.com"), None);
    }

    #[test]
    fn username_suffixes() {
        assert_eq!(
            username_sandbox_suffix("admin@acme.com.uat").as_deref(),
            Some("uat")
        );
        assert_eq!(username_sandbox_suffix("admin@acme.com"), None);
        assert_eq!(username_sandbox_suffix("nobody"), None);
    }
}
