//! Every way the azuread provider signs in, run with the real binary against the emulator:
//! certificate (the emulator verifies the client assertion), workload identity federation
//! with a token file, GitHub Actions OIDC (a local stand-in for GitHub's token endpoint), and
//! an administrator's Azure CLI (a fake `az`).

use std::sync::{Arc, Mutex};

use axum::extract::{Query, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::json;
use zentra_sim::{FederatedCredentialSeed, OidcIssuerSeed, Seed};
use zentra_test_support::entra::{
    fixture, fixtures_dir, jwk, now, registered_certificate, sign_token,
};
use zentra_test_support::{Project, code, stderr, stdout};

/// Reads one thing from Graph: enough to need a token, changes nothing.
const READ_ONLY: &str = r#"
provider "azuread" {}

data "azuread_domain" "company" {
  name = "contoso.com"
}

output "authentication" {
  value = data.azuread_domain.company.authentication_type
}
"#;

const GITHUB: &str = "https://token.actions.githubusercontent.com";
const GITHUB_SUBJECT: &str = "repo:contoso/entra-config:environment:production";
const CLUSTER: &str = "https://oidc.cluster.contoso-sample.example";
const CLUSTER_SUBJECT: &str = "system:serviceaccount:iac:zentra";

fn seed() -> Seed {
    let issuer = fixture("certs/oidc-issuer.pem");
    let mut seed = Seed::default_demo();
    seed.entra.oidc_issuers = vec![
        OidcIssuerSeed {
            issuer: GITHUB.into(),
            keys: vec![jwk(&issuer, "gh-1")],
        },
        OidcIssuerSeed {
            issuer: CLUSTER.into(),
            keys: vec![jwk(&issuer, "cluster-1")],
        },
    ];
    let client = &mut seed.entra.tenants[0].client_apps[0];
    client.certificates = vec![registered_certificate(&fixture("certs/client.pem"))];
    client.federated_credentials = vec![
        FederatedCredentialSeed {
            name: "github-production".into(),
            issuer: GITHUB.into(),
            subject: GITHUB_SUBJECT.into(),
            audiences: vec!["api://AzureADTokenExchange".into()],
        },
        FederatedCredentialSeed {
            name: "cluster".into(),
            issuer: CLUSTER.into(),
            subject: CLUSTER_SUBJECT.into(),
            audiences: vec!["api://AzureADTokenExchange".into()],
        },
    ];
    seed
}

/// A project whose environment has no client secret.
async fn project() -> Project {
    let mut p = Project::seeded(READ_ONLY, seed()).await;
    p.unset_env("AZURE_CLIENT_SECRET");
    p
}

fn token_requests(p: &Project) -> Vec<serde_json::Value> {
    p.sim
        .requests()
        .into_iter()
        .filter(|r| r.service == "entra-login")
        .filter_map(|r| r.body)
        .collect()
}

fn assert_reads(p: &Project) {
    let out = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&out), 0, "{}\n{}", stdout(&out), stderr(&out));
    assert!(
        stdout(&out).contains("authentication = \"Managed\""),
        "{}",
        stdout(&out)
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_certificate_signs_a_client_assertion() {
    let mut p = project().await;
    let path = fixtures_dir().join("certs/client.pem");
    p.set_env("AZURE_CLIENT_CERTIFICATE_PATH", path.to_str().unwrap());
    assert_reads(&p);
    let requests = token_requests(&p);
    assert_eq!(requests.len(), 1);
    let form = &requests[0];
    assert_eq!(
        form["client_assertion_type"],
        "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    );
    assert_eq!(form["client_assertion"], "[REDACTED]");
    assert!(form.get("client_secret").is_none());

    // PKCS#1 keys work too; a certificate the app registration does not know is refused.
    let pkcs1 = fixtures_dir().join("certs/client-pkcs1.pem");
    p.set_env("AZURE_CLIENT_CERTIFICATE_PATH", pkcs1.to_str().unwrap());
    assert_reads(&p);
    let other = fixtures_dir().join("certs/unregistered.pem");
    p.set_env("AZURE_CLIENT_CERTIFICATE_PATH", other.to_str().unwrap());
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("AADSTS700027"), "{err}");
    assert!(err.contains("registered on the app registration"), "{err}");
    assert!(
        !err.contains("PRIVATE KEY") && !err.contains("eyJ"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_federated_token_file_stands_in_for_a_secret() {
    let mut p = project().await;
    let token = sign_token(
        &fixture("certs/oidc-issuer.pem"),
        "cluster-1",
        &json!({"iss": CLUSTER, "sub": CLUSTER_SUBJECT, "aud": "api://AzureADTokenExchange",
                "iat": now(), "exp": now() + 3600}),
    );
    let file = p.path().join("azure-identity-token");
    std::fs::write(&file, &token).unwrap();
    p.set_env("AZURE_FEDERATED_TOKEN_FILE", file.to_str().unwrap());
    assert_reads(&p);
    assert_eq!(token_requests(&p)[0]["client_assertion"], "[REDACTED]");

    // A token for another service account is refused, with what to check.
    let intruder = sign_token(
        &fixture("certs/oidc-issuer.pem"),
        "cluster-1",
        &json!({"iss": CLUSTER, "sub": "system:serviceaccount:other:app", "aud": "api://AzureADTokenExchange",
                "iat": now(), "exp": now() + 3600}),
    );
    std::fs::write(&file, &intruder).unwrap();
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("AADSTS700213"), "{err}");
    assert!(err.contains("federated identity credential"), "{err}");
    assert!(!err.contains(&intruder), "the token is never shown");
}

/// A stand-in for GitHub Actions' OIDC token endpoint.
#[derive(Default)]
struct GithubStub {
    audiences: Mutex<Vec<String>>,
}

async fn github_token(
    State(stub): State<Arc<GithubStub>>,
    headers: HeaderMap,
    Query(query): Query<Vec<(String, String)>>,
) -> Response {
    let authorized = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("bearer job-request-token"));
    if !authorized {
        return (StatusCode::UNAUTHORIZED, "bad request token").into_response();
    }
    let audience = query
        .iter()
        .find(|(k, _)| k == "audience")
        .map(|(_, v)| v.clone())
        .unwrap_or_default();
    let version = query.iter().any(|(k, v)| k == "api-version" && v == "2.0");
    stub.audiences.lock().unwrap().push(audience.clone());
    if !version {
        return (StatusCode::BAD_REQUEST, "the api-version was lost").into_response();
    }
    let token = sign_token(
        &fixture("certs/oidc-issuer.pem"),
        "gh-1",
        &json!({"iss": GITHUB, "sub": GITHUB_SUBJECT, "aud": audience,
                "iat": now(), "exp": now() + 300, "jti": uuid::Uuid::new_v4().to_string()}),
    );
    axum::Json(json!({"count": 1, "value": token})).into_response()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn github_actions_oidc_is_exchanged_for_a_graph_token() {
    let stub = Arc::new(GithubStub::default());
    let app = axum::Router::new()
        .route("/token", axum::routing::get(github_token))
        .with_state(stub.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!(
        "http://{}/token?api-version=2.0",
        listener.local_addr().unwrap()
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    let mut p = project().await;
    p.set_env("ACTIONS_ID_TOKEN_REQUEST_URL", &url);
    p.set_env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "job-request-token");
    assert_reads(&p);
    assert_eq!(
        *stub.audiences.lock().unwrap(),
        ["api://AzureADTokenExchange"]
    );

    p.set_env("ACTIONS_ID_TOKEN_REQUEST_TOKEN", "expired-request-token");
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("401"), "{err}");
    assert!(err.contains("id-token: write"), "{err}");
    assert!(!err.contains("expired-request-token"), "{err}");
}

/// A fake `az` that records its arguments and answers like `az account get-access-token`.
fn fake_az(dir: &std::path::Path, token: &str, exit: i32) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt as _;
    let path = dir.join("az");
    let args = dir.join("az-args");
    let expires = now() + 3000;
    let script = if exit == 0 {
        format!(
            "#!/bin/sh\nprintf '%s\\n' \"$@\" > '{}'\ncat <<'JSON'\n{{\"accessToken\": \"{token}\", \"expiresOn\": \"2030-01-01 00:00:00.000000\", \"expires_on\": {expires}, \"subscription\": \"s\", \"tenant\": \"t\", \"tokenType\": \"Bearer\"}}\nJSON\n",
            args.display()
        )
    } else {
        "#!/bin/sh\necho \"ERROR: Please run 'az login' to setup account.\" >&2\nexit 1\n"
            .to_string()
    };
    std::fs::write(&path, script).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    path
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_administrators_azure_cli_session_is_used_without_an_app_registration() {
    let mut p = project().await;
    p.unset_env("AZURE_CLIENT_ID");
    let token = p.sim.issue_graph_token(&["Domain.Read.All"]);
    let az = fake_az(p.path(), &token, 0);
    p.set_env("ZENTRA_AZURE_CLI", az.to_str().unwrap());
    assert_reads(&p);
    let args = std::fs::read_to_string(p.path().join("az-args")).unwrap();
    let args: Vec<&str> = args.lines().collect();
    let graph_url = p.var("AZURE_GRAPH_URL");
    let tenant = p.var("AZURE_TENANT_ID");
    assert_eq!(
        args,
        [
            "account",
            "get-access-token",
            "--resource",
            graph_url.as_str(),
            "--output",
            "json",
            "--tenant",
            tenant.as_str()
        ]
    );
    assert!(
        token_requests(&p).is_empty(),
        "no client credentials exchange"
    );

    let failing = fake_az(p.path(), "", 1);
    p.set_env("ZENTRA_AZURE_CLI", failing.to_str().unwrap());
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("Please run 'az login'"), "{err}");
    assert!(err.contains("az login"), "{err}");

    p.set_env(
        "ZENTRA_AZURE_CLI",
        p.path().join("no-such-az").to_str().unwrap(),
    );
    let out = p.run(&["plan"]);
    assert!(stderr(&out).contains("was not found"), "{}", stderr(&out));
}
