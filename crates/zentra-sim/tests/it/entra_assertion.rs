//! Certificate credentials at the emulated Entra ID token endpoint: client assertions signed
//! with a key whose certificate is registered on the client app, and each way one is refused.

use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};
use zentra_sim::{EntraCertificate, Seed};
use zentra_test_support::sim::{Sim, read};

const JWT_BEARER: &str = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";
const THUMBPRINT: &str = "kq2Vw0bBv8ZxQ1m3c5r7t9y2u4i6o8p0a2s4d6f8g0h";

/// PKCS#1 DER of an RSA key generated for these tests only (base64).
const TEST_KEY_PKCS1_DER: &str = concat!(
    "MIIEpAIBAAKCAQEA4t/SpV6afEYW5flsXOKCuTnKaVzaBrgjZ6pDh6eJtrtGeVoZaJ0zUNeF1nYMNPZdRVgRvK/F",
    "vh9lN8Hal2yLTuyZmKSh1WtkR6+LbOMzrtYJgZtat9lC+TfPJ2qLanxPJvfKcaj/qKAUNNO652QLM6nlYnc6ZBi+",
    "xx48vn86w7Csryk946w6y0eB5SNSQpmeGg19SfmLaF+G0oHeZYRuyKho1qV3npFe7Y5hyXHHiQKZK888myJop6Yu",
    "kx3NrwILH5P7PQ53FrfoW81b7EtwGQ+SMLhMxJH1RO5srZ6Zg35WFNleWPaNzpRbterc1rspxVwFMjSa0B221nu8",
    "TXeXfQIDAQABAoIBAAnofixvDBkm/c4FDXNQXdGAEXPLidFm+P4zLz19QXmZBoll4saGWFzh+hGKg0WhiCOZ++BS",
    "iYogQzfi//cYAaIsmW1TV1FY8362pG9YzC4ztnjnaNgEUDVOd34VsZ6wwiDbYTHYkHMeq/M+AfjOuOHZ5s+HkdBt",
    "ojtTpJHUlaOWfnfxxbkjIR0kNqvEHBdTKPOFbsbhKXh6ylD7hkxifHci77EMdp9V9p7d/FZjq4DQ+cbjDmluLigw",
    "oDOIKh/Y+JPJ/NXbKTaLV/4yTeLw3I5AU5NY11+1Gk4Az0w2dH0YF7Jt5bLh9wuZqOnK4uC9BY91Y/DkZUucoxHe",
    "1735QCECgYEA97M7TrauvLylNyx7GCKuL5uJIqxYkH2VBWW5yrLeyY+f5Ap8ytVQ8S/jqQHxba3M+UfVhG6QdaxW",
    "IjQis/9+/ZYhNXaXJljuDQ9v5TSJh/ORViyCd2uXz+H5x/GjP4JZTKa313InPjZdTP8HhTdnUYb0Sp7F+h9pSt0X",
    "u+kHkG0CgYEA6nnyldDNh1XBoOa1vuSzdeMH/KxF6TmB0mBCRnrHjr8tJWDbxMonQSOXn1RA9euQgUTIRo2fRK8v",
    "wRsTdaGzC64ZYNplsGHKpLRvWEkMxUxldZofrTLFs6K/dTGIHc4cPtNXhiVnsq0n+GNG6+hDG2rCHqMVlelnET+v",
    "fvwxWVECgYEA1P4Xx22q/7wvTSxAhNZ9dY6G83vDhCuYktWQV05L6IJJ+OtTt46KVXrahp+XHLrQgKJWZdQ1ABq6",
    "zhqKpMDUT/Zig/h/rIfX2v8lNrBgerjkhncrkMjB+A3WnSmZOKk7ZIAPoYEVYZeZzvWVX+XuP9qOAgRZNOUBw1Au",
    "cnTE/lkCgYEAvTXc+OI/CEe+cW3bGYkJ/EZRSqdl3vcl+LLuqFspr9o7vx7zGVEb7iefkdX2ebw2punvR2e/LzjD",
    "K2wC/viWOAWsuwhh6LxxPwnPlAmWwZuNgCH4D9aZzQS2xQZMVejdyCDZTwneLUQnrfvG3lVV2ckDjp+BqrBnGHcw",
    "0iMGW5ECgYB4i3DVch0w1J+Rh4esBRuMQjjHkieERMiRqLvnuXmGanr0uHxrzoGTB9q6nz10AX0qfB+NC+V6wZ6/",
    "3CGIRoXKyE8V/ch36vwhtxrxVGlj+A7iBV408UNNy+qhJ0YuTQrIFfwp+IZnYpFI3IEqQ038bqG/9et/YsJz4pyH",
    "erunGg==",
);

/// The key's modulus, base64url without padding.
const TEST_KEY_MODULUS: &str = concat!(
    "4t_SpV6afEYW5flsXOKCuTnKaVzaBrgjZ6pDh6eJtrtGeVoZaJ0zUNeF1nYMNPZdRVgRvK_Fvh9lN8Hal2yLTuyZ",
    "mKSh1WtkR6-LbOMzrtYJgZtat9lC-TfPJ2qLanxPJvfKcaj_qKAUNNO652QLM6nlYnc6ZBi-xx48vn86w7Csryk9",
    "46w6y0eB5SNSQpmeGg19SfmLaF-G0oHeZYRuyKho1qV3npFe7Y5hyXHHiQKZK888myJop6Yukx3NrwILH5P7PQ53",
    "FrfoW81b7EtwGQ-SMLhMxJH1RO5srZ6Zg35WFNleWPaNzpRbterc1rspxVwFMjSa0B221nu8TXeXfQ",
);

fn encoding_key() -> EncodingKey {
    let der = base64::engine::general_purpose::STANDARD
        .decode(TEST_KEY_PKCS1_DER)
        .expect("test key");
    EncodingKey::from_rsa_der(&der)
}

async fn start() -> Sim {
    let mut seed = Seed::default_demo();
    seed.entra.tenants[0].client_apps[0].certificates = vec![EntraCertificate {
        x5t_s256: Some(THUMBPRINT.into()),
        x5t: None,
        rsa_modulus: TEST_KEY_MODULUS.into(),
        rsa_exponent: "AQAB".into(),
    }];
    Sim::start_seeded(seed).await
}

fn token_url(sim: &Sim) -> String {
    format!(
        "{}/{}/oauth2/v2.0/token",
        sim.var("AZURE_AUTHORITY_HOST"),
        sim.var("AZURE_TENANT_ID")
    )
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(sim: &Sim) -> Value {
    let client = sim.var("AZURE_CLIENT_ID");
    json!({
        "aud": token_url(sim),
        "iss": client,
        "sub": client,
        "jti": uuid::Uuid::new_v4().to_string(),
        "nbf": now(),
        "iat": now(),
        "exp": now() + 600,
    })
}

fn sign(alg: Algorithm, thumbprint: &str, claims: &Value) -> String {
    let mut header = Header::new(alg);
    header.x5t_s256 = Some(thumbprint.to_string());
    jsonwebtoken::encode(&header, claims, &encoding_key()).expect("sign")
}

async fn exchange(sim: &Sim, assertion: &str, extra: &[(&str, &str)]) -> (u16, Value) {
    let scope = format!("{}/.default", sim.var("AZURE_GRAPH_URL"));
    let mut form = vec![
        ("grant_type", "client_credentials"),
        ("client_id", sim.var("AZURE_CLIENT_ID")),
        ("scope", scope.as_str()),
        ("client_assertion_type", JWT_BEARER),
        ("client_assertion", assertion),
    ];
    for (k, v) in extra {
        form.retain(|(name, _)| name != k);
        form.push((k, v));
    }
    read(
        sim.http
            .post(token_url(sim))
            .form(&form)
            .send()
            .await
            .expect("send"),
    )
    .await
}

fn code(body: &Value) -> u64 {
    body["error_codes"][0].as_u64().unwrap_or_default()
}

#[tokio::test]
async fn signed_assertions_get_tokens_that_graph_accepts() {
    let sim = start().await;
    for alg in [Algorithm::RS256, Algorithm::PS256] {
        let (status, body) = exchange(&sim, &sign(alg, THUMBPRINT, &claims(&sim)), &[]).await;
        assert_eq!(status, 200, "{alg:?}: {body}");
        let token = body["access_token"].as_str().expect("token");
        let response = sim
            .http
            .get(sim.graph("/domains"))
            .bearer_auth(token)
            .send()
            .await
            .expect("send");
        assert_eq!(response.status(), 200);
    }
    // The assertion is a credential: it never reaches the request log.
    let log = serde_json::to_string(&sim.server.requests()).expect("log");
    assert!(!log.contains("eyJ"));
}

#[tokio::test]
async fn bad_assertions_are_refused_with_their_aadsts_codes() {
    let sim = start().await;
    let good = claims(&sim);
    let with = |name: &str, value: Value| {
        let mut c = good.clone();
        c[name] = value;
        c
    };
    let mut without_jti = good.clone();
    without_jti.as_object_mut().map(|o| o.remove("jti"));
    let cases = [
        (sign(Algorithm::RS256, "unregistered", &good), 401, 700027),
        (
            sign(
                Algorithm::RS256,
                THUMBPRINT,
                &with("aud", json!("https://elsewhere/token")),
            ),
            401,
            700023,
        ),
        (
            sign(
                Algorithm::RS256,
                THUMBPRINT,
                &with("exp", json!(now() - 3600)),
            ),
            401,
            700024,
        ),
        (
            sign(
                Algorithm::RS256,
                THUMBPRINT,
                &with("iss", json!("00000000-0000-0000-0000-000000000000")),
            ),
            401,
            700021,
        ),
        (sign(Algorithm::RS256, THUMBPRINT, &without_jti), 401, 50027),
        ("not.a.jwt".to_string(), 400, 50027),
    ];
    for (assertion, status, aadsts) in cases {
        let (got, body) = exchange(&sim, &assertion, &[]).await;
        assert_eq!((got, code(&body)), (status, aadsts), "{body}");
        assert_eq!(
            body["error"],
            json!(if status == 401 {
                "invalid_client"
            } else {
                "invalid_request"
            })
        );
    }

    // A signature that does not belong to the payload.
    let one = sign(Algorithm::RS256, THUMBPRINT, &good);
    let other = sign(Algorithm::RS256, THUMBPRINT, &with("jti", json!("other")));
    let parts: Vec<&str> = one.split('.').collect();
    let forged = format!(
        "{}.{}.{}",
        parts[0],
        parts[1],
        other.rsplit('.').next().unwrap_or_default()
    );
    let (status, body) = exchange(&sim, &forged, &[]).await;
    assert_eq!((status, code(&body)), (401, 700027), "{body}");

    // HMAC with a shared secret is not a certificate credential.
    let mut header = Header::new(Algorithm::HS256);
    header.x5t_s256 = Some(THUMBPRINT.into());
    let hmac = jsonwebtoken::encode(&header, &good, &EncodingKey::from_secret(b"k")).expect("sign");
    let (status, body) = exchange(&sim, &hmac, &[]).await;
    assert_eq!((status, code(&body)), (401, 5002738), "{body}");

    let valid = sign(Algorithm::RS256, THUMBPRINT, &good);
    let (status, body) = exchange(&sim, &valid, &[("client_assertion_type", "jwt")]).await;
    assert_eq!((status, code(&body)), (400, 700025), "{body}");
    let secret = sim.var("AZURE_CLIENT_SECRET").to_string();
    let (status, body) = exchange(&sim, &valid, &[("client_secret", &secret)]).await;
    assert_eq!((status, code(&body)), (400, 7000216), "{body}");
}
