//! `schema`: the JSON Schemas of the tool's outputs, generated from the Rust types. The same
//! schemas are committed under `schemas/` (a test fails when they drift).

use super::schemas;
use crate::cli::SchemaArgs;
use crate::protocol::{CommandOutput, Error, Result};
use serde_json::{Map, Value};

pub fn cmd_schema(args: SchemaArgs) -> Result<CommandOutput> {
    let all = schemas::all();
    if let Some(dir) = &args.out_dir {
        std::fs::create_dir_all(dir).map_err(|e| {
            Error::new(
                "WriteError",
                format!("Could not create {}: {e}", dir.display()),
            )
        })?;
        let mut written = Vec::new();
        for (name, schema) in &all {
            let path = dir.join(format!("{name}.schema.json"));
            crate::fsutil::write_atomic(&path, schemas::to_text(schema).as_bytes(), false)?;
            written.push(path.display().to_string());
        }
        let text = format!("Wrote {} schemas to {}", written.len(), dir.display());
        return Ok(CommandOutput::new(
            &serde_json::json!({ "written": written }),
            text,
        ));
    }
    match &args.name {
        Some(name) => {
            let schema = all
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s.clone())
                .ok_or_else(|| {
                    let names: Vec<&str> = all.iter().map(|(n, _)| *n).collect();
                    Error::input("UnknownSchemaError", format!("No schema named {name:?}."))
                        .with_action(format!("Choose one of: {}", names.join(", ")))
                })?;
            Ok(CommandOutput::new(&schema, schemas::to_text(&schema)))
        }
        None => {
            let map: Map<String, Value> =
                all.into_iter().map(|(n, s)| (n.to_string(), s)).collect();
            let value = Value::Object(map);
            let text = schemas::to_text(&value);
            Ok(CommandOutput::new(&value, text))
        }
    }
}
