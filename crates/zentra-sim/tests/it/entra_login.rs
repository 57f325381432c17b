//! The emulated Entra ID token endpoint, driven over loopback with plain HTTP.

use serde_json::{Value, json};
use zentra_test_support::sim::{Sim, read};

fn token_url(sim: &Sim, tenant: &str) -> String {
    format!(
        "{}/{tenant}/oauth2/v2.0/token",
        sim.var("AZURE_AUTHORITY_HOST")
    )
}

/// Form parameters of a token request.
type Form = Vec<(String, String)>;

/// The AADSTS number at the start of an error description.
fn aadsts(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or_default()
}

#[tokio::test]
async fn client_secret_tokens_for_both_graph_scope_spellings() {
    let sim = Sim::start().await;
    let tenant = sim.var("AZURE_TENANT_ID").to_string();
    for scope in [
        format!("{}/.default", sim.var("AZURE_GRAPH_URL")),
        "https://graph.microsoft.com/.default".to_string(),
    ] {
        let response = sim
            .http
            .post(token_url(&sim, &tenant))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", sim.var("AZURE_CLIENT_ID")),
                ("client_secret", sim.var("AZURE_CLIENT_SECRET")),
                ("scope", scope.as_str()),
            ])
            .send()
            .await
            .expect("send");
        let (status, body) = read(response).await;
        assert_eq!(status, 200, "{body}");
        assert_eq!(body["token_type"], json!("Bearer"));
        assert_eq!(body["expires_in"], json!(3599));
        assert!(body["access_token"].as_str().is_some_and(|t| t.len() > 40));
    }
    // client_secret_basic and a tenant named by one of its domains.
    let (status, body) = read(
        sim.http
            .post(token_url(&sim, "contoso.onmicrosoft.com"))
            .basic_auth(
                sim.var("AZURE_CLIENT_ID"),
                Some(sim.var("AZURE_CLIENT_SECRET")),
            )
            .form(&[
                ("grant_type", "client_credentials"),
                ("scope", "https://graph.microsoft.com/.default"),
            ])
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
}

#[tokio::test]
async fn rejections_have_the_aad_error_shape() {
    let sim = Sim::start().await;
    let tenant = sim.var("AZURE_TENANT_ID").to_string();
    let client = sim.var("AZURE_CLIENT_ID").to_string();
    let secret = sim.var("AZURE_CLIENT_SECRET").to_string();
    let graph_scope = "https://graph.microsoft.com/.default".to_string();
    let form = |pairs: &[(&str, &str)]| -> Form {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    };
    let good = form(&[
        ("grant_type", "client_credentials"),
        ("client_id", &client),
        ("client_secret", &secret),
        ("scope", &graph_scope),
    ]);
    let with = |name: &str, value: Option<&str>| -> Form {
        let mut f: Form = good.iter().filter(|(k, _)| k != name).cloned().collect();
        if let Some(v) = value {
            f.push((name.to_string(), v.to_string()));
        }
        f
    };
    let unknown_tenant = "11111111-2222-3333-4444-555555555555";
    let cases: Vec<(String, Form, u16, &str, u64)> = vec![
        (
            tenant.clone(),
            with("client_secret", Some("wrong")),
            401,
            "invalid_client",
            7000215,
        ),
        (
            tenant.clone(),
            with("client_secret", None),
            401,
            "invalid_client",
            7000218,
        ),
        (
            unknown_tenant.into(),
            good.clone(),
            400,
            "invalid_request",
            90002,
        ),
        (
            "not a tenant!".into(),
            good.clone(),
            400,
            "invalid_request",
            900023,
        ),
        (
            "fabrikam.com".into(),
            good.clone(),
            400,
            "invalid_request",
            90002,
        ),
        (
            tenant.clone(),
            with("scope", Some("User.Read")),
            400,
            "invalid_scope",
            1002012,
        ),
        (
            tenant.clone(),
            with("scope", Some("https://management.azure.com/.default")),
            400,
            "invalid_resource",
            500011,
        ),
        (
            tenant.clone(),
            with("scope", None),
            400,
            "invalid_request",
            900144,
        ),
        (
            tenant.clone(),
            with("grant_type", None),
            400,
            "invalid_request",
            900144,
        ),
        (
            tenant.clone(),
            with("grant_type", Some("password")),
            400,
            "unsupported_grant_type",
            70003,
        ),
        (
            tenant.clone(),
            with("client_id", Some("99999999-9999-9999-9999-999999999999")),
            400,
            "unauthorized_client",
            700016,
        ),
        (
            tenant.clone(),
            with("client_id", None),
            400,
            "invalid_request",
            900144,
        ),
    ];
    for (tenant_segment, body, status, error, code) in cases {
        let (got, reply) = read(
            sim.http
                .post(token_url(&sim, &tenant_segment))
                .form(&body)
                .send()
                .await
                .expect("send"),
        )
        .await;
        assert_eq!(got, status, "{tenant_segment} {reply}");
        assert_eq!(reply["error"], json!(error), "{reply}");
        assert_eq!(aadsts(&reply), code, "{reply}");
        let description = reply["error_description"].as_str().expect("description");
        assert!(
            description.starts_with(&format!("AADSTS{code}: ")),
            "{description}"
        );
        for field in ["timestamp", "trace_id", "correlation_id"] {
            assert!(reply[field].is_string(), "{field} in {reply}");
        }
        assert!(!reply.to_string().contains(&secret));
    }

    // Duplicated parameters are refused, not guessed at.
    let mut duplicated = good.clone();
    duplicated.push(("grant_type".into(), "client_credentials".into()));
    let (status, reply) = read(
        sim.http
            .post(token_url(&sim, &tenant))
            .form(&duplicated)
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!((status, aadsts(&reply)), (400, 9000411));

    let (status, reply) = read(
        sim.http
            .get(token_url(&sim, &tenant))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!((status, aadsts(&reply)), (400, 900561));

    // The correlation id echoes the client's request id.
    let correlation = "0f1e2d3c-4b5a-4978-8695-a4b3c2d1e0f9";
    let (_, reply) = read(
        sim.http
            .post(token_url(&sim, &tenant))
            .header("client-request-id", correlation)
            .form(&with("client_secret", Some("wrong")))
            .send()
            .await
            .expect("send"),
    )
    .await;
    assert_eq!(reply["correlation_id"], json!(correlation));

    // Secrets never reach the request log.
    let log = serde_json::to_string(&sim.server.requests()).expect("log");
    assert!(!log.contains(&secret));
    assert!(log.contains("[REDACTED]"));
    assert!(
        sim.server
            .requests()
            .iter()
            .all(|r| r.service == "entra-login")
    );
}
