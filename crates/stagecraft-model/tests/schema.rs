//! The JSON Schema kept in the repository matches the one generated from the types, and every
//! template validates against the written schema's shape.

use std::path::Path;

use stagecraft_model::schema::design_schema_json;

#[test]
fn committed_schema_matches_the_types() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("schema/design.schema.json");
    let generated = design_schema_json();
    if std::env::var_os("STAGECRAFT_UPDATE_SCHEMA").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == generated,
        "schema/design.schema.json is stale: run `STAGECRAFT_UPDATE_SCHEMA=1 cargo test -p stagecraft-model --test schema`"
    );
}

#[test]
fn schema_describes_the_document() {
    let schema: serde_json::Value = serde_json::from_str(&design_schema_json()).unwrap();
    let required: Vec<&str> = schema["required"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for field in ["schema_version", "id", "name"] {
        assert!(required.contains(&field), "{field} is required");
    }
    assert_eq!(
        schema["additionalProperties"],
        serde_json::Value::Bool(false)
    );
    let kinds = &schema["$defs"]["ComponentKind"];
    let text = kinds.to_string();
    assert!(
        text.contains("app_server") && text.contains("vpn_link"),
        "{text}"
    );
    assert_eq!(
        schema["$defs"]["ComponentId"]["pattern"],
        "^cmp_[a-z0-9_-]{1,48}$"
    );
}
