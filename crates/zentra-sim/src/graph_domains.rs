//! Domain changes and domain federation: `PATCH /domains/{id}` and the federation
//! configuration of a domain, `/domains/{id}/federationConfiguration[/{id}]` (list, create,
//! get, `PATCH` answering 200 with the object, delete), as `internalDomainFederation` objects.
//! Listing the configurations of a domain that has none answers 404, as Graph documents.
//!
//! Creating a federation configuration makes the domain `Federated`. Deleting it leaves the
//! domain `Federated` until `PATCH /domains/{id}` sets `authenticationType` back to `Managed`,
//! the two-step conversion Microsoft documents; a domain that still has a configuration cannot
//! be set to `Managed`. The initial (`*.onmicrosoft.com`) domain, the default domain and
//! unverified domains cannot be federated, and each identity provider issuer may federate one
//! domain of the tenant.

use std::time::Instant;

use base64::Engine as _;
use http::{Method, StatusCode};
use serde_json::{Map, Value, json};

use super::graph::{
    Auth, Call, GraphError, Outcome, bad_request, context, entity, gerr, method_not_allowed,
    not_found, require, select_of, tenant_mut,
};
use super::graph_types::{self, DOMAIN, INTERNAL_DOMAIN_FEDERATION, Mode};
use super::state::{DomainFederation, SimState, Stored, Tenant};

const READ: &[&str] = &[
    "Domain.Read.All",
    "Domain.ReadWrite.All",
    "Domain-InternalFederation.ReadWrite.All",
    "Directory.Read.All",
    "Directory.ReadWrite.All",
];
const WRITE_FEDERATION: &[&str] = &[
    "Domain-InternalFederation.ReadWrite.All",
    "Domain.ReadWrite.All",
];
const WRITE_DOMAIN: &[&str] = &["Domain.ReadWrite.All", "Directory.ReadWrite.All"];
const ODATA_TYPE: &str = "#microsoft.graph.internalDomainFederation";

fn domain_flag(tenant: &Tenant, index: usize, flag: &str) -> bool {
    tenant.domains[index]
        .get(flag)
        .and_then(Value::as_bool)
        .unwrap_or(false)
}

fn domain_name(tenant: &Tenant, index: usize) -> String {
    tenant.domains[index]
        .get("id")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

fn set_authentication_type(tenant: &mut Tenant, index: usize, value: &str) {
    if let Some(domain) = tenant.domains[index].as_object_mut() {
        domain.insert("authenticationType".into(), json!(value));
    }
}

/// `PATCH /domains/{id}`.
pub(super) fn patch_domain(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    id: &str,
) -> Result<Outcome, GraphError> {
    let body = call.json_body()?;
    // Switching the authentication type is what the federation permission allows.
    let only_authentication_type = body.keys().all(|k| k == "authenticationType");
    if only_authentication_type {
        let mut allowed = WRITE_DOMAIN.to_vec();
        allowed.extend(WRITE_FEDERATION);
        require(auth, &allowed)?;
    } else {
        require(auth, WRITE_DOMAIN)?;
    }
    graph_types::validate_body(&DOMAIN, &body, Mode::Update)
        .map_err(|(code, message)| bad_request(code, message))?;
    let tenant = tenant_mut(state, auth)?;
    let index = tenant.domain_index(id).ok_or_else(|| not_found(id))?;
    let name = domain_name(tenant, index);
    if let Some(kind) = body.get("authenticationType") {
        match kind.as_str() {
            Some("Managed") if tenant.federation_index(&name, None).is_some() => {
                return Err(bad_request(
                    "Request_BadRequest",
                    format!(
                        "Domain '{name}' still has a federation configuration; delete it before \
                         setting the domain to Managed."
                    ),
                ));
            }
            Some("Managed") => {}
            Some("Federated") if tenant.federation_index(&name, None).is_none() => {
                return Err(bad_request(
                    "Request_BadRequest",
                    format!(
                        "Domain '{name}' has no federation configuration; create one to federate \
                         the domain."
                    ),
                ));
            }
            Some("Federated") => {}
            _ => {
                return Err(bad_request(
                    "Request_BadRequest",
                    "Invalid value specified for property 'authenticationType' of resource \
                     'Domain'.",
                ));
            }
        }
    }
    if body.get("isDefault") == Some(&json!(true)) {
        for (i, domain) in tenant.domains.iter_mut().enumerate() {
            if let Some(d) = domain.as_object_mut() {
                d.insert("isDefault".into(), json!(i == index));
            }
        }
    }
    if let Some(domain) = tenant.domains[index].as_object_mut() {
        for (key, value) in body {
            if !key.starts_with("@odata.") && key != "isDefault" {
                domain.insert(key, value);
            }
        }
    }
    Ok(Outcome::no_content())
}

/// A certificate property must be base64 of a DER X.509 certificate.
fn check_certificate(body: &Map<String, Value>, property: &str) -> Result<(), GraphError> {
    let Some(value) = body.get(property) else {
        return Ok(());
    };
    if value.is_null() {
        return Ok(());
    }
    let usable = value
        .as_str()
        .and_then(|s| base64::engine::general_purpose::STANDARD.decode(s).ok())
        .is_some_and(|der| {
            use x509_parser::prelude::FromDer as _;
            matches!(
                x509_parser::certificate::X509Certificate::from_der(&der),
                Ok((rest, _)) if rest.is_empty()
            )
        });
    if usable {
        Ok(())
    } else {
        Err(bad_request(
            "Request_BadRequest",
            format!(
                "Invalid value specified for property '{property}' of resource \
                 'InternalDomainFederation': it must be a base64-encoded X.509 certificate."
            ),
        ))
    }
}

/// Another domain of the tenant federated with the same issuer, if any.
fn issuer_in_use(tenant: &Tenant, issuer: &str, except_domain: &str) -> Option<String> {
    tenant
        .federations
        .iter()
        .find(|f| {
            !f.domain.eq_ignore_ascii_case(except_domain)
                && f.object.str_field("issuerUri") == Some(issuer)
        })
        .map(|f| f.domain.clone())
}

fn issuer_conflict(issuer: &str, domain: &str) -> GraphError {
    gerr(
        StatusCode::CONFLICT,
        "Request_MultipleObjectsWithSameKeyValue",
        format!(
            "The issuer URI '{issuer}' is already used by the federation configuration of domain \
             '{domain}'."
        ),
    )
}

fn with_type(data: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("@odata.type".into(), json!(ODATA_TYPE));
    out.extend(data.clone());
    out
}

/// A new configuration that does not say otherwise does not sign requests: "If `false`
/// (default), the SAML authentication requests sent to the federated IdP are not signed."
pub(crate) fn default_signed_requests(data: &mut Map<String, Value>) {
    let property = "isSignedAuthenticationRequestRequired";
    if data.get(property).is_none_or(Value::is_null) {
        data.insert(property.into(), json!(false));
    }
}

/// `GET|POST /domains/{id}/federationConfiguration`.
pub(super) fn collection(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    domain: &str,
) -> Result<Outcome, GraphError> {
    match call.method {
        Method::GET => {
            require(auth, READ)?;
            let select = select_of(call, &INTERNAL_DOMAIN_FEDERATION)?;
            let now = Instant::now();
            let tenant = tenant_mut(state, auth)?;
            let index = tenant
                .domain_index(domain)
                .ok_or_else(|| not_found(domain))?;
            let name = domain_name(tenant, index);
            let value: Vec<Value> = tenant
                .federations
                .iter()
                .filter(|f| f.domain.eq_ignore_ascii_case(&name) && f.object.visible(now))
                .map(|f| {
                    Value::Object(super::graph_odata::project(
                        &with_type(&f.object.data),
                        &select,
                    ))
                })
                .collect();
            // "If there isn't an internalDomainFederation object in the tenant, this API
            // returns a 404 Not Found response code" (List internalDomainFederations).
            if value.is_empty() {
                return Err(gerr(
                    StatusCode::NOT_FOUND,
                    "Request_ResourceNotFound",
                    format!("Domain '{name}' has no federation configuration."),
                ));
            }
            Ok(Outcome::json(
                StatusCode::OK,
                json!({
                    "@odata.context": context(call, &format!("domains('{name}')/federationConfiguration"), &select, false),
                    "value": value,
                }),
            ))
        }
        Method::POST => {
            require(auth, WRITE_FEDERATION)?;
            create(state, auth, call, domain)
        }
        _ => Err(method_not_allowed()),
    }
}

fn create(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    domain: &str,
) -> Result<Outcome, GraphError> {
    let body = call.json_body()?;
    graph_types::validate_body(&INTERNAL_DOMAIN_FEDERATION, &body, Mode::Create)
        .map_err(|(code, message)| bad_request(code, message))?;
    for required in ["issuerUri", "passiveSignInUri", "signingCertificate"] {
        if body
            .get(required)
            .and_then(Value::as_str)
            .is_none_or(str::is_empty)
        {
            return Err(bad_request(
                "Request_BadRequest",
                format!(
                    "The property '{required}' is required to create an \
                     internalDomainFederation."
                ),
            ));
        }
    }
    check_certificate(&body, "signingCertificate")?;
    check_certificate(&body, "nextSigningCertificate")?;
    let lag = state.lag;
    let now = Instant::now();
    let tenant = tenant_mut(state, auth)?;
    let index = tenant
        .domain_index(domain)
        .ok_or_else(|| not_found(domain))?;
    let name = domain_name(tenant, index);
    if domain_flag(tenant, index, "isInitial") {
        return Err(bad_request(
            "Request_BadRequest",
            format!("The initial domain '{name}' cannot be federated."),
        ));
    }
    if domain_flag(tenant, index, "isDefault") {
        return Err(bad_request(
            "Request_BadRequest",
            format!(
                "The default domain '{name}' cannot be federated; make another domain the default \
                 first."
            ),
        ));
    }
    if !domain_flag(tenant, index, "isVerified") {
        return Err(bad_request(
            "Request_BadRequest",
            format!("Domain '{name}' is not verified; verify it before federating it."),
        ));
    }
    if tenant.federation_index(&name, None).is_some() {
        return Err(gerr(
            StatusCode::CONFLICT,
            "Request_MultipleObjectsWithSameKeyValue",
            format!("Domain '{name}' already has a federation configuration."),
        ));
    }
    let issuer = body
        .get("issuerUri")
        .and_then(Value::as_str)
        .unwrap_or_default();
    if let Some(other) = issuer_in_use(tenant, issuer, &name) {
        return Err(issuer_conflict(issuer, &other));
    }
    let id = uuid::Uuid::new_v4().to_string();
    let mut data = Map::new();
    data.insert("id".into(), json!(id));
    for prop in INTERNAL_DOMAIN_FEDERATION.props() {
        if prop.name != "id" {
            data.insert(prop.name.clone(), Value::Null);
        }
    }
    for (key, value) in body {
        if !key.starts_with("@odata.") {
            data.insert(key, value);
        }
    }
    default_signed_requests(&mut data);
    data.insert(
        "signingCertificateUpdateStatus".into(),
        json!({
            "certificateUpdateResult": "Success",
            "lastRunDateTime": chrono::Utc::now().format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        }),
    );
    tenant.federations.push(DomainFederation {
        domain: name.clone(),
        object: Stored {
            visible_at: Stored::visible_after(now, lag),
            data: data.clone(),
        },
    });
    set_authentication_type(tenant, index, "Federated");
    let mut out = Map::new();
    out.insert(
        "@odata.context".into(),
        Value::String(context(
            call,
            &format!("domains('{name}')/federationConfiguration"),
            &[],
            true,
        )),
    );
    out.extend(with_type(&data));
    let mut outcome = Outcome::json(StatusCode::CREATED, Value::Object(out));
    outcome.headers.push((
        "Location".into(),
        format!(
            "{}/domains/{name}/federationConfiguration/{id}",
            call.root()
        ),
    ));
    Ok(outcome)
}

/// `GET|PATCH|DELETE /domains/{id}/federationConfiguration/{id}`.
pub(super) fn item(
    state: &mut SimState,
    auth: &Auth,
    call: &Call,
    domain: &str,
    id: &str,
) -> Result<Outcome, GraphError> {
    match call.method {
        Method::GET => require(auth, READ)?,
        Method::PATCH | Method::DELETE => require(auth, WRITE_FEDERATION)?,
        _ => return Err(method_not_allowed()),
    }
    let now = Instant::now();
    let tenant = tenant_mut(state, auth)?;
    let domain_index = tenant
        .domain_index(domain)
        .ok_or_else(|| not_found(domain))?;
    let name = domain_name(tenant, domain_index);
    let index = tenant
        .federation_index(&name, Some(now))
        .filter(|&i| tenant.federations[i].object.id() == id)
        .ok_or_else(|| not_found(id))?;
    match call.method {
        Method::DELETE => {
            tenant.federations.remove(index);
            Ok(Outcome::no_content())
        }
        Method::PATCH => {
            let body = call.json_body()?;
            graph_types::validate_body(&INTERNAL_DOMAIN_FEDERATION, &body, Mode::Update)
                .map_err(|(code, message)| bad_request(code, message))?;
            check_certificate(&body, "signingCertificate")?;
            check_certificate(&body, "nextSigningCertificate")?;
            for required in ["issuerUri", "passiveSignInUri", "signingCertificate"] {
                if body.get(required).is_some_and(Value::is_null) {
                    return Err(bad_request(
                        "Request_BadRequest",
                        format!("The property '{required}' cannot be removed."),
                    ));
                }
            }
            let tenant = tenant_mut(state, auth)?;
            if let Some(issuer) = body.get("issuerUri").and_then(Value::as_str)
                && let Some(other) = issuer_in_use(tenant, issuer, &name)
            {
                return Err(issuer_conflict(issuer, &other));
            }
            let data = &mut tenant.federations[index].object.data;
            for (key, value) in body {
                if !key.starts_with("@odata.") {
                    data.insert(key, value);
                }
            }
            let data = data.clone();
            let mut out = Map::new();
            out.insert(
                "@odata.context".into(),
                Value::String(context(
                    call,
                    &format!("domains('{name}')/federationConfiguration"),
                    &[],
                    true,
                )),
            );
            out.extend(with_type(&data));
            Ok(Outcome::json(StatusCode::OK, Value::Object(out)))
        }
        _ => {
            let select = select_of(call, &INTERNAL_DOMAIN_FEDERATION)?;
            let data = with_type(&tenant.federations[index].object.data);
            Ok(entity(
                call,
                &format!("domains('{name}')/federationConfiguration"),
                &select,
                &data,
            ))
        }
    }
}
