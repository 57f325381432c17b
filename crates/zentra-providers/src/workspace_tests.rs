//! Loading workspaces with the provider types zentra ships: whatever the damage to the
//! quickstart, loading never panics, and errors in variables and locals are reported once, at
//! their place, without showing sensitive values.

use proptest::prelude::*;

use std::path::Path;

use crate::provider_types;
use zentra_engine::config::Config;
use zentra_engine::diag::{Diagnostics, SourceFile};
use zentra_engine::env::Environment;
use zentra_engine::workspace::{LoadOptions, Workspace};

const QUICKSTART: &str = include_str!("../../../examples/quickstart/main.zen.hcl");

fn load(text: &str) -> Result<Workspace, Diagnostics> {
    let config = Config::from_files(
        Path::new("."),
        vec![SourceFile {
            display_path: "main.zen.hcl".into(),
            path: "main.zen.hcl".into(),
            text: text.into(),
        }],
    )?;
    Workspace::from_config(config, &LoadOptions::default(), provider_types())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Whatever the damage to a configuration, loading it never panics, and every error
    /// points inside the file.
    #[test]
    fn mangled_configurations_never_panic(
        edits in proptest::collection::vec((0usize..4000, 0usize..6, any::<char>()), 1..6)
    ) {
        let mut text: Vec<char> = QUICKSTART.chars().collect();
        for (pos, len, ch) in edits {
            let at = pos % (text.len() + 1);
            let end = (at + len).min(text.len());
            text.splice(at..end, [ch]);
        }
        let text: String = text.into_iter().collect();
        if let Err(diags) = load(&text) {
            prop_assert!(diags.has_errors());
            let lines = text.lines().count().max(1);
            for d in diags.errors() {
                if let Some(loc) = &d.location {
                    prop_assert!(loc.line >= 1 && loc.line <= lines + 1, "{d} outside {lines} lines");
                }
            }
        }
    }
}

#[test]
fn validate_checks_locals_nothing_refers_to() {
    let errors = load("locals {\n  unused = length()\n  loop = local.loop\n}\n")
        .err()
        .expect("invalid locals are reported");
    let summaries: Vec<String> = errors.errors().map(|d| d.to_string()).collect();
    assert_eq!(summaries.len(), 2, "{summaries:?}");
    assert!(summaries[0].contains("length()"), "{summaries:?}");
    assert!(summaries[0].contains("main.zen.hcl:2:"), "{summaries:?}");
    assert!(summaries[1].contains("refers to itself"), "{summaries:?}");
    assert!(summaries[1].contains("main.zen.hcl:3:"), "{summaries:?}");
}

#[test]
fn wrong_values_of_sensitive_variables_are_not_shown() {
    let text = "variable \"n\" {\n  type = number\n  sensitive = true\n}\nvariable \"o\" {\n  type = object({ x = number })\n  sensitive = true\n}\nvariable \"e\" {\n  type = number\n  sensitive = true\n}\n";
    let config = Config::from_files(
        Path::new("."),
        vec![SourceFile {
            display_path: "main.zen.hcl".into(),
            path: "main.zen.hcl".into(),
            text: text.into(),
        }],
    )
    .unwrap();
    let opts = LoadOptions {
        vars: vec!["n=SECRET1".into(), "o={x=\"SECRET2\"}".into()],
        env: Environment::from_pairs([("ZENTRA_VAR_e", "\"SECRET3\"")]),
        ..LoadOptions::default()
    };
    let errors = Workspace::from_config(config, &opts, provider_types())
        .err()
        .expect("wrong values are refused");
    let shown: Vec<String> = errors
        .errors()
        .map(|d| format!("{d} {:?}", d.hint))
        .collect();
    assert_eq!(shown.len(), 3, "one error per variable: {shown:?}");
    for line in &shown {
        assert!(!line.contains("SECRET"), "{shown:?}");
    }
    assert!(
        shown.iter().any(|l| l.contains("attribute `x`")),
        "{shown:?}"
    );
}

#[test]
fn a_failing_expression_is_reported_once_and_not_as_missing() {
    let errors = load(
        "locals {\n  x = length()\n}\nresource \"zoom_group\" \"g\" {\n  name = local.x\n}\noutput \"o\" {\n  value = local.x\n}\n",
    )
    .err()
    .expect("the failing local is reported");
    let summaries: Vec<String> = errors.errors().map(|d| d.to_string()).collect();
    assert_eq!(
        summaries,
        vec!["main.zen.hcl:2:7: length(): takes 1 argument(s), got 0".to_string()]
    );
}
