//! Is the org ready for each step? Read-only: the describe of every object a step touches
//! (it exists; the fields it reads or writes exist, and are createable/updateable for this user
//! where the step writes them), the running user's permissions for each write, and the API
//! version. One check per step: ready, or what is missing and how to fix it.
//!
//! Describe answers for the running user: an object or field the user cannot see is absent,
//! and `createable`/`updateable` say what this user may write (Object Reference, "Field
//! Properties"; REST API, "sObject Describe").
//!
//! Permissions are the union of the user's profile and permission sets (`permissions.rs`).

use super::DoctorCheck;
use super::permissions::{Permission, Permissions, permission_reads, read_permissions};
use super::report::{CheckName, CheckStatus, StepReadiness};
use super::said::Said;
use crate::org::tenant::{TENANT_OBJECT, TenantFields, choose_fields, setting_fields};
use crate::protocol::Error;
use crate::salesforce::Client;
use crate::salesforce::client::BatchRead;
use crate::steps::{
    configurator_url, org_id, provisioning_user, refresh_token_user, runtime_clients, tenant_urls,
    touch_products, trusted_urls,
};
use serde_json::Value;

/// How a step uses a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Use {
    Read,
    Create,
    /// Created with the record and updated later.
    Write,
}

/// A field by API name, or one of the tenant setting's URL fields, found as the step finds
/// them (by API name, then label).
#[derive(Debug, Clone, Copy)]
enum Field {
    Named(&'static str),
    TenantRuntimeUrl,
    TenantAdminUrl,
}

struct ObjectNeed {
    object: &'static str,
    tooling: bool,
    create: bool,
    update: bool,
    fields: &'static [(Field, Use)],
}

struct StepNeeds {
    step: &'static str,
    objects: &'static [ObjectNeed],
    permissions: &'static [Permission],
    /// Permissions one of the step's checks needs (with what that check tells): without them
    /// the step still works, and says what it could not check.
    check_permissions: &'static [(Permission, &'static str)],
    /// The oldest API version the step's requests work with.
    min_api: &'static str,
}

/// What each step reads and writes, in the order `run` takes them.
const STEPS: &[StepNeeds] = &[
    StepNeeds {
        step: org_id::STEP,
        objects: &[ObjectNeed {
            object: "Organization",
            tooling: false,
            create: false,
            update: false,
            fields: &[(Field::Named("Id"), Use::Read)],
        }],
        permissions: &[Permission::ApiEnabled],
        check_permissions: &[],
        min_api: "44.0",
    },
    StepNeeds {
        step: tenant_urls::STEP,
        objects: &[ObjectNeed {
            object: TENANT_OBJECT,
            tooling: false,
            create: true,
            update: true,
            fields: &[
                (Field::TenantRuntimeUrl, Use::Write),
                (Field::TenantAdminUrl, Use::Write),
                (Field::Named("SetupOwnerId"), Use::Create),
            ],
        }],
        permissions: &[Permission::ApiEnabled, Permission::CustomizeApplication],
        check_permissions: &[],
        min_api: "44.0",
    },
    StepNeeds {
        step: configurator_url::STEP,
        objects: &[],
        permissions: &[Permission::ApiEnabled],
        check_permissions: &[],
        min_api: "44.0",
    },
    StepNeeds {
        step: refresh_token_user::STEP,
        objects: &[USER_READ],
        permissions: &[Permission::ApiEnabled],
        check_permissions: &[(Permission::ManageUsers, FROZEN_CHECK)],
        min_api: "44.0",
    },
    StepNeeds {
        step: runtime_clients::STEP,
        objects: &[USER_READ],
        permissions: &[Permission::ApiEnabled],
        check_permissions: &[(Permission::ManageUsers, FROZEN_CHECK)],
        min_api: "44.0",
    },
    StepNeeds {
        step: provisioning_user::STEP,
        objects: &[ObjectNeed {
            object: "User",
            tooling: false,
            create: true,
            update: true,
            fields: &[
                (Field::Named("Username"), Use::Create),
                (Field::Named("Email"), Use::Write),
                (Field::Named("IsActive"), Use::Write),
                (Field::Named("ProfileId"), Use::Write),
                (Field::Named("LastName"), Use::Create),
                (Field::Named("Alias"), Use::Create),
                (Field::Named("TimeZoneSidKey"), Use::Create),
                (Field::Named("LocaleSidKey"), Use::Create),
                (Field::Named("LanguageLocaleKey"), Use::Create),
                (Field::Named("EmailEncodingKey"), Use::Create),
            ],
        }],
        permissions: &[Permission::ApiEnabled, Permission::ManageUsers],
        check_permissions: &[],
        min_api: "44.0",
    },
    StepNeeds {
        step: trusted_urls::STEP,
        objects: &[
            ObjectNeed {
                object: "CspTrustedSite",
                tooling: true,
                create: true,
                update: true,
                fields: &[
                    (Field::Named("DeveloperName"), Use::Create),
                    (Field::Named("EndpointUrl"), Use::Write),
                    (Field::Named("IsActive"), Use::Write),
                    (Field::Named("IsApplicableToFrameSrc"), Use::Write),
                    (Field::Named("IsApplicableToImgSrc"), Use::Write),
                    (Field::Named("Context"), Use::Write),
                    (Field::Named("Description"), Use::Write),
                ],
            },
            ObjectNeed {
                object: "RemoteProxy",
                tooling: true,
                create: true,
                update: true,
                fields: &[
                    (Field::Named("FullName"), Use::Create),
                    (Field::Named("Metadata"), Use::Write),
                    (Field::Named("EndpointUrl"), Use::Read),
                ],
            },
        ],
        permissions: &[
            Permission::ApiEnabled,
            Permission::CustomizeApplication,
            Permission::ModifyAllData,
        ],
        check_permissions: &[],
        min_api: "44.0",
    },
    StepNeeds {
        step: touch_products::STEP,
        objects: &[ObjectNeed {
            object: "Product2",
            tooling: false,
            create: false,
            update: true,
            fields: &[
                (Field::Named("LGK__IsConfigurable__c"), Use::Read),
                (Field::Named("LastModifiedDate"), Use::Read),
            ],
        }],
        permissions: &[Permission::ApiEnabled],
        check_permissions: &[],
        min_api: "42.0",
    },
];

/// What reading `UserLogin` (Manage Users, Object Reference `UserLogin`) tells.
const FROZEN_CHECK: &str = "whether the user is frozen (UserLogin)";

const USER_READ: ObjectNeed = ObjectNeed {
    object: "User",
    tooling: false,
    create: false,
    update: false,
    fields: &[
        (Field::Named("Username"), Use::Read),
        (Field::Named("IsActive"), Use::Read),
        (Field::Named("ProfileId"), Use::Read),
    ],
};

/// The objects to describe, each once: (object, tooling).
fn objects_to_describe() -> Vec<(&'static str, bool)> {
    let mut out: Vec<(&str, bool)> = Vec::new();
    for need in STEPS.iter().flat_map(|s| s.objects) {
        if !out.contains(&(need.object, need.tooling)) {
            out.push((need.object, need.tooling));
        }
    }
    out
}

/// Each object's describe, by (object, tooling), or why it could not be read.
type Describes<'a> = Vec<((&'a str, bool), Result<Value, Error>)>;

/// One readiness (and its check line) per step. Reads only: one Data API composite (describes and the user's
/// permissions) and one Tooling API composite (describes).
pub(super) async fn step_readiness(client: &Client, username: Option<&str>) -> Vec<StepReadiness> {
    let objects = objects_to_describe();
    let mut describes: Describes = Vec::new();
    let mut permissions: Permissions = Err("the running user is not known".into());
    for tooling in [false, true] {
        let names: Vec<&str> = objects
            .iter()
            .filter(|(_, t)| *t == tooling)
            .map(|(o, _)| *o)
            .collect();
        let mut reads: Vec<BatchRead> = names
            .iter()
            .map(|o| {
                let api = if tooling { "tooling/" } else { "" };
                BatchRead::Get(format!("{api}sobjects/{o}/describe"))
            })
            .collect();
        let user_query = username
            .filter(|_| !tooling)
            .map(|u| permission_reads(u, client.api_version()));
        if let Some(user_reads) = &user_query {
            reads.extend(user_reads.iter().cloned());
        }
        match client.get_batch(tooling, &reads).await {
            Ok(mut answers) => {
                if user_query.is_some() {
                    let profile = answers.pop();
                    permissions = read_permissions(answers.pop(), profile);
                }
                for (name, answer) in names.iter().zip(answers) {
                    describes.push(((*name, tooling), answer));
                }
            }
            Err(err) => {
                for name in &names {
                    describes.push(((*name, tooling), Err(err.clone())));
                }
                if user_query.is_some() {
                    permissions = Err(err.message.clone());
                }
            }
        }
    }
    let version = client.api_version().to_string();
    let mut said = Said::default();
    STEPS
        .iter()
        .map(|needs| readiness(needs, &describes, &permissions, &version, &mut said))
        .collect()
}

/// One step: every missing thing, and its fix.
fn readiness(
    needs: &StepNeeds,
    describes: &Describes,
    permissions: &Permissions,
    version: &str,
    said: &mut Said,
) -> StepReadiness {
    let mut missing: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    let mut checked: Vec<String> = Vec::new();
    let number = |v: &str| v.parse::<f64>().unwrap_or(0.0);
    if number(version) < number(needs.min_api) {
        missing.push(format!(
            "API {} (the org is used at {version})",
            needs.min_api
        ));
        fixes.push(format!("Pass --api-version {} or later.", needs.min_api));
    }
    for object in needs.objects {
        let describe = describes
            .iter()
            .find(|((o, t), _)| *o == object.object && *t == object.tooling)
            .map(|(_, d)| d);
        match describe {
            Some(Ok(describe)) => {
                object_gaps(object, describe, &mut missing, &mut fixes);
                checked.push(object.object.to_string());
            }
            Some(Err(err)) if matches!(err.code(), "NOT_FOUND" | "INVALID_TYPE") => {
                missing.push(format!(
                    "the object {} (not in this org, or not visible to this user)",
                    object.object
                ));
                fixes.push(object_fix(object.object));
            }
            Some(Err(err)) => {
                missing.push(format!(
                    "the describe of {} ({})",
                    object.object,
                    said.once(&err.message)
                ));
                fixes.push(
                    "Run doctor again; if it persists, attach --trace FILE to a bug report.".into(),
                );
            }
            None => {}
        }
    }
    match permissions {
        Ok(granted) => {
            let lacking: Vec<&str> = needs
                .permissions
                .iter()
                .filter(|p| !granted.iter().any(|(g, yes)| g == *p && *yes))
                .map(|p| p.label())
                .collect();
            if !lacking.is_empty() {
                missing.push(format!("the permission {}", lacking.join(" and ")));
                fixes.push(format!(
                    "Give the running user's profile {} (Setup > Profiles) or a permission set that grants it (Setup > Permission Sets), or run as a System Administrator.",
                    lacking.join(" and ")
                ));
            }
        }
        Err(why) => missing.push(format!(
            "the running user's permissions ({})",
            said.once(why)
        )),
    }
    // A check the user's permissions leave out: the step works, and says what it cannot tell.
    let mut limits: Vec<String> = Vec::new();
    if let Ok(granted) = permissions {
        for (permission, tells) in needs.check_permissions {
            if !granted.iter().any(|(g, yes)| g == permission && *yes) {
                limits.push(format!(
                    "without {}, {tells} is not known",
                    permission.label()
                ));
                fixes.push(format!(
                    "Give the running user {} (profile or permission set) so that the step can tell {tells}.",
                    permission.label()
                ));
            }
        }
    }
    let summary = if missing.is_empty() {
        let what = if checked.is_empty() {
            "nothing to write in the org".to_string()
        } else {
            checked.join(", ")
        };
        let mut perms: Vec<String> = needs
            .permissions
            .iter()
            .map(|p| p.label().to_string())
            .collect();
        perms.extend(
            needs
                .check_permissions
                .iter()
                .map(|(p, tells)| format!("{} for {tells}", p.label())),
        );
        let mut summary = format!("ready ({what}; {}; API {version})", perms.join(", "));
        for limit in &limits {
            summary.push_str(&format!("; {limit}"));
        }
        summary
    } else {
        format!("missing {}", missing.join("; "))
    };
    fixes.dedup();
    StepReadiness {
        step: needs.step.to_string(),
        ready: missing.is_empty(),
        summary,
        missing,
        actions: fixes,
    }
}

/// The step's one line among doctor's checks.
pub(super) fn step_line(readiness: &StepReadiness) -> DoctorCheck {
    DoctorCheck {
        name: CheckName::Step,
        // Ready with something to do: a check the step cannot make (see `check_permissions`).
        status: if readiness.ready && readiness.actions.is_empty() {
            CheckStatus::Ok
        } else if readiness.ready {
            CheckStatus::Warning
        } else {
            CheckStatus::Error
        },
        detail: format!("{}: {}", readiness.step, readiness.summary),
        actions: readiness.actions.clone(),
    }
}

/// What an object's describe lacks for a step: the object's create/update, each field's
/// existence and create/update.
fn object_gaps(
    object: &ObjectNeed,
    describe: &Value,
    missing: &mut Vec<String>,
    fixes: &mut Vec<String>,
) {
    let flag = |v: &Value, name: &str| v.get(name).and_then(Value::as_bool).unwrap_or(false);
    let mut lacking = Vec::new();
    if object.create && !flag(describe, "createable") {
        lacking.push("create");
    }
    if object.update && !flag(describe, "updateable") {
        lacking.push("edit");
    }
    if !lacking.is_empty() {
        missing.push(format!("{} on {}", lacking.join(" and "), object.object));
        fixes.push(format!(
            "Give the running user {} access to {} (profile or permission set object permissions).",
            lacking.join(" and "),
            object.object
        ));
    }
    let fields = describe
        .get("fields")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    // The tenant setting's URL fields, found by the step's own rules (an org that needs
    // --runtime-url-field gets the step's error and its action).
    let mut tenant = TenantFields::default();
    if object.object == TENANT_OBJECT {
        match setting_fields(describe).and_then(|f| choose_fields(&f, None, None)) {
            Ok(found) => tenant = found,
            Err(err) => {
                missing.push(err.message.clone());
                fixes.extend(err.actions.clone());
            }
        }
    }
    for (field, usage) in object.fields {
        let name = match field {
            Field::Named(name) => Some(name.to_string()),
            Field::TenantRuntimeUrl => tenant.runtime_url.clone(),
            Field::TenantAdminUrl => tenant.admin_url.clone(),
        };
        if name.is_none() && !matches!(field, Field::Named(_)) {
            // Not found by the rules: said above (runtime), or no such field (admin, optional).
            continue;
        }
        let label = match field {
            Field::Named(name) => name.to_string(),
            Field::TenantRuntimeUrl => "the Runtime Configuration URL field".into(),
            Field::TenantAdminUrl => "the Administration Configuration URL field".into(),
        };
        let found = name.as_deref().and_then(|name| {
            fields.iter().find(|f| {
                f.get("name")
                    .and_then(Value::as_str)
                    .is_some_and(|n| n.eq_ignore_ascii_case(name))
            })
        });
        let Some(found) = found else {
            missing.push(format!("{}.{label}", object.object));
            fixes.push(field_fix(object.object, &label));
            continue;
        };
        let shown = name.unwrap_or(label);
        let mut cannot = Vec::new();
        if matches!(usage, Use::Create | Use::Write) && object.create && !flag(found, "createable")
        {
            cannot.push("createable");
        }
        if *usage == Use::Write && object.update && !flag(found, "updateable") {
            cannot.push("updateable");
        }
        if !cannot.is_empty() {
            missing.push(format!(
                "{}.{shown} is not {}",
                object.object,
                cannot.join(" or ")
            ));
            fixes.push(format!(
                "Make {}.{shown} editable for the running user (field-level security: Setup > Object Manager > {} > Fields > {shown} > Set Field-Level Security).",
                object.object, object.object
            ));
        }
    }
}

fn object_fix(object: &str) -> String {
    match object {
        TENANT_OBJECT | "Product2" => format!(
            "Install or upgrade the Logik.ai package (Setup > Installed Packages), and give the running user access to {object}."
        ),
        _ => format!(
            "Give the running user read access to {object}, or run as a System Administrator."
        ),
    }
}

fn field_fix(object: &str, field: &str) -> String {
    if object == TENANT_OBJECT || field.starts_with("LGK__") {
        format!(
            "Check the Logik.ai package version (Setup > Installed Packages) and that the running user can see {object}.{field} (field-level security)."
        )
    } else {
        format!(
            "Give the running user access to {object}.{field} (field-level security), or pass --api-version with a version that has it."
        )
    }
}
