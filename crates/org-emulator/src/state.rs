//! The org's state: objects with their schema and records (Data API and Tooling API apart),
//! tokens, API usage. Describe, validation and SOQL all read the schema from here.

use std::collections::HashMap;

use serde_json::{Map, Value};

use super::Seed;
use super::util;

/// One record: field API name (as in the schema) to JSON value.
pub type Record = Map<String, Value>;

/// A record's text field, empty when it is missing or not text.
pub fn text(record: &Record, field: &str) -> String {
    record
        .get(field)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// Field types, named as describe names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FieldType {
    Id,
    String,
    Boolean,
    Int,
    Double,
    Currency,
    Percent,
    Date,
    DateTime,
    Reference,
    Url,
    Email,
    Picklist,
    TextArea,
    Phone,
    EncryptedString,
    /// A Tooling API object's `Metadata` (a JSON object).
    ComplexValue,
}

impl FieldType {
    pub fn as_str(self) -> &'static str {
        match self {
            FieldType::Id => "id",
            FieldType::String => "string",
            FieldType::Boolean => "boolean",
            FieldType::Int => "int",
            FieldType::Double => "double",
            FieldType::Currency => "currency",
            FieldType::Percent => "percent",
            FieldType::Date => "date",
            FieldType::DateTime => "datetime",
            FieldType::Reference => "reference",
            FieldType::Url => "url",
            FieldType::Email => "email",
            FieldType::Picklist => "picklist",
            FieldType::TextArea => "textarea",
            FieldType::Phone => "phone",
            FieldType::EncryptedString => "encryptedstring",
            FieldType::ComplexValue => "complexvalue",
        }
    }

    /// Text compared case-insensitively (everything textual except ids).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            FieldType::String
                | FieldType::Url
                | FieldType::Email
                | FieldType::Picklist
                | FieldType::TextArea
                | FieldType::Phone
                | FieldType::EncryptedString
        )
    }

    pub fn is_id(self) -> bool {
        matches!(self, FieldType::Id | FieldType::Reference)
    }

    pub fn is_number(self) -> bool {
        matches!(
            self,
            FieldType::Int | FieldType::Double | FieldType::Currency | FieldType::Percent
        )
    }

    fn soap_type(self) -> &'static str {
        match self {
            FieldType::Id | FieldType::Reference => "tns:ID",
            FieldType::Boolean => "xsd:boolean",
            FieldType::Int => "xsd:int",
            FieldType::Double | FieldType::Currency | FieldType::Percent => "xsd:double",
            FieldType::Date => "xsd:date",
            FieldType::DateTime => "xsd:dateTime",
            FieldType::ComplexValue => "xsd:anyType",
            _ => "xsd:string",
        }
    }
}

/// One field of an object's schema.
#[derive(Clone, Debug)]
pub struct FieldSchema {
    pub name: String,
    pub label: String,
    pub field_type: FieldType,
    pub length: u32,
    pub updateable: bool,
    pub createable: bool,
    pub nillable: bool,
    pub custom: bool,
    pub unique: bool,
    /// Objects a reference field points to (several for polymorphic fields).
    pub reference_to: Vec<String>,
    /// `Profile` for `ProfileId`, `X__r` for `X__c`.
    pub relationship_name: Option<String>,
    /// The first API version (major) that has the field; 0 when every served version has it.
    pub since: u32,
    /// Usable in ORDER BY (describe's `sortable`).
    pub sortable: bool,
    /// Usable in WHERE (describe's `filterable`).
    pub filterable: bool,
}

impl FieldSchema {
    pub fn new(name: &str, label: &str, field_type: FieldType) -> FieldSchema {
        let length = match field_type {
            FieldType::Id | FieldType::Reference => 18,
            FieldType::String
            | FieldType::Url
            | FieldType::Picklist
            | FieldType::EncryptedString => 255,
            FieldType::Email => 80,
            FieldType::Phone => 40,
            FieldType::TextArea => 32_768,
            _ => 0,
        };
        FieldSchema {
            name: name.to_string(),
            label: label.to_string(),
            field_type,
            length,
            updateable: true,
            createable: true,
            nillable: field_type != FieldType::Boolean,
            custom: name.ends_with("__c"),
            unique: false,
            reference_to: Vec::new(),
            relationship_name: None,
            since: 0,
            sortable: field_type != FieldType::TextArea,
            filterable: true,
        }
    }

    /// Neither filterable nor sortable: a field whose properties lack "Filter" and "Sort" in
    /// the object reference (the Tooling API `Profile`'s `FullName` and `Metadata`).
    pub fn unfilterable(mut self) -> Self {
        self.filterable = false;
        self.sortable = false;
        self
    }

    /// Filterable but not sortable, as the Object Reference marks `Profile`'s permission
    /// fields ("Filter, Update").
    pub fn unsortable(mut self) -> Self {
        self.sortable = false;
        self
    }

    /// Only in API version `major`.0 and later.
    pub fn since(mut self, major: u32) -> Self {
        self.since = major;
        self
    }

    /// Neither createable nor updateable (system fields).
    pub fn read_only(mut self) -> Self {
        self.updateable = false;
        self.createable = false;
        self
    }

    /// Createable but not updateable.
    pub fn create_only(mut self) -> Self {
        self.updateable = false;
        self
    }

    /// Not nillable: required on create.
    pub fn required(mut self) -> Self {
        self.nillable = false;
        self
    }

    pub fn len(mut self, n: u32) -> Self {
        self.length = n;
        self
    }

    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// A lookup to `targets`; the relationship name is derived from the field name
    /// (`ProfileId` -> `Profile`, `X__c` -> `X__r`).
    pub fn refs(mut self, targets: &[&str]) -> Self {
        self.reference_to = targets.iter().map(|t| t.to_string()).collect();
        let rel = if let Some(base) = self.name.strip_suffix("__c") {
            format!("{base}__r")
        } else if let Some(base) = self.name.strip_suffix("Id") {
            base.to_string()
        } else {
            self.name.clone()
        };
        self.relationship_name = Some(rel);
        self
    }

    pub fn describe(&self) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), self.name.clone().into());
        m.insert("label".into(), self.label.clone().into());
        m.insert("type".into(), self.field_type.as_str().into());
        m.insert("soapType".into(), self.field_type.soap_type().into());
        m.insert("length".into(), self.length.into());
        m.insert("byteLength".into(), (self.length * 3).into());
        let (precision, scale, digits) = match self.field_type {
            FieldType::Int => (0, 0, 9),
            FieldType::Double | FieldType::Currency | FieldType::Percent => (18, 2, 0),
            _ => (0, 0, 0),
        };
        m.insert("precision".into(), precision.into());
        m.insert("scale".into(), scale.into());
        m.insert("digits".into(), digits.into());
        m.insert("updateable".into(), self.updateable.into());
        m.insert("createable".into(), self.createable.into());
        m.insert("nillable".into(), self.nillable.into());
        m.insert("custom".into(), self.custom.into());
        m.insert("unique".into(), self.unique.into());
        m.insert("externalId".into(), false.into());
        m.insert("calculated".into(), false.into());
        m.insert("filterable".into(), self.filterable.into());
        m.insert("sortable".into(), self.sortable.into());
        m.insert(
            "idLookup".into(),
            (self.field_type == FieldType::Id || self.unique).into(),
        );
        m.insert(
            "defaultedOnCreate".into(),
            (self.field_type == FieldType::Boolean || !self.createable).into(),
        );
        m.insert("referenceTo".into(), self.reference_to.clone().into());
        m.insert(
            "relationshipName".into(),
            self.relationship_name
                .clone()
                .map(Value::from)
                .unwrap_or(Value::Null),
        );
        m.insert("picklistValues".into(), Value::Array(Vec::new()));
        m.insert("inlineHelpText".into(), Value::Null);
        Value::Object(m)
    }
}

/// An object's schema.
#[derive(Clone, Debug)]
pub struct ObjectSchema {
    pub name: String,
    pub label: String,
    pub label_plural: String,
    pub key_prefix: String,
    pub custom: bool,
    pub custom_setting: bool,
    pub queryable: bool,
    pub createable: bool,
    pub updateable: bool,
    pub deletable: bool,
    pub fields: Vec<FieldSchema>,
    /// The first API version (major) that has the object; 0 when every served version has it.
    pub since: u32,
}

impl ObjectSchema {
    /// A schema with `Id` first, the given fields, then the audit fields.
    pub fn new(
        name: &str,
        label: &str,
        label_plural: &str,
        key_prefix: &str,
        fields: Vec<FieldSchema>,
    ) -> ObjectSchema {
        let mut all = vec![
            FieldSchema::new("Id", &format!("{label} ID"), FieldType::Id)
                .read_only()
                .required(),
        ];
        all.extend(fields);
        all.extend(audit_fields());
        ObjectSchema {
            name: name.to_string(),
            label: label.to_string(),
            label_plural: label_plural.to_string(),
            key_prefix: key_prefix.to_string(),
            custom: name.ends_with("__c"),
            custom_setting: false,
            queryable: true,
            createable: true,
            updateable: true,
            deletable: true,
            fields: all,
            since: 0,
        }
    }

    /// Only in API version `major`.0 and later.
    pub fn since(mut self, major: u32) -> Self {
        self.since = major;
        self
    }

    /// The schema as API version `major`.0 shows it (fields added later left out).
    pub fn at_version(&self, major: u32) -> ObjectSchema {
        let mut s = self.clone();
        s.fields.retain(|f| f.since <= major);
        s
    }

    pub fn read_only(mut self) -> Self {
        self.createable = false;
        self.updateable = false;
        self.deletable = false;
        self
    }

    pub fn custom_setting(mut self) -> Self {
        self.custom_setting = true;
        self
    }

    pub fn field(&self, name: &str) -> Option<&FieldSchema> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }

    /// The lookup field whose relationship is named `rel`.
    pub fn relationship(&self, rel: &str) -> Option<&FieldSchema> {
        self.fields.iter().find(|f| {
            f.relationship_name
                .as_deref()
                .is_some_and(|r| r.eq_ignore_ascii_case(rel))
        })
    }

    pub fn global_describe(&self, sobjects_url: &str) -> Value {
        let mut m = Map::new();
        m.insert("name".into(), self.name.clone().into());
        m.insert("label".into(), self.label.clone().into());
        m.insert("labelPlural".into(), self.label_plural.clone().into());
        m.insert("keyPrefix".into(), self.key_prefix.clone().into());
        m.insert("custom".into(), self.custom.into());
        m.insert("customSetting".into(), self.custom_setting.into());
        m.insert("queryable".into(), self.queryable.into());
        m.insert("retrieveable".into(), true.into());
        m.insert("searchable".into(), (!self.custom_setting).into());
        m.insert("createable".into(), self.createable.into());
        m.insert("updateable".into(), self.updateable.into());
        m.insert("deletable".into(), self.deletable.into());
        m.insert("undeletable".into(), self.deletable.into());
        m.insert("layoutable".into(), (!self.custom_setting).into());
        m.insert("triggerable".into(), true.into());
        m.insert("mergeable".into(), false.into());
        m.insert("replicateable".into(), true.into());
        m.insert("activateable".into(), false.into());
        m.insert("feedEnabled".into(), false.into());
        m.insert("hasSubtypes".into(), false.into());
        m.insert("isSubtype".into(), false.into());
        m.insert("deprecatedAndHidden".into(), false.into());
        let base = format!("{sobjects_url}/{}", self.name);
        m.insert(
            "urls".into(),
            serde_json::json!({
                "sobject": base,
                "describe": format!("{base}/describe"),
                "rowTemplate": format!("{base}/{{ID}}"),
            }),
        );
        Value::Object(m)
    }

    pub fn describe(&self, sobjects_url: &str) -> Value {
        let mut v = self.global_describe(sobjects_url);
        let m = v.as_object_mut().expect("object");
        m.insert(
            "fields".into(),
            Value::Array(self.fields.iter().map(FieldSchema::describe).collect()),
        );
        m.insert("childRelationships".into(), Value::Array(Vec::new()));
        m.insert("recordTypeInfos".into(), Value::Array(Vec::new()));
        v
    }
}

fn audit_fields() -> Vec<FieldSchema> {
    vec![
        FieldSchema::new("CreatedDate", "Created Date", FieldType::DateTime)
            .read_only()
            .required(),
        FieldSchema::new("CreatedById", "Created By ID", FieldType::Reference)
            .read_only()
            .required()
            .refs(&["User"]),
        FieldSchema::new(
            "LastModifiedDate",
            "Last Modified Date",
            FieldType::DateTime,
        )
        .read_only()
        .required(),
        FieldSchema::new(
            "LastModifiedById",
            "Last Modified By ID",
            FieldType::Reference,
        )
        .read_only()
        .required()
        .refs(&["User"]),
        FieldSchema::new("SystemModstamp", "System Modstamp", FieldType::DateTime)
            .read_only()
            .required(),
    ]
}

/// An object and its records.
#[derive(Clone, Debug)]
pub struct SObjectTable {
    pub schema: ObjectSchema,
    pub records: Vec<Record>,
}

impl SObjectTable {
    pub fn position(&self, id: &str) -> Option<usize> {
        let id18 = util::to_id18(id)?;
        self.records
            .iter()
            .position(|r| r.get("Id").and_then(Value::as_str) == Some(id18.as_str()))
    }

    pub fn get(&self, id: &str) -> Option<&Record> {
        self.position(id).map(|i| &self.records[i])
    }
}

/// The objects of one API (Data or Tooling).
#[derive(Clone, Debug, Default)]
pub struct ObjectStore {
    pub tables: Vec<SObjectTable>,
}

impl ObjectStore {
    pub fn table(&self, name: &str) -> Option<&SObjectTable> {
        self.tables
            .iter()
            .find(|t| t.schema.name.eq_ignore_ascii_case(name))
    }

    pub fn table_mut(&mut self, name: &str) -> Option<&mut SObjectTable> {
        self.tables
            .iter_mut()
            .find(|t| t.schema.name.eq_ignore_ascii_case(name))
    }

    /// The store as API version `major`.0 shows it: objects and fields added later left out
    /// (borrowed when nothing is).
    pub fn at_version(&self, major: u32) -> std::borrow::Cow<'_, ObjectStore> {
        let newer = |t: &SObjectTable| {
            t.schema.since > major || t.schema.fields.iter().any(|f| f.since > major)
        };
        if !self.tables.iter().any(newer) {
            return std::borrow::Cow::Borrowed(self);
        }
        let tables = self
            .tables
            .iter()
            .filter(|t| t.schema.since <= major)
            .map(|t| SObjectTable {
                schema: t.schema.at_version(major),
                records: t.records.clone(),
            })
            .collect();
        std::borrow::Cow::Owned(ObjectStore { tables })
    }

    pub fn add(&mut self, schema: ObjectSchema) {
        self.remove(&schema.name);
        self.tables.push(SObjectTable {
            schema,
            records: Vec::new(),
        });
    }

    pub fn remove(&mut self, name: &str) {
        self.tables
            .retain(|t| !t.schema.name.eq_ignore_ascii_case(name));
    }

    /// The record with this id in one of `objects` (or any object when empty).
    pub fn find(&self, objects: &[String], id: &str) -> Option<(&SObjectTable, &Record)> {
        self.tables
            .iter()
            .filter(|t| {
                objects.is_empty()
                    || objects
                        .iter()
                        .any(|o| o.eq_ignore_ascii_case(&t.schema.name))
            })
            .find_map(|t| t.get(id).map(|r| (t, r)))
    }
}

/// A query's remaining rows, for `nextRecordsUrl`.
#[derive(Clone, Debug)]
pub(crate) struct Cursor {
    pub rows: Vec<Value>,
    pub tooling: bool,
    pub object: String,
}

/// Everything the fake org knows. Tests may change any of it through `Emulator::with_state`.
#[derive(Clone, Debug)]
pub struct OrgState {
    /// Data API objects (`/sobjects`, `/query`).
    pub data: ObjectStore,
    /// Tooling API objects (`/tooling/sobjects`, `/tooling/query`).
    pub tooling: ObjectStore,
    pub seed: Seed,
    pub org_id: String,
    /// The running user (the one the access token belongs to).
    pub user_id: String,
    pub username: String,
    /// The current access token; others are refused.
    pub access_token: String,
    /// Set by the `expire-token` fault: the current token is refused until a refresh.
    pub token_expired: bool,
    pub refresh_token: String,
    /// Refresh Token Rotation (the connected app's or the org's setting): each renewal issues a
    /// new refresh token and invalidates the one sent; sending an invalidated one again revokes
    /// the current refresh token and its access tokens (see `auth.rs`). Off in the seeds.
    pub rotate_refresh_tokens: bool,
    /// Refresh tokens rotation invalidated: sent again, they revoke the whole family.
    pub rotated_refresh_tokens: Vec<String>,
    /// The org's connected apps that token requests are checked against (none in the seeds:
    /// the seeds' refresh token belongs to sf's global `PlatformCLI` app, which has no secret).
    pub connected_apps: Vec<super::apps::ConnectedApp>,
    /// API calls counted before the emulator started (to push usage near the limit).
    pub api_usage_start: u64,
    /// API calls served since.
    pub api_calls: u64,
    pub api_limit: u64,
    /// The connected app's own quota, when it has one: (app name, daily limit); its usage is
    /// the calls served since start (`Sforce-Limit-Info`'s `per-app-api-usage`).
    pub per_app_api_limit: Option<(String, u64)>,
    /// The running user's language (see `language`): new statuses are written in it.
    pub language: super::language::Language,
    /// `http://127.0.0.1:PORT`.
    pub instance_url: String,
    /// Each Tooling query returning an unfinished `SandboxProcess` moves it one stage forward.
    pub advance_sandbox_on_query: bool,
    /// When set, "now" (for `LastModifiedDate` and the like) is this instead of the clock.
    pub fixed_now: Option<String>,
    /// Salesforce's email verification: a `User.Email` change through the API is held (and a
    /// verification mailed) instead of applied. Off in the seeds.
    pub verify_email_changes: bool,
    /// Held `User.Email` changes: (user id, new email), applied by `confirm_email_change`.
    pub pending_email_changes: Vec<(String, String)>,
    /// Records a validation rule refuses to update: (18-character id, the rule's message).
    pub validation_errors: Vec<(String, String)>,
    /// Two characters after the key prefix of new ids.
    pub id_pod: String,
    pub next_id: u64,
    pub(crate) cursors: HashMap<String, Cursor>,
    pub(crate) next_cursor: u64,
}

impl OrgState {
    pub(crate) fn empty(seed: Seed, org_id: &str, pod: &str) -> OrgState {
        OrgState {
            data: ObjectStore::default(),
            tooling: ObjectStore::default(),
            seed,
            org_id: org_id.to_string(),
            user_id: String::new(),
            username: String::new(),
            access_token: String::new(),
            token_expired: false,
            refresh_token: String::new(),
            rotate_refresh_tokens: false,
            rotated_refresh_tokens: Vec::new(),
            connected_apps: Vec::new(),
            api_usage_start: 0,
            api_calls: 0,
            api_limit: 5000,
            per_app_api_limit: None,
            language: super::language::Language::English,
            instance_url: String::new(),
            advance_sandbox_on_query: false,
            fixed_now: None,
            verify_email_changes: false,
            pending_email_changes: Vec::new(),
            validation_errors: Vec::new(),
            id_pod: pod.to_string(),
            next_id: 1,
            cursors: HashMap::new(),
            next_cursor: 1,
        }
    }

    /// A fresh 18-character id with this key prefix.
    pub fn new_id(&mut self, prefix: &str) -> String {
        let id = util::make_id(prefix, &self.id_pod, self.next_id);
        self.next_id += 1;
        id
    }

    /// Now, as Salesforce writes it.
    pub fn now(&self) -> String {
        self.fixed_now
            .clone()
            .unwrap_or_else(|| util::format_datetime(util::now_ms()))
    }

    /// Calls counted against the daily limit.
    pub fn api_usage(&self) -> u64 {
        self.api_usage_start + self.api_calls
    }

    pub fn token_is_current(&self, token: &str) -> bool {
        !self.token_expired && !self.access_token.is_empty() && token == self.access_token
    }

    pub fn store(&self, tooling: bool) -> &ObjectStore {
        if tooling { &self.tooling } else { &self.data }
    }

    pub fn store_mut(&mut self, tooling: bool) -> &mut ObjectStore {
        if tooling {
            &mut self.tooling
        } else {
            &mut self.data
        }
    }

    /// Inserts a record without API validation (seeding, the control plane): the `Id` is made
    /// when missing, audit fields default to now and the running user, booleans to false,
    /// other fields to null. Unknown fields are an error.
    pub fn insert_raw(
        &mut self,
        tooling: bool,
        object: &str,
        fields: Value,
    ) -> Result<String, String> {
        let given = match fields {
            Value::Object(m) => m,
            _ => return Err("a record must be a JSON object".into()),
        };
        let schema = self
            .store(tooling)
            .table(object)
            .ok_or_else(|| format!("no object {object}"))?
            .schema
            .clone();
        for key in given.keys() {
            if key != "attributes" && schema.field(key).is_none() {
                return Err(format!("no field {key} on {}", schema.name));
            }
        }
        let now = self.now();
        let user = self.user_id.clone();
        let mut record = Record::new();
        for f in &schema.fields {
            let supplied = given
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(&f.name))
                .map(|(_, v)| v.clone());
            let value = match supplied {
                Some(v) => v,
                None => match f.name.as_str() {
                    "Id" => Value::String(self.new_id(&schema.key_prefix)),
                    "CreatedDate" | "LastModifiedDate" | "SystemModstamp" => now.clone().into(),
                    "CreatedById" | "LastModifiedById" if !user.is_empty() => user.clone().into(),
                    _ if f.field_type == FieldType::Boolean => false.into(),
                    _ => Value::Null,
                },
            };
            record.insert(f.name.clone(), value);
        }
        crate::metadata::sync_metadata(&schema.name, &mut record);
        let id = record
            .get("Id")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        self.store_mut(tooling)
            .table_mut(object)
            .expect("table exists")
            .records
            .push(record);
        Ok(id)
    }

    /// Records of an object (Data API first, then Tooling), cloned.
    pub fn records(&self, object: &str) -> Vec<Value> {
        self.data
            .table(object)
            .or_else(|| self.tooling.table(object))
            .map(|t| t.records.iter().cloned().map(Value::Object).collect())
            .unwrap_or_default()
    }

    /// The owner of the new address clicked the verification link: the held email change of
    /// this user is applied. False when none was held.
    pub fn confirm_email_change(&mut self, user_id: &str) -> bool {
        let Some(id18) = util::to_id18(user_id) else {
            return false;
        };
        let Some(pos) = self
            .pending_email_changes
            .iter()
            .position(|(id, _)| *id == id18)
        else {
            return false;
        };
        let (_, email) = self.pending_email_changes.remove(pos);
        let now = self.now();
        match self.data.table_mut("User").and_then(|t| {
            let i = t.position(&id18)?;
            t.records.get_mut(i)
        }) {
            Some(user) => {
                user.insert("Email".into(), email.into());
                user.insert("LastModifiedDate".into(), now.clone().into());
                user.insert("SystemModstamp".into(), now.into());
                true
            }
            None => false,
        }
    }

    /// The id of the first record of `object` whose `field` equals `value`.
    pub fn find_id(&self, object: &str, field: &str, value: &str) -> Option<String> {
        let t = self
            .data
            .table(object)
            .or_else(|| self.tooling.table(object))?;
        t.records
            .iter()
            .find(|r| r.get(field).and_then(Value::as_str) == Some(value))
            .and_then(|r| r.get("Id").and_then(Value::as_str).map(str::to_string))
    }
}
