//! Domain federation end to end against the emulator: created from an identity provider's
//! metadata, a certificate rollover as a minimal readable change, adoption, drift, deletion
//! (back to Managed), and the domains that are refused before anything is written.

use std::time::Duration;

use serde_json::json;
use zentra_sim::{Seed, SimConfig};
use zentra_test_support::entra::{cert_base64, fixture};
use zentra_test_support::{Project, code, example_file, root, stderr, stdout};

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
    okta_project_files(&p, &example_file("federation-okta/okta-metadata.xml"));
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
    okta_project_files(&p, &example_file("federation-okta/okta-metadata.xml"));
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
        &example_file("federation-okta/okta-metadata.xml"),
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
    okta_project_files(&p, &example_file("federation-okta/okta-metadata.xml"));
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
        &example_file("federation-okta/okta-metadata.xml")
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
    okta_project_files(&p, &example_file("federation-okta/okta-metadata.xml"));
    let out = p.apply_ok();
    assert!(!out.contains("did not converge"), "{out}");
    assert!(!out.contains("could not be read back"), "{out}");
    p.assert_converged();
}

/// The AD FS federation a tenant had before it moves to Okta, with every setting set: what
/// Graph's "List internalDomainFederations" example shows, with readable certificates.
fn adfs_federation() -> serde_json::Value {
    json!({"displayName": "Contoso AD FS",
           "issuerUri": "http://contoso.com/adfs/services/trust",
           "metadataExchangeUri": "https://sts.contoso.com/adfs/services/trust/mex",
           "signingCertificate": cert_base64(&fixture("certs/idp-2026.pem")),
           "nextSigningCertificate": cert_base64(&fixture("certs/ping-current.pem")),
           "passiveSignInUri": "https://sts.contoso.com/adfs/ls",
           "preferredAuthenticationProtocol": "wsFed",
           "activeSignInUri": "https://sts.contoso.com/adfs/services/trust/2005/usernamemixed",
           "signOutUri": "https://sts.contoso.com/adfs/ls",
           "passwordResetUri": "https://sts.contoso.com/adfs/portal/updatepassword",
           "promptLoginBehavior": "nativeSupport",
           "isSignedAuthenticationRequestRequired": true,
           "federatedIdpMfaBehavior": "rejectMfaByFederatedIdp"})
}

/// Replacing an identity provider with another one's metadata leaves nothing of the old one
/// trusted: every setting the new metadata does not give is cleared or set to its documented
/// default, each shown in the plan; the certificate details the plan shows (and an output
/// reads) are the new certificate's.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn replacing_an_identity_provider_clears_every_setting_of_the_old_one() {
    let p = Project::new("").await;
    p.write(
        "main.zen.hcl",
        r#"
provider "azuread" {}

resource "azuread_domain_federation" "okta" {
  domain_id    = "contoso.com"
  display_name = "Okta"
  metadata_xml = file("okta-metadata.xml")
}

output "expires" {
  value = azuread_domain_federation.okta.signing_certificate_info.not_after
}
"#,
    );
    p.write(
        "okta-metadata.xml",
        &fixture("../../../examples/federation-okta/okta-metadata.xml"),
    );
    p.sim
        .patch_state(
            "POST",
            "graph/domains/contoso.com/federationConfiguration",
            adfs_federation(),
        )
        .unwrap();
    let (status, plan, err) = p.plan();
    assert_eq!(status, 2, "{plan}\n{err}");
    for line in [
        "~ next_signing_certificate = (certificate CN=sso.contoso-sample.example",
        "~ active_sign_in_uri = \"https://sts.contoso.com/adfs/services/trust/2005/usernamemixed\" -> null",
        "~ metadata_exchange_uri = \"https://sts.contoso.com/adfs/services/trust/mex\" -> null",
        "~ password_reset_uri = \"https://sts.contoso.com/adfs/portal/updatepassword\" -> null",
        "~ prompt_login_behavior = \"nativeSupport\" -> null",
        "~ is_signed_authentication_request_required = true -> false",
        "~ federated_idp_mfa_behavior = \"rejectMfaByFederatedIdp\" -> \"acceptIfMfaDoneByFederatedIdp\"",
        "~ preferred_authentication_protocol = \"wsFed\" -> \"saml\"",
        "~ signing_certificate = (certificate CN=zentra test IdP",
        "~ not_after = \"2036-01-01T00:00:00Z\" -> \"2027-06-30T00:00:00Z\"",
    ] {
        assert!(plan.contains(line), "{line}: {plan}");
    }
    assert!(plan.contains("expires 2028-03-01) -> null"), "{plan}");
    // An output reading the certificate's details sees the new certificate's.
    let out = p.run(&["plan", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let json_plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(
        json_plan["planned_values"]["outputs"]["expires"]["value"],
        "2027-06-30T00:00:00Z"
    );
    p.sim.clear_requests();
    p.apply_ok();
    let patch = p
        .graph_requests()
        .into_iter()
        .find(|r| r.method == "PATCH")
        .unwrap()
        .body
        .unwrap();
    for cleared in [
        "nextSigningCertificate",
        "activeSignInUri",
        "metadataExchangeUri",
        "passwordResetUri",
        "promptLoginBehavior",
    ] {
        assert_eq!(
            patch[cleared],
            serde_json::Value::Null,
            "{cleared}: {patch}"
        );
        assert!(patch.get(cleared).is_some(), "{cleared} is sent: {patch}");
    }
    let live = federation(&p);
    assert!(live["nextSigningCertificate"].is_null(), "{live}");
    assert_eq!(live["isSignedAuthenticationRequestRequired"], false);
    assert_eq!(
        live["issuerUri"],
        "http://www.okta.com/exk1zsample0contoso7"
    );
    p.assert_converged();
}

/// Graph documents that listing a domain's federation configurations answers 404 when there is
/// none; the emulator answers so, and zentra reads it as "not federated" and plans a create.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_documented_404_of_an_unfederated_domain_reads_as_no_federation() {
    let p = Project::example("federation-ping").await;
    let (status, plan, err) = p.plan();
    assert_eq!(status, 2, "{plan}\n{err}");
    assert!(
        plan.contains("+ resource \"azuread_domain_federation\""),
        "{plan}"
    );
    let answered_404 = p.graph_requests().iter().any(|r| {
        r.path.ends_with("/$batch")
            && r.response.as_ref().is_some_and(|b| {
                b["responses"].as_array().is_some_and(|all| {
                    all.iter().any(|x| {
                        x["status"] == 404
                            && x["body"]["error"]["code"] == "Request_ResourceNotFound"
                    })
                })
            })
    });
    assert!(answered_404, "the list answered 404 inside the batch");
    p.apply_ok();
    p.assert_converged();
}

/// A self-signed certificate made now, that expires `days` from today.
fn expiring_certificate_pem(days: i64) -> String {
    use chrono::Datelike as _;
    let mut params = rcgen::CertificateParams::new(vec![]).unwrap();
    params.distinguished_name.push(
        rcgen::DnType::CommonName,
        "expiring-idp.contoso-sample.example",
    );
    let day = |d: chrono::DateTime<chrono::Utc>| {
        rcgen::date_time_ymd(d.year(), d.month() as u8, d.day() as u8)
    };
    let now = chrono::Utc::now();
    params.not_before = day(now - chrono::Duration::days(300));
    params.not_after = day(now + chrono::Duration::days(days));
    let key = rcgen::KeyPair::generate().unwrap();
    params.self_signed(&key).unwrap().pem()
}

/// `xml` with the text of its first `ds:X509Certificate` replaced by `base64`.
fn with_first_certificate(xml: &str, base64: &str) -> String {
    let open = "<ds:X509Certificate>";
    let start = xml.find(open).unwrap() + open.len();
    let end = xml.find("</ds:X509Certificate>").unwrap();
    format!("{}{base64}{}", &xml[..start], &xml[end..])
}

/// Identity provider certificates that expired, expire within 30 days or are signed with SHA-1,
/// plain http:// sign-in URLs, and a damaged certificate of the metadata are warnings at the
/// attribute (in `--json` plans too); `--strict` refuses them before any request.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn weak_identity_providers_warn_and_strict_refuses() {
    let metadata = fixture("../../../examples/federation-okta/okta-metadata.xml");
    let expired = cert_base64(&fixture("certs/idp-expired.pem"));
    // The document's certificate expired, its sign-in URL is http://, and a damaged certificate
    // beside it is left out.
    let weak = with_first_certificate(&metadata, &expired)
        .replace(
            "Location=\"https://contoso-sample.okta.example",
            "Location=\"http://contoso-sample.okta.example",
        )
        .replacen(
            "<md:KeyDescriptor use=\"signing\">",
            "<md:KeyDescriptor><ds:KeyInfo xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\"><ds:X509Data><ds:X509Certificate>QUJD</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>\n    <md:KeyDescriptor use=\"signing\">",
            1,
        );
    assert_ne!(weak, metadata);
    let p = Project::new("").await;
    okta_project_files(&p, &weak);
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 0, "warnings do not fail: {}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("warning: azuread_domain_federation.okta: `metadata_xml`: the metadata's signing certificate (CN=legacy-idp.contoso-sample.example"),
        "{err}"
    );
    assert!(err.contains("expired on 2021-01-01"), "{err}");
    let metadata_line = std::fs::read_to_string(p.path().join("main.zen.hcl"))
        .unwrap()
        .lines()
        .position(|l| l.trim_start().starts_with("metadata_xml"))
        .unwrap()
        + 1;
    let at_metadata = format!("main.zen.hcl:{metadata_line}:3");
    assert!(err.contains(&at_metadata), "at metadata_xml: {err}");
    assert!(
        err.contains("the metadata's sign-in URL `http://contoso-sample.okta.example")
            && err.contains("the metadata's sign-out URL `http://"),
        "{err}"
    );
    assert!(err.contains("cannot be read"), "{err}");

    let out = p.run(&["plan", "--json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let plan: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let warnings: Vec<&str> = plan["zentra"]["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|w| w["message"].as_str())
        .collect();
    assert_eq!(warnings.len(), 4, "{warnings:#?}");
    assert!(
        warnings[0].starts_with(&format!("{at_metadata}: ")),
        "{warnings:#?}"
    );

    p.sim.clear_requests();
    for args in [
        &["validate", "--strict"][..],
        &["plan", "--strict"],
        &["apply", "--auto-approve", "--strict"],
    ] {
        let out = p.run(args);
        assert_eq!(code(&out), 1, "{args:?}: {}", stdout(&out));
        assert!(
            stderr(&out).contains("--strict: the configuration has 4 warning(s)"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = p.run(&["plan", "--strict", "--json"]);
    let errors: serde_json::Value = serde_json::from_str(&stdout(&out)).unwrap();
    let severities: Vec<&str> = errors["errors"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["severity"].as_str())
        .collect();
    assert_eq!(
        severities,
        ["warning", "warning", "warning", "warning", "error"]
    );
    assert!(p.sim.requests().is_empty(), "nothing was asked");

    // A certificate written explicitly that expires in 10 days, and one signed with SHA-1.
    let soon = expiring_certificate_pem(10);
    p.write("soon.pem", &soon);
    p.write("sha1.pem", &fixture("certs/idp-sha1.pem"));
    p.write(
        "main.zen.hcl",
        r#"
provider "azuread" {}
resource "azuread_domain_federation" "okta" {
  domain_id                         = "contoso.com"
  issuer_uri                        = "http://www.okta.com/exk1zsample0contoso7"
  passive_sign_in_uri               = "https://contoso-sample.okta.example/sso/saml"
  preferred_authentication_protocol = "saml"
  signing_certificate               = file("soon.pem")
  next_signing_certificate          = file("sha1.pem")
}
"#,
    );
    let out = p.run(&["validate"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("main.zen.hcl:8:3"), "{err}");
    assert!(
        err.contains(
            "`signing_certificate`: signing certificate (CN=expiring-idp.contoso-sample.example"
        ),
        "{err}"
    );
    assert!(err.contains("day(s)"), "{err}");
    assert!(
        err.contains("`next_signing_certificate`: next signing certificate (CN=sha1-idp.contoso-sample.example")
            && err.contains("is signed with SHA-1"),
        "{err}"
    );
    assert!(
        !err.contains("http://"),
        "the issuer is a name, not a URL: {err}"
    );
}
