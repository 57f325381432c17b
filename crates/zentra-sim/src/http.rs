//! The HTTP edge of the emulator: one axum fallback handler takes every request, routes it by
//! path prefix to the emulated service, applies latency and records it in the request log.
//!
//! Routing is done here rather than with axum routes so that each service answers unknown paths
//! and wrong methods with its own vendor's status codes and error bodies, and so that Graph's
//! `$batch` can run inner requests through the same dispatcher.

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::response::{IntoResponse, Response};
use futures::StreamExt as _;
use http::{HeaderMap, HeaderName, HeaderValue, Method, StatusCode};
use serde_json::Value;

use super::log::{RequestRecord, body_for_log, percent_decode_str, redact_query};
use super::{Shared, admin, entra_login, graph, zoom_api, zoom_oauth};

/// Largest request body accepted.
const MAX_BODY: usize = 4 * 1024 * 1024;

pub(crate) fn router(shared: Arc<Shared>) -> Router {
    Router::new().fallback(handle).with_state(shared)
}

/// Which emulated service a path belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Service {
    ZoomOAuth,
    Zoom,
    Graph,
    EntraLogin,
    Admin,
    Unknown,
}

impl Service {
    pub(crate) fn log_name(self) -> &'static str {
        match self {
            Service::ZoomOAuth => "zoom-oauth",
            Service::Zoom => "zoom",
            Service::Graph => "graph",
            Service::EntraLogin => "entra-login",
            Service::Admin => "admin",
            Service::Unknown => "unknown",
        }
    }

    fn of(path: &str) -> Service {
        let first = path.trim_start_matches('/').split('/').next().unwrap_or("");
        let second = path.trim_start_matches('/').split('/').nth(1);
        match first {
            "_sim" => Service::Admin,
            "oauth" => Service::ZoomOAuth,
            "v2" => Service::Zoom,
            "v1.0" => Service::Graph,
            _ if second == Some("oauth2") => Service::EntraLogin,
            _ => Service::Unknown,
        }
    }
}

/// A request as the emulated services see it.
#[derive(Clone, Debug)]
pub(crate) struct SimRequest {
    pub method: Method,
    /// The path as sent (percent-encoded).
    pub raw_path: String,
    /// The path with percent-escapes decoded.
    pub path: String,
    pub raw_query: String,
    /// Query parameters in order, decoded, duplicates kept.
    pub query: Vec<(String, String)>,
    pub headers: HeaderMap,
    pub body: Bytes,
    /// `http://host:port` as the client addressed the emulator.
    pub base: String,
}

impl SimRequest {
    pub(crate) fn new(
        method: Method,
        raw_path: &str,
        raw_query: &str,
        headers: HeaderMap,
        body: Bytes,
        base: String,
    ) -> SimRequest {
        SimRequest {
            method,
            raw_path: raw_path.to_string(),
            path: percent_decode_str(raw_path),
            raw_query: raw_query.to_string(),
            query: url::form_urlencoded::parse(raw_query.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect(),
            headers,
            body,
            base,
        }
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The media type of the body, lower-cased, without parameters.
    pub(crate) fn media_type(&self) -> Option<String> {
        self.header("content-type").map(|ct| {
            ct.split(';')
                .next()
                .unwrap_or("")
                .trim()
                .to_ascii_lowercase()
        })
    }

    /// Every value given for a query parameter.
    pub(crate) fn query_all(&self, name: &str) -> Vec<&str> {
        self.query
            .iter()
            .filter(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .collect()
    }

    /// `client_id` and `client_secret` of an HTTP Basic `Authorization` header (each part
    /// form-urlencoded before base64, as RFC 6749 §2.3.1 asks; plain parts decode unchanged).
    pub(crate) fn basic_credentials(&self) -> Option<(String, String)> {
        use base64::Engine as _;
        let value = self.header("authorization")?.trim();
        let (scheme, encoded) = value.split_once(' ')?;
        if !scheme.eq_ignore_ascii_case("basic") {
            return None;
        }
        let decoded = base64::engine::general_purpose::STANDARD
            .decode(encoded.trim())
            .ok()?;
        let text = String::from_utf8(decoded).ok()?;
        let (id, secret) = text.split_once(':')?;
        let form_decode = |part: &str| {
            url::form_urlencoded::parse(format!("x={part}").as_bytes())
                .next()
                .map(|(_, v)| v.into_owned())
                .unwrap_or_default()
        };
        Some((form_decode(id), form_decode(secret)))
    }

    /// The bearer token of the `Authorization` header, if it has that form.
    pub(crate) fn bearer(&self) -> Option<&str> {
        let value = self.header("authorization")?.trim();
        let (scheme, token) = value.split_once(' ')?;
        if scheme.eq_ignore_ascii_case("bearer") && !token.trim().is_empty() {
            Some(token.trim())
        } else {
            None
        }
    }
}

/// A response body.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum ResponseBody {
    Empty,
    Json(Value),
}

/// A response before it is turned into HTTP.
#[derive(Clone, Debug)]
pub(crate) struct SimResponse {
    pub status: StatusCode,
    pub headers: Vec<(String, String)>,
    pub body: ResponseBody,
}

impl SimResponse {
    pub(crate) fn json(status: StatusCode, body: Value) -> SimResponse {
        SimResponse {
            status,
            headers: Vec::new(),
            body: ResponseBody::Json(body),
        }
    }

    pub(crate) fn empty(status: StatusCode) -> SimResponse {
        SimResponse {
            status,
            headers: Vec::new(),
            body: ResponseBody::Empty,
        }
    }

    pub(crate) fn with_header(mut self, name: &str, value: impl Into<String>) -> SimResponse {
        self.headers.push((name.to_string(), value.into()));
        self
    }

    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn into_http(self) -> Response {
        let mut builder = Response::builder().status(self.status);
        for (name, value) in &self.headers {
            if let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(name.as_bytes()),
                HeaderValue::from_str(value),
            ) {
                builder = builder.header(n, v);
            }
        }
        let has_content_type = self.header("content-type").is_some();
        let body = match self.body {
            ResponseBody::Empty => Body::empty(),
            ResponseBody::Json(value) => {
                if !has_content_type {
                    builder = builder.header("content-type", "application/json;charset=UTF-8");
                }
                Body::from(value.to_string())
            }
        };
        builder
            .body(body)
            .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
    }
}

/// `http://` plus the `Host` header, when it is a plausible authority.
fn base_from_host(headers: &HeaderMap, fallback: &str) -> String {
    headers
        .get("host")
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]_".contains(c))
        })
        .map(|h| format!("http://{h}"))
        .unwrap_or_else(|| fallback.to_string())
}

async fn handle(State(shared): State<Arc<Shared>>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let raw_path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let service = Service::of(&raw_path);
    let bytes = match axum::body::to_bytes(body, MAX_BODY).await {
        Ok(b) => b,
        Err(_) => return StatusCode::PAYLOAD_TOO_LARGE.into_response(),
    };
    let base = base_from_host(&parts.headers, &shared.base_url);
    let req = SimRequest::new(
        parts.method.clone(),
        &raw_path,
        &raw_query,
        parts.headers,
        bytes,
        base,
    );
    if service == Service::Admin {
        return admin::handle(&shared, &req).into_http();
    }
    let vendor_api = matches!(service, Service::Zoom | Service::Graph);
    let (latency, hang) = {
        let mut state = shared.lock();
        let latency = shared.latency + state.draw_latency();
        let rate = state.faults.hang_rate;
        (latency, vendor_api && state.draw(rate))
    };
    if !latency.is_zero() {
        tokio::time::sleep(latency).await;
    }
    if hang {
        // A response that never comes: nothing is carried out, the connection stays silent
        // until the client gives up (bounded, so the emulator never holds it for ever).
        tokio::time::sleep(std::time::Duration::from_secs(600)).await;
        return StatusCode::GATEWAY_TIMEOUT.into_response();
    }
    let response = match service {
        Service::ZoomOAuth => zoom_oauth::handle(&shared, &req),
        Service::Zoom => zoom_api::handle(&shared, &req),
        Service::Graph => graph::handle(&shared, &req),
        Service::EntraLogin => entra_login::handle(&shared, &req),
        Service::Admin | Service::Unknown => SimResponse::json(
            StatusCode::NOT_FOUND,
            serde_json::json!({
                "error": "not_found",
                "message": format!(
                    "{} is not an emulated endpoint (Zoom OAuth: /oauth/token, Zoom API: /v2, \
                     Entra login: /{{tenant}}/oauth2/v2.0/token, Graph: /v1.0, admin: /_sim)",
                    req.raw_path
                )
            }),
        ),
    };
    if service != Service::Unknown {
        let record = RequestRecord {
            service: service.log_name().to_string(),
            method: req.method.to_string(),
            path: req.raw_path.clone(),
            query: redact_query(&req.raw_query),
            body: body_for_log(req.header("content-type"), &req.body),
            status: response.status.as_u16(),
            response: match &response.body {
                ResponseBody::Json(v) => {
                    let mut v = v.clone();
                    crate::log::redact_json(&mut v);
                    Some(v)
                }
                ResponseBody::Empty => None,
            },
        };
        shared.lock().requests.push(record);
    }
    if vendor_api && take_lost_answer(&shared, &req) {
        return lost_answer(response.status);
    }
    if vendor_api {
        let (slow, pause) = {
            let mut state = shared.lock();
            let rate = state.faults.slow_body_rate;
            let pause = match state.faults.slow_body_ms {
                0 => 100,
                ms => ms,
            };
            (state.draw(rate), std::time::Duration::from_millis(pause))
        };
        if slow {
            return slow_body(response.into_http(), pause).await;
        }
    }
    response.into_http()
}

/// The same answer, its body sent a few bytes at a time with `pause` between them.
async fn slow_body(response: Response, pause: std::time::Duration) -> Response {
    let (parts, body) = response.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let pieces: Vec<Bytes> = bytes.chunks(64).map(Bytes::copy_from_slice).collect();
    let stream = futures::stream::iter(pieces).then(move |piece| async move {
        tokio::time::sleep(pause).await;
        Ok::<Bytes, std::io::Error>(piece)
    });
    Response::from_parts(parts, Body::from_stream(stream))
}

/// Whether the answer to `req` is to be lost ([`super::Faults::lose_answer_next`]).
/// Also true for a request drawn for a reset ([`super::Faults::reset_rate`]).
fn take_lost_answer(shared: &Shared, req: &SimRequest) -> bool {
    let mut state = shared.lock();
    let line = format!("{} {}", req.method, req.raw_path);
    if state.faults.lose_answer_next > 0 && line.starts_with(&state.faults.lose_answer_of) {
        state.faults.lose_answer_next -= 1;
        true
    } else {
        let rate = state.faults.reset_rate;
        state.draw(rate)
    }
}

/// An answer whose status goes out but whose body never arrives: the connection is reset
/// instead, so the client cannot tell whether the request was carried out.
fn lost_answer(status: StatusCode) -> Response {
    let reset = futures::stream::once(async {
        Err::<Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionReset,
            "the answer was lost",
        ))
    });
    Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Body::from_stream(reset))
        .unwrap_or_else(|_| StatusCode::INTERNAL_SERVER_ERROR.into_response())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_told_apart_by_path() {
        assert_eq!(Service::of("/oauth/token"), Service::ZoomOAuth);
        assert_eq!(Service::of("/v2/accounts/me/settings"), Service::Zoom);
        assert_eq!(Service::of("/v2"), Service::Zoom);
        assert_eq!(Service::of("/v1.0/$batch"), Service::Graph);
        assert_eq!(
            Service::of("/8a3c5e21-4b6d-4f9e-9c1a-2d7e6f0b3a94/oauth2/v2.0/token"),
            Service::EntraLogin
        );
        assert_eq!(Service::of("/_sim/state"), Service::Admin);
        assert_eq!(Service::of("/"), Service::Unknown);
        assert_eq!(Service::of("/v3/x"), Service::Unknown);
    }

    #[test]
    fn bearer_tokens_are_parsed_strictly() {
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Bearer abc"));
        let req = SimRequest::new(
            Method::GET,
            "/v2/x",
            "a=1&a=2&b=%20c",
            headers,
            Bytes::new(),
            "http://h".into(),
        );
        assert_eq!(req.bearer(), Some("abc"));
        assert_eq!(req.query_all("a"), vec!["1", "2"]);
        assert_eq!(req.query_all("b"), vec![" c"]);
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Basic abc"));
        let req = SimRequest::new(Method::GET, "/", "", headers, Bytes::new(), "h".into());
        assert_eq!(req.bearer(), None);
    }

    #[test]
    fn basic_credentials_are_decoded() {
        use base64::Engine as _;
        let mut headers = HeaderMap::new();
        let encoded = base64::engine::general_purpose::STANDARD.encode("my%20id:s3cr%3At");
        headers.insert(
            "authorization",
            HeaderValue::from_str(&format!("Basic {encoded}")).expect("header"),
        );
        let req = SimRequest::new(Method::POST, "/", "", headers, Bytes::new(), "h".into());
        assert_eq!(
            req.basic_credentials(),
            Some(("my id".to_string(), "s3cr:t".to_string()))
        );
        let mut headers = HeaderMap::new();
        headers.insert("authorization", HeaderValue::from_static("Basic !!!"));
        let req = SimRequest::new(Method::POST, "/", "", headers, Bytes::new(), "h".into());
        assert_eq!(req.basic_credentials(), None);
    }

    #[test]
    fn host_header_sets_the_base_url() {
        let mut headers = HeaderMap::new();
        headers.insert("host", HeaderValue::from_static("sim.local:8080"));
        assert_eq!(
            base_from_host(&headers, "http://x"),
            "http://sim.local:8080"
        );
        headers.insert("host", HeaderValue::from_static("evil/path"));
        assert_eq!(base_from_host(&headers, "http://x"), "http://x");
    }
}
