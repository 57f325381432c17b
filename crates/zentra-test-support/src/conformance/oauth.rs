//! Checks OAuth token traffic: Zoom Server-to-Server OAuth and the Entra ID client-credentials flow.
//!
//! Headers are passed as `(name, value)` pairs (names compared case-insensitively); form bodies as the raw
//! `application/x-www-form-urlencoded` text. Messages never echo header values or form values, so client
//! secrets, assertions and tokens stay out of test output.
//!
//! Zoom (`POST https://zoom.us/oauth/token`): `grant_type=account_credentials` and a non-empty `account_id`,
//! in the query or the form body (not both, nothing else), and `Authorization: Basic base64(id:secret)` with
//! both parts non-empty. The reply is `{access_token, token_type: "bearer", expires_in, scope, api_url?}` or
//! an OAuth error `{error, reason?, error_description?}`.
//!
//! Entra ID (`POST https://login.microsoftonline.com/{tenant}/oauth2/v2.0/token`): a tenant id or domain (not
//! `common`, `organizations` or `consumers`), a form body with `grant_type=client_credentials`, a GUID
//! `client_id`, exactly one `scope` ending in `/.default`, and exactly one client credential: `client_secret`,
//! a JWT `client_assertion` with the jwt-bearer `client_assertion_type`, or HTTP Basic. The reply is
//! `{token_type: "Bearer", expires_in, ext_expires_in?, access_token}` or `{error, error_description,
//! error_codes?, timestamp?, trace_id?, correlation_id?, error_uri?}`.

use base64::Engine as _;
use serde_json::Value;

use super::{describe, is_guid, parse_query, split_query, strip_origin};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

/// Checks a Zoom Server-to-Server OAuth token request.
pub fn validate_zoom_token_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    form_body: &str,
) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if !method.eq_ignore_ascii_case("POST") {
        errors.push(format!(
            "method: the token endpoint takes POST, found {method}"
        ));
    }
    let (path, query) = split_query(strip_origin(url), "");
    if path != "/oauth/token" {
        errors.push(format!("path: expected /oauth/token, found `{path}`"));
    }
    let query_fields = parse_query(&query);
    let body_fields = parse_query(form_body);
    if !body_fields.is_empty() {
        check_form_content_type(headers, &mut errors);
    }
    let mut fields: Vec<(&str, &str, &str)> = Vec::new();
    for (location, pairs) in [("query", &query_fields), ("form", &body_fields)] {
        for (name, value) in pairs {
            if fields.iter().any(|(_, seen, _)| seen == name) {
                errors.push(format!(
                    "{location}.{name}: given more than once (query and form together count)"
                ));
                continue;
            }
            fields.push((location, name, value));
        }
    }
    for (location, name, _) in &fields {
        match *name {
            "grant_type" | "account_id" => {}
            "client_id" | "client_secret" => errors.push(format!(
                "{location}.{name}: Zoom takes the client credentials in the Basic Authorization header only"
            )),
            _ => errors.push(format!("{location}.{name}: not a parameter of Zoom's account_credentials grant")),
        }
    }
    match fields.iter().find(|(_, name, _)| *name == "grant_type") {
        Some((_, _, "account_credentials")) => {}
        Some((location, _, _)) => errors.push(format!(
            "{location}.grant_type: expected account_credentials"
        )),
        None => errors.push(
            "grant_type: required parameter is missing (expected account_credentials)".to_string(),
        ),
    }
    match fields.iter().find(|(_, name, _)| *name == "account_id") {
        Some((location, _, value))
            if value.trim().is_empty() || value.contains(char::is_whitespace) =>
        {
            errors.push(format!(
                "{location}.account_id: must be a non-empty id without spaces"
            ));
        }
        Some(_) => {}
        None => errors.push("account_id: required parameter is missing".to_string()),
    }
    match header(headers, "authorization") {
        Some(value) => {
            if let Err(problem) = check_basic_credentials(value) {
                errors.push(format!("headers.authorization: {problem}"));
            }
        }
        None => errors.push(
            "headers.authorization: Basic base64(client_id:client_secret) is required".to_string(),
        ),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks the reply of Zoom's token endpoint.
pub fn validate_zoom_token_response(status: u16, body: Option<&Value>) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let Some(object) = body.and_then(Value::as_object) else {
        return Err(vec![format!(
            "body: expected a JSON object, found {}",
            body.map(describe).unwrap_or_else(|| "no body".into())
        )]);
    };
    if status == 200 {
        check_fields(
            object,
            &[
                ("access_token", FieldKind::NonEmptyString, true),
                ("token_type", FieldKind::NonEmptyString, true),
                ("expires_in", FieldKind::PositiveInteger, true),
                ("scope", FieldKind::String, true),
                ("api_url", FieldKind::Url, false),
            ],
            &mut errors,
        );
        if object
            .get("token_type")
            .and_then(Value::as_str)
            .is_some_and(|kind| !kind.eq_ignore_ascii_case("bearer"))
        {
            errors.push("body.token_type: expected bearer".to_string());
        }
    } else if (400..500).contains(&status) {
        check_fields(
            object,
            &[
                ("error", FieldKind::NonEmptyString, true),
                ("reason", FieldKind::String, false),
                ("error_description", FieldKind::String, false),
            ],
            &mut errors,
        );
    } else if status < 500 {
        errors.push(format!(
            "status: {status} is neither 200 nor an OAuth error status"
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks an Entra ID client-credentials token request.
pub fn validate_entra_token_request(
    method: &str,
    url: &str,
    headers: &[(&str, &str)],
    form_body: &str,
) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    if !method.eq_ignore_ascii_case("POST") {
        errors.push(format!(
            "method: the token endpoint takes POST, found {method}"
        ));
    }
    let (path, query) = split_query(strip_origin(url), "");
    if !query.is_empty() {
        errors.push(
            "query: the token request carries its parameters in the form body, not the query"
                .to_string(),
        );
    }
    match path
        .strip_suffix("/oauth2/v2.0/token")
        .map(|tenant| tenant.trim_start_matches('/'))
    {
        Some(tenant) if matches!(tenant, "common" | "organizations" | "consumers") => {
            errors.push(format!(
                "path: the client-credentials flow needs a tenant id or domain, not `{tenant}`"
            ));
        }
        Some(tenant) if is_guid(tenant) || is_domain(tenant) => {}
        Some(_) => errors.push(
            "path: the tenant segment must be a tenant GUID or a verified domain name".to_string(),
        ),
        None => errors.push(format!(
            "path: expected /{{tenant}}/oauth2/v2.0/token, found `{path}`"
        )),
    }
    check_form_content_type(headers, &mut errors);
    let fields = parse_query(form_body);
    let mut seen: Vec<&str> = Vec::new();
    for (name, _) in &fields {
        if seen.contains(&name.as_str()) {
            errors.push(format!("form.{name}: given more than once"));
        }
        seen.push(name);
        if !matches!(
            name.as_str(),
            "grant_type"
                | "client_id"
                | "scope"
                | "client_secret"
                | "client_assertion"
                | "client_assertion_type"
        ) {
            errors.push(format!(
                "form.{name}: not a parameter of the client-credentials grant"
            ));
        }
    }
    let field = |name: &str| {
        fields
            .iter()
            .find(|(field, _)| field == name)
            .map(|(_, value)| value.as_str())
    };
    if field("grant_type") != Some("client_credentials") {
        errors.push("form.grant_type: expected client_credentials".to_string());
    }
    let basic = header(headers, "authorization");
    match field("client_id") {
        Some(client_id) if is_guid(client_id) => {}
        Some(_) => {
            errors.push("form.client_id: expected the application (client) id GUID".to_string())
        }
        None if basic.is_some() => {}
        None => errors.push("form.client_id: required parameter is missing".to_string()),
    }
    match field("scope") {
        Some(scope) => {
            let scopes: Vec<&str> = scope.split_whitespace().collect();
            if scopes.len() != 1 || !scopes[0].ends_with("/.default") {
                errors.push("form.scope: the client-credentials flow takes exactly one `<resource>/.default` scope".to_string());
            }
        }
        None => errors.push("form.scope: required parameter is missing".to_string()),
    }
    let mut credentials = 0;
    if let Some(secret) = field("client_secret") {
        credentials += 1;
        if secret.is_empty() {
            errors.push("form.client_secret: must not be empty".to_string());
        }
    }
    match (field("client_assertion_type"), field("client_assertion")) {
        (None, None) => {}
        (Some(JWT_BEARER), Some(assertion)) => {
            credentials += 1;
            if !is_jwt(assertion) {
                errors.push(
                    "form.client_assertion: expected a signed JWT (three base64url parts)"
                        .to_string(),
                );
            }
        }
        (Some(_), Some(_)) => {
            errors.push(format!("form.client_assertion_type: expected {JWT_BEARER}"))
        }
        _ => errors.push(
            "form.client_assertion: client_assertion and client_assertion_type go together"
                .to_string(),
        ),
    }
    if let Some(value) = basic {
        credentials += 1;
        if let Err(problem) = check_basic_credentials(value) {
            errors.push(format!("headers.authorization: {problem}"));
        }
    }
    match credentials {
        1 => {}
        0 => errors.push(
            "form: no client credential (client_secret, client_assertion or Basic authorization)"
                .to_string(),
        ),
        _ => errors.push("form: more than one client credential was sent".to_string()),
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Checks the reply of Entra ID's token endpoint.
pub fn validate_entra_token_response(status: u16, body: Option<&Value>) -> Result<(), Vec<String>> {
    let mut errors = Vec::new();
    let Some(object) = body.and_then(Value::as_object) else {
        return Err(vec![format!(
            "body: expected a JSON object, found {}",
            body.map(describe).unwrap_or_else(|| "no body".into())
        )]);
    };
    if status == 200 {
        check_fields(
            object,
            &[
                ("token_type", FieldKind::NonEmptyString, true),
                ("expires_in", FieldKind::PositiveInteger, true),
                ("ext_expires_in", FieldKind::PositiveInteger, false),
                ("access_token", FieldKind::NonEmptyString, true),
            ],
            &mut errors,
        );
        if object
            .get("token_type")
            .and_then(Value::as_str)
            .is_some_and(|kind| kind != "Bearer")
        {
            errors.push("body.token_type: expected Bearer".to_string());
        }
    } else if (400..600).contains(&status) {
        check_fields(
            object,
            &[
                ("error", FieldKind::NonEmptyString, true),
                ("error_description", FieldKind::String, true),
                ("error_codes", FieldKind::IntegerArray, false),
                ("timestamp", FieldKind::String, false),
                ("trace_id", FieldKind::String, false),
                ("correlation_id", FieldKind::String, false),
                ("error_uri", FieldKind::String, false),
            ],
            &mut errors,
        );
    } else {
        errors.push(format!(
            "status: {status} is neither 200 nor an error status"
        ));
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

#[derive(Clone, Copy)]
enum FieldKind {
    String,
    NonEmptyString,
    PositiveInteger,
    IntegerArray,
    Url,
}

/// Checks a flat token-endpoint object: declared fields with their kinds, required ones present, nothing else.
fn check_fields(
    object: &serde_json::Map<String, Value>,
    fields: &[(&str, FieldKind, bool)],
    errors: &mut Vec<String>,
) {
    for (name, kind, required) in fields {
        match object.get(*name) {
            None if *required => errors.push(format!("body.{name}: required property is missing")),
            None => {}
            Some(value) => {
                let valid = match kind {
                    FieldKind::String => value.is_string(),
                    FieldKind::NonEmptyString => {
                        value.as_str().is_some_and(|text| !text.is_empty())
                    }
                    FieldKind::PositiveInteger => value.as_u64().is_some_and(|number| number > 0),
                    FieldKind::IntegerArray => value
                        .as_array()
                        .is_some_and(|items| items.iter().all(Value::is_i64)),
                    FieldKind::Url => value
                        .as_str()
                        .is_some_and(|text| url::Url::parse(text).is_ok()),
                };
                if !valid {
                    let expected = match kind {
                        FieldKind::String => "a string",
                        FieldKind::NonEmptyString => "a non-empty string",
                        FieldKind::PositiveInteger => "a positive integer",
                        FieldKind::IntegerArray => "an array of integers",
                        FieldKind::Url => "an absolute URL",
                    };
                    errors.push(format!(
                        "body.{name}: expected {expected}, found {}",
                        describe(value)
                    ));
                }
            }
        }
    }
    for key in object
        .keys()
        .filter(|key| !fields.iter().any(|(name, _, _)| name == key))
    {
        errors.push(format!(
            "body.{key}: property not part of the token endpoint's reply"
        ));
    }
}

fn header<'h>(headers: &[(&str, &'h str)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(header, _)| header.eq_ignore_ascii_case(name))
        .map(|(_, value)| *value)
}

fn check_form_content_type(headers: &[(&str, &str)], errors: &mut Vec<String>) {
    let content_type = header(headers, "content-type").map(|value| {
        value
            .split(';')
            .next()
            .unwrap_or("")
            .trim()
            .to_ascii_lowercase()
    });
    if content_type.as_deref() != Some("application/x-www-form-urlencoded") {
        errors.push("headers.content-type: expected application/x-www-form-urlencoded".to_string());
    }
}

/// `Basic base64(id:secret)` with both parts non-empty; the problem text never contains the credentials.
fn check_basic_credentials(value: &str) -> Result<(), &'static str> {
    let Some(encoded) = value
        .strip_prefix("Basic ")
        .or_else(|| value.strip_prefix("basic "))
    else {
        return Err("expected the Basic scheme");
    };
    let decoded = base64::engine::general_purpose::STANDARD
        .decode(encoded.trim())
        .map_err(|_| "the Basic credentials are not valid base64")?;
    let text = String::from_utf8(decoded).map_err(|_| "the Basic credentials are not UTF-8")?;
    match text.split_once(':') {
        Some((id, secret)) if !id.is_empty() && !secret.is_empty() => Ok(()),
        Some(_) => Err("client id and client secret must both be non-empty"),
        None => Err("the Basic credentials must be `client_id:client_secret`"),
    }
}

fn is_domain(text: &str) -> bool {
    text.contains('.')
        && text.split('.').all(|label| {
            !label.is_empty() && label.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
        })
}

fn is_jwt(text: &str) -> bool {
    let parts: Vec<&str> = text.split('.').collect();
    parts.len() == 3
        && parts[..2].iter().all(|part| !part.is_empty())
        && parts.iter().all(|part| {
            part.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        })
}
