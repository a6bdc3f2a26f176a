//! The committed schemas are exactly what the code generates.

#[test]
fn committed_schemas_match_the_generated_ones() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
    let mut stale = Vec::new();
    for (name, schema) in logik_refresh::commands::schemas::all() {
        let path = dir.join(format!("{name}.schema.json"));
        let committed = std::fs::read_to_string(&path).unwrap_or_default();
        if committed != logik_refresh::commands::schemas::to_text(&schema) {
            stale.push(name);
        }
    }
    assert!(
        stale.is_empty(),
        "schemas out of date: {stale:?}; regenerate with `cargo run -- schema --out-dir schemas` and review the diff"
    );
}

#[test]
fn every_schema_is_a_valid_draft_2020_12_schema() {
    for (name, schema) in logik_refresh::commands::schemas::all() {
        assert_eq!(
            schema["$schema"], "https://json-schema.org/draft/2020-12/schema",
            "{name}"
        );
        jsonschema::draft202012::meta::validate(&schema).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}
