//! Zoom's OAuth token endpoint for Server-to-Server OAuth apps: `POST /oauth/token` with
//! `grant_type=account_credentials&account_id=...` (query string or form body) and HTTP Basic
//! `client_id:client_secret`.
//!
//! Strictness beyond the happy path: a parameter given twice (in the query and the body, or
//! twice in one of them) is rejected, because a client that sends `grant_type` both ways has a
//! bug the real service may or may not forgive; a non-form body is rejected.
//!
//! Error bodies have Zoom OAuth's `{"reason": ..., "error": ...}` shape. Wrong credentials answer
//! 400, as observed in public reports of the live service.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use http::{Method, StatusCode};
use serde_json::json;

use super::Shared;
use super::http::{SimRequest, SimResponse};
use super::state::{ZOOM_TOKEN_SECONDS, ZoomToken, random_token};
use super::zoom_api::tracking_id;

fn oauth_error(status: StatusCode, error: &str, reason: &str) -> SimResponse {
    SimResponse::json(status, json!({"reason": reason, "error": error}))
        .with_header("x-zm-trackingid", tracking_id())
        .with_header("cache-control", "no-store")
}

pub(crate) fn handle(shared: &Shared, req: &SimRequest) -> SimResponse {
    if req.path.trim_end_matches('/') != "/oauth/token" {
        return oauth_error(StatusCode::NOT_FOUND, "invalid_request", "Not Found");
    }
    if req.method != Method::POST {
        return oauth_error(
            StatusCode::METHOD_NOT_ALLOWED,
            "invalid_request",
            "Method Not Allowed",
        )
        .with_header("allow", "POST");
    }

    // Parameters from the query string and, for a form body, from the body.
    let mut params: Vec<(String, String)> = req.query.clone();
    if !req.body.is_empty() {
        if req.media_type().as_deref() != Some("application/x-www-form-urlencoded") {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Invalid request : the body must be application/x-www-form-urlencoded",
            );
        }
        params.extend(
            url::form_urlencoded::parse(&req.body).map(|(k, v)| (k.into_owned(), v.into_owned())),
        );
    }
    let mut seen: HashMap<&str, &str> = HashMap::new();
    for (name, value) in &params {
        if seen.insert(name.as_str(), value.as_str()).is_some() {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                &format!("Invalid request : duplicate parameter '{name}'"),
            );
        }
    }

    let Some((client_id, client_secret)) = req.basic_credentials() else {
        return oauth_error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client ID or client secret is missing",
        );
    };
    let mut state = shared.lock();
    let owner = state.zoom.accounts.iter().find_map(|account| {
        account
            .apps
            .iter()
            .find(|app| app.client_id == client_id)
            .map(|app| (account.id.clone(), app.clone()))
    });
    let Some((owner_account, app)) = owner.filter(|(_, app)| app.client_secret == client_secret)
    else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_client",
            "Invalid client_id or client_secret",
        );
    };

    match seen.get("grant_type").copied() {
        None | Some("") => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing grant type",
            );
        }
        Some("account_credentials") => {}
        Some(_) => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "unsupported_grant_type",
                "Unsupported grant type",
            );
        }
    }
    let account_id = match seen.get("account_id").copied() {
        None | Some("") => {
            return oauth_error(
                StatusCode::BAD_REQUEST,
                "invalid_request",
                "Missing account_id",
            );
        }
        Some(id) => id,
    };
    if account_id != owner_account {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Invalid account_id",
        );
    }

    let token = random_token(64);
    state.zoom.tokens.insert(
        token.clone(),
        ZoomToken {
            account_id: owner_account,
            scopes: app.scopes.clone(),
            expires: Instant::now() + Duration::from_secs(ZOOM_TOKEN_SECONDS),
        },
    );
    SimResponse::json(
        StatusCode::OK,
        json!({
            "access_token": token,
            "token_type": "bearer",
            "expires_in": ZOOM_TOKEN_SECONDS,
            "scope": app.scopes.join(" "),
            "api_url": req.base,
        }),
    )
    .with_header("x-zm-trackingid", tracking_id())
    .with_header("cache-control", "no-store")
}
