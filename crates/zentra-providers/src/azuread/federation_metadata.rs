//! Reading an identity provider's federation metadata (SAML 2.0 metadata, and the WS-Federation
//! role ADFS and PingFederate publish) into the values Entra ID's domain federation needs, so
//! that `metadata_xml = file("okta-metadata.xml")` is enough to federate a domain.
//!
//! What is taken, and from where:
//!
//! | value | SAML 2.0 (`IDPSSODescriptor`) | WS-Federation (`fed:SecurityTokenServiceType`) |
//! |---|---|---|
//! | issuer | `EntityDescriptor/@entityID` | the same |
//! | sign-in URI | `SingleSignOnService/@Location`, HTTP-POST binding, else HTTP-Redirect | `PassiveRequestorEndpoint` address |
//! | sign-out URI | `SingleLogoutService/@Location`, same preference | the passive endpoint (ADFS signs out there) |
//! | certificates | `KeyDescriptor` with `use="signing"` or no `use`, each `X509Certificate` | the same |
//! | signed requests | `IDPSSODescriptor/@WantAuthnRequestsSigned` (`false` when absent) | never |
//!
//! Elements are matched by namespace, never by prefix, so `md:`, `ds:` or no prefix at all read
//! the same. The first distinct signing certificate is the current one; a second one, which
//! identity providers publish while they roll their key over, is the next one. A certificate
//! that cannot be read is left out (and reported as a warning) rather than making the whole
//! document unreadable; only a role with no readable signing certificate left is an error when
//! it is the one federated with. Documents with a DTD are refused (no entity expansion).

use std::fmt;

use roxmltree::{Document, Node, ParsingOptions};

const MD: &str = "urn:oasis:names:tc:SAML:2.0:metadata";
const DS: &str = "http://www.w3.org/2000/09/xmldsig#";
const FED: &str = "http://docs.oasis-open.org/wsfed/federation/200706";
const WSA: &str = "http://www.w3.org/2005/08/addressing";
const XSI: &str = "http://www.w3.org/2001/XMLSchema-instance";
const SAML2_PROTOCOL: &str = "urn:oasis:names:tc:SAML:2.0:protocol";
const BINDING_POST: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST";
const BINDING_REDIRECT: &str = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect";

/// Why a metadata document cannot be used.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MetadataError(pub String);

impl fmt::Display for MetadataError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

fn error(message: impl Into<String>) -> MetadataError {
    MetadataError(message.into())
}

/// A SAML 2.0 identity provider role.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SamlRole {
    pub sign_in_uri: Option<String>,
    pub sign_out_uri: Option<String>,
    /// Canonical base64 DER, in document order, without repeats.
    pub signing_certificates: Vec<String>,
    /// Why each certificate of the role that could not be read was left out.
    pub unreadable_certificates: Vec<String>,
    /// `WantAuthnRequestsSigned`: whether the identity provider wants signed requests.
    pub wants_signed_requests: bool,
}

/// A WS-Federation security token service role.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WsFedRole {
    pub passive_endpoint: Option<String>,
    pub signing_certificates: Vec<String>,
    pub unreadable_certificates: Vec<String>,
}

/// One identity provider's metadata.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct FederationMetadata {
    pub entity_id: String,
    pub saml: Option<SamlRole>,
    pub ws_fed: Option<WsFedRole>,
}

/// The federation settings a metadata document yields, for one protocol.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct DerivedSettings {
    /// `saml` or `wsFed`, as Graph spells them.
    pub protocol: String,
    pub issuer_uri: String,
    pub passive_sign_in_uri: Option<String>,
    pub sign_out_uri: Option<String>,
    pub signing_certificate: Option<String>,
    pub next_signing_certificate: Option<String>,
    /// Whether Entra ID is to sign its requests (SAML's `WantAuthnRequestsSigned`).
    pub signed_requests_required: bool,
    /// Why certificates of the role that could not be read were left out.
    pub unreadable_certificates: Vec<String>,
}

/// Parses metadata. `entity_id` picks one entity from an `EntitiesDescriptor` that holds
/// several identity providers.
pub fn parse(xml: &str, entity_id: Option<&str>) -> Result<FederationMetadata, MetadataError> {
    let options = ParsingOptions {
        allow_dtd: false,
        ..ParsingOptions::default()
    };
    let doc = Document::parse_with_options(xml, options)
        .map_err(|e| error(format!("the metadata is not well-formed XML: {e}")))?;
    let root = doc.root_element();
    if root.tag_name().namespace() != Some(MD) {
        return Err(error(format!(
            "the document's root element is `{}`, not a SAML metadata EntityDescriptor or \
             EntitiesDescriptor (namespace {MD})",
            root.tag_name().name()
        )));
    }
    let entity = match root.tag_name().name() {
        "EntityDescriptor" => root,
        "EntitiesDescriptor" => pick_entity(root, entity_id)?,
        other => {
            return Err(error(format!(
                "the document's root element is `{other}`, not EntityDescriptor or \
                 EntitiesDescriptor"
            )));
        }
    };
    read_entity(entity)
}

/// Every `EntityDescriptor` below `node`, nested `EntitiesDescriptor`s included.
fn entities<'a, 'input>(node: Node<'a, 'input>) -> Vec<Node<'a, 'input>> {
    node.descendants()
        .filter(|n| is(n, MD, "EntityDescriptor"))
        .collect()
}

fn pick_entity<'a, 'input>(
    root: Node<'a, 'input>,
    wanted: Option<&str>,
) -> Result<Node<'a, 'input>, MetadataError> {
    let all = entities(root);
    if let Some(wanted) = wanted {
        return all
            .into_iter()
            .find(|e| e.attribute("entityID") == Some(wanted))
            .ok_or_else(|| {
                error(format!(
                    "the metadata has no EntityDescriptor with entityID \"{wanted}\""
                ))
            });
    }
    let providers: Vec<Node> = all
        .into_iter()
        .filter(|e| saml_role(*e).is_some() || ws_fed_role(*e).is_some())
        .collect();
    match providers.as_slice() {
        [one] => Ok(*one),
        [] => Err(error(
            "the metadata's EntitiesDescriptor holds no identity provider (no \
             IDPSSODescriptor or WS-Federation SecurityTokenServiceType role)",
        )),
        many => {
            let ids: Vec<&str> = many
                .iter()
                .filter_map(|e| e.attribute("entityID"))
                .collect();
            Err(error(format!(
                "the metadata describes {} identity providers ({}); set `metadata_entity_id` to \
                 the one to federate with",
                many.len(),
                ids.join(", ")
            )))
        }
    }
}

fn is(node: &Node, namespace: &str, name: &str) -> bool {
    node.is_element()
        && node.tag_name().namespace() == Some(namespace)
        && node.tag_name().name() == name
}

fn children<'a, 'input>(
    node: Node<'a, 'input>,
    namespace: &'static str,
    name: &'static str,
) -> impl Iterator<Item = Node<'a, 'input>> {
    node.children().filter(move |n| is(n, namespace, name))
}

fn saml_role<'a, 'input>(entity: Node<'a, 'input>) -> Option<Node<'a, 'input>> {
    children(entity, MD, "IDPSSODescriptor").find(|role| {
        role.attribute("protocolSupportEnumeration")
            .is_some_and(|p| p.split_whitespace().any(|uri| uri == SAML2_PROTOCOL))
    })
}

/// `RoleDescriptor xsi:type="fed:SecurityTokenServiceType"`, whatever the prefixes.
fn ws_fed_role<'a, 'input>(entity: Node<'a, 'input>) -> Option<Node<'a, 'input>> {
    children(entity, MD, "RoleDescriptor").find(|role| {
        let Some(ty) = role.attribute((XSI, "type")) else {
            return false;
        };
        let (prefix, local) = match ty.split_once(':') {
            Some((p, l)) => (Some(p), l),
            None => (None, ty),
        };
        local == "SecurityTokenServiceType" && role.lookup_namespace_uri(prefix) == Some(FED)
    })
}

fn read_entity(entity: Node) -> Result<FederationMetadata, MetadataError> {
    let entity_id = entity
        .attribute("entityID")
        .map(str::trim)
        .filter(|id| !id.is_empty())
        .ok_or_else(|| error("the EntityDescriptor has no entityID (the issuer)"))?
        .to_string();
    let saml = saml_role(entity).map(|role| {
        let (signing_certificates, unreadable_certificates) = signing_certificates(role);
        SamlRole {
            sign_in_uri: endpoint(role, "SingleSignOnService"),
            sign_out_uri: endpoint(role, "SingleLogoutService"),
            signing_certificates,
            unreadable_certificates,
            wants_signed_requests: role
                .attribute("WantAuthnRequestsSigned")
                .is_some_and(|v| matches!(v.trim(), "true" | "1")),
        }
    });
    let ws_fed = ws_fed_role(entity).map(|role| {
        let passive_endpoint = children(role, FED, "PassiveRequestorEndpoint")
            .flat_map(|e| e.descendants())
            .find(|n| is(n, WSA, "Address"))
            .and_then(|a| a.text())
            .map(str::trim)
            .filter(|a| !a.is_empty())
            .map(str::to_string);
        let (signing_certificates, unreadable_certificates) = signing_certificates(role);
        WsFedRole {
            passive_endpoint,
            signing_certificates,
            unreadable_certificates,
        }
    });
    if saml.is_none() && ws_fed.is_none() {
        return Err(error(format!(
            "the metadata of \"{entity_id}\" has no identity provider role: neither an \
             IDPSSODescriptor supporting SAML 2.0 nor a WS-Federation \
             SecurityTokenServiceType RoleDescriptor"
        )));
    }
    Ok(FederationMetadata {
        entity_id,
        saml,
        ws_fed,
    })
}

/// The `Location` of a service, preferring the HTTP-POST binding, then HTTP-Redirect.
fn endpoint(role: Node, service: &'static str) -> Option<String> {
    let services: Vec<Node> = children(role, MD, service).collect();
    [BINDING_POST, BINDING_REDIRECT]
        .iter()
        .find_map(|binding| {
            services
                .iter()
                .find(|s| s.attribute("Binding") == Some(*binding))
        })
        .and_then(|s| s.attribute("Location"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

/// Certificates of `KeyDescriptor`s used for signing (`use="signing"` or no `use`), canonical,
/// in document order, each once; and why each one that cannot be read was left out.
fn signing_certificates(role: Node) -> (Vec<String>, Vec<String>) {
    let mut out: Vec<String> = Vec::new();
    let mut unreadable: Vec<String> = Vec::new();
    for key in children(role, MD, "KeyDescriptor") {
        if key.attribute("use").is_some_and(|u| u.trim() != "signing") {
            continue;
        }
        for cert in key.descendants().filter(|n| is(n, DS, "X509Certificate")) {
            let text: String = cert
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect();
            match crate::cert::canonical(&text) {
                Ok(canonical) => {
                    if !out.contains(&canonical) {
                        out.push(canonical);
                    }
                }
                Err(e) => {
                    let position = cert.document().text_pos_at(cert.range().start);
                    unreadable.push(format!(
                        "the certificate at line {} of the metadata cannot be read ({e})",
                        position.row
                    ));
                }
            }
        }
    }
    (out, unreadable)
}

impl FederationMetadata {
    /// The settings for `protocol` (`saml` or `wsFed`), or for the only protocol the metadata
    /// describes when `None`.
    pub fn settings(&self, protocol: Option<&str>) -> Result<DerivedSettings, MetadataError> {
        let protocol = match protocol {
            Some(p) => p.to_string(),
            None => match (&self.saml, &self.ws_fed) {
                (Some(_), None) => "saml".to_string(),
                (None, Some(_)) => "wsFed".to_string(),
                _ => {
                    return Err(error(
                        "the metadata describes both a SAML 2.0 and a WS-Federation role; set \
                         `preferred_authentication_protocol` to \"saml\" or \"wsFed\"",
                    ));
                }
            },
        };
        let (sign_in, sign_out, certificates, unreadable, signed_requests) = match protocol.as_str()
        {
            "saml" => {
                let role = self.saml.as_ref().ok_or_else(|| {
                    error(
                        "`preferred_authentication_protocol` is \"saml\" but the metadata has \
                         no IDPSSODescriptor supporting SAML 2.0",
                    )
                })?;
                (
                    role.sign_in_uri.clone(),
                    role.sign_out_uri.clone(),
                    &role.signing_certificates,
                    &role.unreadable_certificates,
                    role.wants_signed_requests,
                )
            }
            "wsFed" => {
                let role = self.ws_fed.as_ref().ok_or_else(|| {
                    error(
                        "`preferred_authentication_protocol` is \"wsFed\" but the metadata has \
                         no WS-Federation SecurityTokenServiceType role",
                    )
                })?;
                (
                    role.passive_endpoint.clone(),
                    role.passive_endpoint.clone(),
                    &role.signing_certificates,
                    &role.unreadable_certificates,
                    false,
                )
            }
            other => {
                return Err(error(format!(
                    "`preferred_authentication_protocol` = \"{other}\" is neither \"saml\" nor \
                     \"wsFed\""
                )));
            }
        };
        if certificates.is_empty()
            && let Some(why) = unreadable.first()
        {
            return Err(error(format!(
                "the metadata has no readable signing certificate: {why}"
            )));
        }
        Ok(DerivedSettings {
            protocol,
            issuer_uri: self.entity_id.clone(),
            passive_sign_in_uri: sign_in,
            sign_out_uri: sign_out,
            signing_certificate: certificates.first().cloned(),
            next_signing_certificate: certificates.get(1).cloned(),
            signed_requests_required: signed_requests,
            unreadable_certificates: unreadable.clone(),
        })
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) const CERT_A: &str =
        include_str!("../../../zentra-test-support/fixtures/certs/okta-current.pem");
    pub(crate) const CERT_B: &str =
        include_str!("../../../zentra-test-support/fixtures/certs/okta-next.pem");

    /// The base64 body of a PEM certificate, wrapped at 64 columns and indented, as metadata
    /// files carry it.
    pub(crate) fn wrapped(pem_text: &str) -> String {
        pem_text
            .lines()
            .filter(|l| !l.starts_with("-----"))
            .map(|l| format!("\n        {l}"))
            .collect::<String>()
            + "\n      "
    }

    fn canonical(pem_text: &str) -> String {
        crate::cert::canonical(pem_text).unwrap()
    }

    fn prefixed_saml() -> String {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="http://www.okta.com/exk1sample">
  <md:IDPSSODescriptor WantAuthnRequestsSigned="false" protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:KeyDescriptor use="encryption">
      <ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#"><ds:X509Data><ds:X509Certificate>{}</ds:X509Certificate></ds:X509Data></ds:KeyInfo>
    </md:KeyDescriptor>
    <md:NameIDFormat>urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified</md:NameIDFormat>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://contoso.okta.example/app/sso/saml/redirect"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://contoso.okta.example/app/sso/saml"/>
    <md:SingleLogoutService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://contoso.okta.example/app/slo/saml"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>"#,
            wrapped(CERT_A),
            wrapped(CERT_B)
        )
    }

    #[test]
    fn prefixed_saml_metadata_yields_issuer_post_endpoint_and_signing_certificate() {
        let meta = parse(&prefixed_saml(), None).unwrap();
        assert_eq!(meta.entity_id, "http://www.okta.com/exk1sample");
        let s = meta.settings(None).unwrap();
        assert_eq!(s.protocol, "saml");
        assert_eq!(s.issuer_uri, "http://www.okta.com/exk1sample");
        assert_eq!(
            s.passive_sign_in_uri.as_deref(),
            Some("https://contoso.okta.example/app/sso/saml"),
            "HTTP-POST is preferred"
        );
        assert_eq!(
            s.sign_out_uri.as_deref(),
            Some("https://contoso.okta.example/app/slo/saml"),
            "HTTP-Redirect when there is no POST"
        );
        assert_eq!(s.signing_certificate, Some(canonical(CERT_A)));
        assert_eq!(
            s.next_signing_certificate, None,
            "encryption keys are not signing keys"
        );
    }

    #[test]
    fn default_namespace_entities_and_keys_without_use_are_read() {
        let xml = format!(
            r#"<EntitiesDescriptor xmlns="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:dsig="http://www.w3.org/2000/09/xmldsig#">
  <EntityDescriptor entityID="https://sp.example/not-an-idp">
    <SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/>
  </EntityDescriptor>
  <EntityDescriptor entityID="https://sso.contoso-sample.example/idp">
    <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:1.1:protocol urn:oasis:names:tc:SAML:2.0:protocol">
      <KeyDescriptor><dsig:KeyInfo><dsig:X509Data><dsig:X509Certificate>{}</dsig:X509Certificate></dsig:X509Data></dsig:KeyInfo></KeyDescriptor>
      <KeyDescriptor use="signing"><dsig:KeyInfo><dsig:X509Data><dsig:X509Certificate>{}</dsig:X509Certificate></dsig:X509Data></dsig:KeyInfo></KeyDescriptor>
      <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location=" https://sso.contoso-sample.example/idp/SSO.saml2 "/>
    </IDPSSODescriptor>
  </EntityDescriptor>
</EntitiesDescriptor>"#,
            wrapped(CERT_A),
            wrapped(CERT_B)
        );
        let s = parse(&xml, None).unwrap().settings(None).unwrap();
        assert_eq!(s.issuer_uri, "https://sso.contoso-sample.example/idp");
        assert_eq!(
            s.passive_sign_in_uri.as_deref(),
            Some("https://sso.contoso-sample.example/idp/SSO.saml2")
        );
        assert_eq!(s.sign_out_uri, None);
        assert_eq!(s.signing_certificate, Some(canonical(CERT_A)));
        assert_eq!(s.next_signing_certificate, Some(canonical(CERT_B)));
    }

    #[test]
    fn several_identity_providers_need_an_entity_id() {
        let idp = |id: &str| {
            format!(
                r#"<md:EntityDescriptor entityID="{id}"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#
            )
        };
        let xml = format!(
            r#"<md:EntitiesDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata">{}{}</md:EntitiesDescriptor>"#,
            idp("https://a.example"),
            idp("https://b.example")
        );
        let err = parse(&xml, None).unwrap_err();
        assert!(
            err.0.contains("https://a.example, https://b.example")
                && err.0.contains("metadata_entity_id"),
            "{err}"
        );
        assert_eq!(
            parse(&xml, Some("https://b.example")).unwrap().entity_id,
            "https://b.example"
        );
        assert!(parse(&xml, Some("https://c.example")).is_err());
    }

    pub(crate) fn adfs_metadata() -> String {
        format!(
            r#"<EntityDescriptor ID="_sample" entityID="http://sts.contoso-sample.example/adfs/services/trust" xmlns="urn:oasis:names:tc:SAML:2.0:metadata">
  <RoleDescriptor xsi:type="fed:SecurityTokenServiceType" protocolSupportEnumeration="http://docs.oasis-open.org/wsfed/federation/200706" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:fed="http://docs.oasis-open.org/wsfed/federation/200706">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <fed:PassiveRequestorEndpoint><EndpointReference xmlns="http://www.w3.org/2005/08/addressing"><Address>https://sts.contoso-sample.example/adfs/ls/</Address></EndpointReference></fed:PassiveRequestorEndpoint>
  </RoleDescriptor>
  <IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <KeyDescriptor use="signing"><KeyInfo xmlns="http://www.w3.org/2000/09/xmldsig#"><X509Data><X509Certificate>{}</X509Certificate></X509Data></KeyInfo></KeyDescriptor>
    <SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://sts.contoso-sample.example/adfs/ls/"/>
  </IDPSSODescriptor>
</EntityDescriptor>"#,
            wrapped(CERT_A),
            wrapped(CERT_A)
        )
    }

    #[test]
    fn an_unreadable_certificate_is_left_out_not_fatal() {
        // A broken certificate beside a good one in each role.
        let xml = adfs_metadata().replace(
            "<KeyDescriptor use=\"signing\">",
            "<KeyDescriptor><KeyInfo xmlns=\"http://www.w3.org/2000/09/xmldsig#\"><X509Data><X509Certificate>QUJD</X509Certificate></X509Data></KeyInfo></KeyDescriptor><KeyDescriptor use=\"signing\">",
        );
        let meta = parse(&xml, None).unwrap();
        let s = meta.settings(Some("wsFed")).unwrap();
        assert_eq!(s.signing_certificate, Some(canonical(CERT_A)));
        assert_eq!(s.unreadable_certificates.len(), 1, "{s:?}");
        assert!(
            s.unreadable_certificates[0].contains("cannot be read"),
            "{s:?}"
        );
        assert_eq!(
            meta.settings(Some("saml")).unwrap().signing_certificate,
            Some(canonical(CERT_A))
        );
    }

    #[test]
    fn signed_requests_follow_want_authn_requests_signed() {
        let wanting = prefixed_saml().replace(
            "WantAuthnRequestsSigned=\"false\"",
            "WantAuthnRequestsSigned=\"true\"",
        );
        let s = parse(&wanting, None).unwrap().settings(None).unwrap();
        assert!(s.signed_requests_required);
        let s = parse(&prefixed_saml(), None)
            .unwrap()
            .settings(None)
            .unwrap();
        assert!(!s.signed_requests_required);
    }

    #[test]
    fn ws_federation_roles_are_read_and_ambiguity_is_refused() {
        let meta = parse(&adfs_metadata(), None).unwrap();
        let err = meta.settings(None).unwrap_err();
        assert!(err.0.contains("preferred_authentication_protocol"), "{err}");
        let s = meta.settings(Some("wsFed")).unwrap();
        assert_eq!(s.protocol, "wsFed");
        assert_eq!(
            s.passive_sign_in_uri.as_deref(),
            Some("https://sts.contoso-sample.example/adfs/ls/")
        );
        assert_eq!(s.sign_out_uri, s.passive_sign_in_uri);
        assert_eq!(s.signing_certificate, Some(canonical(CERT_A)));
        let s = meta.settings(Some("saml")).unwrap();
        assert_eq!(s.protocol, "saml");
    }

    #[test]
    fn unusable_documents_say_what_is_missing() {
        let cases: [(&str, &str); 6] = [
            ("not xml", "not well-formed"),
            ("<x/>", "not a SAML metadata"),
            (
                r#"<!DOCTYPE d [<!ENTITY e "x">]><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"/>"#,
                "not well-formed",
            ),
            (
                r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#,
                "no entityID",
            ),
            (
                r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="x"><md:SPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"/></md:EntityDescriptor>"#,
                "no identity provider role",
            ),
            (
                r#"<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="x"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:KeyDescriptor><ds:KeyInfo><ds:X509Data><ds:X509Certificate>QUJD</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor></md:IDPSSODescriptor></md:EntityDescriptor>"#,
                "no readable signing certificate: the certificate at line 1",
            ),
        ];
        for (xml, expected) in cases {
            let err = parse(xml, None).and_then(|m| m.settings(None)).unwrap_err();
            assert!(err.0.contains(expected), "{xml}: {err}");
        }
        let saml_only = parse(&prefixed_saml(), None).unwrap();
        assert!(
            saml_only
                .settings(Some("wsFed"))
                .unwrap_err()
                .0
                .contains("no WS-Federation")
        );
    }
}
