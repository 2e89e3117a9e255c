//! Schema migrations: one named function per version step, applied in order to the raw JSON of
//! an older file. Each past version has a fixture under `tests/fixtures/` that must keep loading.

use serde_json::{Map, Value};

/// A step from `from` to `from + 1`.
pub struct Migration {
    pub from: u32,
    pub name: &'static str,
    pub apply: fn(&mut Map<String, Value>) -> Result<(), String>,
}

/// Every migration, in order. Adding a schema version means adding one entry here and a fixture.
pub const MIGRATIONS: &[Migration] = &[Migration {
    from: 1,
    name: "v1_to_v2_move_positions_to_layout",
    apply: v1_to_v2_move_positions_to_layout,
}];

/// Oldest schema version this build can read.
pub const OLDEST_SUPPORTED_VERSION: u32 = 1;

/// Migrates `document` from `version` to the current version, in place. Returns the names of the
/// migrations applied.
///
/// # Errors
/// A message naming the migration that could not make sense of the document.
pub fn migrate(
    document: &mut Map<String, Value>,
    version: u32,
) -> Result<Vec<&'static str>, String> {
    let mut applied = Vec::new();
    for migration in MIGRATIONS.iter().filter(|m| m.from >= version) {
        (migration.apply)(document).map_err(|e| format!("migration {}: {e}", migration.name))?;
        document.insert("schema_version".into(), Value::from(migration.from + 1));
        applied.push(migration.name);
    }
    Ok(applied)
}

/// Version 1 stored each node's canvas `position` inside the component or group and called the
/// replica count `replicas`. Version 2 moves positions into the separate `layout` section, so
/// that moving a box does not read as an infrastructure change, and names the count `count`.
fn v1_to_v2_move_positions_to_layout(document: &mut Map<String, Value>) -> Result<(), String> {
    let mut nodes = Map::new();
    for section in ["components", "groups"] {
        let Some(items) = document.get_mut(section) else {
            continue;
        };
        let items = items
            .as_array_mut()
            .ok_or_else(|| format!("`{section}` must be a list"))?;
        for item in items {
            let object = item
                .as_object_mut()
                .ok_or_else(|| format!("every entry of `{section}` must be an object"))?;
            if let Some(replicas) = object.remove("replicas") {
                object.insert("count".into(), replicas);
            }
            if let Some(position) = object.remove("position") {
                let id = object
                    .get("id")
                    .and_then(Value::as_str)
                    .ok_or_else(|| format!("an entry of `{section}` has no id"))?;
                nodes.insert(id.to_owned(), position);
            }
        }
    }
    let mut layout = Map::new();
    layout.insert("nodes".into(), Value::Object(nodes));
    document.insert("layout".into(), Value::Object(layout));
    Ok(())
}
