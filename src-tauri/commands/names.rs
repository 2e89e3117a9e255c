// The app commands, by name. Included by build.rs (which declares each to Tauri's ACL through
// `AppManifest::commands`, so none is callable unless a capability grants it) and by the tests
// (which check this list against the registered commands and the capability files). Keep it in
// step with `collect_commands!` in lib.rs; a test fails when they differ.
pub const APP_COMMANDS: &[&str] = &[
    "catalog",
    "templates",
    "new_design",
    "example_design",
    "startup_file",
    "open_design",
    "save_design",
    "write_recovery",
    "take_recovery",
    "discard_recovery",
    "check_design",
    "advise_design",
    "apply_fix",
    "estimate_cost",
    "compare_providers",
    "export_preview",
    "export_design",
    "provision_credentials_status",
    "provision_set_credentials",
    "provision_test_credentials",
    "provision_delete_credentials",
    "provision_plan",
    "provision_apply",
    "provision_destroy_preview",
    "provision_destroy",
    "provision_cancel",
    "provision_refresh",
    "provision_read_public_key",
];
