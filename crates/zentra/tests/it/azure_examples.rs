//! Every Entra ID example plans, applies and then plans nothing against the emulator.

use zentra_sim::{Seed, SimConfig};
use zentra_test_support::Project;

async fn plans_applies_and_converges(name: &str) -> Project {
    converges(Project::example(name).await, name)
}

fn converges(p: Project, name: &str) -> Project {
    let validate = p.run(&["validate"]);
    assert_eq!(
        zentra_test_support::code(&validate),
        0,
        "{name}: {}",
        zentra_test_support::stderr(&validate)
    );
    let (code, out, err) = p.plan();
    assert_eq!(code, 2, "{name} has changes to make:\n{out}\n{err}");
    p.apply_ok();
    p.assert_converged();
    p
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_for_all_apps() {
    // A tenant with Microsoft's default for new tenants: consent managed by Microsoft.
    let mut seed = Seed::default_demo();
    seed.entra.tenants[0].authorization_policy = serde_json::from_value(serde_json::json!({
        "defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": [
            "ManagePermissionGrantsForSelf.microsoft-user-default-recommended",
            "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"]}
    }))
    .unwrap();
    let p = Project::example_with(
        "azure-consent-all-apps",
        SimConfig {
            seed,
            ..SimConfig::default()
        },
    )
    .await;
    let p = converges(p, "azure-consent-all-apps");
    let policy = p.sim.graph_authorization_policy();
    let assigned = policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"]
        .as_array()
        .unwrap()
        .clone();
    assert!(
        assigned
            .iter()
            .any(|e| e == "ManagePermissionGrantsForSelf.microsoft-user-default-legacy")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn consent_for_the_zoom_app_only() {
    let p = plans_applies_and_converges("azure-consent-zoom-only").await;
    let snapshot = p.sim.snapshot();
    let tenant = &snapshot["entra"]["tenants"][0];
    let zoom = tenant["servicePrincipals"]
        .as_array()
        .unwrap()
        .iter()
        .find(|sp| sp["appId"] == zentra_test_support::entra::ZOOM_APP)
        .expect("the Zoom service principal");
    assert_eq!(
        zoom["tags"],
        serde_json::json!(["WindowsAzureActiveDirectoryIntegratedApp"])
    );
    let grant = &tenant["oauth2PermissionGrants"][0];
    assert_eq!(grant["clientId"], zoom["id"]);
    assert_eq!(grant["consentType"], "AllPrincipals");
    assert_eq!(tenant["adminConsentRequestPolicy"]["isEnabled"], true);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federation_with_okta() {
    let p = plans_applies_and_converges("federation-okta").await;
    let snapshot = p.sim.snapshot();
    let tenant = &snapshot["entra"]["tenants"][0];
    let federation = &tenant["federationConfigurations"][0];
    assert_eq!(federation["_domain"], "contoso.com");
    assert_eq!(federation["preferredAuthenticationProtocol"], "saml");
    assert_eq!(
        federation["issuerUri"],
        "http://www.okta.com/exk1zsample0contoso7"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn federation_with_ping() {
    let p = plans_applies_and_converges("federation-ping").await;
    let snapshot = p.sim.snapshot();
    let federation = &snapshot["entra"]["tenants"][0]["federationConfigurations"][0];
    assert_eq!(federation["preferredAuthenticationProtocol"], "wsFed");
    assert_eq!(
        federation["passiveSignInUri"],
        "https://sso.contoso-sample.example/idp/prp.wsf"
    );
    assert_eq!(
        federation["federatedIdpMfaBehavior"],
        "enforceMfaByFederatedIdp"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn zentra_permissions_lists_the_least_privilege_of_each_example() {
    let expected: [(&str, &[&str]); 3] = [
        (
            "azure-consent-zoom-only",
            &[
                "Policy.ReadWrite.Authorization",
                "Policy.ReadWrite.ConsentRequest",
                "Application.ReadWrite.All",
                "DelegatedPermissionGrant.ReadWrite.All",
                "Privileged Role Administrator",
            ],
        ),
        (
            "federation-okta",
            &[
                "Domain.Read.All",
                "Domain-InternalFederation.ReadWrite.All",
                "External Identity Provider Administrator",
            ],
        ),
        (
            "azure-consent-all-apps",
            &["Policy.ReadWrite.Authorization"],
        ),
    ];
    for (example, names) in expected {
        let p = Project::example(example).await;
        let out = p.run(&["permissions"]);
        assert_eq!(
            zentra_test_support::code(&out),
            0,
            "{}",
            zentra_test_support::stderr(&out)
        );
        let text = zentra_test_support::stdout(&out);
        for name in names {
            assert!(text.contains(name), "{example}: {name} missing:\n{text}");
        }
        // Never the catch-all directory permissions.
        assert!(!text.contains("Directory.ReadWrite.All"), "{text}");
        assert!(
            p.sim.requests().is_empty(),
            "no request to list permissions"
        );
    }
}
