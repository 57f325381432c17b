//! Fails when the checked-in files in `schemas/` no longer match what the generator produces
//! from the vendor specs, so stale schema data cannot land unnoticed.

use xtask::generate_all;
use xtask::output::stale_files;
use xtask::sources::{default_specs_dir, workspace_root};
use zentra_schema::{AttrType, ProviderSchemaFile};

#[test]
fn generated_schemas_are_current() {
    let root = workspace_root();
    let specs = default_specs_dir(&root);
    let generation = match generate_all(&specs) {
        Ok(generation) => generation,
        Err(error) => panic!("cannot generate the schemas to compare with schemas/:\n{error:#}"),
    };
    let stale = stale_files(&root, &generation.files);
    assert!(
        stale.is_empty(),
        "generated schema files are stale: {}\nrun `cargo xtask schemas` and commit the result",
        stale.join(", ")
    );
}

#[test]
fn missing_specs_are_reported_with_an_explanation() {
    let missing = workspace_root().join("target").join("no-such-spec-dir");
    let error = match generate_all(&missing) {
        Ok(_) => panic!("generation cannot succeed without specs"),
        Err(error) => format!("{error:#}"),
    };
    assert!(error.contains("vendor spec directory not found"), "{error}");
    assert!(error.contains("no-such-spec-dir"), "{error}");
}

/// Facts about Zoom's Feb-2026 specs that the generated provider schema must reflect.
#[test]
fn zoom_provider_schema_reflects_known_read_write_asymmetries() {
    let specs = default_specs_dir(&workspace_root());
    let generation = match generate_all(&specs) {
        Ok(generation) => generation,
        Err(error) => panic!("cannot generate the schemas:\n{error:#}"),
    };
    let zoom = generation
        .files
        .iter()
        .find(|file| file.path == xtask::output_paths::ZOOM_PROVIDER)
        .expect("the provider schema is generated");
    let parsed: ProviderSchemaFile = serde_json::from_str(&zoom.contents)
        .expect("the provider schema parses as ProviderSchemaFile");

    let settings = &parsed.objects["account_settings"];
    let sections: Vec<&str> = settings.properties.keys().map(String::as_str).collect();
    for section in [
        "security",
        "audio_conferencing",
        "chat",
        "email_notification",
        "feature",
        "in_meeting",
        "integration",
        "other_options",
        "profile",
        "recording",
        "schedule_meeting",
        "telephony",
        "tsp",
        "zoom_rooms",
        "smart_recognition",
        "mail_calendar",
        "general_setting",
    ] {
        assert!(
            sections.contains(&section),
            "account_settings lacks `{section}`"
        );
    }
    let at = |path: &str| {
        let parts: Vec<&str> = path.split('.').collect();
        settings
            .at_path(&parts)
            .unwrap_or_else(|| panic!("account_settings has no `{path}`"))
    };
    assert!(at("security.signin_with_sso.sso_bypass_users").read_only);
    assert!(at("security.signin_with_sso.sso_bypass_user_ids").write_only);
    assert!(at("security.signin_with_sso.operation").write_only);
    assert!(at("security.signin_with_sso.domains").set);
    assert!(!at("security.signin_with_sso.enable").read_only);
    assert!(at("smart_recognition").read_only);
    assert_eq!(at("security.signin_with_sso.enable").ty, AttrType::Boolean);

    for name in [
        "account_settings_meeting_security",
        "account_lock_settings",
        "account_lock_settings_meeting_security",
        "group_settings",
        "group_settings_meeting_security",
        "group_lock_settings",
        "group_lock_settings_meeting_security",
    ] {
        assert!(parsed.objects.contains_key(name), "missing object `{name}`");
    }
    let encryption = parsed.objects["account_lock_settings_meeting_security"]
        .at_path(&["meeting_security", "encryption_type"])
        .expect("lock encryption_type");
    assert_eq!(
        encryption.ty,
        AttrType::Boolean,
        "a conflict keeps what GET returns"
    );
    assert!(encryption.read_only, "and cannot be managed");
    assert!(encryption.description.contains("GET returns boolean"));
}
