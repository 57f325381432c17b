//! Workload identity federation and assertion replay at the emulated Entra ID token endpoint:
//! tokens of an external issuer matching a federated identity credential stand in for a
//! secret, checked for issuer, subject, audience, signature and lifetime; certificate
//! assertions are accepted once.

use jsonwebtoken::{Algorithm, Header};
use serde_json::{Value, json};
use zentra_sim::{FederatedCredentialSeed, OidcIssuerSeed, Seed};
use zentra_test_support::entra::{fixture, jwk, now, registered_certificate, sign_token};
use zentra_test_support::sim::{Sim, read};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const GITHUB: &str = "https://token.actions.githubusercontent.com";
const SUBJECT: &str = "repo:contoso/entra-config:environment:production";
const AUDIENCE: &str = "api://AzureADTokenExchange";

async fn start() -> Sim {
    let issuer_pem = fixture("certs/oidc-issuer.pem");
    let mut seed = Seed::default_demo();
    seed.entra.oidc_issuers = vec![OidcIssuerSeed {
        issuer: GITHUB.into(),
        keys: vec![jwk(&issuer_pem, "gh-key-1")],
    }];
    let client = &mut seed.entra.tenants[0].client_apps[0];
    client.federated_credentials = vec![FederatedCredentialSeed {
        name: "github-production".into(),
        issuer: GITHUB.into(),
        subject: SUBJECT.into(),
        audiences: vec![AUDIENCE.into()],
    }];
    client.certificates = vec![registered_certificate(&fixture("certs/client.pem"))];
    Sim::start_seeded(seed).await
}

fn github_claims() -> Value {
    json!({"iss": GITHUB, "sub": SUBJECT, "aud": AUDIENCE, "nbf": now() - 5,
           "iat": now() - 5, "exp": now() + 300, "jti": uuid::Uuid::new_v4().to_string()})
}

async fn exchange(sim: &Sim, assertion: &str) -> (u16, Value) {
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        sim.var("AZURE_AUTHORITY_HOST"),
        sim.var("AZURE_TENANT_ID")
    );
    let scope = format!("{}/.default", sim.var("AZURE_GRAPH_URL"));
    read(
        sim.http
            .post(url)
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", sim.var("AZURE_CLIENT_ID")),
                ("scope", scope.as_str()),
                ("client_assertion_type", JWT_BEARER),
                ("client_assertion", assertion),
            ])
            .send()
            .await
            .expect("send"),
    )
    .await
}

fn aadsts(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or_default()
}

#[tokio::test]
async fn a_matching_federated_token_is_exchanged_and_may_be_reused() {
    let sim = start().await;
    let token = sign_token(
        &fixture("certs/oidc-issuer.pem"),
        "gh-key-1",
        &github_claims(),
    );
    let (status, body) = exchange(&sim, &token).await;
    assert_eq!(status, 200, "{body}");
    assert!(body["access_token"].as_str().is_some());
    // A projected token file is read again for every request: the same token works twice.
    assert_eq!(exchange(&sim, &token).await.0, 200);
}

#[tokio::test]
async fn federated_tokens_must_match_issuer_subject_audience_key_and_time() {
    let sim = start().await;
    let key = fixture("certs/oidc-issuer.pem");
    let with = |change: &dyn Fn(&mut Value)| {
        let mut claims = github_claims();
        change(&mut claims);
        sign_token(&key, "gh-key-1", &claims)
    };
    let cases: Vec<(String, u64)> = vec![
        (with(&|c| c["iss"] = json!("https://evil.example")), 700211),
        (
            with(&|c| c["sub"] = json!("repo:contoso/entra-config:environment:Production")),
            700213,
        ),
        (with(&|c| c["aud"] = json!("api://other")), 700212),
        (with(&|c| c["exp"] = json!(now() - 600)), 700024),
        (
            sign_token(
                &fixture("certs/unregistered.pem"),
                "gh-key-1",
                &github_claims(),
            ),
            700027,
        ),
        (sign_token(&key, "some-other-key", &github_claims()), 700027),
    ];
    for (token, expected) in cases {
        let (status, body) = exchange(&sim, &token).await;
        assert!(status == 400 || status == 401, "{status} {body}");
        assert_eq!(aadsts(&body), expected, "{body}");
    }
}

#[tokio::test]
async fn a_certificate_assertion_is_accepted_once() {
    let sim = start().await;
    let pem_text = fixture("certs/client.pem");
    let cert = registered_certificate(&pem_text);
    let url = format!(
        "{}/{}/oauth2/v2.0/token",
        sim.var("AZURE_AUTHORITY_HOST"),
        sim.var("AZURE_TENANT_ID")
    );
    let client = sim.var("AZURE_CLIENT_ID");
    let claims = json!({"aud": url, "iss": client, "sub": client,
        "jti": "fixed-jti", "nbf": now(), "iat": now(), "exp": now() + 300});
    let mut header = Header::new(Algorithm::PS256);
    header.x5t_s256 = cert.x5t_s256.clone();
    let assertion = jsonwebtoken::encode(
        &header,
        &claims,
        &zentra_test_support::entra::private_key(&pem_text),
    )
    .unwrap();
    assert_eq!(exchange(&sim, &assertion).await.0, 200);
    let (status, body) = exchange(&sim, &assertion).await;
    assert_eq!(status, 401, "{body}");
    assert!(
        body["error_description"]
            .as_str()
            .unwrap()
            .contains("'jti' was already used"),
        "{body}"
    );
}
