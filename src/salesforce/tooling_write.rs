//! Writes to Tooling API setup objects, the way each takes them. Most take their fields at the
//! top level. `RemoteProxy` (Remote Site Settings) takes only `FullName` and `Metadata` (a
//! Metadata API `RemoteSiteSetting`: `url`, `isActive`, `disableProtocolSecurity`,
//! `description`); a top-level `EndpointUrl` is refused with FIELD_INTEGRITY_EXCEPTION, a create
//! without `Metadata` with REQUIRED_FIELD_MISSING, and an update replaces the whole `Metadata`,
//! so it is read first and sent back whole with the changed keys.

use super::Client;
use crate::protocol::{Error, Result};
use serde_json::{Map, Value};

/// The `Metadata` key of each top-level field of a metadata-backed object, and the field that
/// is its `FullName`.
fn metadata_keys(object: &str) -> Option<(&'static str, &'static [(&'static str, &'static str)])> {
    object.eq_ignore_ascii_case("RemoteProxy").then_some((
        "SiteName",
        &[
            ("EndpointUrl", "url"),
            ("IsActive", "isActive"),
            ("DisableProtocolSecurity", "disableProtocolSecurity"),
            ("Description", "description"),
        ][..],
    ))
}

/// The body that sets `fields` (top-level names) on `object`: as they are, or as `FullName` and
/// a whole `Metadata` built on `current` (the record's `Metadata` before; empty for a create).
fn body(object: &str, fields: &Map<String, Value>, current: Option<&Value>) -> Result<Value> {
    let Some((name_field, keys)) = metadata_keys(object) else {
        return Ok(Value::Object(fields.clone()));
    };
    let mut meta = current
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let mut out = Map::new();
    for (field, value) in fields {
        if field == name_field {
            out.insert("FullName".into(), value.clone());
            continue;
        }
        let Some((_, key)) = keys.iter().find(|(f, _)| f == field) else {
            return Err(Error::new(
                "UnsupportedFieldError",
                format!("{object}.{field} cannot be written through its Metadata."),
            ));
        };
        meta.insert((*key).into(), value.clone());
    }
    out.insert("Metadata".into(), Value::Object(meta));
    Ok(Value::Object(out))
}

/// Creates a Tooling record; its id.
pub async fn create(client: &Client, object: &str, fields: &Map<String, Value>) -> Result<String> {
    let answer = client
        .post(
            &format!("tooling/sobjects/{object}"),
            &body(object, fields, None)?,
        )
        .await?;
    Ok(answer
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string())
}

/// Sets `fields` of a Tooling record (for a metadata-backed object: reads its `Metadata`
/// first, then sends it back whole).
pub async fn update(
    client: &Client,
    object: &str,
    id: &str,
    fields: &Map<String, Value>,
) -> Result<()> {
    let path = format!("tooling/sobjects/{object}/{id}");
    let current = match metadata_keys(object) {
        Some(_) => client.get(&path).await?.get("Metadata").cloned(),
        None => None,
    };
    client
        .patch(&path, &body(object, fields, current.as_ref())?)
        .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn remote_sites_write_their_metadata_whole() {
        let mut fields = Map::new();
        fields.insert("EndpointUrl".into(), json!("https://new.test.logik.io"));
        let current = json!({"url": "https://old.test.logik.io", "isActive": true,
                             "disableProtocolSecurity": false, "description": "d", "urls": null});
        assert_eq!(
            body("RemoteProxy", &fields, Some(&current)).unwrap(),
            json!({"Metadata": {"url": "https://new.test.logik.io", "isActive": true,
                                "disableProtocolSecurity": false, "description": "d", "urls": null}})
        );
        fields.insert("SiteName".into(), json!("Logik_New"));
        let created = body("RemoteProxy", &fields, None).unwrap();
        assert_eq!(created["FullName"], "Logik_New");
        assert_eq!(created["Metadata"]["url"], "https://new.test.logik.io");
        // Other objects take their fields as they are.
        assert_eq!(
            body("CspTrustedSite", &fields, None).unwrap(),
            Value::Object(fields.clone())
        );
    }
}
