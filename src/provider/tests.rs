//! The shipped providers inside the engine: the quickstart example planned, applied and
//! planned again against the local stand-ins for Zoom and Graph used by the providers' tests.

use std::path::Path;
use std::sync::{Arc, Mutex};

use crate::apply::{ApplyOptions, Silent, apply};
use crate::env::Environment;
use crate::plan::Action;
use crate::plan::planner::{ProviderSet, plan};
use crate::state::{LocalStateStore, StateStore};
use crate::workspace::{LoadOptions, Workspace};

use super::provider_types;
use super::{azuread, zoom};

fn quickstart(env: Environment) -> Workspace {
    let opts = LoadOptions {
        dir: Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/quickstart"),
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
    assert_eq!(names, ["zoom", "azuread"]);
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
    // The first refresh wave reached Graph as one $batch.
    let graph_log = std::mem::take(&mut graph_stub.lock().unwrap().log);
    assert_eq!(
        graph_log.iter().filter(|l| *l == "POST /$batch").count(),
        1,
        "{graph_log:?}"
    );
    assert!(
        graph_log
            .iter()
            .all(|l| l.starts_with("batch:") || l == "POST /$batch"),
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
