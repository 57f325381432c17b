//! How zentra proves who it is to Entra ID: the national clouds (which set the Graph and sign-in
//! hosts), and every credential the Graph client can use — a client secret; a certificate
//! (a client assertion JWT signed with the certificate's key, as Microsoft documents); a
//! federated token, from a file (`AZURE_FEDERATED_TOKEN_FILE`, read afresh for every token
//! request because it rotates) or from GitHub Actions' OIDC endpoint; or the access token of an
//! administrator's Azure CLI session.
//!
//! Keys, secrets and tokens never appear in `Debug` output or errors.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use secrecy::{ExposeSecret, SecretString};

use zentra_engine::provider::{ErrorKind, ProviderError, ProviderResult};

/// `client_assertion_type` of every client assertion.
pub const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// A Microsoft cloud: where Graph and the sign-in service live.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cloud {
    /// The global service.
    Public,
    /// Microsoft Cloud for US Government (L4: GCC High).
    UsGovernment,
    /// Microsoft Azure and Microsoft 365 operated by 21Vianet.
    China,
}

impl Cloud {
    /// The names `environment` accepts.
    pub const NAMES: [&'static str; 3] = ["public", "usgovernment", "china"];

    pub fn parse(name: &str) -> Option<Cloud> {
        match name.trim().to_ascii_lowercase().as_str() {
            "public" | "global" => Some(Cloud::Public),
            "usgovernment" => Some(Cloud::UsGovernment),
            "china" => Some(Cloud::China),
            _ => None,
        }
    }

    /// Microsoft Graph's root, without version.
    pub fn graph_url(self) -> &'static str {
        match self {
            Cloud::Public => "https://graph.microsoft.com",
            Cloud::UsGovernment => "https://graph.microsoft.us",
            Cloud::China => "https://microsoftgraph.chinacloudapi.cn",
        }
    }

    /// The Entra ID authority host.
    pub fn login_url(self) -> &'static str {
        match self {
            Cloud::Public => "https://login.microsoftonline.com",
            Cloud::UsGovernment => "https://login.microsoftonline.us",
            Cloud::China => "https://login.chinacloudapi.cn",
        }
    }

    /// The audience federated tokens are issued for in this cloud.
    pub fn token_exchange_audience(self) -> &'static str {
        match self {
            Cloud::Public => "api://AzureADTokenExchange",
            Cloud::UsGovernment => "api://AzureADTokenExchangeUSGov",
            Cloud::China => "api://AzureADTokenExchangeChina",
        }
    }
}

fn config_error(message: impl Into<String>) -> ProviderError {
    ProviderError::new(ErrorKind::Configuration, message)
}

fn auth_error(message: impl Into<String>) -> ProviderError {
    ProviderError::new(ErrorKind::Authentication, message)
}

/// A certificate and its private key, for signing client assertions.
pub struct ClientCertificate {
    der: Vec<u8>,
    key: jsonwebtoken::EncodingKey,
    /// Where it came from, for messages.
    source: String,
}

impl fmt::Debug for ClientCertificate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientCertificate")
            .field("source", &self.source)
            .field("x5t#S256", &crate::cert::x5t_s256(&self.der))
            .field("key", &"[REDACTED]")
            .finish()
    }
}

impl ClientCertificate {
    /// Reads a PEM file holding the certificate and its RSA private key (PKCS#8
    /// `PRIVATE KEY` or PKCS#1 `RSA PRIVATE KEY`, unencrypted), in any order.
    pub fn from_pem_file(path: &Path) -> ProviderResult<ClientCertificate> {
        let shown = path.display().to_string();
        let lower = shown.to_ascii_lowercase();
        if lower.ends_with(".pfx") || lower.ends_with(".p12") {
            return Err(config_error(format!(
                "`client_certificate_path` = \"{shown}\" is a PKCS#12 file; zentra reads PEM: \
                 convert it with `openssl pkcs12 -in {shown} -out cert.pem -nodes` and keep the \
                 result as safe as the original"
            )));
        }
        let text =
            zentra_engine::files::read_text(path, zentra_engine::files::FileKind::Credential)
                .map_err(|e| {
                    config_error(format!("cannot read the client certificate {shown}: {e}"))
                })?;
        ClientCertificate::from_pem(&text, &shown)
    }

    /// Parses PEM text (`source` names it in errors).
    pub fn from_pem(text: &str, source: &str) -> ProviderResult<ClientCertificate> {
        let blocks =
            pem::parse_many(text).map_err(|e| config_error(format!("{source} is not PEM: {e}")))?;
        let der = blocks
            .iter()
            .find(|b| b.tag() == "CERTIFICATE")
            .map(|b| b.contents().to_vec())
            .ok_or_else(|| config_error(format!("{source} holds no CERTIFICATE block")))?;
        crate::cert::summarize(&der)
            .map_err(|e| config_error(format!("the certificate in {source}: {e}")))?;
        let key_block = blocks
            .iter()
            .find(|b| matches!(b.tag(), "PRIVATE KEY" | "RSA PRIVATE KEY"))
            .ok_or_else(|| {
                let encrypted = blocks.iter().any(|b| b.tag() == "ENCRYPTED PRIVATE KEY");
                config_error(if encrypted {
                    format!(
                        "the private key in {source} is encrypted; zentra needs it unencrypted \
                         (`openssl pkey -in {source} -out key.pem`), kept in a protected file"
                    )
                } else {
                    format!(
                        "{source} holds no RSA private key (a PRIVATE KEY or RSA PRIVATE KEY \
                         block) next to the certificate"
                    )
                })
            })?;
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem::encode(key_block).as_bytes())
            .map_err(|_| {
                config_error(format!(
                    "the private key in {source} is not an RSA key zentra can sign with"
                ))
            })?;
        Ok(ClientCertificate {
            der,
            key,
            source: source.to_string(),
        })
    }

    /// The client assertion for one token request: a PS256 JWT naming the certificate by its
    /// SHA-256 (`x5t#S256`) and SHA-1 (`x5t`) thumbprints, issued by and about the client, for
    /// the token endpoint, valid for ten minutes, with a fresh `jti`.
    pub fn assertion(&self, client_id: &str, token_url: &str) -> ProviderResult<String> {
        let mut header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::PS256);
        header.x5t_s256 = Some(crate::cert::x5t_s256(&self.der));
        header.x5t = Some(crate::cert::x5t(&self.der));
        let now = chrono::Utc::now().timestamp();
        let claims = serde_json::json!({
            "aud": token_url,
            "iss": client_id,
            "sub": client_id,
            "jti": uuid::Uuid::new_v4().to_string(),
            "nbf": now,
            "iat": now,
            "exp": now + 600,
        });
        jsonwebtoken::encode(&header, &claims, &self.key).map_err(|_| {
            config_error(format!(
                "could not sign a client assertion with the key in {}",
                self.source
            ))
        })
    }

    /// The certificate's DER.
    pub fn der(&self) -> &[u8] {
        &self.der
    }
}

/// A credential of zentra's app registration, or an administrator's Azure CLI session.
#[derive(Debug)]
pub enum Credential {
    ClientSecret(SecretString),
    Certificate(ClientCertificate),
    /// A federated token in a file that is read again for every token request.
    TokenFile(PathBuf),
    /// GitHub Actions' OIDC token, requested for `audience`.
    GithubActions {
        request_url: String,
        request_token: SecretString,
        audience: String,
    },
    /// `az account get-access-token`, run as `executable`.
    AzureCli {
        executable: PathBuf,
    },
}

impl Credential {
    /// The name `auth` uses for this method.
    pub fn method(&self) -> &'static str {
        match self {
            Credential::ClientSecret(_) => "client_secret",
            Credential::Certificate(_) => "certificate",
            Credential::TokenFile(_) => "workload_identity",
            Credential::GithubActions { .. } => "github_oidc",
            Credential::AzureCli { .. } => "azure_cli",
        }
    }
}

/// Reads the federated token file afresh.
pub fn read_token_file(path: &Path) -> ProviderResult<SecretString> {
    let text = zentra_engine::files::read_text(path, zentra_engine::files::FileKind::Credential)
        .map_err(|e| {
            auth_error(format!(
                "cannot read the federated token file {} (AZURE_FEDERATED_TOKEN_FILE): {e}",
                path.display()
            ))
        })?;
    let token = text.trim();
    if token.is_empty() {
        return Err(auth_error(format!(
            "the federated token file {} is empty",
            path.display()
        )));
    }
    Ok(SecretString::from(token.to_string()))
}

/// Asks GitHub Actions for an OIDC token: `GET {request_url}&audience=…` with the job's
/// request token as bearer; the token is the answer's `value`.
pub async fn github_actions_token(
    http: &reqwest::Client,
    request_url: &str,
    request_token: &SecretString,
    audience: &str,
) -> ProviderResult<SecretString> {
    let mut url = url::Url::parse(request_url).map_err(|e| {
        config_error(format!(
            "ACTIONS_ID_TOKEN_REQUEST_URL is not a URL ({e}); is the job granted \
             `permissions: id-token: write`?"
        ))
    })?;
    url.query_pairs_mut().append_pair("audience", audience);
    const REQUEST: &str = "GET ACTIONS_ID_TOKEN_REQUEST_URL";
    let builder = http
        .get(url)
        .bearer_auth(request_token.expose_secret())
        .header(reqwest::header::ACCEPT, "application/json");
    let answer = super::exchange(builder).await.map_err(|e| {
        let mut e = super::http_core::transport_error(
            e,
            REQUEST,
            "GitHub Actions",
            super::Timeouts::default().request,
        );
        e.kind = ErrorKind::Authentication;
        e.message = format!(
            "could not reach GitHub Actions' OIDC token endpoint: {}",
            e.message
        );
        e
    })?;
    if !(200..300).contains(&answer.status) {
        let mut e = auth_error(format!(
            "GitHub Actions' OIDC token endpoint answered {}",
            answer.status
        ))
        .with_hint(
            "the workflow job needs `permissions: id-token: write`, and the request token \
             (ACTIONS_ID_TOKEN_REQUEST_TOKEN) is valid only inside that job",
        );
        e.request = Some(REQUEST.to_string());
        e.status = Some(answer.status);
        return Err(e);
    }
    let body = super::http_core::success_body(
        &answer,
        "GitHub Actions' OIDC token endpoint",
        REQUEST,
        None,
    )
    .map_err(|mut e| {
        e.kind = ErrorKind::Authentication;
        e
    })?
    .unwrap_or_default();
    body.get("value")
        .and_then(serde_json::Value::as_str)
        .filter(|v| !v.is_empty())
        .map(|v| SecretString::from(v.to_string()))
        .ok_or_else(|| auth_error("GitHub Actions' OIDC token answer has no `value`"))
}

/// An access token and how long it lives.
pub struct IssuedToken {
    pub access_token: SecretString,
    pub expires_in: Duration,
}

/// Runs `az account get-access-token --resource {graph_url} [--tenant {tenant}] --output json`
/// and reads its `accessToken` and expiry (`expires_on`, seconds since the epoch, or the older
/// `expiresOn`, local time).
pub async fn azure_cli_token(
    executable: &Path,
    graph_url: &str,
    tenant: Option<&str>,
) -> ProviderResult<IssuedToken> {
    let mut command = tokio::process::Command::new(executable);
    command
        .args(["account", "get-access-token", "--resource", graph_url])
        .args(["--output", "json"])
        .stdin(std::process::Stdio::null())
        .kill_on_drop(true);
    if let Some(tenant) = tenant {
        command.args(["--tenant", tenant]);
    }
    let shown = executable.display();
    let output = tokio::time::timeout(Duration::from_secs(60), command.output())
        .await
        .map_err(|_| auth_error(format!("`{shown} account get-access-token` took over 60 s")))?
        .map_err(|e| {
            if e.kind() == std::io::ErrorKind::NotFound {
                config_error(format!(
                    "the Azure CLI (`{shown}`) was not found; install it and run `az login`, or \
                     give the azuread provider an app registration's credentials"
                ))
            } else {
                auth_error(format!("could not run `{shown}`: {e}"))
            }
        })?;
    if !output.status.success() {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let first = stderr
            .lines()
            .map(str::trim)
            .find(|l| !l.is_empty())
            .unwrap_or("no message");
        let first: String = first.chars().take(300).collect();
        return Err(auth_error(format!(
            "the Azure CLI could not give an access token for Microsoft Graph: {first}"
        ))
        .with_hint("sign in with `az login` (with `--tenant` for the tenant to configure)"));
    }
    let body: serde_json::Value = serde_json::from_slice(&output.stdout)
        .map_err(|_| auth_error("the Azure CLI printed something other than JSON"))?;
    let access_token = body
        .get("accessToken")
        .and_then(serde_json::Value::as_str)
        .filter(|t| !t.is_empty())
        .map(|t| SecretString::from(t.to_string()))
        .ok_or_else(|| auth_error("the Azure CLI's answer has no accessToken"))?;
    let now = chrono::Utc::now();
    let expires_at = body
        .get("expires_on")
        .and_then(|v| {
            v.as_i64()
                .or_else(|| v.as_str().and_then(|s| s.trim().parse::<i64>().ok()))
        })
        .and_then(|secs| chrono::DateTime::<chrono::Utc>::from_timestamp(secs, 0))
        .or_else(|| {
            let text = body.get("expiresOn")?.as_str()?;
            let naive = chrono::NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").ok()?;
            naive
                .and_local_timezone(chrono::Local)
                .earliest()
                .map(|t| t.with_timezone(&chrono::Utc))
        });
    let expires_in = expires_at
        .and_then(|at| (at - now).to_std().ok())
        .unwrap_or(Duration::from_secs(300));
    Ok(IssuedToken {
        access_token,
        expires_in,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const CLIENT_PEM: &str = include_str!("../../../zentra-test-support/fixtures/certs/client.pem");
    const CLIENT_PKCS1_PEM: &str =
        include_str!("../../../zentra-test-support/fixtures/certs/client-pkcs1.pem");

    #[test]
    fn clouds_set_both_hosts_and_the_exchange_audience() {
        assert_eq!(Cloud::parse("public"), Some(Cloud::Public));
        assert_eq!(Cloud::parse("USGovernment"), Some(Cloud::UsGovernment));
        assert_eq!(Cloud::parse("mars"), None);
        assert_eq!(
            Cloud::China.graph_url(),
            "https://microsoftgraph.chinacloudapi.cn"
        );
        assert_eq!(Cloud::China.login_url(), "https://login.chinacloudapi.cn");
        assert_eq!(
            Cloud::UsGovernment.graph_url(),
            "https://graph.microsoft.us"
        );
        assert_eq!(
            Cloud::UsGovernment.login_url(),
            "https://login.microsoftonline.us"
        );
        assert_eq!(
            Cloud::UsGovernment.token_exchange_audience(),
            "api://AzureADTokenExchangeUSGov"
        );
    }

    fn decode_part(jwt: &str, index: usize) -> serde_json::Value {
        use base64::Engine as _;
        let part = jwt.split('.').nth(index).unwrap();
        serde_json::from_slice(
            &base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(part)
                .unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn assertions_name_the_certificate_and_the_token_endpoint() {
        let cert = ClientCertificate::from_pem(CLIENT_PEM, "client.pem").unwrap();
        let url = "https://login.microsoftonline.com/t/oauth2/v2.0/token";
        let jwt = cert.assertion("cid", url).unwrap();
        let header = decode_part(&jwt, 0);
        assert_eq!(header["alg"], "PS256");
        assert_eq!(header["x5t#S256"], crate::cert::x5t_s256(cert.der()));
        assert_eq!(header["x5t"], crate::cert::x5t(cert.der()));
        let claims = decode_part(&jwt, 1);
        assert_eq!(claims["aud"], url);
        assert_eq!(
            (&claims["iss"], &claims["sub"]),
            (&json("cid"), &json("cid"))
        );
        let exp = claims["exp"].as_i64().unwrap();
        let nbf = claims["nbf"].as_i64().unwrap();
        assert_eq!(exp - nbf, 600);
        let again = decode_part(&cert.assertion("cid", url).unwrap(), 1);
        assert_ne!(claims["jti"], again["jti"], "a fresh jti each time");
    }

    fn json(s: &str) -> serde_json::Value {
        serde_json::Value::String(s.to_string())
    }

    #[test]
    fn pkcs1_keys_and_any_block_order_are_read() {
        let a = ClientCertificate::from_pem(CLIENT_PEM, "a").unwrap();
        let b = ClientCertificate::from_pem(CLIENT_PKCS1_PEM, "b").unwrap();
        assert_eq!(a.der(), b.der());
        b.assertion("cid", "https://x/t").unwrap();
    }

    #[test]
    fn unusable_certificate_files_say_why_without_showing_the_key() {
        let cert_only: String = CLIENT_PEM
            .split("-----BEGIN PRIVATE KEY-----")
            .next()
            .unwrap()
            .to_string();
        let err = ClientCertificate::from_pem(&cert_only, "c.pem").unwrap_err();
        assert!(
            err.message.contains("no RSA private key"),
            "{}",
            err.message
        );
        let key_only = CLIENT_PEM.replace("CERTIFICATE", "NOTHING");
        let err = ClientCertificate::from_pem(&key_only, "k.pem").unwrap_err();
        assert!(err.message.contains("no CERTIFICATE"), "{}", err.message);
        let err = ClientCertificate::from_pem_file(Path::new("store.pfx")).unwrap_err();
        assert!(err.message.contains("openssl pkcs12"), "{}", err.message);
        let cert = ClientCertificate::from_pem(CLIENT_PEM, "c.pem").unwrap();
        let shown = format!("{cert:?}");
        assert!(
            shown.contains("REDACTED") && !shown.contains("MII"),
            "{shown}"
        );
    }

    #[test]
    fn token_files_are_read_and_trimmed() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "  eyJ.a.b\n").unwrap();
        assert_eq!(read_token_file(&path).unwrap().expose_secret(), "eyJ.a.b");
        std::fs::write(&path, "\n").unwrap();
        assert!(
            read_token_file(&path)
                .unwrap_err()
                .message
                .contains("empty")
        );
        let err = read_token_file(&dir.path().join("missing")).unwrap_err();
        assert!(err.message.contains("AZURE_FEDERATED_TOKEN_FILE"));
    }
}
