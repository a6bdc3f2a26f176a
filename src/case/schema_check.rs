//! Checking a JSON document against a JSON Schema with jsonschema: every violation, each with
//! its path and a message a person can act on (the field's expected form, the known keys).

use super::violation::{Segment, Violation};
use jsonschema::error::{TypeKind, ValidationErrorKind};
use jsonschema::paths::LocationSegment;
use serde_json::Value;

/// Every schema violation of `instance`, each with its path and a plain message.
pub fn schema_violations(schema: &Value, instance: &Value) -> Vec<Violation> {
    let validator = match jsonschema::validator_for(schema) {
        Ok(validator) => validator,
        // The schemas are generated and tested; a failure here is a bug, said as a violation
        // rather than a panic.
        Err(e) => {
            return vec![Violation::at(
                &[],
                format!("the schema itself is invalid: {e}"),
            )];
        }
    };
    let mut out = Vec::new();
    for error in validator.iter_errors(instance) {
        let segments: Vec<Segment> = error
            .instance_path()
            .iter()
            .map(|s| match s {
                LocationSegment::Property(p) => Segment::Key(p.to_string()),
                LocationSegment::Index(i) => Segment::Index(i),
            })
            .collect();
        match error.kind() {
            ValidationErrorKind::Required { property } => {
                let mut at = segments.clone();
                at.push(Segment::Key(
                    property.as_str().unwrap_or_default().to_string(),
                ));
                out.push(Violation::at(&at, "is missing: the field is required"));
            }
            ValidationErrorKind::AdditionalProperties { unexpected }
            | ValidationErrorKind::UnevaluatedProperties { unexpected } => {
                let known = known_properties(schema, &error.schema_path().to_string());
                for name in unexpected {
                    let mut at = segments.clone();
                    at.push(Segment::Key(name.clone()));
                    let message = match &known {
                        Some(known) => format!("is not a known field (known: {known})"),
                        None => "is not a known field".to_string(),
                    };
                    out.push(Violation::at(&at, message));
                }
            }
            ValidationErrorKind::OneOfNotValid { .. } | ValidationErrorKind::AnyOf { .. }
                if constants(schema, &error.schema_path().to_string()).is_some() =>
            {
                let options =
                    constants(schema, &error.schema_path().to_string()).unwrap_or_default();
                out.push(Violation::at(
                    &segments,
                    format!("{} is not one of {}", error.instance(), options.join(", ")),
                ));
            }
            kind => out.push(Violation::at(
                &segments,
                plain_message(kind, error.instance(), segments.last()),
            )),
        }
    }
    out
}

/// The property names the object schema at `schema_path` (the path of its
/// `additionalProperties` keyword) defines, for a message.
fn known_properties(root: &Value, schema_path: &str) -> Option<String> {
    let node = schema_at(root, schema_path.strip_suffix("/additionalProperties")?)?;
    let names: Vec<&str> = node
        .get("properties")?
        .as_object()?
        .keys()
        .map(String::as_str)
        .collect();
    Some(names.join(", "))
}

/// The schema node at a keyword path, following the `$ref`s the path runs through.
fn schema_at<'a>(root: &'a Value, path: &str) -> Option<&'a Value> {
    let mut node = root;
    for part in path.split('/').filter(|p| !p.is_empty()) {
        if part == "$ref" {
            node = resolve_ref(root, node)?;
            continue;
        }
        node = match node {
            Value::Array(items) => items.get(part.parse::<usize>().ok()?)?,
            _ => node.get(part)?,
        };
    }
    Some(node)
}

/// The allowed values when every alternative of a `oneOf`/`anyOf` is a constant.
fn constants(root: &Value, schema_path: &str) -> Option<Vec<String>> {
    let alternatives = schema_at(root, schema_path)?.as_array()?;
    alternatives
        .iter()
        .map(|alt| alt.get("const").map(|c| c.to_string()))
        .collect()
}

fn resolve_ref<'a>(root: &'a Value, node: &'a Value) -> Option<&'a Value> {
    let reference = node.get("$ref")?.as_str()?;
    root.pointer(reference.strip_prefix('#')?)
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn expected_type(kind: &TypeKind) -> String {
    let one = |t: jsonschema::types::JsonType| match t.as_str() {
        "null" => "null".to_string(),
        "integer" => "an integer".to_string(),
        "array" => "an array".to_string(),
        "object" => "an object".to_string(),
        other => format!("a {other}"),
    };
    match kind {
        TypeKind::Single(t) => one(*t),
        TypeKind::Multiple(set) => set.iter().map(one).collect::<Vec<_>>().join(" or "),
    }
}

/// What a field must look like, for messages about patterns and alternatives.
fn field_form(field: Option<&Segment>) -> Option<&'static str> {
    let name = match field {
        Some(Segment::Key(name)) => name,
        Some(Segment::Index(_)) => return Some("a username, e.g. jane@acme.com.uat"),
        None => return None,
    };
    Some(match name.as_str() {
        "cpqUrl" => "https://<tenant>.<sector>.logik.io, without a path",
        "refreshDate" => "an ISO 8601 date, YYYY-MM-DD",
        "newOrgId" => "TBD or an 18-character org ID starting with 00D",
        "orgId" => "an 18-character org ID starting with 00D",
        "orgId15" => "a 15-character org ID starting with 00D",
        "myDomainUrl" => {
            "https://<name>.my.salesforce.com (sandboxes: <name>--<sandbox>.sandbox.my.salesforce.com), or null when unchanged"
        }
        "newHost" => "a host name such as acme-uat.test.logik.io, or null for no change",
        "username" | "provisioningUsername" => "a username, e.g. provisioning@logik.io.acme.uat",
        "caseNumber" => "a case number such as CS0123456",
        _ => return None,
    })
}

fn plain_message(kind: &ValidationErrorKind, instance: &Value, field: Option<&Segment>) -> String {
    let shown = |v: &Value| {
        let text = v.to_string();
        if text.chars().count() > 80 {
            format!("{}…", text.chars().take(80).collect::<String>())
        } else {
            text
        }
    };
    match kind {
        ValidationErrorKind::Type { kind } => {
            format!(
                "must be {}, not {}",
                expected_type(kind),
                type_name(instance)
            )
        }
        ValidationErrorKind::Enum { options } => {
            let options: Vec<String> = options
                .as_array()
                .map(|a| a.iter().map(|o| o.to_string()).collect())
                .unwrap_or_default();
            format!("{} is not one of {}", shown(instance), options.join(", "))
        }
        ValidationErrorKind::Constant { expected_value } => {
            format!("must be {}, not {}", expected_value, shown(instance))
        }
        ValidationErrorKind::Pattern { .. }
        | ValidationErrorKind::AnyOf { .. }
        | ValidationErrorKind::OneOfNotValid { .. }
        | ValidationErrorKind::Format { .. } => match field_form(field) {
            Some(form) => format!("{} is not {form}", shown(instance)),
            None => format!("{} does not have the expected form", shown(instance)),
        },
        ValidationErrorKind::MinItems { limit } => {
            format!(
                "must list at least {limit} item{}",
                if *limit == 1 { "" } else { "s" }
            )
        }
        ValidationErrorKind::MaxItems { limit } => format!("must list at most {limit} items"),
        ValidationErrorKind::UniqueItems => "lists the same item twice".to_string(),
        ValidationErrorKind::MinLength { limit } => {
            format!(
                "must have at least {limit} character{}",
                if *limit == 1 { "" } else { "s" }
            )
        }
        ValidationErrorKind::MaxLength { limit } => {
            format!("must have at most {limit} characters")
        }
        ValidationErrorKind::Minimum { limit } => format!("must be at least {limit}"),
        ValidationErrorKind::Maximum { limit } => format!("must be at most {limit}"),
        _ => format!("{} is not valid here", shown(instance)),
    }
}
