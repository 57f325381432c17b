//! The Microsoft Graph v1.0 types the emulator validates request bodies and `$select` against:
//! property names, EDM types and nullability come from the generated
//! `schemas/msgraph/types.json` (the v1.0 CSDL); which properties a client may write is a small
//! hand-written table of what the service enforces on top of the CSDL (for example `appId` of a
//! service principal is set on create only).

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;
use serde_json::{Map, Value};

const NAMESPACE: &str = "microsoft.graph.";

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct TypesFile {
    #[serde(default)]
    entity_types: HashMap<String, StructDef>,
    #[serde(default)]
    complex_types: HashMap<String, StructDef>,
    #[serde(default)]
    enum_types: HashMap<String, Vec<String>>,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase")]
struct StructDef {
    #[serde(default)]
    base_type: Option<String>,
    #[serde(default)]
    open_type: bool,
    #[serde(default)]
    properties: Vec<PropDef>,
}

/// One structural property from the CSDL.
#[derive(Deserialize, Debug, Clone)]
pub(crate) struct PropDef {
    pub name: String,
    #[serde(default = "nullable_default")]
    pub nullable: bool,
    /// `Edm.Boolean`, `microsoft.graph.appRole`, `Collection(Edm.String)`, ...
    #[serde(rename = "type")]
    pub ty: String,
}

fn nullable_default() -> bool {
    true
}

static MODEL: LazyLock<TypesFile> =
    LazyLock::new(|| serde_json::from_str(zentra_schema::data::GRAPH_TYPES).unwrap_or_default());

fn short(name: &str) -> &str {
    name.strip_prefix(NAMESPACE).unwrap_or(name)
}

/// Properties of a structured type including those of its base types, base first.
fn structural_props(
    types: &'static HashMap<String, StructDef>,
    name: &str,
) -> Vec<&'static PropDef> {
    let mut chain = Vec::new();
    let mut current = Some(short(name).to_string());
    while let Some(n) = current {
        let Some(def) = types.get(&n).or_else(|| MODEL.entity_types.get(&n)) else {
            break;
        };
        chain.push(def);
        current = def.base_type.as_deref().map(|b| short(b).to_string());
    }
    chain
        .into_iter()
        .rev()
        .flat_map(|d| d.properties.iter())
        .collect()
}

/// An entity type the emulator serves, with the service's write rules.
#[derive(Clone, Copy, Debug)]
pub(crate) struct TypeDef {
    /// The CSDL name (`servicePrincipal`).
    pub name: &'static str,
    /// The directory's resource name in error messages (`ServicePrincipal`).
    pub resource: &'static str,
    /// Properties clients may never set.
    read_only: &'static [&'static str],
    /// Properties clients may set on create only.
    create_only: &'static [&'static str],
}

impl TypeDef {
    pub(crate) fn props(&self) -> Vec<&'static PropDef> {
        structural_props(&MODEL.entity_types, self.name)
    }

    pub(crate) fn prop(&self, name: &str) -> Option<&'static PropDef> {
        self.props().into_iter().find(|p| p.name == name)
    }

    fn open(&self) -> bool {
        MODEL
            .entity_types
            .get(self.name)
            .is_some_and(|d| d.open_type)
    }

    fn writable(&self, name: &str, mode: Mode) -> bool {
        if self.read_only.contains(&name) {
            return false;
        }
        if self.create_only.contains(&name) {
            return mode == Mode::Create;
        }
        true
    }
}

pub(crate) const AUTHORIZATION_POLICY: TypeDef = TypeDef {
    name: "authorizationPolicy",
    resource: "AuthorizationPolicy",
    read_only: &["id", "deletedDateTime"],
    create_only: &[],
};

pub(crate) const SERVICE_PRINCIPAL: TypeDef = TypeDef {
    name: "servicePrincipal",
    resource: "ServicePrincipal",
    read_only: &[
        "id",
        "deletedDateTime",
        "addIns",
        "appDescription",
        "appDisplayName",
        "applicationTemplateId",
        "appOwnerOrganizationId",
        "appRoles",
        "createdByAppId",
        "customSecurityAttributes",
        "disabledByMicrosoftStatus",
        "oauth2PermissionScopes",
        "passwordCredentials",
        "resourceSpecificApplicationPermissions",
        "servicePrincipalType",
        "signInAudience",
        "verifiedPublisher",
    ],
    create_only: &["appId"],
};

pub(crate) const OAUTH2_PERMISSION_GRANT: TypeDef = TypeDef {
    name: "oAuth2PermissionGrant",
    resource: "OAuth2PermissionGrant",
    read_only: &["id"],
    create_only: &["clientId", "consentType", "principalId", "resourceId"],
};

pub(crate) const DOMAIN: TypeDef = TypeDef {
    name: "domain",
    resource: "Domain",
    read_only: &[
        "availabilityStatus",
        "isAdminManaged",
        "isInitial",
        "isRoot",
        "isVerified",
        "manufacturer",
        "model",
        "state",
    ],
    create_only: &["id"],
};

pub(crate) const ADMIN_CONSENT_REQUEST_POLICY: TypeDef = TypeDef {
    name: "adminConsentRequestPolicy",
    resource: "AdminConsentRequestPolicy",
    read_only: &["id", "version"],
    create_only: &[],
};

pub(crate) const APP_ROLE_ASSIGNMENT: TypeDef = TypeDef {
    name: "appRoleAssignment",
    resource: "AppRoleAssignment",
    read_only: &[
        "id",
        "deletedDateTime",
        "createdDateTime",
        "principalDisplayName",
        "principalType",
        "resourceDisplayName",
    ],
    create_only: &["appRoleId", "principalId", "resourceId"],
};

pub(crate) const INTERNAL_DOMAIN_FEDERATION: TypeDef = TypeDef {
    name: "internalDomainFederation",
    resource: "InternalDomainFederation",
    read_only: &["id", "signingCertificateUpdateStatus"],
    create_only: &[],
};

/// Whether a body is a create (`POST`) or an update (`PATCH`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Mode {
    Create,
    Update,
}

/// Why a request body was refused: (OData error code, message).
pub(crate) type BodyError = (&'static str, String);

/// Checks a request body against a type: known properties, writable in this mode, values of
/// the declared type.
pub(crate) fn validate_body(
    ty: &TypeDef,
    body: &Map<String, Value>,
    mode: Mode,
) -> Result<(), BodyError> {
    for (name, value) in body {
        if name.starts_with("@odata.") {
            if name == "@odata.type" {
                let expected = format!("#{NAMESPACE}{}", ty.name);
                if value.as_str() != Some(expected.as_str()) {
                    return Err((
                        "BadRequest",
                        format!(
                            "A type named '{}' could not be resolved by the model. When a model \
                             is available, each type name must resolve to a valid type.",
                            value.as_str().unwrap_or_default().trim_start_matches('#')
                        ),
                    ));
                }
            }
            continue;
        }
        let Some(prop) = ty.prop(name) else {
            if ty.open() && name.starts_with("extension_") {
                continue;
            }
            return Err(("Request_BadRequest", format!("Invalid property '{name}'.")));
        };
        if !ty.writable(name, mode) {
            return Err((
                "Request_BadRequest",
                format!("Property '{name}' is read-only and cannot be set."),
            ));
        }
        check_value(prop, value)?;
    }
    Ok(())
}

fn null_error(prop: &PropDef) -> BodyError {
    let ty = &prop.ty;
    (
        "BadRequest",
        format!(
            "A null value was found for the property named '{}', which has the expected type \
             '{ty}[Nullable=False]'. The expected type '{ty}[Nullable=False]' does not allow \
             null values.",
            prop.name
        ),
    )
}

fn literal(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn json_kind(value: &Value) -> &'static str {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => "PrimitiveValue",
        Value::Array(_) => "StartArray",
        Value::Object(_) => "StartObject",
    }
}

fn check_value(prop: &PropDef, value: &Value) -> Result<(), BodyError> {
    if let Some(element) = prop
        .ty
        .strip_prefix("Collection(")
        .and_then(|t| t.strip_suffix(')'))
    {
        if value.is_null() {
            return if prop.nullable {
                Ok(())
            } else {
                Err(null_error(prop))
            };
        }
        let Value::Array(items) = value else {
            return Err((
                "BadRequest",
                format!(
                    "An unexpected '{}' node was found when reading from the JSON reader. A \
                     'StartArray' node was expected for the collection property '{}'.",
                    json_kind(value),
                    prop.name
                ),
            ));
        };
        for item in items {
            if item.is_null() {
                return Err(null_error(prop));
            }
            check_scalar(&prop.name, element, item)?;
        }
        return Ok(());
    }
    if value.is_null() {
        return if prop.nullable {
            Ok(())
        } else {
            Err(null_error(prop))
        };
    }
    check_scalar(&prop.name, &prop.ty, value)
}

fn check_scalar(name: &str, ty: &str, value: &Value) -> Result<(), BodyError> {
    let convert_error = || {
        (
            "BadRequest",
            format!(
                "Cannot convert the literal '{}' to the expected type '{ty}'.",
                literal(value)
            ),
        )
    };
    let ok = match ty {
        "Edm.Boolean" => value.is_boolean(),
        "Edm.String" | "Edm.DateTimeOffset" | "Edm.Binary" | "Edm.Duration" | "Edm.Date" => {
            value.is_string()
        }
        "Edm.Guid" => value
            .as_str()
            .is_some_and(|s| uuid::Uuid::parse_str(s).is_ok()),
        "Edm.Int32" => value.as_i64().is_some_and(|n| i32::try_from(n).is_ok()),
        "Edm.Int64" => value.as_i64().is_some(),
        "Edm.Double" | "Edm.Decimal" | "Edm.Single" => value.is_number(),
        other => {
            let short_name = short(other);
            if let Some(members) = MODEL.enum_types.get(short_name) {
                return match value.as_str() {
                    Some(s) if members.iter().any(|m| m == s) => Ok(()),
                    _ => Err((
                        "BadRequest",
                        format!("Requested value '{}' was not found.", literal(value)),
                    )),
                };
            }
            let Value::Object(map) = value else {
                return Err((
                    "BadRequest",
                    format!(
                        "An unexpected '{}' node was found when reading from the JSON reader. A \
                         'StartObject' node was expected for the property '{name}'.",
                        json_kind(value)
                    ),
                ));
            };
            if MODEL.complex_types.contains_key(short_name) {
                let members = structural_props(&MODEL.complex_types, short_name);
                for (member, member_value) in map {
                    if member.starts_with("@odata.") {
                        continue;
                    }
                    let Some(prop) = members.iter().find(|p| p.name == *member) else {
                        return Err((
                            "Request_BadRequest",
                            format!("Invalid property '{member}'."),
                        ));
                    };
                    check_value(prop, member_value)?;
                }
            }
            true
        }
    };
    if ok { Ok(()) } else { Err(convert_error()) }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("object"),
        }
    }

    #[test]
    fn the_generated_model_has_the_served_types() {
        for ty in [
            AUTHORIZATION_POLICY,
            SERVICE_PRINCIPAL,
            OAUTH2_PERMISSION_GRANT,
            DOMAIN,
            ADMIN_CONSENT_REQUEST_POLICY,
            APP_ROLE_ASSIGNMENT,
            INTERNAL_DOMAIN_FEDERATION,
        ] {
            let props = ty.props();
            assert!(props.iter().any(|p| p.name == "id"), "{} has id", ty.name);
            for name in ty.read_only.iter().chain(ty.create_only) {
                assert!(ty.prop(name).is_some(), "{}.{name} exists", ty.name);
            }
        }
        assert!(
            SERVICE_PRINCIPAL
                .prop("appRoleAssignmentRequired")
                .is_some()
        );
        assert!(SERVICE_PRINCIPAL.open());
        assert!(!AUTHORIZATION_POLICY.open());
    }

    #[test]
    fn unknown_property_is_invalid() {
        let err = validate_body(
            &AUTHORIZATION_POLICY,
            &obj(json!({"allowUserConsentForRiskyAps": false})),
            Mode::Update,
        )
        .expect_err("unknown");
        assert_eq!(err.0, "Request_BadRequest");
        assert_eq!(err.1, "Invalid property 'allowUserConsentForRiskyAps'.");
    }

    #[test]
    fn nested_unknown_property_is_invalid() {
        let err = validate_body(
            &AUTHORIZATION_POLICY,
            &obj(json!({"defaultUserRolePermissions": {"permissionGrantPolicies": []}})),
            Mode::Update,
        )
        .expect_err("unknown");
        assert_eq!(err.1, "Invalid property 'permissionGrantPolicies'.");
    }

    #[test]
    fn types_and_nullability_are_checked() {
        let cases = [
            json!({"allowUserConsentForRiskyApps": "no"}),
            json!({"allowedToUseSSPR": null}),
            json!({"allowInvitesFrom": "anyone"}),
            json!({"guestUserRoleId": "not-a-guid"}),
            json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": "x"}}),
            json!({"defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": [1]}}),
            json!({"defaultUserRolePermissions": {"allowedToReadOtherUsers": null}}),
            json!({"defaultUserRolePermissions": true}),
            json!({"defaultUserRolePermissions": null}),
        ];
        for case in cases {
            assert!(
                validate_body(&AUTHORIZATION_POLICY, &obj(case.clone()), Mode::Update).is_err(),
                "{case}"
            );
        }
        validate_body(
            &AUTHORIZATION_POLICY,
            &obj(
                json!({"allowUserConsentForRiskyApps": null, "allowInvitesFrom": "none",
                        "defaultUserRolePermissions": {"permissionGrantPoliciesAssigned": []}}),
            ),
            Mode::Update,
        )
        .expect("valid");
    }

    #[test]
    fn create_only_properties_are_read_only_on_update() {
        validate_body(
            &SERVICE_PRINCIPAL,
            &obj(json!({"appId": "x", "tags": ["a"]})),
            Mode::Create,
        )
        .expect("create");
        let err = validate_body(
            &SERVICE_PRINCIPAL,
            &obj(json!({"appId": "x"})),
            Mode::Update,
        )
        .expect_err("update");
        assert!(err.1.contains("read-only"));
        let err = validate_body(
            &OAUTH2_PERMISSION_GRANT,
            &obj(json!({"principalId": null})),
            Mode::Update,
        )
        .expect_err("grant update");
        assert!(err.1.contains("principalId"));
        validate_body(
            &OAUTH2_PERMISSION_GRANT,
            &obj(json!({"scope": "User.Read"})),
            Mode::Update,
        )
        .expect("scope is updatable");
    }

    #[test]
    fn open_types_accept_extension_properties() {
        validate_body(
            &SERVICE_PRINCIPAL,
            &obj(json!({"extension_abc_costCenter": "x"})),
            Mode::Update,
        )
        .expect("extension");
        assert!(
            validate_body(
                &AUTHORIZATION_POLICY,
                &obj(json!({"extension_abc_x": 1})),
                Mode::Update
            )
            .is_err()
        );
    }

    #[test]
    fn odata_type_must_match() {
        validate_body(
            &SERVICE_PRINCIPAL,
            &obj(json!({"@odata.type": "#microsoft.graph.servicePrincipal"})),
            Mode::Update,
        )
        .expect("matching type");
        assert!(
            validate_body(
                &SERVICE_PRINCIPAL,
                &obj(json!({"@odata.type": "#microsoft.graph.user"})),
                Mode::Update
            )
            .is_err()
        );
    }

    #[test]
    fn complex_members_are_checked() {
        assert!(
            validate_body(
                &SERVICE_PRINCIPAL,
                &obj(json!({"samlSingleSignOnSettings": {"relayStat": "x"}})),
                Mode::Update
            )
            .is_err()
        );
        validate_body(
            &SERVICE_PRINCIPAL,
            &obj(json!({"samlSingleSignOnSettings": {"relayState": "x"}})),
            Mode::Update,
        )
        .expect("relayState");
    }
}
