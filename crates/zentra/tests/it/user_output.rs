//! Snapshots of what people read: the human plan of every example, `--help`, and the main error
//! messages. A change to any of them shows up as a reviewed diff of `snapshots/` (run the tests
//! with `INSTA_UPDATE=always`, or `cargo insta review`, to accept one). Ids, ports, times and
//! temporary directories are replaced by placeholders so only wording and layout are compared.

use insta::assert_snapshot;
use zentra_test_support::{Project, code, stderr, stdout};

/// Placeholders for what changes from run to run.
const FILTERS: &[(&str, &str)] = &[
    (
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
        "[uuid]",
    ),
    (r"(127\.0\.0\.1|localhost):[0-9]+", "[host]:[port]"),
    (
        r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+(Z|[+-][0-9:]+)?",
        "[time]",
    ),
    (r"\b[0-9]+(\.[0-9]+)?(ms|s)\b", "[duration]"),
    (r"/tmp/[^\s:'`]+", "[dir]"),
    (r"zentra [0-9]+\.[0-9]+\.[0-9]+[^\s]*", "zentra [version]"),
];

fn settings() -> insta::Settings {
    let mut settings = insta::Settings::clone_current();
    for (pattern, replacement) in FILTERS {
        settings.add_filter(pattern, *replacement);
    }
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings
}

/// The plan an admin reads for an example on a fresh emulator (the demo account already has
/// some of what the quickstart asks for).
async fn example_plan(name: &str) -> String {
    let p = Project::example(name).await;
    let out = p.run(&["plan", "-no-color"]);
    assert!([0, 2].contains(&code(&out)), "{name}: {}", stderr(&out));
    stdout(&out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_human_plan_of_every_example() {
    for name in [
        "quickstart",
        "zoom-sso-calendar",
        "azure-consent-zoom-only",
        "azure-consent-all-apps",
        "federation-okta",
        "federation-ping",
        "msp-multi-tenant",
    ] {
        let plan = example_plan(name).await;
        settings().bind(|| assert_snapshot!(format!("plan-{name}"), plan));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn help_for_the_main_commands() {
    let p = Project::new("").await;
    for args in [
        &["--help"][..],
        &["plan", "--help"],
        &["apply", "--help"],
        &["drift", "--help"],
        &["fmt", "--help"],
        &["console", "--help"],
    ] {
        let out = p.run(args);
        assert_eq!(code(&out), 0, "{args:?}: {}", stderr(&out));
        let name = format!("help-{}", args[..args.len() - 1].join("-"))
            .trim_end_matches('-')
            .to_string();
        settings().bind(|| assert_snapshot!(name, stdout(&out)));
    }
}

/// A broken configuration: what `zentra plan` says on stderr, and that it exits 1.
async fn config_error(config: &str) -> String {
    let p = Project::new(config).await;
    let out = p.run(&["plan", "-no-color"]);
    assert_eq!(code(&out), 1, "{}", stdout(&out));
    assert!(
        !p.path().join("zentra.state.json").exists(),
        "bad input writes nothing"
    );
    stderr(&out)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_main_error_messages() {
    let cases: [(&str, &str); 5] = [
        (
            "error-unclosed-block",
            "provider \"zoom\" {}\n\nresource \"zoom_account_settings\" \"sso\" {\n  security {\n    signin_with_sso { enable = true }\n",
        ),
        (
            "error-misspelt-setting",
            "provider \"zoom\" {}\n\nresource \"zoom_account_settings\" \"sso\" {\n  security {\n    signin_with_sso { enabel = true }\n  }\n}\n",
        ),
        (
            "error-wrong-type",
            "provider \"zoom\" {}\n\nresource \"zoom_account_settings\" \"sso\" {\n  security {\n    signin_with_sso { enable = \"yes please\" }\n  }\n}\n",
        ),
        (
            "error-undeclared-variable",
            "provider \"zoom\" {}\n\nresource \"zoom_group\" \"pilot\" {\n  name = var.group_name\n}\n",
        ),
        (
            "error-unknown-resource-type",
            "provider \"zoom\" {}\n\nresource \"zoom_acount_settings\" \"sso\" {}\n",
        ),
    ];
    for (name, config) in cases {
        let message = config_error(config).await;
        settings().bind(|| assert_snapshot!(name, message));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn missing_credentials_and_a_mistyped_command() {
    let mut p = Project::new(
        "provider \"zoom\" {}\n\nresource \"zoom_group\" \"pilot\" {\n  name = \"Pilot\"\n}\n",
    )
    .await;
    p.unset_env("ZOOM_CLIENT_SECRET");
    let out = p.run(&["plan", "-no-color"]);
    assert_eq!(code(&out), 1);
    settings().bind(|| assert_snapshot!("error-missing-credentials", stderr(&out)));

    let out = p.run(&["plna"]);
    assert_eq!(code(&out), 1);
    settings().bind(|| assert_snapshot!("error-mistyped-command", stderr(&out)));
}
