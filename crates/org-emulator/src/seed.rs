//! The seeds: a sandbox just refreshed from production (still pointing at the old Logik tenant),
//! the production org it came from, and variants without the LGK or SBQQ packages.

use serde_json::{Value, json};

use super::language::Language;
use super::state::{FieldSchema as F, FieldType as T, ObjectSchema, OrgState};
use super::{
    PRODUCTION_ORG_ID, PRODUCTION_USERNAME, SEED_ACCESS_TOKEN, SEED_ORG_ID, SEED_REFRESH_TOKEN,
    SEED_USERNAME, Seed,
};

/// When the seeded records were last touched.
const SEEDED_AT: &str = "2026-11-28T09:00:00.000+0000";
/// The tenant the refreshed sandbox still points at.
pub const OLD_TENANT_URL: &str = "https://acme.test.logik.io";
/// The URL of the profile-level row that shadows the org default.
pub const SHADOW_TENANT_URL: &str = "https://acme-old.test.logik.io";
/// The tenant of production.
pub const PRODUCTION_TENANT_URL: &str = "https://acme.prod.logik.io";

fn data_schemas(logik: bool, cpq: bool) -> Vec<ObjectSchema> {
    let mut v = vec![
        ObjectSchema::new(
            "Organization",
            "Organization",
            "Organizations",
            "00D",
            vec![
                F::new("Name", "Name", T::String).len(80).read_only(),
                F::new("Division", "Division", T::String).len(80),
                F::new("Country", "Country", T::String).len(80),
                F::new("IsSandbox", "Is Sandbox", T::Boolean).read_only(),
                F::new("InstanceName", "Instance Name", T::String)
                    .len(5)
                    .read_only(),
                F::new("OrganizationType", "Edition", T::Picklist).read_only(),
                F::new("NamespacePrefix", "Namespace Prefix", T::String)
                    .len(15)
                    .read_only(),
                F::new("TrialExpirationDate", "Trial Expiration Date", T::DateTime).read_only(),
                F::new("LanguageLocaleKey", "Language", T::Picklist),
                F::new("DefaultLocaleSidKey", "Locale", T::Picklist),
                F::new("TimeZoneSidKey", "Time Zone", T::Picklist),
            ],
        )
        .read_only(),
        ObjectSchema::new(
            "Profile",
            "Profile",
            "Profiles",
            "00e",
            vec![
                F::new("Name", "Name", T::String).required(),
                F::new("UserType", "User Type", T::Picklist).read_only(),
                F::new("Description", "Description", T::String),
                F::new("PermissionsApiEnabled", "API Enabled", T::Boolean).unsortable(),
                F::new("PermissionsModifyAllData", "Modify All Data", T::Boolean).unsortable(),
                F::new(
                    "PermissionsViewSetup",
                    "View Setup and Configuration",
                    T::Boolean,
                )
                .unsortable(),
                F::new(
                    "PermissionsCustomizeApplication",
                    "Customize Application",
                    T::Boolean,
                )
                .unsortable(),
                F::new("PermissionsManageUsers", "Manage Users", T::Boolean).unsortable(),
                F::new(
                    "PermissionsAssignPermissionSets",
                    "Assign Permission Sets",
                    T::Boolean,
                )
                .unsortable(),
            ],
        )
        .read_only(),
        {
            let mut s = ObjectSchema::new(
                "User",
                "User",
                "Users",
                "005",
                vec![
                    F::new("Username", "Username", T::String)
                        .len(80)
                        .required()
                        .unique(),
                    F::new("Email", "Email", T::Email).len(128).required(),
                    F::new("FirstName", "First Name", T::String).len(40),
                    F::new("LastName", "Last Name", T::String)
                        .len(80)
                        .required(),
                    F::new("Name", "Full Name", T::String).len(121).read_only(),
                    F::new("Alias", "Alias", T::String).len(8).required(),
                    F::new("IsActive", "Active", T::Boolean),
                    F::new("ProfileId", "Profile ID", T::Reference)
                        .required()
                        .refs(&["Profile"]),
                    F::new("UserType", "User Type", T::Picklist).read_only(),
                    F::new("LastLoginDate", "Last Login", T::DateTime).read_only(),
                    F::new("TimeZoneSidKey", "Time Zone", T::Picklist).required(),
                    F::new("LocaleSidKey", "Locale", T::Picklist).required(),
                    F::new("EmailEncodingKey", "Email Encoding", T::Picklist).required(),
                    F::new("LanguageLocaleKey", "Language", T::Picklist).required(),
                ],
            );
            s.deletable = false;
            s
        },
        {
            let mut s = ObjectSchema::new(
                "UserLogin",
                "User Login",
                "User Logins",
                "0Yw",
                vec![
                    F::new("UserId", "User ID", T::Reference)
                        .read_only()
                        .refs(&["User"]),
                    F::new("IsFrozen", "Is Frozen", T::Boolean),
                    F::new("IsPasswordLocked", "Is Password Locked", T::Boolean),
                ],
            );
            s.createable = false;
            s.deletable = false;
            s
        },
        ObjectSchema::new(
            "Account",
            "Account",
            "Accounts",
            "001",
            vec![
                F::new("Name", "Account Name", T::String).required(),
                F::new("OwnerId", "Owner ID", T::Reference).refs(&["User"]),
                F::new("Industry", "Industry", T::Picklist),
                F::new("Type", "Account Type", T::Picklist),
            ],
        ),
        ObjectSchema::new("Product2", "Product", "Products", "01t", {
            let mut f = vec![
                F::new("Name", "Product Name", T::String).required(),
                F::new("ProductCode", "Product Code", T::String),
                F::new("Description", "Product Description", T::TextArea).len(4000),
                F::new("IsActive", "Active", T::Boolean),
                F::new("Family", "Product Family", T::Picklist),
            ];
            if logik {
                f.push(F::new("LGK__IsConfigurable__c", "Configurable", T::Boolean));
            }
            f
        }),
        ObjectSchema::new(
            "Pricebook2",
            "Price Book",
            "Price Books",
            "01s",
            vec![
                F::new("Name", "Price Book Name", T::String).required(),
                F::new("IsActive", "Active", T::Boolean),
                F::new("IsStandard", "Is Standard Price Book", T::Boolean).read_only(),
                F::new("Description", "Description", T::String),
            ],
        ),
        ObjectSchema::new(
            "PricebookEntry",
            "Price Book Entry",
            "Price Book Entries",
            "01u",
            vec![
                F::new("Name", "Product Name", T::String).read_only(),
                F::new("Pricebook2Id", "Price Book ID", T::Reference)
                    .required()
                    .create_only()
                    .refs(&["Pricebook2"]),
                F::new("Product2Id", "Product ID", T::Reference)
                    .required()
                    .create_only()
                    .refs(&["Product2"]),
                F::new("ProductCode", "Product Code", T::String).read_only(),
                F::new("UnitPrice", "List Price", T::Currency).required(),
                F::new("IsActive", "Active", T::Boolean),
                F::new("UseStandardPrice", "Use Standard Price", T::Boolean),
            ],
        ),
    ];
    if logik {
        v.push(
            ObjectSchema::new(
                "LGK__ConfigurationTenant__c",
                "CPQ Tenant",
                "CPQ Tenant",
                "a0C",
                vec![
                    F::new("Name", "Name", T::String).len(38),
                    F::new("SetupOwnerId", "Location", T::Reference)
                        .required()
                        .unique()
                        .refs(&["Organization", "Profile", "User"]),
                    F::new("LGK__RuntimeUrl__c", "Runtime Configuration URL", T::Url),
                    F::new("LGK__TenantAdminEndpoint__c", "Administration URL", T::Url),
                    F::new(
                        "LGK__RuntimeClientToken__c",
                        "Runtime Client Token",
                        T::String,
                    ),
                ],
            )
            .custom_setting(),
        );
    }
    if cpq {
        v.push(ObjectSchema::new(
            "SBQQ__Quote__c",
            "Quote",
            "Quotes",
            "a0q",
            vec![
                F::new("Name", "Quote Number", T::String)
                    .len(80)
                    .read_only(),
                F::new("SBQQ__Account__c", "Account", T::Reference).refs(&["Account"]),
                F::new("SBQQ__Status__c", "Status", T::Picklist),
                F::new("SBQQ__Primary__c", "Primary", T::Boolean),
            ],
        ));
        v.push(ObjectSchema::new(
            "SBQQ__QuoteLine__c",
            "Quote Line",
            "Quote Lines",
            "a0r",
            vec![
                F::new("Name", "Line Name", T::String).len(80).read_only(),
                F::new("SBQQ__Quote__c", "Quote", T::Reference)
                    .required()
                    .refs(&["SBQQ__Quote__c"]),
                F::new("SBQQ__Product__c", "Product", T::Reference).refs(&["Product2"]),
                F::new("SBQQ__Quantity__c", "Quantity", T::Double),
            ],
        ));
    }
    v
}

fn tooling_schemas(production: bool) -> Vec<ObjectSchema> {
    let mut v = vec![
        super::profiles::tooling_schema(),
        ObjectSchema::new(
            "SubscriberPackage",
            "Subscriber Package",
            "Subscriber Packages",
            "033",
            vec![
                F::new("Name", "Name", T::String).read_only(),
                F::new("NamespacePrefix", "Namespace Prefix", T::String)
                    .len(15)
                    .read_only(),
                F::new("Description", "Description", T::TextArea).read_only(),
            ],
        )
        .read_only(),
        ObjectSchema::new(
            "SubscriberPackageVersion",
            "Subscriber Package Version",
            "Subscriber Package Versions",
            "04t",
            vec![
                F::new("Name", "Name", T::String).read_only(),
                F::new("SubscriberPackageId", "Subscriber Package ID", T::Reference)
                    .read_only()
                    .refs(&["SubscriberPackage"]),
                F::new("MajorVersion", "Major Version", T::Int).read_only(),
                F::new("MinorVersion", "Minor Version", T::Int).read_only(),
                F::new("PatchVersion", "Patch Version", T::Int).read_only(),
                F::new("BuildNumber", "Build Number", T::Int).read_only(),
                F::new("IsManaged", "Managed", T::Boolean).read_only(),
                F::new("IsBeta", "Beta", T::Boolean).read_only(),
            ],
        )
        .read_only(),
        ObjectSchema::new(
            "InstalledSubscriberPackage",
            "Installed Subscriber Package",
            "Installed Subscriber Packages",
            "0A3",
            vec![
                F::new("SubscriberPackageId", "Subscriber Package ID", T::Reference)
                    .read_only()
                    .refs(&["SubscriberPackage"]),
                F::new(
                    "SubscriberPackageVersionId",
                    "Subscriber Package Version ID",
                    T::Reference,
                )
                .read_only()
                .refs(&["SubscriberPackageVersion"]),
            ],
        )
        .read_only(),
        ObjectSchema::new(
            "CspTrustedSite",
            "Trusted URL",
            "Trusted URLs",
            "08y",
            vec![
                F::new("DeveloperName", "Trusted Site Name", T::String)
                    .len(80)
                    .required()
                    .unique(),
                F::new("EndpointUrl", "Trusted Site URL", T::Url).required(),
                F::new("Description", "Description", T::TextArea),
                F::new("IsActive", "Active", T::Boolean),
                F::new("Context", "Context", T::Picklist).since(44),
                F::new("NamespacePrefix", "Namespace Prefix", T::String)
                    .len(15)
                    .read_only(),
                F::new(
                    "IsApplicableToConnectSrc",
                    "Allow site for connect-src",
                    T::Boolean,
                ),
                F::new(
                    "IsApplicableToFontSrc",
                    "Allow site for font-src",
                    T::Boolean,
                ),
                F::new(
                    "IsApplicableToFrameSrc",
                    "Allow site for frame-src",
                    T::Boolean,
                ),
                F::new("IsApplicableToImgSrc", "Allow site for img-src", T::Boolean),
                F::new(
                    "IsApplicableToMediaSrc",
                    "Allow site for media-src",
                    T::Boolean,
                ),
                F::new(
                    "IsApplicableToStyleSrc",
                    "Allow site for style-src",
                    T::Boolean,
                ),
            ],
        )
        .since(39),
        // Written through `Metadata` and `FullName` only (see `rules`): the top-level fields
        // are read-only.
        ObjectSchema::new(
            "RemoteProxy",
            "Remote Site",
            "Remote Sites",
            "0rp",
            vec![
                F::new("SiteName", "Remote Site Name", T::String)
                    .len(40)
                    .required()
                    .unique()
                    .read_only(),
                F::new("EndpointUrl", "Remote Site URL", T::Url)
                    .required()
                    .read_only(),
                F::new("Description", "Description", T::TextArea).read_only(),
                F::new("IsActive", "Active", T::Boolean).read_only(),
                F::new(
                    "DisableProtocolSecurity",
                    "Disable Protocol Security",
                    T::Boolean,
                )
                .read_only(),
                F::new("NamespacePrefix", "Namespace Prefix", T::String)
                    .len(15)
                    .read_only(),
                F::new("FullName", "Full Name", T::String).create_only(),
                // The one writable field with FullName (Tooling API object reference,
                // RemoteProxy: Metadata "Create, Nillable, Update").
                F::new("Metadata", "Metadata", T::ComplexValue),
            ],
        )
        .since(37),
        ObjectSchema::new(
            "ApexPage",
            "Visualforce Page",
            "Visualforce Pages",
            "066",
            vec![
                F::new("Name", "Name", T::String).len(80).read_only(),
                F::new("NamespacePrefix", "Namespace Prefix", T::String)
                    .len(15)
                    .read_only(),
                F::new("MasterLabel", "Label", T::String)
                    .len(80)
                    .read_only(),
                F::new("ApiVersion", "Version", T::Double).read_only(),
            ],
        )
        .read_only(),
    ];
    if production {
        v.push(ObjectSchema::new(
            "SandboxInfo",
            "Sandbox",
            "Sandboxes",
            "0GQ",
            vec![
                F::new("SandboxName", "Name", T::String).len(10).required(),
                F::new("LicenseType", "License Type", T::Picklist).required(),
                F::new("Description", "Description", T::String),
                F::new("AutoActivate", "Auto Activate", T::Boolean),
            ],
        ));
        v.push(
            ObjectSchema::new(
                "SandboxProcess",
                "Sandbox Process",
                "Sandbox Processes",
                "0GR",
                vec![
                    F::new("SandboxName", "Sandbox Name", T::String)
                        .len(10)
                        .read_only(),
                    F::new("SandboxInfoId", "Sandbox ID", T::Reference)
                        .read_only()
                        .refs(&["SandboxInfo"]),
                    F::new("Status", "Status", T::Picklist).read_only(),
                    F::new("LicenseType", "License Type", T::Picklist).read_only(),
                    F::new("CopyProgress", "Copy Progress", T::Int).read_only(),
                    F::new("SandboxOrganization", "Sandbox Organization", T::String)
                        .len(15)
                        .read_only(),
                    F::new("EndDate", "Completion Date", T::DateTime).read_only(),
                    F::new("SourceId", "Source ID", T::Reference)
                        .read_only()
                        .refs(&["SandboxInfo"]),
                    F::new("Description", "Description", T::String).read_only(),
                    F::new("Features", "Features", T::Picklist).read_only(),
                ],
            )
            .read_only(),
        );
    }
    v
}

fn put(s: &mut OrgState, tooling: bool, object: &str, v: Value) -> String {
    match s.insert_raw(tooling, object, v) {
        Ok(id) => id,
        Err(e) => panic!("bad seed record for {object}: {e}"),
    }
}

/// Builds the state of a seed.
pub(crate) fn build(seed: Seed) -> OrgState {
    let production = seed == Seed::Production;
    let logik = seed != Seed::NoLogik;
    let cpq = seed != Seed::NoCpq;
    let (org_id, pod) = if production {
        (PRODUCTION_ORG_ID, "3t")
    } else {
        (SEED_ORG_ID, "5e")
    };
    let mut s = OrgState::empty(seed, org_id, pod);
    s.fixed_now = Some(SEEDED_AT.to_string());
    s.access_token = SEED_ACCESS_TOKEN.to_string();
    s.refresh_token = SEED_REFRESH_TOKEN.to_string();
    s.username = if production {
        PRODUCTION_USERNAME
    } else {
        SEED_USERNAME
    }
    .to_string();
    s.advance_sandbox_on_query = production;
    s.api_usage_start = 0;
    s.per_app_api_limit = Some(("PlatformCLI".to_string(), 5000));
    for schema in data_schemas(logik, cpq) {
        s.data.add(schema);
    }
    for schema in super::permsets::schemas() {
        s.data.add(schema);
    }
    for schema in tooling_schemas(production) {
        s.tooling.add(schema);
    }
    // The running user's id is needed for the audit fields of everything else: reserve it.
    let admin_id = s.new_id("005");
    s.user_id = admin_id.clone();

    put(
        &mut s,
        false,
        "Organization",
        json!({
            "Id": org_id, "Name": "Acme", "Country": "US", "IsSandbox": !production,
            "InstanceName": if production { "NA123" } else { "CS42" },
            "OrganizationType": "Enterprise Edition", "NamespacePrefix": null,
            "LanguageLocaleKey": "en_US", "DefaultLocaleSidKey": "en_US",
            "TimeZoneSidKey": "America/Los_Angeles",
        }),
    );
    let sysadmin = put(
        &mut s,
        false,
        "Profile",
        json!({"Name": "System Administrator", "UserType": "Standard",
               "PermissionsApiEnabled": true, "PermissionsModifyAllData": true,
               "PermissionsViewSetup": true, "PermissionsCustomizeApplication": true,
               "PermissionsManageUsers": true, "PermissionsAssignPermissionSets": true}),
    );
    let standard = put(
        &mut s,
        false,
        "Profile",
        json!({"Name": "Standard User", "UserType": "Standard",
               "PermissionsApiEnabled": true, "PermissionsModifyAllData": false,
               "PermissionsViewSetup": false, "PermissionsCustomizeApplication": false,
               "PermissionsManageUsers": false}),
    );
    // (username stem, email, first, last, alias, profile, active, frozen)
    let suffix = if production { "" } else { ".uat" };
    let invalid = if production { "" } else { ".invalid" };
    let users = [
        (
            "admin@acme.com",
            "admin@acme.com".to_string(),
            "Alex",
            "Admin",
            "aadmin",
            &sysadmin,
            true,
            false,
        ),
        (
            "jane@acme.com",
            format!("jane@acme.com{invalid}"),
            "Jane",
            "Doe",
            "jdoe",
            &sysadmin,
            true,
            false,
        ),
        (
            "bob@acme.com",
            format!("bob@acme.com{invalid}"),
            "Bob",
            "Smith",
            "bsmith",
            &standard,
            false,
            true,
        ),
        (
            "provisioning@logik.io.acme",
            format!("provisioning@logik.io{invalid}"),
            "Logik",
            "Provisioning",
            "lprov",
            &sysadmin,
            true,
            false,
        ),
    ];
    let mut user_ids = Vec::new();
    for (i, (stem, email, first, last, alias, profile, active, _)) in users.iter().enumerate() {
        let mut rec = json!({
            "Username": format!("{stem}{suffix}"), "Email": email, "FirstName": first,
            "LastName": last, "Name": format!("{first} {last}"), "Alias": alias,
            "IsActive": active, "ProfileId": profile, "UserType": "Standard",
            "LastLoginDate": if *active { json!("2026-11-27T16:42:10.000+0000") } else { Value::Null },
            "TimeZoneSidKey": "America/Los_Angeles", "LocaleSidKey": "en_US",
            "EmailEncodingKey": "UTF-8", "LanguageLocaleKey": "en_US",
        });
        if i == 0 {
            rec["Id"] = json!(admin_id);
        }
        user_ids.push(put(&mut s, false, "User", rec));
    }
    let jane = user_ids[1].clone();
    for (uid, u) in user_ids.iter().zip(users.iter()) {
        put(
            &mut s,
            false,
            "UserLogin",
            json!({"UserId": uid, "IsFrozen": u.7, "IsPasswordLocked": false}),
        );
    }
    put(
        &mut s,
        false,
        "Account",
        json!({"Name": "Acme Corp", "OwnerId": admin_id, "Industry": "Manufacturing", "Type": "Customer"}),
    );
    put(
        &mut s,
        false,
        "Account",
        json!({"Name": "Globex", "OwnerId": jane, "Industry": "Energy", "Type": "Prospect"}),
    );

    if logik {
        let url = if production {
            PRODUCTION_TENANT_URL
        } else {
            OLD_TENANT_URL
        };
        put(
            &mut s,
            false,
            "LGK__ConfigurationTenant__c",
            json!({"SetupOwnerId": org_id, "LGK__RuntimeUrl__c": url,
                   "LGK__TenantAdminEndpoint__c": url, "LGK__RuntimeClientToken__c": null}),
        );
        if !production {
            put(
                &mut s,
                false,
                "LGK__ConfigurationTenant__c",
                json!({"SetupOwnerId": standard, "LGK__RuntimeUrl__c": SHADOW_TENANT_URL,
                       "LGK__TenantAdminEndpoint__c": SHADOW_TENANT_URL}),
            );
        }
    }

    let standard_book = put(
        &mut s,
        false,
        "Pricebook2",
        json!({"Name": "Standard Price Book", "IsActive": true, "IsStandard": true}),
    );
    let products = [
        (
            "Configurable Server Rack",
            "RACK-100",
            "Hardware",
            true,
            12_500.0,
        ),
        ("Custom Workstation", "WS-200", "Hardware", true, 3_200.0),
        ("Solar Install Kit", "SOL-300", "Energy", true, 18_900.0),
        ("Extended Warranty", "WAR-1Y", "Services", false, 499.0),
        (
            "Installation Service",
            "SVC-INST",
            "Services",
            false,
            1_250.0,
        ),
    ];
    for (name, code, family, configurable, price) in products {
        let mut rec = json!({"Name": name, "ProductCode": code, "Family": family, "IsActive": true,
                             "LastModifiedDate": "2026-06-15T09:30:00.000+0000"});
        if logik {
            rec["LGK__IsConfigurable__c"] = json!(configurable);
        }
        let product = put(&mut s, false, "Product2", rec);
        put(
            &mut s,
            false,
            "PricebookEntry",
            json!({"Name": name, "ProductCode": code, "Pricebook2Id": standard_book,
                   "Product2Id": product, "UnitPrice": price, "IsActive": true,
                   "UseStandardPrice": false}),
        );
    }

    // Tooling: the profiles' language-free names, then the packages.
    super::profiles::seed_full_name(&mut s, &sysadmin, "Admin");
    super::profiles::seed_full_name(&mut s, &standard, "Standard");
    let install = |s: &mut OrgState, name: &str, ns: &str, version: &str, v: [i64; 4]| {
        let pkg = put(
            s,
            true,
            "SubscriberPackage",
            json!({"Name": name, "NamespacePrefix": ns}),
        );
        let ver = put(
            s,
            true,
            "SubscriberPackageVersion",
            json!({"Name": version, "SubscriberPackageId": pkg, "MajorVersion": v[0],
                   "MinorVersion": v[1], "PatchVersion": v[2], "BuildNumber": v[3],
                   "IsManaged": true, "IsBeta": false}),
        );
        put(
            s,
            true,
            "InstalledSubscriberPackage",
            json!({"SubscriberPackageId": pkg, "SubscriberPackageVersionId": ver}),
        );
    };
    if logik {
        install(&mut s, "Logik.ai", "LGK", "1.84", [1, 84, 0, 1]);
    }
    if cpq {
        install(
            &mut s,
            "Salesforce CPQ",
            "SBQQ",
            "Summer '25",
            [252, 3, 0, 2],
        );
    }
    if logik {
        let url = if production {
            PRODUCTION_TENANT_URL
        } else {
            OLD_TENANT_URL
        };
        put(
            &mut s,
            true,
            "CspTrustedSite",
            json!({"DeveloperName": "Logik_Tenant", "EndpointUrl": url, "IsActive": true,
                   "Context": "All", "IsApplicableToConnectSrc": true,
                   "IsApplicableToFrameSrc": true, "IsApplicableToImgSrc": true,
                   "IsApplicableToStyleSrc": false, "IsApplicableToFontSrc": false,
                   "IsApplicableToMediaSrc": false,
                   "Description": "Logik.ai tenant (configurator frames and images)"}),
        );
        put(
            &mut s,
            true,
            "RemoteProxy",
            json!({"SiteName": "Logik_Tenant", "EndpointUrl": url, "IsActive": true,
                   "DisableProtocolSecurity": false, "Description": "Logik.ai tenant"}),
        );
        for (name, label) in [
            ("CpqConfiguration", "CPQ Configuration"),
            ("ConfigureProduct", "Configure Product"),
            ("TenantSetup", "Tenant Setup"),
        ] {
            put(
                &mut s,
                true,
                "ApexPage",
                json!({"Name": name, "NamespacePrefix": "LGK", "MasterLabel": label, "ApiVersion": 58.0}),
            );
        }
    }
    put(
        &mut s,
        true,
        "ApexPage",
        json!({"Name": "AcmeHome", "NamespacePrefix": null, "MasterLabel": "Acme Home", "ApiVersion": 62.0}),
    );

    if production {
        let info = put(
            &mut s,
            true,
            "SandboxInfo",
            json!({"SandboxName": "uat", "LicenseType": "FULL", "Description": "User acceptance", "AutoActivate": true}),
        );
        put(
            &mut s,
            true,
            "SandboxProcess",
            json!({"SandboxName": "uat", "SandboxInfoId": info, "Status": "Completed",
                   "LicenseType": "FULL", "CopyProgress": 100, "SandboxOrganization": "00D5e000000ZzYx",
                   "CreatedDate": "2026-05-02T08:00:00.000+0000", "EndDate": "2026-05-02T14:12:00.000+0000"}),
        );
        put(
            &mut s,
            true,
            "SandboxProcess",
            json!({"SandboxName": "uat", "SandboxInfoId": info, "Status": "Processing",
                   "LicenseType": "FULL", "CopyProgress": 0, "SandboxOrganization": null,
                   "CreatedDate": "2026-11-28T08:00:00.000+0000", "EndDate": null}),
        );
    }
    // Each profile's own permission set and each user's assignment of it, last, so that
    // every other record keeps its ID.
    super::permsets::sync(&mut s);
    s.fixed_now = None;
    s
}

/// Moves the unfinished `SandboxProcess` rows among `ids` (those a query just returned) one
/// stage on: 0, 40, 80 (Activating), 100 (Completed, with the new org's 15-character id and an
/// end date).
pub(crate) fn advance_sandboxes(s: &mut OrgState, ids: &[String]) {
    let now = s.now();
    let lang = s.language;
    let Some(t) = s.tooling.table_mut("SandboxProcess") else {
        return;
    };
    for r in &mut t.records {
        // Done is told by the end date, whatever the language of the status; a deleted
        // process (status `D`, which sf leaves out with `Status != 'D'`) never moves.
        if r.get("EndDate").is_some_and(|d| !d.is_null()) || r["Status"] == "D" {
            continue;
        }
        let id = r.get("Id").and_then(Value::as_str).unwrap_or_default();
        if !ids.iter().any(|i| i == id) {
            continue;
        }
        let progress = r.get("CopyProgress").and_then(Value::as_i64).unwrap_or(0);
        let (next, status) = match progress {
            p if p < 40 => (40, "Processing"),
            p if p < 80 => (80, "Activating"),
            _ => (100, "Completed"),
        };
        r.insert("CopyProgress".into(), next.into());
        r.insert("Status".into(), lang.word(status).into());
        if status == "Completed" {
            r.insert("SandboxOrganization".into(), SEED_ORG_ID[..15].into());
            r.insert("EndDate".into(), now.clone().into());
        }
        r.insert("LastModifiedDate".into(), now.clone().into());
        r.insert("SystemModstamp".into(), now.clone().into());
    }
}

/// Shows the org in `lang` (from whichever language it showed before): the running user's
/// language, profile names (Data and Tooling API), the tenant setting's labels, sandbox
/// statuses.
pub fn localize(state: &mut OrgState, lang: Language) {
    state.language = lang;
    let user_id = state.user_id.clone();
    if let Some(t) = state.data.table_mut("User")
        && let Some(i) = t.position(&user_id)
    {
        t.records[i].insert("LanguageLocaleKey".into(), lang.locale_key().into());
    }
    for (object, field) in [("Profile", "Name")] {
        if let Some(t) = state.data.table_mut(object) {
            for r in &mut t.records {
                if let Some(name) = r.get(field).and_then(Value::as_str) {
                    let shown = lang.translate(name);
                    r.insert(field.into(), shown.into());
                }
            }
        }
    }
    if let Some(t) = state.data.table_mut("LGK__ConfigurationTenant__c") {
        for f in &mut t.schema.fields {
            f.label = lang.translate(&f.label);
        }
    }
    if let Some(t) = state.tooling.table_mut("SandboxProcess") {
        for r in &mut t.records {
            if let Some(status) = r.get("Status").and_then(Value::as_str) {
                let shown = lang.translate(status);
                r.insert("Status".into(), shown.into());
            }
        }
    }
    // The Tooling API shows the same profile names; their FullName stays as it is.
    super::profiles::sync_tooling_profiles(state);
    super::permsets::sync(state);
}

impl OrgState {
    /// The state of a seed (instance URL still empty).
    pub fn new(seed: Seed) -> OrgState {
        build(seed)
    }
}
