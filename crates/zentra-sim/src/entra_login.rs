//! The Entra ID (Azure AD) v2.0 token endpoint for the client credentials grant:
//! `POST /{tenant}/oauth2/v2.0/token` with a form body carrying `grant_type=client_credentials`,
//! `client_id`, `scope={resource}/.default` and either `client_secret` (also accepted as HTTP
//! Basic) or a client assertion (`client_assertion_type` + `client_assertion`): a certificate
//! assertion (an RS256 or PS256 JWT issued by the client itself whose `x5t#S256` or `x5t`
//! header names a certificate registered on the client app; each `jti` is accepted once), or
//! a federated one (workload identity federation: a token of an external issuer matching a
//! federated identity credential of the client, signed by a key of that issuer).
//!
//! Errors use the AAD shape: `error`, `error_description` starting with the `AADSTSnnnn:` code,
//! `error_codes`, `timestamp`, `trace_id`, `correlation_id`, `error_uri`.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use jsonwebtoken::{Algorithm, DecodingKey, Validation, errors::ErrorKind};
use serde_json::json;

use super::Shared;
use super::http::{SimRequest, SimResponse};
use super::seed::{EntraClientApp, FederatedCredentialSeed, JwkSeed, OidcIssuerSeed, app_ids};
use super::state::{GRAPH_TOKEN_SECONDS, GraphToken, Tenant, random_token};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// An AADSTS error.
struct AadError {
    status: StatusCode,
    error: &'static str,
    code: u32,
    message: String,
}

fn aad(status: StatusCode, error: &'static str, code: u32, message: impl Into<String>) -> AadError {
    AadError {
        status,
        error,
        code,
        message: message.into(),
    }
}

fn missing_parameter(name: &str) -> AadError {
    aad(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        900144,
        format!("The request body must contain the following parameter: '{name}'."),
    )
}

impl AadError {
    fn into_response(self, req: &SimRequest) -> SimResponse {
        let trace_id = uuid::Uuid::new_v4().to_string();
        let correlation_id = req
            .header("client-request-id")
            .filter(|v| uuid::Uuid::parse_str(v).is_ok())
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let timestamp = chrono::Utc::now().format("%Y-%m-%d %H:%M:%SZ").to_string();
        SimResponse::json(
            self.status,
            json!({
                "error": self.error,
                "error_description": format!(
                    "AADSTS{}: {} Trace ID: {} Correlation ID: {} Timestamp: {}",
                    self.code, self.message, trace_id, correlation_id, timestamp
                ),
                "error_codes": [self.code],
                "timestamp": timestamp,
                "trace_id": trace_id,
                "correlation_id": correlation_id,
                "error_uri": format!("{}/error?code={}", req.base, self.code),
            }),
        )
        .with_header("cache-control", "no-store, no-cache")
        .with_header("pragma", "no-cache")
        .with_header("x-ms-request-id", trace_id)
    }
}

pub(crate) fn handle(shared: &Shared, req: &SimRequest) -> SimResponse {
    match issue(shared, req) {
        Ok(response) => response,
        Err(error) => error.into_response(req),
    }
}

/// Finds the tenant a path segment names: its id or one of its domains.
fn resolve_tenant<'a>(tenants: &'a [Tenant], segment: &str) -> Result<&'a Tenant, AadError> {
    if uuid::Uuid::parse_str(segment).is_ok() {
        return tenants
            .iter()
            .find(|t| t.id.eq_ignore_ascii_case(segment))
            .ok_or_else(|| {
                aad(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    90002,
                    format!(
                        "Tenant '{segment}' not found. Check to make sure you have the correct \
                         tenant ID and are signing into the correct cloud. Check with your \
                         subscription administrator, this may happen if there are no active \
                         subscriptions for the tenant."
                    ),
                )
            });
    }
    let plausible_domain = segment.contains('.')
        && segment
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '-');
    if !plausible_domain {
        return Err(aad(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900023,
            format!(
                "Specified tenant identifier '{segment}' is neither a valid DNS name, nor a valid \
                 external domain."
            ),
        ));
    }
    tenants
        .iter()
        .find(|t| {
            t.domains.iter().any(|d| {
                d.get("id")
                    .and_then(|v| v.as_str())
                    .is_some_and(|id| id.eq_ignore_ascii_case(segment))
            })
        })
        .ok_or_else(|| {
            aad(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                90002,
                format!(
                    "Tenant '{segment}' not found. This may happen if there are no active \
                     subscriptions for the tenant. Check to make sure you have the correct tenant \
                     ID. Check with your subscription administrator."
                ),
            )
        })
}

/// Which resource a client-credentials scope asks for: only Microsoft Graph is served.
fn check_scope(scope: &str, base: &str, tenant: &Tenant) -> Result<(), AadError> {
    let scopes: Vec<&str> = scope.split(' ').filter(|s| !s.is_empty()).collect();
    if scopes.is_empty() {
        return Err(missing_parameter("scope"));
    }
    for s in &scopes {
        if !s.ends_with("/.default") {
            return Err(aad(
                StatusCode::BAD_REQUEST,
                "invalid_scope",
                1002012,
                format!(
                    "The provided value for scope {s} is not valid. Client credential flows must \
                     have a scope value with /.default suffixed to the resource identifier \
                     (application ID URI)."
                ),
            ));
        }
    }
    if scopes.len() > 1 {
        return Err(aad(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!(
                "The provided request must include a 'scope' input parameter. The provided value \
                 for the input parameter 'scope' is not valid. The scope {scope} is not valid. \
                 A .default scope can't be combined with other scopes."
            ),
        ));
    }
    let resource = scopes[0].trim_end_matches("/.default");
    let graph_names = [
        base.to_string(),
        "https://graph.microsoft.com".to_string(),
        app_ids::MICROSOFT_GRAPH.to_string(),
    ];
    if graph_names.iter().any(|n| n.eq_ignore_ascii_case(resource)) {
        return Ok(());
    }
    if resource.is_empty() || resource.ends_with('/') || resource.contains(' ') {
        return Err(aad(
            StatusCode::BAD_REQUEST,
            "invalid_scope",
            70011,
            format!(
                "The provided value for the input parameter 'scope' is not valid. The scope \
                 {scope} is not valid."
            ),
        ));
    }
    Err(aad(
        StatusCode::BAD_REQUEST,
        "invalid_resource",
        500011,
        format!(
            "The resource principal named {resource} was not found in the tenant named {}. This \
             can happen if the application has not been installed by the administrator of the \
             tenant or consented to by any user in the tenant. You might have sent your \
             authentication request to the wrong tenant.",
            tenant.display_name
        ),
    ))
}

/// `POST /{tenant}/oauth2/v2.0/token` with the client credentials grant: checks the request
/// as Entra ID does (form, grant, client, scope, then the secret or assertion), then issues a
/// token carrying the client's application roles.
fn issue(shared: &Shared, req: &SimRequest) -> Result<SimResponse, AadError> {
    let tenant_segment = token_endpoint_tenant(req)?;
    let mut state = shared.lock();
    let tenant = resolve_tenant(&state.entra.tenants, tenant_segment)?;
    let form = form_of(req)?;
    check_grant_type(&form)?;
    let basic = req.basic_credentials();
    let client_id = client_id_of(&form, basic.as_ref())?;
    let Some(client) = tenant
        .client_apps
        .iter()
        .find(|c| c.client_id.eq_ignore_ascii_case(&client_id))
    else {
        return Err(aad(
            StatusCode::BAD_REQUEST,
            "unauthorized_client",
            700016,
            format!(
                "Application with identifier '{client_id}' was not found in the directory '{}'. \
                 This can happen if the application has not been installed by the administrator \
                 of the tenant or consented to by any user in the tenant. You may have sent your \
                 authentication request to the wrong tenant.",
                tenant.display_name
            ),
        ));
    };
    let scope = form.get("scope").map_or("", String::as_str);
    check_scope(scope, &req.base, tenant)?;
    let credentials = ClientCredentials {
        secret: form
            .get("client_secret")
            .cloned()
            .or_else(|| basic.as_ref().map(|(_, s)| s.clone())),
        assertion: form.get("client_assertion").map(String::as_str),
        assertion_type: form.get("client_assertion_type").map(String::as_str),
    };
    let audiences = [
        format!("{}/{}/oauth2/v2.0/token", req.base, tenant_segment),
        format!("{}/{}/oauth2/v2.0/token", req.base, tenant.id),
        format!("https://login.microsoftonline.com/{tenant_segment}/oauth2/v2.0/token"),
        format!(
            "https://login.microsoftonline.com/{}/oauth2/v2.0/token",
            tenant.id
        ),
    ];
    let spent_assertion =
        authenticate(client, &credentials, &audiences, &state.entra.oidc_issuers)?;
    let roles = client.app_roles.clone();
    let app_id = client.client_id.clone();
    let tenant_id = tenant.id.clone();
    if let Some(spent) = spent_assertion {
        spend(&mut state.entra.used_assertions, spent)?;
    }
    let token = random_token(96);
    state.entra.tokens.insert(
        token.clone(),
        GraphToken {
            tenant_id,
            app_id,
            roles,
            expires: Instant::now() + Duration::from_secs(GRAPH_TOKEN_SECONDS),
        },
    );
    Ok(SimResponse::json(
        StatusCode::OK,
        json!({
            "token_type": "Bearer",
            "expires_in": GRAPH_TOKEN_SECONDS,
            "ext_expires_in": GRAPH_TOKEN_SECONDS,
            "access_token": token,
        }),
    )
    .with_header("cache-control", "no-store, no-cache")
    .with_header("pragma", "no-cache")
    .with_header("x-ms-request-id", uuid::Uuid::new_v4().to_string()))
}

/// The tenant segment of a token request's path, which must be `/{tenant}/oauth2/v2.0/token`
/// asked with POST.
fn token_endpoint_tenant(req: &SimRequest) -> Result<&str, AadError> {
    let segments: Vec<&str> = req.path.trim_start_matches('/').split('/').collect();
    if segments.len() != 4 || segments[1..] != ["oauth2", "v2.0", "token"] {
        return Err(aad(
            StatusCode::NOT_FOUND,
            "invalid_request",
            900561,
            format!(
                "The endpoint {} is not served; use /{{tenant}}/oauth2/v2.0/token.",
                req.raw_path
            ),
        ));
    }
    if req.method != Method::POST {
        return Err(aad(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            900561,
            format!(
                "The endpoint only accepts POST, OPTIONS requests. Received a {} request.",
                req.method
            ),
        ));
    }
    Ok(segments[0])
}

/// The request's form parameters (none unless the body is a form); a parameter given twice is
/// refused.
fn form_of(req: &SimRequest) -> Result<HashMap<String, String>, AadError> {
    let mut form = HashMap::new();
    if req.media_type().as_deref() != Some("application/x-www-form-urlencoded") {
        return Ok(form);
    }
    for (name, value) in url::form_urlencoded::parse(&req.body) {
        let name = name.into_owned();
        if form.contains_key(&name) {
            return Err(aad(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                9000411,
                format!(
                    "The request is not properly formatted. The parameter '{name}' is duplicated."
                ),
            ));
        }
        form.insert(name, value.into_owned());
    }
    Ok(form)
}

/// Only the client credentials grant is served.
fn check_grant_type(form: &HashMap<String, String>) -> Result<(), AadError> {
    let grant_type = form.get("grant_type").map_or("", String::as_str);
    if grant_type.is_empty() {
        return Err(missing_parameter("grant_type"));
    }
    if grant_type != "client_credentials" {
        return Err(aad(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            70003,
            format!("The app requested an unsupported grant type '{grant_type}'."),
        ));
    }
    Ok(())
}

/// The client id, from the form or from HTTP Basic credentials; both must agree when both are
/// given.
fn client_id_of(
    form: &HashMap<String, String>,
    basic: Option<&(String, String)>,
) -> Result<String, AadError> {
    match (form.get("client_id").map(String::as_str), basic) {
        (Some(id), Some((basic_id, _))) if id != basic_id => Err(aad(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000216,
            "The client_id in the request body doesn't match the client_id of the \
             Authorization header.",
        )),
        (Some(id), _) if !id.is_empty() => Ok(id.to_string()),
        (_, Some((basic_id, _))) => Ok(basic_id.clone()),
        _ => Err(missing_parameter("client_id")),
    }
}

/// How a client proves who it is: a secret, or a signed assertion (a certificate's, or a
/// federated token).
struct ClientCredentials<'a> {
    secret: Option<String>,
    assertion: Option<&'a str>,
    assertion_type: Option<&'a str>,
}

/// Checks the client's secret or assertion; a certificate assertion comes back to be spent.
fn authenticate(
    client: &EntraClientApp,
    credentials: &ClientCredentials<'_>,
    audiences: &[String],
    oidc_issuers: &[OidcIssuerSeed],
) -> Result<Option<SpentAssertion>, AadError> {
    match (&credentials.secret, credentials.assertion) {
        (Some(_), Some(_)) => Err(aad(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            7000216,
            "Only one of 'client_assertion', 'client_secret' or 'request' may be presented \
             for the 'client_credentials' grant type.",
        )),
        (None, None) => Err(aad(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            7000218,
            "The request body must contain the following parameter: 'client_assertion' or \
             'client_secret'.",
        )),
        (Some(secret), None) => {
            if client.secrets.iter().any(|s| s == secret) {
                return Ok(None);
            }
            Err(aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                7000215,
                format!(
                    "Invalid client secret provided. Ensure the secret being sent in the \
                     request is the client secret value, not the client secret ID, for a \
                     secret added to app '{}'.",
                    client.client_id
                ),
            ))
        }
        (None, Some(jwt)) => {
            if credentials.assertion_type != Some(JWT_BEARER) {
                return Err(aad(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    700025,
                    format!(
                        "The 'client_assertion_type' parameter must be '{JWT_BEARER}' when a \
                         'client_assertion' is presented."
                    ),
                ));
            }
            let issuer = unverified_claims(jwt)
                .and_then(|c| c.get("iss").and_then(|i| i.as_str()).map(str::to_string))
                .ok_or_else(malformed_jwt)?;
            // Certificate assertions name their certificate; federated tokens name a key id.
            let names_certificate = jsonwebtoken::decode_header(jwt)
                .map(|h| h.x5t.is_some() || h.x5t_s256.is_some())
                .map_err(|_| malformed_jwt())?;
            if names_certificate || issuer.eq_ignore_ascii_case(&client.client_id) {
                return verify_assertion(client, jwt, audiences).map(Some);
            }
            verify_federated(client, jwt, &issuer, oidc_issuers)?;
            Ok(None)
        }
    }
}

/// A certificate assertion is accepted once (federated tokens are reused until they expire).
fn spend(used: &mut HashMap<String, Instant>, spent: SpentAssertion) -> Result<(), AadError> {
    let now = Instant::now();
    used.retain(|_, until| *until > now);
    if used.contains_key(&spent.key) {
        return Err(aad(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            50027,
            "JWT token is invalid or malformed: the client assertion's 'jti' was already \
             used. Sign a new assertion for every token request.",
        ));
    }
    used.insert(spent.key, now + spent.remaining);
    Ok(())
}

/// A certificate assertion that was accepted: its replay key (client and `jti`) and how long
/// it stays valid.
struct SpentAssertion {
    key: String,
    remaining: Duration,
}

fn malformed_jwt() -> AadError {
    aad(
        StatusCode::BAD_REQUEST,
        "invalid_request",
        50027,
        "JWT token is invalid or malformed.",
    )
}

/// The claims of a JWT, read without checking anything (to route it by issuer).
fn unverified_claims(jwt: &str) -> Option<serde_json::Value> {
    use base64::Engine as _;
    let payload = jwt.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .ok()?;
    serde_json::from_slice(&bytes).ok()
}

/// Checks a federated client assertion (workload identity federation): an RS256 token from an
/// external issuer, signed by one of the issuer's keys, whose issuer, subject and audience
/// match a federated identity credential of the client exactly (case-sensitive), in time.
fn verify_federated(
    client: &EntraClientApp,
    jwt: &str,
    issuer: &str,
    issuers: &[OidcIssuerSeed],
) -> Result<(), AadError> {
    let credentials: Vec<&FederatedCredentialSeed> = client
        .federated_credentials
        .iter()
        .filter(|f| f.issuer == issuer)
        .collect();
    if credentials.is_empty() {
        return Err(aad(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            700211,
            format!(
                "No matching federated identity record found for presented assertion issuer \
                 '{issuer}'. Please check your federated identity credential Subject, Audience \
                 and Issuer against the presented assertion."
            ),
        ));
    }
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| malformed_jwt())?;
    if header.alg != Algorithm::RS256 {
        return Err(aad(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            5002738,
            format!(
                "Invalid JWT token. '{:?}' is not a supported signature algorithm for federated \
                 assertions.",
                header.alg
            ),
        ));
    }
    let keys: Vec<&JwkSeed> = issuers
        .iter()
        .filter(|i| i.issuer == issuer)
        .flat_map(|i| i.keys.iter())
        .filter(|k| header.kid.as_deref().is_none_or(|kid| kid == k.kid))
        .collect();
    let Some(jwk) = keys.first() else {
        return Err(aad(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700027,
            format!(
                "The signing key '{}' of the assertion is not among the keys issuer '{issuer}' \
                 publishes.",
                header.kid.unwrap_or_default()
            ),
        ));
    };
    let key = DecodingKey::from_rsa_components(&jwk.n, &jwk.e).map_err(|_| malformed_jwt())?;
    let mut validation = Validation::new(Algorithm::RS256);
    validation.validate_aud = false;
    validation.set_issuer(&[issuer]);
    validation.set_required_spec_claims(&["exp", "iss", "sub", "aud"]);
    validation.validate_nbf = true;
    validation.leeway = 60;
    let data = jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &validation).map_err(|e| {
        match e.kind() {
            ErrorKind::InvalidSignature => aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700027,
                "Client assertion contains an invalid signature.",
            ),
            ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => aad(
                StatusCode::BAD_REQUEST,
                "invalid_client",
                700024,
                "Client assertion is not within its valid time range.",
            ),
            _ => malformed_jwt(),
        }
    })?;
    let audiences: Vec<String> = match data.claims.get("aud") {
        Some(serde_json::Value::String(a)) => vec![a.clone()],
        Some(serde_json::Value::Array(list)) => list
            .iter()
            .filter_map(|a| a.as_str().map(str::to_string))
            .collect(),
        _ => Vec::new(),
    };
    let audience_matches: Vec<&&FederatedCredentialSeed> = credentials
        .iter()
        .filter(|f| f.audiences.iter().any(|a| audiences.contains(a)))
        .collect();
    if audience_matches.is_empty() {
        return Err(aad(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            700212,
            format!(
                "No matching federated identity record found for presented assertion audience \
                 '{}'.",
                audiences.join(", ")
            ),
        ));
    }
    let subject = data
        .claims
        .get("sub")
        .and_then(|s| s.as_str())
        .unwrap_or_default();
    if !audience_matches.iter().any(|f| f.subject == subject) {
        return Err(aad(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            700213,
            format!(
                "No matching federated identity record found for presented assertion subject \
                 '{subject}'. Check your federated identity credential Subject, Audience and \
                 Issuer against the presented assertion."
            ),
        ));
    }
    Ok(())
}

/// Checks a certificate client assertion: signed (RS256 or PS256) by a certificate registered
/// on the client, addressed to this token endpoint, issued by and about the client, in time,
/// with a `jti` (which the caller then refuses to see again).
fn verify_assertion(
    client: &EntraClientApp,
    jwt: &str,
    audiences: &[String],
) -> Result<SpentAssertion, AadError> {
    let malformed = malformed_jwt;
    let header = jsonwebtoken::decode_header(jwt).map_err(|_| malformed())?;
    if !matches!(header.alg, Algorithm::RS256 | Algorithm::PS256) {
        return Err(aad(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            5002738,
            format!(
                "Invalid JWT token. '{:?}' is not a supported signature algorithm. Supported \
                 signing algorithms are: 'RS256, PS256'",
                header.alg
            ),
        ));
    }
    let thumbprint = header.x5t_s256.clone().or(header.x5t.clone());
    let certificate = client.certificates.iter().find(|c| {
        (header.x5t_s256.is_some() && c.x5t_s256 == header.x5t_s256)
            || (header.x5t.is_some() && c.x5t == header.x5t)
    });
    let Some(certificate) = certificate else {
        return Err(aad(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            700027,
            format!(
                "The certificate with identifier used to sign the client assertion is not \
                 registered on application. [Reason - The key was not found., Thumbprint of key \
                 used by client: '{}']",
                thumbprint.unwrap_or_default()
            ),
        ));
    };
    let key = DecodingKey::from_rsa_components(&certificate.rsa_modulus, &certificate.rsa_exponent)
        .map_err(|_| {
            aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700027,
                "Client assertion failed signature validation. [Reason - The registered key is \
                 not a usable RSA public key.]",
            )
        })?;
    let mut validation = Validation::new(header.alg);
    validation.set_audience(audiences);
    validation.set_issuer(&[client.client_id.as_str()]);
    validation.sub = Some(client.client_id.clone());
    validation.set_required_spec_claims(&["exp", "aud", "iss", "sub"]);
    validation.validate_nbf = true;
    validation.leeway = 300;
    let data = jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &validation).map_err(|e| {
        match e.kind() {
            ErrorKind::InvalidSignature | ErrorKind::InvalidRsaKey(_) => aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700027,
                "Client assertion contains an invalid signature. [Reason - The key was found, \
                 but the signature could not be verified.]",
            ),
            ErrorKind::ExpiredSignature | ErrorKind::ImmatureSignature => aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700024,
                "Client assertion is not within its valid time range.",
            ),
            ErrorKind::InvalidAudience => aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700023,
                "Client assertion audience claim does not match Realm issuer.",
            ),
            ErrorKind::InvalidIssuer | ErrorKind::InvalidSubject => aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                700021,
                "Client assertion application identifier doesn't match 'client_id' parameter.",
            ),
            ErrorKind::MissingRequiredClaim(claim) => aad(
                StatusCode::UNAUTHORIZED,
                "invalid_client",
                50027,
                format!("JWT token is invalid or malformed. The claim '{claim}' is missing."),
            ),
            _ => malformed(),
        }
    })?;
    let Some(jti) = data.claims.get("jti").and_then(|v| v.as_str()) else {
        return Err(aad(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            50027,
            "JWT token is invalid or malformed. The claim 'jti' is missing.",
        ));
    };
    let exp = data.claims.get("exp").and_then(|v| v.as_i64()).unwrap_or(0);
    let seconds_left = (exp - chrono::Utc::now().timestamp()).clamp(0, 86_400) as u64;
    Ok(SpentAssertion {
        key: format!("{}:{jti}", client.client_id.to_ascii_lowercase()),
        // The leeway the checks allow, on top.
        remaining: Duration::from_secs(seconds_left + 300),
    })
}
