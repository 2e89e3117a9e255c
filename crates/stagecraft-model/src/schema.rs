//! The JSON Schema of the design file, generated from the types so it cannot drift from them. The
//! copy in `schema/design.schema.json` is checked against this by a test.

/// The schema as pretty JSON with a final newline.
pub fn design_schema_json() -> String {
    let schema = schemars::schema_for!(crate::design::Design);
    let mut text = serde_json::to_string_pretty(&schema).unwrap_or_default();
    text.push('\n');
    text
}
