//! `zentra-sim`: an HTTP emulator of the Zoom REST API v2, Zoom OAuth, Microsoft Graph v1.0 and
//! the Entra ID token endpoint, so plans, applies, tests and demos can run without reaching the
//! real services.
//!
//! It is written from the vendors' specifications and notes, independently of zentra's own HTTP
//! clients (`zentra-providers`): no request or response code is shared with them, so a bug in a
//! client is not mirrored here. It is strict the way the real services are (wrong credentials,
//! malformed bodies, unknown fields and wrong methods get the vendor's status codes and error
//! bodies), seedable ([`Seed`]), inspectable ([`SimServer::requests`], [`SimServer::snapshot`],
//! the `/_sim/` admin API) and can inject latency, throttling, server errors and Graph's
//! replication lag ([`SimConfig`], [`Faults`]).
//!
//! All four services share one listening port:
//!
//! | service | path | vendor's host |
//! |---|---|---|
//! | Zoom OAuth | `POST /oauth/token` | `zoom.us` |
//! | Zoom API | `/v2/...` | `api.zoom.us` |
//! | Entra login | `POST /{tenant}/oauth2/v2.0/token` | `login.microsoftonline.com` |
//! | Microsoft Graph | `/v1.0/...` | `graph.microsoft.com` |
//! | emulator admin | `/_sim/...` | (none: not part of any vendor API) |

mod admin;
mod entra_login;
mod faults;
mod graph;
mod graph_admin;
mod graph_app_roles;
mod graph_domains;
mod graph_odata;
mod graph_policies;
mod graph_throttle;
mod graph_types;
mod http;
mod log;
mod permissions;
mod seed;
mod state;
mod zoom_admin;
mod zoom_api;
mod zoom_groups;
mod zoom_oauth;
mod zoom_roles;
mod zoom_rooms;
mod zoom_schema;
mod zoom_settings;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use anyhow::Context as _;
use tokio::sync::oneshot;

pub use faults::Faults;
pub use log::RequestRecord;
pub use seed::{
    EntraCertificate, EntraClientApp, EntraDomainSeed, EntraSeed, EntraUserSeed, KnownApplication,
    PermissionEntry, Seed, TenantSeed, ZoomAccountSeed, ZoomAppSeed, ZoomManagedDomain, ZoomPlan,
    ZoomSeed, ZoomUserSeed,
};
pub use seed::{FederatedCredentialSeed, JwkSeed, OidcIssuerSeed};
pub use zoom_groups::ZoomGroupSeed;
pub use zoom_roles::ZoomRoleSeed;
pub use zoom_rooms::{CalendarResourceSeed, CalendarServiceKind, CalendarServiceSeed};

use state::SimState;

/// How to run the emulator.
#[derive(Clone, Debug)]
pub struct SimConfig {
    /// Address to listen on; `127.0.0.1` by default.
    pub host: IpAddr,
    /// Port to listen on; `0` picks any free port.
    pub port: u16,
    /// The accounts, tenants and credentials the emulator starts with.
    pub seed: Seed,
    /// Delay added before answering every vendor request (not admin requests).
    pub latency: Duration,
    /// How long a Graph object created through the API stays invisible to reads and reference
    /// checks, like Entra ID's eventual consistency. Writes return the new object at once.
    pub graph_replication_lag: Duration,
    /// Throttling and server errors to inject.
    pub faults: Faults,
}

impl Default for SimConfig {
    fn default() -> Self {
        SimConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 0,
            seed: Seed::default_demo(),
            latency: Duration::ZERO,
            graph_replication_lag: Duration::ZERO,
            faults: Faults::default(),
        }
    }
}

/// State shared by every request handler.
pub(crate) struct Shared {
    state: Mutex<SimState>,
    pub(crate) latency: Duration,
    /// `http://host:port` as bound, used when a request carries no `Host` header.
    pub(crate) base_url: String,
}

impl Shared {
    /// The live state. A poisoned lock (a handler panicked) still yields the data: every
    /// mutation is applied in one step, so the state stays consistent.
    pub(crate) fn lock(&self) -> MutexGuard<'_, SimState> {
        self.state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A running emulator.
pub struct SimServer {
    shared: Arc<Shared>,
    addr: SocketAddr,
    env: Vec<(String, String)>,
    stop: Option<oneshot::Sender<()>>,
    task: Option<tokio::task::JoinHandle<()>>,
}

impl std::fmt::Debug for SimServer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SimServer")
            .field("addr", &self.addr)
            .finish()
    }
}

impl SimServer {
    /// Binds the listening socket and starts serving in the background.
    pub async fn start(cfg: SimConfig) -> std::io::Result<SimServer> {
        let listener = tokio::net::TcpListener::bind(SocketAddr::new(cfg.host, cfg.port)).await?;
        let addr = listener.local_addr()?;
        let connect_host = if addr.ip().is_unspecified() {
            match addr.ip() {
                IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
            }
        } else {
            addr.ip()
        };
        let base_url = format!("http://{}", SocketAddr::new(connect_host, addr.port()));
        let state = SimState::from_seed(&cfg.seed, cfg.graph_replication_lag, cfg.faults.clone())
            .map_err(|e| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, e.to_string())
        })?;
        let env = env_vars_for(&cfg.seed, &base_url);
        let shared = Arc::new(Shared {
            state: Mutex::new(state),
            latency: cfg.latency,
            base_url,
        });
        let app = http::router(shared.clone());
        let (stop_tx, stop_rx) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            // axum retries failed accepts itself; `serve` returns only at shutdown.
            let _ = axum::serve(listener, app)
                .with_graceful_shutdown(async move {
                    let _ = stop_rx.await;
                })
                .await;
        });
        Ok(SimServer {
            shared,
            addr,
            env,
            stop: Some(stop_tx),
            task: Some(task),
        })
    }

    /// `http://127.0.0.1:PORT`: the one base URL of all four emulated services.
    pub fn base_url(&self) -> String {
        self.shared.base_url.clone()
    }

    /// The socket address actually bound.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// The ten environment variables that point zentra at this emulator, with the credentials
    /// of the seed's first Zoom account and app and first Entra tenant and client application.
    pub fn env_vars(&self) -> Vec<(String, String)> {
        self.env.clone()
    }

    /// [`SimServer::env_vars`] as a shell file: one `export NAME='value'` line each.
    pub fn env_file_contents(&self) -> String {
        render_env_file(&self.env)
    }

    /// Every vendor request served so far, oldest first (secrets redacted).
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.shared.lock().requests.clone()
    }

    /// Forgets the request log.
    pub fn clear_requests(&self) {
        self.shared.lock().requests.clear();
    }

    /// The whole live state as JSON (secrets redacted), as `GET /_sim/state` returns it.
    pub fn snapshot(&self) -> serde_json::Value {
        self.shared.lock().snapshot()
    }

    /// The stored account settings (`id` or `me` for the first account) in the shape a GET
    /// without `option` returns, plus `meeting_security`; `Null` for an unknown account.
    pub fn zoom_account_settings(&self, account: &str) -> serde_json::Value {
        self.shared.lock().zoom_settings_snapshot(account, false)
    }

    /// The stored account lock settings; `Null` for an unknown account.
    pub fn zoom_account_lock_settings(&self, account: &str) -> serde_json::Value {
        self.shared.lock().zoom_settings_snapshot(account, true)
    }

    /// The tenant's authorization policy as `GET /policies/authorizationPolicy` returns it
    /// (without OData annotations); `Null` if there is no tenant.
    pub fn graph_authorization_policy(&self) -> serde_json::Value {
        self.shared.lock().graph_authorization_policy()
    }

    /// Changes live state behind the clients' backs (drift), without validation, like an
    /// administrator clicking in a portal. `target` is an admin path without the `/_sim/`
    /// prefix and `patch` its body; the same targets as the admin API:
    ///
    /// * `PATCH zoom/accounts/{id}/settings`, `PATCH zoom/accounts/{id}/lock_settings` (deep merge)
    /// * under `zoom/accounts/{id}/`: `groups[/{gid}[/settings|/lock_settings|/members[/{user}]]]`,
    ///   `roles[/{rid}]`, `users/{uid}` (`{"role_name"}`), `calendar_services[/{sid}[/resources[/{rid}]]]`
    ///   (see the emulator's admin documentation for bodies)
    /// * `PATCH graph/policies/authorizationPolicy` (deep merge)
    /// * `POST graph/servicePrincipals` (`{"appId": ...}` plus any properties; no lag)
    /// * `PATCH graph/servicePrincipals/{id}`, `DELETE graph/servicePrincipals/{id}`
    /// * `POST graph/oauth2PermissionGrants`, `PATCH|DELETE graph/oauth2PermissionGrants/{id}`
    /// * `PATCH graph/policies/adminConsentRequestPolicy` (deep merge)
    /// * `POST graph/servicePrincipals/{resource}/appRoleAssignedTo` (`principalId`,
    ///   `appRoleId`), `DELETE graph/servicePrincipals/{resource}/appRoleAssignedTo/{id}`
    /// * `PATCH graph/domains/{name}` (deep merge)
    /// * `POST graph/domains/{name}/federationConfiguration`,
    ///   `PATCH|DELETE graph/domains/{name}/federationConfiguration/{id}`
    /// * `POST tokens/expire` (every issued token expires now)
    /// * `POST reset` (back to the seed)
    pub fn patch_state(
        &self,
        method: &str,
        target: &str,
        patch: serde_json::Value,
    ) -> anyhow::Result<serde_json::Value> {
        admin::apply(&self.shared, method, target, Some(patch)).map_err(anyhow::Error::msg)
    }

    /// Replaces the injected faults.
    pub fn set_faults(&self, faults: Faults) {
        self.shared.lock().set_faults(faults);
    }

    /// A Microsoft Graph access token for the first tenant holding `roles` (application
    /// permission values), like the token an administrator's Azure CLI session hands out.
    pub fn issue_graph_token(&self, roles: &[&str]) -> String {
        self.shared
            .lock()
            .issue_graph_token(0, roles.iter().map(|r| r.to_string()).collect())
    }

    /// Makes every access token issued so far expire now.
    pub fn expire_tokens(&self) {
        self.shared.lock().expire_tokens();
    }

    /// Stops accepting connections and waits for the server task to finish.
    pub async fn shutdown(mut self) {
        self.stop_now().await;
    }

    async fn stop_now(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for SimServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

/// Runs the emulator in the foreground for `zentra sim`: starts it, writes the environment file
/// (only once the socket is listening), announces one line with the URL, and serves until
/// Ctrl-C.
pub async fn run_foreground(
    cfg: SimConfig,
    env_file: Option<PathBuf>,
    announce: impl FnOnce(&str),
) -> anyhow::Result<()> {
    let host = cfg.host;
    let port = cfg.port;
    let server = SimServer::start(cfg)
        .await
        .with_context(|| format!("cannot start the emulator on {host}:{port}"))?;
    if let Some(path) = &env_file {
        write_env_file(path, &server.env_file_contents())
            .with_context(|| format!("cannot write the environment file {}", path.display()))?;
    }
    let line = match &env_file {
        Some(path) => format!(
            "zentra sim listening on {} (environment in {}; Ctrl-C to stop)",
            server.base_url(),
            path.display()
        ),
        None => format!(
            "zentra sim listening on {} (Ctrl-C to stop)",
            server.base_url()
        ),
    };
    announce(&line);
    tokio::signal::ctrl_c()
        .await
        .context("cannot wait for Ctrl-C")?;
    server.shutdown().await;
    Ok(())
}

/// Writes the file atomically (temporary file in the same directory, then rename), so a reader
/// polling for it never sees half a file.
fn write_env_file(path: &std::path::Path, contents: &str) -> std::io::Result<()> {
    use std::io::Write as _;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let mut tmp = tempfile::NamedTempFile::new_in(&dir)?;
    tmp.write_all(contents.as_bytes())?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// The environment variables [`SimServer::env_vars`] sets, named as zentra reads them (the
/// emulator shares no code with zentra's engine; the `zentra` binary's tests check the names).
pub mod vars {
    pub const ZOOM_ACCOUNT_ID: &str = "ZOOM_ACCOUNT_ID";
    pub const ZOOM_CLIENT_ID: &str = "ZOOM_CLIENT_ID";
    pub const ZOOM_CLIENT_SECRET: &str = "ZOOM_CLIENT_SECRET";
    pub const ZOOM_API_URL: &str = "ZOOM_API_URL";
    pub const ZOOM_OAUTH_URL: &str = "ZOOM_OAUTH_URL";
    pub const AZURE_TENANT_ID: &str = "AZURE_TENANT_ID";
    pub const AZURE_CLIENT_ID: &str = "AZURE_CLIENT_ID";
    pub const AZURE_CLIENT_SECRET: &str = "AZURE_CLIENT_SECRET";
    pub const AZURE_GRAPH_URL: &str = "AZURE_GRAPH_URL";
    pub const AZURE_AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";
}

fn env_vars_for(seed: &Seed, base_url: &str) -> Vec<(String, String)> {
    let account = seed.zoom.accounts.first();
    let app = account.and_then(|a| a.apps.first());
    let tenant = seed.entra.tenants.first();
    let client = tenant.and_then(|t| t.client_apps.first());
    let pairs: [(&str, String); 10] = [
        (vars::ZOOM_API_URL, format!("{base_url}/v2")),
        (vars::ZOOM_OAUTH_URL, base_url.to_string()),
        (vars::AZURE_GRAPH_URL, base_url.to_string()),
        (vars::AZURE_AUTHORITY_HOST, base_url.to_string()),
        (
            vars::ZOOM_ACCOUNT_ID,
            account.map(|a| a.id.clone()).unwrap_or_default(),
        ),
        (
            vars::ZOOM_CLIENT_ID,
            app.map(|a| a.client_id.clone()).unwrap_or_default(),
        ),
        (
            vars::ZOOM_CLIENT_SECRET,
            app.map(|a| a.client_secret.clone()).unwrap_or_default(),
        ),
        (
            vars::AZURE_TENANT_ID,
            tenant.map(|t| t.id.clone()).unwrap_or_default(),
        ),
        (
            vars::AZURE_CLIENT_ID,
            client.map(|c| c.client_id.clone()).unwrap_or_default(),
        ),
        (
            vars::AZURE_CLIENT_SECRET,
            client
                .and_then(|c| c.secrets.first().cloned())
                .unwrap_or_default(),
        ),
    ];
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// `export NAME='value'` lines, values single-quoted for POSIX shells.
fn render_env_file(vars: &[(String, String)]) -> String {
    let mut out = String::new();
    for (name, value) in vars {
        out.push_str("export ");
        out.push_str(name);
        out.push('=');
        out.push_str(&shell_quote(value));
        out.push('\n');
    }
    out
}

fn shell_quote(value: &str) -> String {
    format!("'{}'", value.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shell_quoting_survives_quotes_and_spaces() {
        assert_eq!(shell_quote("plain"), "'plain'");
        assert_eq!(shell_quote("it's a $secret"), r"'it'\''s a $secret'");
    }

    #[test]
    fn env_file_lists_the_ten_variables_in_export_form() {
        let seed = Seed::default_demo();
        let vars = env_vars_for(&seed, "http://127.0.0.1:1234");
        assert_eq!(vars.len(), 10);
        let text = render_env_file(&vars);
        assert!(text.contains("export ZOOM_API_URL='http://127.0.0.1:1234/v2'\n"));
        assert!(text.contains("export AZURE_GRAPH_URL='http://127.0.0.1:1234'\n"));
        assert!(text.contains(&format!(
            "export ZOOM_ACCOUNT_ID='{}'\n",
            seed.zoom.accounts[0].id
        )));
        assert_eq!(text.lines().count(), 10);
        assert!(text.lines().all(|l| l.starts_with("export ")));
    }
}
