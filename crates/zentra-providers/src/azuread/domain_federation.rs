//! `azuread_domain_federation`: a domain's federation with an external identity provider such
//! as Okta or PingFederate (`/domains/{domain}/federationConfiguration`, an
//! `internalDomainFederation`): users of the domain then sign in at the identity provider.
//!
//! The settings can be written one by one or taken from the identity provider's metadata
//! (`metadata_xml = file("okta-metadata.xml")`); attributes written explicitly win over the
//! metadata. The metadata is read while the configuration is loaded, so a broken document,
//! like an attempt to federate a `*.onmicrosoft.com` domain, fails before any request; the
//! default and the initial domain are refused when planning, before anything is written.
//! Certificates are kept as Graph stores them (base64 of the DER) and plans show them by
//! subject, thumbprint and expiry, so a certificate rollover reads as such.
//!
//! Deleting the resource removes the federation configuration and converts the domain back to
//! `Managed` (cloud authentication): users of the domain then sign in with Entra ID passwords.

use std::collections::HashMap;

use serde_json::{Map, Value as Json, json};

use super::federation_metadata;
use super::{AzureAdProvider, Key, ReadPlan, key, known};
use crate::client::encode_segment;
use crate::client::graph::GraphRequest;
use crate::paths::paths_to_write;
use zentra_engine::provider::{
    ErrorKind, InvalidAttribute, ProviderError, ProviderResult, ReadRequest, RemoteObject,
    WriteRequest,
};
use zentra_engine::schema::{
    Access, Attr, Permission, PermissionSystem, ResourceKind, ResourceSchema,
};
use zentra_engine::value::Value;

pub(crate) const TYPE_NAME: &str = "azuread_domain_federation";

const DOMAIN: &str = "domain_id";
const METADATA: &str = "metadata_xml";
const METADATA_ENTITY: &str = "metadata_entity_id";
const SIGNING: &str = "signing_certificate";
const NEXT_SIGNING: &str = "next_signing_certificate";
const PROTOCOL: &str = "preferred_authentication_protocol";
const SIGNED_REQUESTS: &str = "is_signed_authentication_request_required";
const MFA_BEHAVIOR: &str = "federated_idp_mfa_behavior";
const CERTIFICATE_INFO: &str = "signing_certificate_info";

/// Graph's documented default of `federatedIdpMfaBehavior` ("If neither federatedIdpMfaBehavior
/// nor SupportsMfa is set, ... `acceptIfMfaDoneByFederatedIdp`").
const DEFAULT_MFA_BEHAVIOR: &str = "acceptIfMfaDoneByFederatedIdp";

/// What a federation taken from `metadata_xml` sets for the settings no metadata document
/// gives, unless the configuration writes them: the federation belongs to that identity
/// provider alone, so nothing of a previous one stays trusted. Cleared (`null`): the WS-Trust
/// endpoints (`metadata_exchange_uri`, `active_sign_in_uri`), `password_reset_uri` and
/// `prompt_login_behavior` (Graph documents no default for it); the documented default for
/// `federated_idp_mfa_behavior`. `display_name` names the federation and trusts nothing, so it
/// is managed only when written. Of what the metadata gives, `sign_out_uri` and
/// `next_signing_certificate` are cleared when the document has none, and
/// `is_signed_authentication_request_required` is its `WantAuthnRequestsSigned` (`false`, the
/// documented default, when absent or for WS-Federation).
const METADATA_OWNED_DEFAULTS: [(&str, Option<&str>); 5] = [
    ("metadata_exchange_uri", None),
    ("active_sign_in_uri", None),
    ("password_reset_uri", None),
    ("prompt_login_behavior", None),
    (MFA_BEHAVIOR, Some(DEFAULT_MFA_BEHAVIOR)),
];

/// The settings a metadata document gives.
const FROM_METADATA: [&str; 7] = [
    PROTOCOL,
    "issuer_uri",
    "passive_sign_in_uri",
    "sign_out_uri",
    SIGNING,
    NEXT_SIGNING,
    SIGNED_REQUESTS,
];
const ODATA_TYPE: &str = "#microsoft.graph.internalDomainFederation";

/// The managed settings: attribute name and Graph property.
const PROPERTIES: [(&str, &str); 13] = [
    ("display_name", "displayName"),
    ("issuer_uri", "issuerUri"),
    ("metadata_exchange_uri", "metadataExchangeUri"),
    ("passive_sign_in_uri", "passiveSignInUri"),
    ("active_sign_in_uri", "activeSignInUri"),
    ("sign_out_uri", "signOutUri"),
    ("password_reset_uri", "passwordResetUri"),
    (SIGNING, "signingCertificate"),
    (NEXT_SIGNING, "nextSigningCertificate"),
    (PROTOCOL, "preferredAuthenticationProtocol"),
    ("federated_idp_mfa_behavior", "federatedIdpMfaBehavior"),
    ("prompt_login_behavior", "promptLoginBehavior"),
    (
        "is_signed_authentication_request_required",
        "isSignedAuthenticationRequestRequired",
    ),
];

/// What a federation needs once the metadata is read.
const NEEDED: [(&str, &str); 4] = [
    ("issuer_uri", "the identity provider's issuer (entityID)"),
    ("passive_sign_in_uri", "the identity provider's sign-in URL"),
    (SIGNING, "the identity provider's token-signing certificate"),
    (PROTOCOL, "`saml` or `wsFed`"),
];

pub(crate) fn resource_schema() -> ResourceSchema {
    let text = |d: &str| Attr::string().describe(d);
    let mut metadata = Attr::string().describe(
        "The identity provider's SAML 2.0 or WS-Federation metadata document, e.g. \
         `file(\"okta-metadata.xml\")`. Gives the issuer, sign-in and sign-out URLs, signing \
         certificate (a second one becomes the next certificate), whether requests are signed \
         (`WantAuthnRequestsSigned`) and protocol; attributes set here win over it. The \
         federation then owns every setting: what the metadata does not give is cleared \
         (`next_signing_certificate`, `sign_out_uri`, `metadata_exchange_uri`, \
         `active_sign_in_uri`, `password_reset_uri`, `prompt_login_behavior`) or set to its \
         documented default (`federated_idp_mfa_behavior` = `acceptIfMfaDoneByFederatedIdp`, \
         `is_signed_authentication_request_required` = false), so nothing of a previous \
         identity provider stays trusted. `display_name` is managed only when written.",
    );
    metadata.write_only = true;
    let mut entity = Attr::string()
        .describe("The entityID to use when the metadata describes several identity providers.");
    entity.write_only = true;
    ResourceSchema::new(
        TYPE_NAME,
        ResourceKind::Object,
        "Federation of a verified domain with an external identity provider (Okta, \
         PingFederate, AD FS): the domain's users sign in there. Deleting it (removing the \
         block of a federation zentra created) converts the domain back to managed (cloud) \
         authentication; an adopted federation is only forgotten.",
        Attr::object([
            (
                DOMAIN,
                Attr::string()
                    .describe(
                        "The domain to federate, e.g. `contoso.com`. Neither the default domain \
                         nor the initial `*.onmicrosoft.com` domain can be federated.",
                    )
                    .case_insensitive()
                    .required()
                    .force_new(),
            ),
            (METADATA, metadata),
            (METADATA_ENTITY, entity),
            ("display_name", text("Name of the federation (the identity provider).")),
            (
                "issuer_uri",
                text("The identity provider's issuer URI (its entityID)."),
            ),
            (
                "metadata_exchange_uri",
                text("The identity provider's WS-Trust metadata exchange (MEX) URL, for rich clients."),
            ),
            (
                "passive_sign_in_uri",
                text("Where browsers are sent to sign in (SAML SSO or WS-Federation passive endpoint)."),
            ),
            (
                "active_sign_in_uri",
                text("The WS-Trust endpoint for rich clients (MSOnline's ActiveLogOnUri)."),
            ),
            ("sign_out_uri", text("Where browsers are sent to sign out.")),
            (
                "password_reset_uri",
                text("Where users are sent to reset their password."),
            ),
            (
                SIGNING,
                text(
                    "The identity provider's token-signing certificate, base64 DER or PEM. \
                     Plans show it by subject, thumbprint and expiry.",
                ),
            ),
            (
                NEXT_SIGNING,
                text(
                    "The certificate the identity provider rolls over to next, so that sign-in \
                     keeps working through the rollover.",
                ),
            ),
            (
                PROTOCOL,
                Attr::string()
                    .describe("The sign-in protocol: `saml` or `wsFed`.")
                    .one_of(&["saml", "wsFed"]),
            ),
            (
                "federated_idp_mfa_behavior",
                Attr::string()
                    .describe(
                        "Whether Entra ID accepts the identity provider's MFA \
                         (`acceptIfMfaDoneByFederatedIdp`, the default), requires it \
                         (`enforceMfaByFederatedIdp`) or ignores it and does its own \
                         (`rejectMfaByFederatedIdp`).",
                    )
                    .one_of(&[
                        "acceptIfMfaDoneByFederatedIdp",
                        "enforceMfaByFederatedIdp",
                        "rejectMfaByFederatedIdp",
                    ]),
            ),
            (
                "prompt_login_behavior",
                Attr::string()
                    .describe(
                        "How a request to sign in again is passed on: \
                         `translateToFreshPasswordAuthentication`, `nativeSupport` (prompt=login \
                         as is) or `disabled`.",
                    )
                    .one_of(&[
                        "translateToFreshPasswordAuthentication",
                        "nativeSupport",
                        "disabled",
                    ]),
            ),
            (
                "is_signed_authentication_request_required",
                Attr::bool()
                    .describe("Whether the identity provider requires signed SAML requests."),
            ),
            (
                "domain_authentication_type",
                Attr::string()
                    .describe("The domain's authentication type: `Federated` or `Managed`.")
                    .computed(),
            ),
            (
                "signing_certificate_info",
                Attr::object([
                    ("subject", Attr::string()),
                    ("issuer", Attr::string()),
                    ("thumbprint_sha1", Attr::string()),
                    ("thumbprint_sha256", Attr::string()),
                    ("not_before", Attr::string()),
                    ("not_after", Attr::string()),
                ])
                .describe(
                    "The signing certificate's subject, thumbprints and validity: the \
                     configured certificate's while planning (so a change shows the new one), \
                     `(known after apply)` while the certificate itself is.",
                )
                .computed(),
            ),
        ]),
    )
    .with_permissions(vec![
        Permission::new(
            PermissionSystem::GraphApplication,
            "Domain.Read.All",
            Access::Read,
            "GET /domains/{domain} and /domains/{domain}/federationConfiguration",
        ),
        Permission::new(
            PermissionSystem::GraphApplication,
            "Domain-InternalFederation.ReadWrite.All",
            Access::Write,
            "POST, PATCH and DELETE /domains/{domain}/federationConfiguration, and PATCH \
             /domains/{domain} authenticationType back to Managed",
        ),
        Permission::new(
            PermissionSystem::EntraRole,
            "External Identity Provider Administrator",
            Access::Write,
            "signed in as a person: federate domains with an identity provider",
        ),
    ])
}

fn invalid_attribute(path: &str, message: impl Into<String>) -> InvalidAttribute {
    InvalidAttribute {
        path: path.into(),
        message: message.into(),
        hint: None,
    }
}

/// Whether a domain name is an initial `*.onmicrosoft.com` domain (never federated).
fn is_onmicrosoft(domain: &str) -> bool {
    let d = domain.trim().trim_end_matches('.').to_ascii_lowercase();
    d == "onmicrosoft.com" || d.ends_with(".onmicrosoft.com")
}

/// Why Microsoft owns a domain's federation, for the tenant's `onmicrosoft.com` domains (the
/// initial one among them): zentra never deletes it.
pub(crate) fn microsoft_domain(domain: &str) -> Option<String> {
    is_onmicrosoft(domain)
        .then(|| format!("{domain} is an onmicrosoft.com domain, which Microsoft owns and runs"))
}

/// A string attribute as written, if it is a known string.
fn known_string(map: &indexmap::IndexMap<String, Value>, name: &str) -> Option<String> {
    match map.get(name).map(|v| v.unmark().0) {
        Some(Value::String(s)) => Some(s.clone()),
        _ => None,
    }
}

/// Expands `metadata_xml` into the settings it gives (explicit attributes win), puts
/// certificates in Graph's form, and refuses what can never be federated.
pub(crate) fn complete(desired: Value) -> Result<Value, Vec<InvalidAttribute>> {
    let Value::Object(mut map) = desired else {
        return Ok(desired);
    };
    let mut invalid = Vec::new();
    if let Some(domain) = known_string(&map, DOMAIN)
        && is_onmicrosoft(&domain)
    {
        invalid.push(InvalidAttribute {
            path: DOMAIN.into(),
            message: format!(
                "\"{domain}\" is the tenant's initial domain, which cannot be federated"
            ),
            hint: Some(
                "federate a custom domain (contoso.com) and keep a cloud-only administrator on \
                 the onmicrosoft.com domain to sign in if the identity provider fails"
                    .into(),
            ),
        });
    }
    let entity = match map
        .shift_remove(METADATA_ENTITY)
        .map(|v| v.unmark().0.clone())
    {
        Some(Value::String(s)) => Some(s),
        _ => None,
    };
    // Unknown until apply, or unusable: the settings it would give cannot be checked.
    let mut metadata_unknown = false;
    // Whether the federation comes from a metadata document, so owns every setting.
    let mut from_metadata = false;
    match map.shift_remove(METADATA) {
        None => {}
        Some(value) => match value.unmark().0 {
            Value::Null => {}
            Value::Unknown => {
                metadata_unknown = true;
                from_metadata = true;
                map.insert(METADATA.into(), Value::Unknown);
                for name in FROM_METADATA {
                    map.entry(name.to_string()).or_insert(Value::Unknown);
                }
            }
            Value::String(xml) => {
                from_metadata = true;
                let explicit = known_string(&map, PROTOCOL);
                match federation_metadata::parse(xml, entity.as_deref())
                    .and_then(|m| m.settings(explicit.as_deref()))
                {
                    Ok(settings) => {
                        let text = |v: Option<String>| v.map(Value::String);
                        // A setting the document lacks is cleared when it is optional; a
                        // needed one is left unset, to be reported below.
                        let cleared =
                            |v: Option<String>| Some(v.map_or(Value::Null, Value::String));
                        let derived = [
                            (PROTOCOL, Some(Value::String(settings.protocol))),
                            ("issuer_uri", Some(Value::String(settings.issuer_uri))),
                            ("passive_sign_in_uri", text(settings.passive_sign_in_uri)),
                            ("sign_out_uri", cleared(settings.sign_out_uri)),
                            (SIGNING, text(settings.signing_certificate)),
                            (NEXT_SIGNING, cleared(settings.next_signing_certificate)),
                            (
                                SIGNED_REQUESTS,
                                Some(Value::Bool(settings.signed_requests_required)),
                            ),
                        ];
                        for (name, value) in derived {
                            if let Some(value) = value
                                && !map.contains_key(name)
                            {
                                map.insert(name.to_string(), value);
                            }
                        }
                    }
                    Err(e) => {
                        // What it lacks is reported once, not again per setting.
                        metadata_unknown = true;
                        invalid.push(invalid_attribute(METADATA, e.0));
                    }
                }
            }
            other => invalid.push(invalid_attribute(
                METADATA,
                format!(
                    "must be the metadata document's text, not a {}",
                    other.type_name()
                ),
            )),
        },
    }
    if from_metadata {
        for (name, default) in METADATA_OWNED_DEFAULTS {
            map.entry(name.to_string())
                .or_insert_with(|| default.map_or(Value::Null, Value::str));
        }
    }
    for name in [SIGNING, NEXT_SIGNING] {
        if let Some(text) = known_string(&map, name) {
            match crate::cert::canonical(&text) {
                Ok(canonical) => {
                    map.insert(name.to_string(), Value::String(canonical));
                }
                Err(e) => invalid.push(invalid_attribute(name, e.0)),
            }
        }
    }
    // The certificate's details as the plan will see them once applied.
    let info = match map.get(SIGNING).map(Value::unmark) {
        Some((Value::String(text), sensitive)) => crate::cert::decode(text)
            .and_then(|der| crate::cert::summarize(&der))
            .ok()
            .map(|summary| {
                let info = Value::from_json(&summary.to_json());
                if sensitive {
                    info.mark_sensitive()
                } else {
                    info
                }
            }),
        Some((Value::Unknown, _)) => Some(Value::Unknown),
        _ => None,
    };
    if let Some(info) = info {
        map.insert(CERTIFICATE_INFO.into(), info);
    }
    if !metadata_unknown {
        for (name, what) in NEEDED {
            if !map.contains_key(name) {
                invalid.push(InvalidAttribute {
                    path: name.into(),
                    message: format!("is not set ({what}), and no `metadata_xml` gives it"),
                    hint: Some(format!(
                        "set `{name}`, or `metadata_xml = file(\"<identity provider metadata>.xml\")`"
                    )),
                });
            }
        }
    }
    if invalid.is_empty() {
        Ok(Value::Object(map))
    } else {
        Err(invalid)
    }
}

fn domain_url(domain: &str) -> String {
    format!("/domains/{}", encode_segment(domain))
}

fn federation_url(domain: &str) -> String {
    format!(
        "/domains/{}/federationConfiguration",
        encode_segment(domain)
    )
}

/// Refuses the default and the initial domain, and unverified ones, by what Graph says.
fn check_domain(domain: &Json, name: &str) -> ProviderResult<()> {
    let flag = |f: &str| domain.get(f).and_then(Json::as_bool).unwrap_or(false);
    let refuse = |message: String, hint: &str| {
        Err(ProviderError::new(ErrorKind::Invalid, message).with_hint(hint))
    };
    if flag("isInitial") {
        return refuse(
            format!("{name} is the tenant's initial domain, which cannot be federated"),
            "federate a custom domain and keep a cloud-only administrator on the initial one",
        );
    }
    if flag("isDefault") {
        return refuse(
            format!("{name} is the tenant's default domain, which cannot be federated"),
            "make another domain (the onmicrosoft.com one, say) the default first: Entra admin \
             center > Settings > Domain names",
        );
    }
    if !flag("isVerified") {
        return refuse(
            format!("{name} is not verified, so it cannot be federated"),
            "verify the domain (its DNS TXT record) first",
        );
    }
    Ok(())
}

/// A certificate as attributes compare it: canonical when it parses, as it is otherwise.
fn canonical_or_raw(value: &Json) -> Json {
    match value.as_str() {
        Some(text) => json!(crate::cert::canonical(text).unwrap_or_else(|_| text.to_string())),
        None => value.clone(),
    }
}

fn remote_object(federation: &Json, domain: &Json) -> ProviderResult<RemoteObject> {
    let id = federation.get("id").and_then(Json::as_str).ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Transport,
            "Graph returned a federation configuration without an id",
        )
    })?;
    let mut attributes = Map::new();
    attributes.insert(
        DOMAIN.into(),
        domain.get("id").cloned().unwrap_or(Json::Null),
    );
    for (attribute, property) in PROPERTIES {
        let value = federation.get(property).cloned().unwrap_or(Json::Null);
        let value = if attribute == SIGNING || attribute == NEXT_SIGNING {
            canonical_or_raw(&value)
        } else {
            value
        };
        attributes.insert(attribute.into(), value);
    }
    attributes.insert(
        "domain_authentication_type".into(),
        domain
            .get("authenticationType")
            .cloned()
            .unwrap_or(Json::Null),
    );
    let info = federation
        .get("signingCertificate")
        .and_then(Json::as_str)
        .and_then(|text| crate::cert::decode(text).ok())
        .and_then(|der| crate::cert::summarize(&der).ok())
        .map(|s| s.to_json())
        .unwrap_or(Json::Null);
    attributes.insert("signing_certificate_info".into(), info);
    Ok(RemoteObject {
        id: id.to_string(),
        attributes: Value::from_json(&Json::Object(attributes)),
        ownership: Default::default(),
    })
}

/// The federation configuration in a collection answer; the one with `preferred_id` first.
fn configuration_in(list: &Json, preferred_id: Option<&str>) -> Option<Json> {
    let items = list.get("value").and_then(Json::as_array)?;
    items
        .iter()
        .find(|f| preferred_id.is_some() && f.get("id").and_then(Json::as_str) == preferred_id)
        .or(items.first())
        .cloned()
}

pub(crate) fn plan_read(req: &ReadRequest) -> ReadPlan {
    match key(&req.config, DOMAIN) {
        Key::Known(domain) => ReadPlan::Fetch(vec![domain_url(&domain), federation_url(&domain)]),
        _ => ReadPlan::Done(Ok(None)),
    }
}

pub(crate) fn finish_read(
    req: &ReadRequest,
    answers: &HashMap<String, ProviderResult<Json>>,
) -> ProviderResult<Option<RemoteObject>> {
    let Key::Known(name) = key(&req.config, DOMAIN) else {
        return Ok(None);
    };
    let domain = match super::answer(answers, &domain_url(&name)) {
        Ok(domain) => domain,
        Err(e) if e.kind == ErrorKind::NotFound => {
            return Err(ProviderError::new(
                ErrorKind::NotFound,
                format!("{name} is not a domain of the tenant"),
            )
            .with_hint("add the domain and verify it before federating it"));
        }
        Err(e) => return Err(e),
    };
    check_domain(domain, &name)?;
    let list = match super::answer(answers, &federation_url(&name)) {
        Ok(list) => list,
        // Graph answers 404 when the domain has no federation configuration.
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    configuration_in(list, req.id.as_deref())
        .map(|f| remote_object(&f, domain))
        .transpose()
}

/// The domain's federation configurations: none when Graph answers 404, as it documents for a
/// domain without one ("List internalDomainFederations").
async fn federation_list(provider: &AzureAdProvider, name: &str) -> ProviderResult<Json> {
    match provider.graph.get(&federation_url(name)).await {
        Err(e) if e.kind == ErrorKind::NotFound => Ok(json!({"value": []})),
        other => other,
    }
}

/// The Graph properties among `paths` that the configuration sets.
fn graph_properties(config: &Value, paths: &[String]) -> ProviderResult<Map<String, Json>> {
    let mut out = Map::new();
    for (attribute, property) in PROPERTIES {
        if !paths.iter().any(|p| p == attribute) {
            continue;
        }
        if let Some(value) = config.get(attribute) {
            let json = value.to_json().ok_or_else(|| {
                ProviderError::new(
                    ErrorKind::Invalid,
                    format!("`{attribute}` is still unknown at apply time"),
                )
            })?;
            out.insert(property.to_string(), json);
        }
    }
    Ok(out)
}

fn every_setting() -> Vec<String> {
    PROPERTIES.iter().map(|(a, _)| a.to_string()).collect()
}

/// Federates the domain, adopting a federation configuration it already has.
pub(crate) async fn create(
    provider: &AzureAdProvider,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let name = known(&req.config, DOMAIN, "the domain is federated")?;
    let domain = provider.graph.get(&domain_url(&name)).await?;
    check_domain(&domain, &name)?;
    let existing = federation_list(provider, &name).await?;
    if let Some(existing) = configuration_in(&existing, None) {
        let object = remote_object(&existing, &domain)?;
        let schema = resource_schema().body;
        let paths = paths_to_write(&schema, &req.config, Some(&object.attributes), &[]);
        let mut object = patch(
            provider,
            &name,
            &domain,
            object,
            graph_properties(&req.config, &paths)?,
        )
        .await?;
        object.ownership.found_existing = true;
        return Ok(object);
    }
    let mut body = graph_properties(&req.config, &every_setting())?;
    // A new configuration has nothing to clear.
    body.retain(|_, value| !value.is_null());
    body.insert("@odata.type".into(), json!(ODATA_TYPE));
    let created = provider
        .graph
        .send(&GraphRequest::post(
            federation_url(&name),
            Json::Object(body),
        ))
        .await?
        .ok_or_else(|| {
            ProviderError::new(
                ErrorKind::Transport,
                "Graph created the federation configuration but returned no body",
            )
        })?;
    let mut domain = domain;
    domain["authenticationType"] = json!("Federated");
    let object = remote_object(&created, &domain)?;
    provider.fresh.mark(&object.id);
    Ok(object)
}

async fn patch(
    provider: &AzureAdProvider,
    name: &str,
    domain: &Json,
    object: RemoteObject,
    body: Map<String, Json>,
) -> ProviderResult<RemoteObject> {
    if body.is_empty() {
        return Ok(object);
    }
    let path = format!("{}/{}", federation_url(name), encode_segment(&object.id));
    let answer = provider
        .graph
        .send(
            &GraphRequest::patch(path, Json::Object(body.clone()))
                .idempotent()
                .wait_for_replication(provider.fresh.contains(&object.id)),
        )
        .await?;
    match answer {
        // Graph answers with the whole updated object.
        Some(updated) if updated.get("id").is_some() => remote_object(&updated, domain),
        _ => {
            let mut federation = Map::new();
            federation.insert("id".into(), json!(object.id));
            for (attribute, property) in PROPERTIES {
                federation.insert(
                    property.into(),
                    object
                        .attributes
                        .get(attribute)
                        .and_then(Value::to_json)
                        .unwrap_or(Json::Null),
                );
            }
            federation.extend(body);
            remote_object(&Json::Object(federation), domain)
        }
    }
}

/// Changes the settings that differ (a certificate rollover is one `PATCH`).
pub(crate) async fn update(
    provider: &AzureAdProvider,
    req: &WriteRequest,
) -> ProviderResult<RemoteObject> {
    let id = req.id.clone().ok_or_else(|| {
        ProviderError::new(
            ErrorKind::Invalid,
            "updating a federation configuration needs its id",
        )
    })?;
    let name = known(&req.config, DOMAIN, "the federation is updated")?;
    let schema = resource_schema().body;
    let paths = paths_to_write(&schema, &req.config, req.prior.as_ref(), &req.changed_paths);
    let body = graph_properties(&req.config, &paths)?;
    let prior = req.prior.clone().unwrap_or_else(|| req.config.clone());
    let domain = json!({
        "id": prior.get(DOMAIN).and_then(Value::to_json).unwrap_or(json!(name)),
        "authenticationType": prior
            .get("domain_authentication_type")
            .and_then(Value::to_json)
            .unwrap_or(Json::Null),
    });
    let object = RemoteObject {
        id,
        attributes: prior,
        ownership: Default::default(),
    };
    patch(provider, &name, &domain, object, body).await
}

/// Removes the federation configuration and converts the domain back to managed
/// authentication.
pub(crate) async fn delete(provider: &AzureAdProvider, req: &WriteRequest) -> ProviderResult<()> {
    let name = known(&req.config, DOMAIN, "the federation is removed")?;
    if let Some(id) = &req.id {
        let path = format!("{}/{}", federation_url(&name), encode_segment(id));
        match provider.graph.send(&GraphRequest::delete(path)).await {
            Ok(_) => {}
            Err(e) if e.kind == ErrorKind::NotFound => {}
            Err(e) => return Err(e),
        }
    }
    let domain = match provider.graph.get(&domain_url(&name)).await {
        Ok(domain) => domain,
        Err(e) if e.kind == ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    if domain.get("authenticationType").and_then(Json::as_str) == Some("Federated") {
        provider
            .graph
            .send(
                &GraphRequest::patch(domain_url(&name), json!({"authenticationType": "Managed"}))
                    .idempotent(),
            )
            .await?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::azuread::federation_metadata::tests::{CERT_A, CERT_B, adfs_metadata, wrapped};

    fn v(json: Json) -> Value {
        Value::from_json(&json)
    }

    fn okta_metadata() -> String {
        format!(
            r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="http://www.okta.com/exk1sample">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://contoso.okta.example/sso/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#,
            wrapped(CERT_A)
        )
    }

    #[test]
    fn metadata_fills_what_is_not_written_and_is_consumed() {
        let done = complete(v(
            json!({"domain_id": "contoso.com", "metadata_xml": okta_metadata(),
            "passive_sign_in_uri": "https://override.example/sso"}),
        ))
        .unwrap();
        let attrs = done.to_json().unwrap();
        assert_eq!(attrs["issuer_uri"], "http://www.okta.com/exk1sample");
        assert_eq!(attrs["preferred_authentication_protocol"], "saml");
        assert_eq!(
            attrs["passive_sign_in_uri"], "https://override.example/sso",
            "explicit wins"
        );
        assert_eq!(attrs[SIGNING], crate::cert::canonical(CERT_A).unwrap());
        assert!(
            attrs.get(METADATA).is_none(),
            "the document itself is not compared"
        );
    }

    #[test]
    fn a_federation_from_metadata_owns_every_setting() {
        let done = complete(v(
            json!({"domain_id": "contoso.com", "metadata_xml": okta_metadata(),
            "active_sign_in_uri": "https://contoso.okta.example/active"}),
        ))
        .unwrap()
        .to_json()
        .unwrap();
        for cleared in [
            NEXT_SIGNING,
            "sign_out_uri",
            "metadata_exchange_uri",
            "password_reset_uri",
            "prompt_login_behavior",
        ] {
            assert_eq!(done[cleared], Json::Null, "{cleared}: {done}");
        }
        assert_eq!(done[MFA_BEHAVIOR], DEFAULT_MFA_BEHAVIOR);
        assert_eq!(done[SIGNED_REQUESTS], false);
        assert_eq!(
            done["active_sign_in_uri"], "https://contoso.okta.example/active",
            "written wins"
        );
        assert!(
            done.get("display_name").is_none(),
            "a name trusts nothing: managed only when written"
        );
        assert_eq!(done[CERTIFICATE_INFO]["not_after"], "2027-06-30T00:00:00Z");
        // Settings written one by one manage only what is written.
        let explicit = complete(v(json!({"domain_id": "contoso.com", "issuer_uri": "i",
            "passive_sign_in_uri": "p", "preferred_authentication_protocol": "wsFed",
            "signing_certificate": CERT_B})))
        .unwrap()
        .to_json()
        .unwrap();
        assert!(explicit.get(NEXT_SIGNING).is_none() && explicit.get(MFA_BEHAVIOR).is_none());
        assert_eq!(
            explicit[CERTIFICATE_INFO]["not_after"],
            "2029-06-30T00:00:00Z"
        );
    }

    #[test]
    fn explicit_certificates_are_put_in_graphs_form() {
        let done = complete(v(json!({"domain_id": "contoso.com", "issuer_uri": "i",
            "passive_sign_in_uri": "p", "preferred_authentication_protocol": "wsFed",
            "signing_certificate": CERT_A, "next_signing_certificate": CERT_B})))
        .unwrap();
        assert_eq!(
            done.get(NEXT_SIGNING).unwrap().as_str().unwrap(),
            crate::cert::canonical(CERT_B).unwrap()
        );
        let err = complete(v(json!({"domain_id": "contoso.com", "issuer_uri": "i",
            "passive_sign_in_uri": "p", "preferred_authentication_protocol": "wsFed",
            "signing_certificate": "not a certificate"})))
        .unwrap_err();
        assert_eq!(err[0].path, SIGNING);
    }

    #[test]
    fn initial_domains_missing_settings_and_broken_metadata_are_refused_up_front() {
        let err = complete(v(
            json!({"domain_id": "Contoso.OnMicrosoft.com", "metadata_xml": okta_metadata()}),
        ))
        .unwrap_err();
        assert_eq!(err[0].path, DOMAIN);
        let err = complete(v(json!({"domain_id": "contoso.com"}))).unwrap_err();
        let paths: Vec<&str> = err.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            ["issuer_uri", "passive_sign_in_uri", SIGNING, PROTOCOL]
        );
        let err = complete(v(
            json!({"domain_id": "contoso.com", "metadata_xml": "<nope"}),
        ))
        .unwrap_err();
        assert_eq!(err[0].path, METADATA);
        assert!(
            err[0].message.contains("not well-formed"),
            "{}",
            err[0].message
        );
        // ADFS metadata has both roles: the protocol must be chosen.
        let err = complete(v(
            json!({"domain_id": "contoso.com", "metadata_xml": adfs_metadata()}),
        ))
        .unwrap_err();
        assert!(err[0].message.contains("preferred_authentication_protocol"));
        let done = complete(v(
            json!({"domain_id": "contoso.com", "metadata_xml": adfs_metadata(),
            "preferred_authentication_protocol": "wsFed"}),
        ))
        .unwrap();
        assert_eq!(
            done.get("passive_sign_in_uri").unwrap().as_str(),
            Some("https://sts.contoso-sample.example/adfs/ls/")
        );
    }

    #[test]
    fn unknown_metadata_waits_for_apply() {
        let mut m = indexmap::IndexMap::new();
        m.insert("domain_id".to_string(), Value::str("contoso.com"));
        m.insert(METADATA.to_string(), Value::Unknown);
        let done = complete(Value::Object(m)).unwrap();
        assert_eq!(done.get(METADATA), Some(&Value::Unknown));
        assert_eq!(done.get(NEXT_SIGNING), Some(&Value::Unknown));
        assert_eq!(done.get(CERTIFICATE_INFO), Some(&Value::Unknown));
        assert_eq!(done.get("active_sign_in_uri"), Some(&Value::Null));
    }

    #[test]
    fn the_default_initial_and_unverified_domains_are_refused() {
        let ok = json!({"id": "contoso.com", "isVerified": true});
        assert!(check_domain(&ok, "contoso.com").is_ok());
        for (flags, words) in [
            (
                json!({"isDefault": true, "isVerified": true}),
                "default domain",
            ),
            (
                json!({"isInitial": true, "isVerified": true}),
                "initial domain",
            ),
            (json!({"isVerified": false}), "not verified"),
        ] {
            let err = check_domain(&flags, "x.com").unwrap_err();
            assert!(err.message.contains(words), "{}", err.message);
            assert!(err.hint.is_some());
        }
    }

    #[test]
    fn the_documented_configuration_reads_though_its_certificates_are_truncated() {
        // Graph's "List internalDomainFederations" example, whose certificates are cut short.
        let fixture: Json = serde_json::from_str(include_str!(
            "../../../zentra-test-support/fixtures/vendor-examples/graph/list-federation-configurations.json"
        ))
        .unwrap();
        let federation = configuration_in(&fixture["body"], None).unwrap();
        let object = remote_object(
            &federation,
            &json!({"id": "contoso.com", "authenticationType": "Federated"}),
        )
        .unwrap();
        let attrs = object.attributes.to_json().unwrap();
        assert_eq!(object.id, "6601d14b-d113-8f64-fda2-9b5ddda18ecc");
        assert_eq!(
            attrs[SIGNING], "MIIE3jCCAsagAwIBAgIQQcyDaZz3MI",
            "kept as read"
        );
        assert_eq!(attrs[CERTIFICATE_INFO], Json::Null, "nothing to describe");
        assert_eq!(attrs[MFA_BEHAVIOR], "rejectMfaByFederatedIdp");
        assert_eq!(attrs[SIGNED_REQUESTS], true);
    }

    #[test]
    fn live_configurations_read_with_certificate_details() {
        let federation = json!({"id": "f-1", "issuerUri": "i", "signingCertificate": crate::cert::canonical(CERT_A).unwrap(),
            "preferredAuthenticationProtocol": "saml"});
        let object = remote_object(
            &federation,
            &json!({"id": "contoso.com", "authenticationType": "Federated"}),
        )
        .unwrap();
        let attrs = object.attributes.to_json().unwrap();
        assert_eq!(object.id, "f-1");
        assert_eq!(attrs["domain_id"], "contoso.com");
        assert_eq!(attrs["domain_authentication_type"], "Federated");
        assert_eq!(
            attrs["signing_certificate_info"]["not_after"],
            "2027-06-30T00:00:00Z"
        );
        assert_eq!(attrs["next_signing_certificate"], Json::Null);
    }
}
