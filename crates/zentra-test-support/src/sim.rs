//! Helpers shared by the emulator's integration tests: start an emulator, get tokens with plain
//! HTTP requests (never zentra's own clients), read the demo seed's credentials.

use std::collections::HashMap;

use reqwest::Client;
use serde_json::Value;
use zentra_sim::{Seed, SimConfig, SimServer};

pub struct Sim {
    pub server: SimServer,
    pub http: Client,
    pub base: String,
    pub env: HashMap<String, String>,
}

impl Sim {
    pub async fn start() -> Sim {
        Sim::start_with(SimConfig::default()).await
    }

    pub async fn start_seeded(seed: Seed) -> Sim {
        Sim::start_with(SimConfig {
            seed,
            ..SimConfig::default()
        })
        .await
    }

    pub async fn start_with(cfg: SimConfig) -> Sim {
        let server = SimServer::start(cfg).await.expect("emulator starts");
        let base = server.base_url();
        let env = server.env_vars().into_iter().collect();
        let http = Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Sim {
            server,
            http,
            base,
            env,
        }
    }

    pub fn var(&self, name: &str) -> &str {
        self.env.get(name).map(String::as_str).unwrap_or_default()
    }

    /// A Zoom access token for the seed's first account and app.
    pub async fn zoom_token(&self) -> String {
        let response = self
            .http
            .post(format!("{}/oauth/token", self.var("ZOOM_OAUTH_URL")))
            .basic_auth(
                self.var("ZOOM_CLIENT_ID"),
                Some(self.var("ZOOM_CLIENT_SECRET")),
            )
            .query(&[
                ("grant_type", "account_credentials"),
                ("account_id", self.var("ZOOM_ACCOUNT_ID")),
            ])
            .send()
            .await
            .expect("token request");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        body["access_token"].as_str().expect("token").to_string()
    }

    /// A Graph access token for the seed's first tenant and client app.
    pub async fn graph_token(&self) -> String {
        let response = self
            .http
            .post(format!(
                "{}/{}/oauth2/v2.0/token",
                self.var("AZURE_AUTHORITY_HOST"),
                self.var("AZURE_TENANT_ID")
            ))
            .form(&[
                ("grant_type", "client_credentials"),
                ("client_id", self.var("AZURE_CLIENT_ID")),
                ("client_secret", self.var("AZURE_CLIENT_SECRET")),
                (
                    "scope",
                    &format!("{}/.default", self.var("AZURE_GRAPH_URL")),
                ),
            ])
            .send()
            .await
            .expect("token request");
        assert_eq!(response.status(), 200);
        let body: Value = response.json().await.expect("json");
        body["access_token"].as_str().expect("token").to_string()
    }

    pub fn zoom(&self, path: &str) -> String {
        format!("{}{}", self.var("ZOOM_API_URL"), path)
    }

    pub fn graph(&self, path: &str) -> String {
        format!("{}/v1.0{}", self.var("AZURE_GRAPH_URL"), path)
    }
}

/// Status and JSON body (Null when empty) of a response.
pub async fn read(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    let text = response.text().await.expect("body");
    let body = if text.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&text).unwrap_or(Value::String(text))
    };
    (status, body)
}
