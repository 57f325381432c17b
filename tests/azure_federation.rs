//! Domain federation end to end against the emulator: created from an identity provider's
//! metadata, a certificate rollover as a minimal readable change, adoption, drift, deletion
//! (back to Managed), and the domains that are refused before anything is written.

mod azure_support;
#[path = "support/conformance/mod.rs"]
mod conformance;
#[path = "support/traffic.rs"]
mod traffic;

use std::time::Duration;

use azure_support::{Project, cert_base64, code, fixture, root, stderr};
use serde_json::json;
use zentra::sim::{Seed, SimConfig};

fn okta_project_files(p: &Project, metadata: &str) {
    p.write(
        "main.zen.hcl",
        &std::fs::read_to_string(root().join("examples/federation-okta/main.zen.hcl")).unwrap(),
    );
    p.write("okta-metadata.xml", metadata);
}

fn federation(p: &Project) -> serde_json::Value {
    p.sim.snapshot()["entra"]["tenants"][0]["federationConfigurations"][0].clone()
}

fn domain(p: &Project, name: &str) -> serde_json::Value {
    p.sim.snapshot()["entra"]["tenants"][0]["domains"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["id"] == name)
        .cloned()
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_rollover_plans_as_one_readable_change() {
    let p = Project::new("").await;
    okta_project_files(
        &p,
        &fixture("../../examples/federation-okta/okta-metadata.xml"),
    );
    p.apply_ok();
    assert_eq!(
        federation(&p)["signingCertificate"],
        cert_base64(&fixture("certs/okta-current.pem"))
    );

    // Okta announces its next certificate: the plan adds it, and nothing else.
    p.write(
        "okta-metadata.xml",
        &fixture("metadata/okta-rollover-announced.xml"),
    );
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    let changed: Vec<&str> = plan.lines().filter(|l| l.contains(" = ")).collect();
    assert_eq!(
        changed.len(),
        2,
        "one attribute and the output line: {plan}"
    );
    assert!(
        plan.contains("+ next_signing_certificate = (certificate CN=contoso-sample.okta.example"),
        "{plan}"
    );
    assert!(plan.contains("expires 2029-06-30)"), "{plan}");
    assert!(!plan.contains("MII"), "no base64 in the plan: {plan}");
    p.sim.clear_requests();
    p.apply_ok();
    let patch = p
        .graph_requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap();
    assert_eq!(
        patch.body.unwrap(),
        json!({"nextSigningCertificate": cert_base64(&fixture("certs/okta-next.pem"))})
    );
    p.assert_converged();

    // Okta switches: the signing certificate changes, shown by subject, thumbprint and expiry.
    p.write(
        "okta-metadata.xml",
        &fixture("metadata/okta-rollover-done.xml"),
    );
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    let line = plan
        .lines()
        .find(|l| l.contains("signing_certificate = "))
        .unwrap();
    assert!(
        line.trim_start()
            .starts_with("~ signing_certificate = (certificate CN=contoso-sample.okta.example"),
        "{plan}"
    );
    assert!(
        line.contains("expires 2027-06-30) -> (certificate CN="),
        "{line}"
    );
    assert!(line.ends_with("expires 2029-06-30)"), "{line}");
    assert!(
        plan.contains("Plan: 0 to add, 1 to change, 0 to destroy."),
        "{plan}"
    );
    p.apply_ok();
    p.assert_converged();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_existing_federation_is_adopted_drift_is_shown_and_deleting_converts_back() {
    let p = Project::new("").await;
    okta_project_files(
        &p,
        &fixture("../../examples/federation-okta/okta-metadata.xml"),
    );
    // Okta federated the domain on its own earlier, with another sign-out URL.
    p.sim
        .patch_state(
            "POST",
            "graph/domains/contoso.com/federationConfiguration",
            json!({"displayName": "Okta", "issuerUri": "http://www.okta.com/exk1zsample0contoso7",
                   "passiveSignInUri": "https://contoso-sample.okta.example/app/contoso-sample_office365_1/exk1zsample0contoso7/sso/saml",
                   "signOutUri": "https://contoso-sample.okta.example/login/signout",
                   "preferredAuthenticationProtocol": "saml",
                   "signingCertificate": cert_base64(&fixture("certs/okta-current.pem")),
                   "federatedIdpMfaBehavior": "acceptIfMfaDoneByFederatedIdp",
                   "promptLoginBehavior": "nativeSupport"}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(
        plan.contains("it will be adopted, not created again"),
        "{plan}"
    );
    assert!(plan.contains("~ sign_out_uri = <<-EOT"), "{plan}");
    assert!(
        plan.contains("- https://contoso-sample.okta.example/login/signout\n"),
        "{plan}"
    );
    assert_eq!(
        plan.matches(" = ").count(),
        2,
        "one attribute and the output: {plan}"
    );
    p.sim.clear_requests();
    p.apply_ok();
    let writes = p.graph_writes();
    assert_eq!(writes.len(), 1, "{writes:?}");
    assert!(writes[0].starts_with("PATCH /v1.0/domains/contoso.com/federationConfiguration/"));
    p.assert_converged();

    // Someone switches MFA handling in PowerShell.
    let id = federation(&p)["id"].as_str().unwrap().to_string();
    p.sim
        .patch_state(
            "PATCH",
            &format!("graph/domains/contoso.com/federationConfiguration/{id}"),
            json!({"federatedIdpMfaBehavior": "rejectMfaByFederatedIdp"}),
        )
        .unwrap();
    let (status, plan, _) = p.plan();
    assert_eq!(status, 2);
    assert!(plan.contains("changed outside zentra"), "{plan}");
    assert!(
        plan.contains("~ federated_idp_mfa_behavior = \"rejectMfaByFederatedIdp\" -> \"acceptIfMfaDoneByFederatedIdp\""),
        "{plan}"
    );
    p.apply_ok();
    p.assert_converged();

    // Zentra adopted it: removing its block only forgets it.
    p.write("main.zen.hcl", "provider \"azuread\" {}\n");
    let (_, plan, _) = p.plan();
    assert!(
        plan.contains("azuread_domain_federation.okta will be forgotten, not deleted"),
        "{plan}"
    );

    // A `removed` block that says destroy deletes it and converts the domain back to Managed.
    p.write(
        "main.zen.hcl",
        "provider \"azuread\" {}\nremoved {\n  from = azuread_domain_federation.okta\n  lifecycle {\n    destroy = true\n  }\n}\n",
    );
    let (_, plan, _) = p.plan();
    assert!(
        plan.contains("azuread_domain_federation.okta will be deleted"),
        "{plan}"
    );
    p.sim.clear_requests();
    p.apply_ok();
    assert_eq!(
        p.graph_writes(),
        [
            format!("DELETE /v1.0/domains/contoso.com/federationConfiguration/{id}"),
            "PATCH /v1.0/domains/contoso.com".to_string(),
        ]
    );
    assert_eq!(domain(&p, "contoso.com")["authenticationType"], "Managed");
    assert!(federation(&p).is_null());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_initial_domain_is_refused_when_validating() {
    let p = Project::new(
        r#"
provider "azuread" {}
resource "azuread_domain_federation" "oops" {
  domain_id    = "contoso.onmicrosoft.com"
  metadata_xml = file("okta-metadata.xml")
}
"#,
    )
    .await;
    p.write(
        "okta-metadata.xml",
        &fixture("../../examples/federation-okta/okta-metadata.xml"),
    );
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("main.zen.hcl:4:3"), "{err}");
    assert!(
        err.contains("initial domain, which cannot be federated"),
        "{err}"
    );
    assert!(p.sim.requests().is_empty(), "nothing was asked");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_default_domain_is_refused_when_planning_before_any_write() {
    let mut seed = Seed::default_demo();
    for d in &mut seed.entra.tenants[0].domains {
        d.is_default = d.id == "contoso.com";
    }
    let p = Project::seeded("", seed).await;
    okta_project_files(
        &p,
        &fixture("../../examples/federation-okta/okta-metadata.xml"),
    );
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("contoso.com is the tenant's default domain"),
        "{err}"
    );
    assert!(err.contains("make another domain"), "{err}");
    assert!(p.graph_writes().is_empty(), "{:?}", p.graph_writes());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unusable_metadata_is_reported_at_the_attribute() {
    let p = Project::new("").await;
    okta_project_files(
        &p,
        &fixture("../../examples/federation-okta/okta-metadata.xml")
            .replace("IDPSSODescriptor", "SPSSODescriptor"),
    );
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("`metadata_xml`"), "{err}");
    assert!(
        err.contains("metadata_xml = file(\"okta-metadata.xml\")"),
        "the line names the file: {err}"
    );
    assert!(err.contains("no identity provider role"), "{err}");
    for missing in ["issuer_uri", "passive_sign_in_uri", "signing_certificate"] {
        assert!(
            !err.contains(&format!("`{missing}`: is not set")),
            "one cause, one error: {err}"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_new_federation_is_read_back_through_replication_lag() {
    let p = Project::with(
        "",
        SimConfig {
            graph_replication_lag: Duration::from_millis(1200),
            ..SimConfig::default()
        },
    )
    .await;
    okta_project_files(
        &p,
        &fixture("../../examples/federation-okta/okta-metadata.xml"),
    );
    let out = p.apply_ok();
    assert!(!out.contains("did not converge"), "{out}");
    assert!(!out.contains("could not be read back"), "{out}");
    p.assert_converged();
}
