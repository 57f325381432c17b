//! The shipped providers inside the engine: the quickstart example planned, applied and
//! planned again against the local stand-ins for Zoom and Graph used by the providers' tests.

use std::path::Path;
use std::sync::{Arc, Mutex};

use zentra_engine::addr::Mode;
use zentra_engine::apply::{ApplyOptions, Silent, apply};
use zentra_engine::env::Environment;
use zentra_engine::plan::Action;
use zentra_engine::plan::planner::{ProviderSet, plan};
use zentra_engine::schema::ResourceKind;
use zentra_engine::state::{LocalStateStore, StateStore};
use zentra_engine::workspace::{LoadOptions, Workspace};

use super::provider_types;
use super::{azuread, zoom};
use zentra_engine::provider::terraform_names;

fn quickstart(env: Environment) -> Workspace {
    let opts = LoadOptions {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/quickstart"),
        env,
        ..LoadOptions::default()
    };
    match Workspace::load(&opts, provider_types()) {
        Ok(ws) => ws,
        Err(diags) => panic!("the quickstart does not load: {diags:?}"),
    }
}

#[test]
fn every_provider_type_is_listed_once() {
    let names: Vec<&str> = provider_types().iter().map(|p| p.name()).collect();
    assert_eq!(names, ["zoom", "azuread", "manual"]);
}

#[tokio::test]
async fn the_quickstart_plans_applies_and_then_has_nothing_left_to_do() {
    let zoom_stub = Arc::new(zoom::tests::Stub::default());
    let zoom_base = zoom::tests::start(zoom_stub.clone()).await;
    let graph_stub = Arc::new(Mutex::new(azuread::tests::Stub::new()));
    let graph_base = azuread::tests::start(graph_stub.clone()).await;
    let env = Environment::from_pairs([
        ("ZOOM_ACCOUNT_ID", "acct-1".to_string()),
        ("ZOOM_CLIENT_ID", "cid".to_string()),
        ("ZOOM_CLIENT_SECRET", "zs".to_string()),
        ("ZOOM_API_URL", format!("{zoom_base}/v2")),
        ("ZOOM_OAUTH_URL", zoom_base.clone()),
        ("AZURE_TENANT_ID", "tenant".to_string()),
        ("AZURE_CLIENT_ID", "cid".to_string()),
        ("AZURE_CLIENT_SECRET", "gs".to_string()),
        ("AZURE_GRAPH_URL", graph_base.clone()),
        ("AZURE_AUTHORITY_HOST", graph_base.clone()),
    ]);
    let ws = quickstart(env);
    let dir = tempfile::tempdir().unwrap();
    let store = LocalStateStore::new(dir.path().join("state.json"));
    let providers = ProviderSet::configure(&ws, None).unwrap();

    let run = plan(&ws, None, &providers).await.unwrap();
    let mut actions: Vec<(String, Action)> = run
        .plan
        .changes
        .iter()
        .filter(|c| c.action.is_change())
        .map(|c| (c.address.to_string(), c.action))
        .collect();
    actions.sort_by(|a, b| a.0.cmp(&b.0));
    let addresses: Vec<&str> = actions.iter().map(|(a, _)| a.as_str()).collect();
    assert_eq!(
        addresses,
        [
            "azuread_delegated_permission_grant.zoom_calendar",
            "azuread_service_principal.zoom",
            "azuread_user_consent_policy.tenant",
            "zoom_account_lock_settings.sso",
            "zoom_account_settings.sso",
        ]
    );
    // The first refresh wave reached Graph as one $batch; the second is the grant's resource
    // app, read to check the scopes against what it publishes.
    let graph_log = std::mem::take(&mut graph_stub.lock().unwrap().log);
    assert_eq!(
        graph_log.iter().filter(|l| *l == "POST /$batch").count(),
        1,
        "{graph_log:?}"
    );
    let plain: Vec<&String> = graph_log
        .iter()
        .filter(|l| !l.starts_with("batch:") && *l != "POST /$batch")
        .collect();
    assert_eq!(plain.len(), 1, "{graph_log:?}");
    assert!(
        plain[0].starts_with("GET /servicePrincipals?$filter=appId"),
        "{graph_log:?}"
    );

    let mut state = store.read().unwrap().unwrap_or_default();
    let report = apply(
        &ws,
        run,
        &mut state,
        &store,
        &providers,
        &ApplyOptions::default(),
        &Silent,
    )
    .await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    assert_eq!(report.completed.len(), 5, "{:?}", report.completed);

    {
        let graph = graph_stub.lock().unwrap();
        let grant = &graph.grants[0];
        assert_eq!(grant["consentType"], "AllPrincipals");
        assert_eq!(grant["resourceId"], "graph-sp");
        assert_eq!(
            grant["scope"],
            "Calendars.ReadWrite Contacts.Read User.Read email offline_access openid profile"
        );
        let assigned =
            &graph.policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"];
        assert_eq!(
            assigned.as_array().unwrap().len(),
            1,
            "only the Teams entry is left: {assigned}"
        );
    }
    let patched: Vec<String> = zoom_stub
        .patches
        .lock()
        .unwrap()
        .iter()
        .map(|(k, _)| k.clone())
        .collect();
    assert_eq!(patched.len(), 2);

    // Plan again with the recorded state: nothing to do.
    let providers = ProviderSet::configure(&ws, None).unwrap();
    let state = store.read().unwrap();
    let again = plan(&ws, state.as_ref(), &providers).await.unwrap();
    let left: Vec<String> = again
        .plan
        .changes
        .iter()
        .filter(|c| c.action.is_change())
        .map(|c| format!("{} {:?} {:?}", c.address, c.action, c.attributes))
        .collect();
    assert!(left.is_empty(), "{left:#?}");
}

/// The same against `zentra_sim`, the emulator written from the vendors' specifications
/// independently of these clients.
mod against_the_emulator {
    use super::*;
    use zentra_sim::{SimConfig, SimServer};

    async fn run(cfg: SimConfig) -> (SimServer, Workspace) {
        let sim = SimServer::start(cfg).await.unwrap();
        let env = Environment::from_pairs(sim.env_vars());
        (sim, quickstart(env))
    }

    fn changes(run: &zentra_engine::plan::planner::PlannedRun) -> Vec<String> {
        run.plan
            .changes
            .iter()
            .filter(|c| c.action.is_change())
            .map(|c| {
                format!(
                    "{} {:?} {:?}",
                    c.address,
                    c.action,
                    c.attributes.iter().map(|a| &a.path).collect::<Vec<_>>()
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn throttling_server_errors_and_replication_lag_are_absorbed() {
        use std::time::Duration;

        use crate::client::RetryPolicy;
        use crate::client::graph::GraphClientOptions;
        use crate::client::zoom::ZoomClientOptions;
        use zentra_sim::Faults;

        let sim = SimServer::start(SimConfig {
            graph_replication_lag: Duration::from_millis(600),
            faults: Faults {
                zoom_throttle_next: 2,
                zoom_server_error_next: 1,
                graph_throttle_next: 2,
                graph_server_error_next: 1,
                ..Faults::default()
            },
            ..SimConfig::default()
        })
        .await
        .unwrap();
        let retry = RetryPolicy {
            max_attempts: 5,
            initial_backoff: Duration::from_millis(20),
            max_backoff: Duration::from_millis(100),
            max_retry_after: Duration::from_secs(3),
            ..RetryPolicy::default()
        };
        let types: Vec<Box<dyn zentra_engine::provider::ProviderType>> = vec![
            Box::new(zoom::ZoomProviderType::with_options(ZoomClientOptions {
                retry,
                ..ZoomClientOptions::default()
            })),
            Box::new(azuread::AzureAdProviderType::with_options(
                GraphClientOptions {
                    retry,
                    replication_wait: Duration::from_secs(10),
                    replication_backoff: Duration::from_millis(100),
                    ..GraphClientOptions::default()
                },
            )),
        ];
        let opts = LoadOptions {
            dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/quickstart"),
            env: Environment::from_pairs(sim.env_vars()),
            ..LoadOptions::default()
        };
        let ws = Workspace::load(&opts, types).unwrap_or_else(|d| panic!("{d:?}"));
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStateStore::new(dir.path().join("state.json"));
        let providers = ProviderSet::configure(&ws, None).unwrap();
        let first = plan(&ws, None, &providers)
            .await
            .unwrap_or_else(|d| panic!("{d:?}"));
        let mut state = store.read().unwrap().unwrap_or_default();
        let report = apply(
            &ws,
            first,
            &mut state,
            &store,
            &providers,
            &ApplyOptions::default(),
            &Silent,
        )
        .await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let throttled = sim
            .requests()
            .iter()
            .filter(|r| r.status == 429 || r.status >= 500)
            .count();
        assert!(throttled >= 3, "the faults were not hit: {throttled}");
        let state = store.read().unwrap();
        let again = plan(&ws, state.as_ref(), &providers).await.unwrap();
        assert!(changes(&again).is_empty(), "{:#?}", changes(&again));
    }

    #[tokio::test]
    async fn quickstart_converges_against_the_emulator() {
        let (sim, ws) = run(SimConfig::default()).await;
        let dir = tempfile::tempdir().unwrap();
        let store = LocalStateStore::new(dir.path().join("state.json"));
        let providers = ProviderSet::configure(&ws, None).unwrap();
        let first = plan(&ws, None, &providers).await.unwrap();
        assert_eq!(changes(&first).len(), 5, "{:#?}", changes(&first));
        // Refresh: one token each, one $batch for Graph's first wave, one GET per Zoom endpoint,
        // and in the second wave the grant's resource app, whose published scopes the grant's
        // scopes are checked against.
        let refresh: Vec<String> = sim
            .requests()
            .iter()
            .map(|r| format!("{} {} {}", r.service, r.method, r.path))
            .collect();
        assert_eq!(refresh.len(), 6, "{refresh:#?}");
        assert!(refresh.contains(&"graph GET /v1.0/servicePrincipals".to_string()));
        assert_eq!(
            refresh
                .iter()
                .filter(|r| r.as_str() == "graph POST /v1.0/$batch")
                .count(),
            1
        );
        sim.clear_requests();
        let mut state = store.read().unwrap().unwrap_or_default();
        let report = apply(
            &ws,
            first,
            &mut state,
            &store,
            &providers,
            &ApplyOptions::default(),
            &Silent,
        )
        .await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let providers = ProviderSet::configure(&ws, None).unwrap();
        let state = store.read().unwrap();
        let again = plan(&ws, state.as_ref(), &providers).await.unwrap();
        assert!(changes(&again).is_empty(), "{:#?}", changes(&again));
    }

    fn workspace(sim: &SimServer, dir: &Path, src: &str) -> Workspace {
        let config = zentra_engine::config::Config::from_files(
            dir,
            vec![zentra_engine::diag::SourceFile {
                display_path: "main.zen.hcl".into(),
                path: "main.zen.hcl".into(),
                text: src.into(),
            }],
        )
        .unwrap_or_else(|d| panic!("{d:?}"));
        let opts = LoadOptions {
            dir: dir.to_path_buf(),
            env: Environment::from_pairs(sim.env_vars()),
            ..LoadOptions::default()
        };
        Workspace::from_config(config, &opts, provider_types()).unwrap_or_else(|d| panic!("{d:?}"))
    }

    const EVERY_ATTRIBUTE: &str = r#"
provider "zoom" {}
provider "azuread" {}

resource "zoom_account_settings" "sso" {
  security {
    signin_with_sso {
      enable               = true
      sso_bypass_user_ids  = [BYPASS]
    }
  }
  in_meeting {
    breakout_room = true
  }
}

resource "azuread_user_consent_policy" "tenant" {
  user_consent                      = "CONSENT"
  allow_user_consent_for_risky_apps = false
}

resource "azuread_service_principal" "zoom" {
  app_id                       = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
  app_role_assignment_required = true
  tags                         = ["WindowsAzureActiveDirectoryIntegratedApp", "HideApp"]
}

resource "azuread_delegated_permission_grant" "zoom" {
  service_principal_object_id = azuread_service_principal.zoom.object_id
  resource_app_id             = "00000003-0000-0000-c000-000000000000"
  scopes                      = [SCOPES]
}
"#;

    fn config(bypass: &str, consent: &str, scopes: &str) -> String {
        EVERY_ATTRIBUTE
            .replace("BYPASS", bypass)
            .replace("CONSENT", consent)
            .replace("SCOPES", scopes)
    }

    async fn apply_and_replan(sim: &SimServer, dir: &Path, src: &str) -> Vec<String> {
        let ws = workspace(sim, dir, src);
        let store = LocalStateStore::new(dir.join("state.json"));
        let providers = ProviderSet::configure(&ws, None).unwrap();
        let state = store.read().unwrap();
        let run = plan(&ws, state.as_ref(), &providers)
            .await
            .unwrap_or_else(|d| panic!("{d:?}"));
        let planned = changes(&run);
        let mut state = state.unwrap_or_default();
        let report = apply(
            &ws,
            run,
            &mut state,
            &store,
            &providers,
            &ApplyOptions::default(),
            &Silent,
        )
        .await;
        assert!(report.errors.is_empty(), "{:?}", report.errors);
        assert!(report.warnings.is_empty(), "{:?}", report.warnings);
        let state = store.read().unwrap();
        let again = plan(&ws, state.as_ref(), &providers).await.unwrap();
        assert!(changes(&again).is_empty(), "{:#?}", changes(&again));
        planned
    }

    #[tokio::test]
    async fn every_attribute_round_trips_and_changes_touch_only_what_changed() {
        let sim = SimServer::start(SimConfig::default()).await.unwrap();
        let dir = tempfile::tempdir().unwrap();
        let first = config(
            r#""KDcuGIm1QgePTO8WbOqwIQ", "Hn4cXe9uVr1bTt6oPs2dMw""#,
            "low_risk",
            r#""User.Read", "openid", "User.Read""#,
        );
        apply_and_replan(&sim, dir.path(), &first).await;
        let bypass: Vec<String> =
            sim.zoom_account_settings("me")["security"]["signin_with_sso"]["sso_bypass_users"]
                .as_array()
                .unwrap()
                .iter()
                .filter_map(|u| u["id"].as_str().map(str::to_string))
                .collect();
        assert_eq!(bypass.len(), 2, "{bypass:?}");

        sim.clear_requests();
        let second = config(
            r#""KDcuGIm1QgePTO8WbOqwIQ""#,
            "microsoft_managed",
            r#""openid", "User.Read", "Calendars.Read""#,
        );
        let planned = apply_and_replan(&sim, dir.path(), &second).await;
        assert_eq!(
            planned,
            [
                r#"zoom_account_settings.sso Update ["security.signin_with_sso.sso_bypass_user_ids"]"#,
                r#"azuread_user_consent_policy.tenant Update ["user_consent"]"#,
                r#"azuread_delegated_permission_grant.zoom Update ["scopes"]"#,
            ]
        );
        let writes: Vec<String> = sim
            .requests()
            .iter()
            .filter(|r| {
                r.method != "GET" && !r.path.ends_with("$batch") && !r.path.contains("token")
            })
            .map(|r| {
                format!(
                    "{} {} {}",
                    r.method,
                    r.path,
                    r.body.clone().unwrap_or_default()
                )
            })
            .collect();
        assert_eq!(writes.len(), 3, "{writes:#?}");
        // Resources of one wave are applied in parallel: find each write by its path.
        let zoom_patch = writes
            .iter()
            .find(|w| w.starts_with("PATCH /v2/accounts/me/settings"));
        assert_eq!(
            zoom_patch.map(String::as_str),
            Some(
                r#"PATCH /v2/accounts/me/settings {"security":{"signin_with_sso":{"sso_bypass_user_ids":["KDcuGIm1QgePTO8WbOqwIQ"]}}}"#
            ),
            "{writes:#?}"
        );
        let grant_patch = writes
            .iter()
            .find(|w| w.starts_with("PATCH /v1.0/oauth2PermissionGrants/"));
        assert!(
            grant_patch
                .is_some_and(|w| w.ends_with(r#"{"scope":"Calendars.Read User.Read openid"}"#)),
            "{writes:#?}"
        );
    }
}

/// Every mapping of Terraform's names points at a type and attribute zentra really has, so a
/// hint never sends a user to a name that does not exist.
#[test]
fn every_mapping_names_what_zentra_has() {
    let schemas: Vec<_> = provider_types()
        .iter()
        .flat_map(|p| p.resource_schemas())
        .collect();
    let find = |name: &str, mode: Mode| {
        schemas
            .iter()
            .find(|s| s.type_name == name && (s.kind == ResourceKind::Data) == (mode == Mode::Data))
    };
    for r in terraform_names::RENAMED_TYPES {
        assert!(find(r.zentra, r.zentra_mode).is_some(), "{r:?}");
        assert!(find(r.terraform, r.terraform_mode).is_none(), "{r:?}");
    }
    for a in terraform_names::RENAMED_ATTRIBUTES {
        let schema = find(a.type_name, Mode::Managed).expect("the type exists");
        if let Some(z) = a.zentra {
            assert!(schema.body.properties.contains_key(z), "{a:?}");
        }
        let clash = schema.body.properties.get(a.terraform);
        assert!(
            clash.is_none_or(|attr| attr.computed),
            "`{}` is a writable attribute of zentra's own: {a:?}",
            a.terraform
        );
    }
}
