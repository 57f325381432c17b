//! The emulator's starting data: Zoom accounts with their apps, users and settings, and Entra ID
//! tenants with their client applications, service principals, grants and policies.
//!
//! # Seed file format (JSON)
//!
//! Keys of the seed's own structure are `snake_case`; values that are vendor objects (Zoom
//! settings, Graph objects) are written exactly as the vendor's API shows them (`camelCase` for
//! Graph). Every key is optional except where marked; unknown keys are rejected.
//!
//! ```json
//! {
//!   "zoom": { "accounts": [ {
//!     "id": "zA1b2C3d4E5f6G7h8I9j0k",            // required
//!     "name": "Contoso Ltd",
//!     "plan": "business",                         // basic | pro | business | enterprise
//!     "apps": [ { "client_id": "...", "client_secret": "...", "scopes": ["account:read:admin"] } ],
//!     "users": [ { "id": "...", "email": "...", "first_name": "...", "last_name": "...",
//!                  "type": 2, "role_name": "Admin", "status": "active" } ],
//!     "managed_domains": [ { "domain": "contoso.com", "status": "verified" } ],
//!     "trusted_domains": [ "contoso.com" ],
//!     "settings": { "security": { "signin_with_sso": { "enable": false,
//!                   "sso_bypass_users": [ { "id": "<user id>" } ] } },
//!                   "meeting_security": { "waiting_room": true } },
//!     "lock_settings": { "recording": { "cloud_recording": true } },
//!     "master_account": "<id of another account>",  // makes this a sub account of it
//!     "groups": [ { "id": "...", "name": "Sales", "members": ["<user id or email>"],
//!                   "settings": { "in_meeting": { "chat": false } }, "lock_settings": {} } ],
//!     "roles": [ { "id": "...", "name": "Calendar admins", "description": "...",
//!                  "type": "common", "privileges": ["ZoomRooms:Edit"] } ],
//!     "zoom_rooms_subscription": true,
//!     "calendar_services": [ { "id": "...", "email": "rooms.admin@contoso.com", "type": "office365",
//!                              "resources": [ { "email": "board.room@contoso.com",
//!                                               "assigned_room_id": "..." } ] } ]
//!   } ] },
//!   "entra": { "tenants": [ {
//!     "id": "<tenant GUID>",                       // required
//!     "display_name": "Contoso",
//!     "domains": [ { "id": "contoso.com", "is_default": true, "is_initial": false,
//!                    "is_verified": true, "authentication_type": "Managed",
//!                    "supported_services": ["Email"] } ],
//!     "client_apps": [ { "client_id": "<GUID>", "display_name": "zentra",
//!                        "secrets": ["..."], "app_roles": ["Policy.Read.All"],
//!                        "certificates": [ { "x5t_s256": "...", "rsa_modulus": "<base64url>",
//!                                            "rsa_exponent": "AQAB" } ],
//!                        "federated_credentials": [ { "name": "github-prod",
//!                            "issuer": "https://token.actions.githubusercontent.com",
//!                            "subject": "repo:contoso/iac:environment:production",
//!                            "audiences": ["api://AzureADTokenExchange"] } ] } ],
//!     "applications": [ { "app_id": "<GUID>", "display_name": "Zoom",
//!                         "sign_in_audience": "AzureADMultipleOrgs",
//!                         "oauth2_permission_scopes": [ { "id": "<GUID>", "value": "x",
//!                                                         "display_name": "...", "consent_type": "User" } ],
//!                         "app_roles": [] } ],
//!     "service_principals": [ { "appId": "00000003-0000-0000-c000-000000000000" } ],
//!     "authorization_policy": { "defaultUserRolePermissions": { "permissionGrantPoliciesAssigned": [] } },
//!     "oauth2_permission_grants": [ { "clientId": "...", "consentType": "AllPrincipals",
//!                                     "resourceId": "...", "scope": "User.Read" } ],
//!     "users": [ { "id": "<GUID>", "user_principal_name": "alice@contoso.com", "display_name": "Alice" } ],
//!     "permission_grant_policies": [ "my-custom-policy" ],
//!     "admin_consent_request_policy": { "isEnabled": false }
//!   } ],
//!   "oidc_issuers": [ { "issuer": "https://token.actions.githubusercontent.com",
//!                       "keys": [ { "kid": "...", "n": "<base64url>", "e": "AQAB" } ] } ] }
//! }
//! ```
//!
//! * Zoom `settings` and `lock_settings` are overrides: every readable field of the schema gets a
//!   plausible default (false, the first enum value, the minimum, an empty list) first.
//! * `security.signin_with_sso.sso_bypass_users` lists users of the account by `id`.
//! * A group's settings and lock settings start as a copy of the account's (what a new group
//!   inherits); the group's `settings` and `lock_settings` override that.
//! * Every account has the built-in roles Owner (id `0`), Admin (`1`) and Member (`2`); a user's
//!   `role_name` names a built-in or custom role.
//! * Calendar services have `type` `office365` (default), `exchange` or `google`; only the first
//!   two have resources. A service's `email` is the account it was added with, which Zoom lists
//!   as its `calendar_service_name`. The `/rooms` endpoints answer only with `zoom_rooms_subscription`.
//! * Applications known to every tenant need not be listed: Microsoft Graph (with its real
//!   permission ids), Office 365 Exchange Online and Office 365 SharePoint Online. Each client app
//!   is also a known application of its tenant.
//! * A service principal needs only `appId` (a known application); `id` is generated when
//!   absent and `displayName`, `appRoles`, `oauth2PermissionScopes` and the other read-only
//!   properties come from the application. Other Graph properties override.
//! * Grants may give `id`; `clientId` and `resourceId` are service principal ids of the tenant.

use std::collections::HashSet;
use std::fmt;
use std::path::Path;

use anyhow::{Context as _, bail};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

use super::permissions;
use super::zoom_groups::{self, ZoomGroupSeed};
use super::zoom_roles::{self, ZoomRoleSeed};
use super::zoom_rooms::{self, CalendarResourceSeed, CalendarServiceSeed};
use super::zoom_schema::{Document, validate_stored};

/// Everything the emulator starts with.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Seed {
    #[serde(default)]
    pub zoom: ZoomSeed,
    #[serde(default)]
    pub entra: EntraSeed,
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoomSeed {
    #[serde(default)]
    pub accounts: Vec<ZoomAccountSeed>,
}

/// The Zoom plan, which sets the rate limits and whether settings APIs are available.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ZoomPlan {
    /// Free: settings endpoints answer "Only available for paid accounts".
    Basic,
    Pro,
    #[default]
    Business,
    Enterprise,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoomAccountSeed {
    pub id: String,
    #[serde(default)]
    pub name: String,
    #[serde(default)]
    pub plan: ZoomPlan,
    /// Server-to-Server OAuth apps of the account.
    #[serde(default)]
    pub apps: Vec<ZoomAppSeed>,
    #[serde(default)]
    pub users: Vec<ZoomUserSeed>,
    #[serde(default)]
    pub managed_domains: Vec<ZoomManagedDomain>,
    #[serde(default)]
    pub trusted_domains: Vec<String>,
    /// Overrides on the schema-derived default settings (GET shape, plus `meeting_security`).
    #[serde(default)]
    pub settings: Map<String, Value>,
    /// Overrides on the default lock settings (all unlocked).
    #[serde(default)]
    pub lock_settings: Map<String, Value>,
    /// The master account that manages this sub account: its apps' tokens may address this
    /// account's `/accounts/{accountId}/...` endpoints.
    #[serde(default)]
    pub master_account: Option<String>,
    /// Groups; each user may belong to several.
    #[serde(default)]
    pub groups: Vec<ZoomGroupSeed>,
    /// Custom roles next to the built-in Owner, Admin and Member; users join a role through
    /// their `role_name`.
    #[serde(default)]
    pub roles: Vec<ZoomRoleSeed>,
    /// Whether the account has a Zoom Rooms subscription (the `/rooms` endpoints need one).
    #[serde(default)]
    pub zoom_rooms_subscription: bool,
    /// Zoom Rooms calendar services added in the web portal, with their resources.
    #[serde(default)]
    pub calendar_services: Vec<CalendarServiceSeed>,
}

/// A Server-to-Server OAuth app: the credentials `POST /oauth/token` accepts.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoomAppSeed {
    pub client_id: String,
    pub client_secret: String,
    /// Scopes granted to the app's tokens; classic admin scopes by default.
    #[serde(default = "default_zoom_scopes")]
    pub scopes: Vec<String>,
}

impl fmt::Debug for ZoomAppSeed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ZoomAppSeed")
            .field("client_id", &self.client_id)
            .field("client_secret", &"[REDACTED]")
            .field("scopes", &self.scopes)
            .finish()
    }
}

/// The classic scopes an account-level admin app typically holds.
pub fn default_zoom_scopes() -> Vec<String> {
    [
        "account:read:admin",
        "account:write:admin",
        "group:read:admin",
        "group:write:admin",
        "user:read:admin",
        "user:write:admin",
        "role:read:admin",
        "role:write:admin",
        "room:read:admin",
        "room:write:admin",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoomUserSeed {
    pub id: String,
    pub email: String,
    #[serde(default)]
    pub first_name: String,
    #[serde(default)]
    pub last_name: String,
    /// 1 basic, 2 licensed.
    #[serde(rename = "type", default = "licensed")]
    pub user_type: u8,
    #[serde(default = "member")]
    pub role_name: String,
    #[serde(default = "active")]
    pub status: String,
}

fn licensed() -> u8 {
    2
}
fn member() -> String {
    "Member".into()
}
fn active() -> String {
    "active".into()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ZoomManagedDomain {
    pub domain: String,
    #[serde(default = "verified")]
    pub status: String,
}

fn verified() -> String {
    "verified".into()
}

#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntraSeed {
    #[serde(default)]
    pub tenants: Vec<TenantSeed>,
    /// External OpenID Connect issuers (GitHub Actions, a Kubernetes cluster) whose tokens the
    /// token endpoint accepts as federated client assertions, with their signing keys (what
    /// Entra ID would fetch from the issuer's JWKS).
    #[serde(default)]
    pub oidc_issuers: Vec<OidcIssuerSeed>,
}

/// An external token issuer and its public signing keys.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OidcIssuerSeed {
    /// The `iss` of its tokens, e.g. `https://token.actions.githubusercontent.com`.
    pub issuer: String,
    pub keys: Vec<JwkSeed>,
}

/// An RSA public key in JWK form.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JwkSeed {
    /// Key id (`kid` header of the tokens it signs).
    pub kid: String,
    /// Modulus, base64url without padding.
    pub n: String,
    /// Exponent, base64url without padding (`AQAB`).
    pub e: String,
}

/// A workload identity federation trust on a client app (`federatedIdentityCredential`): a
/// token from `issuer` about `subject` for one of `audiences` stands in for a credential.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FederatedCredentialSeed {
    pub name: String,
    pub issuer: String,
    pub subject: String,
    #[serde(default = "token_exchange_audience")]
    pub audiences: Vec<String>,
}

fn token_exchange_audience() -> Vec<String> {
    vec!["api://AzureADTokenExchange".to_string()]
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TenantSeed {
    /// The tenant id, a GUID.
    pub id: String,
    #[serde(default)]
    pub display_name: String,
    #[serde(default)]
    pub domains: Vec<EntraDomainSeed>,
    /// App registrations that may request tokens (zentra's own registration).
    #[serde(default)]
    pub client_apps: Vec<EntraClientApp>,
    /// Applications (usually multitenant, published elsewhere) whose service principal can be
    /// created in this tenant with `POST /servicePrincipals`.
    #[serde(default)]
    pub applications: Vec<KnownApplication>,
    #[serde(default)]
    pub service_principals: Vec<Map<String, Value>>,
    /// Overrides on the default authorization policy (Graph shape).
    #[serde(default)]
    pub authorization_policy: Map<String, Value>,
    #[serde(default)]
    pub oauth2_permission_grants: Vec<Map<String, Value>>,
    #[serde(default)]
    pub users: Vec<EntraUserSeed>,
    /// Custom permission grant policy ids, next to the built-in ones.
    #[serde(default)]
    pub permission_grant_policies: Vec<String>,
    /// Overrides on the default admin consent request policy (Graph shape).
    #[serde(default)]
    pub admin_consent_request_policy: Map<String, Value>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntraDomainSeed {
    pub id: String,
    #[serde(default)]
    pub is_default: bool,
    #[serde(default)]
    pub is_initial: bool,
    #[serde(default = "yes")]
    pub is_verified: bool,
    #[serde(default = "managed")]
    pub authentication_type: String,
    #[serde(default)]
    pub supported_services: Vec<String>,
}

fn yes() -> bool {
    true
}
fn managed() -> String {
    "Managed".into()
}

/// An app registration of the tenant that authenticates with client credentials.
#[derive(Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntraClientApp {
    pub client_id: String,
    #[serde(default)]
    pub display_name: String,
    /// Client secret values that are accepted.
    #[serde(default)]
    pub secrets: Vec<String>,
    /// Certificates whose keys may sign client assertions.
    #[serde(default)]
    pub certificates: Vec<EntraCertificate>,
    /// Microsoft Graph application permissions (app role values) consented for the app.
    #[serde(default)]
    pub app_roles: Vec<String>,
    /// Workload identity federation trusts.
    #[serde(default)]
    pub federated_credentials: Vec<FederatedCredentialSeed>,
}

impl fmt::Debug for EntraClientApp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("EntraClientApp")
            .field("client_id", &self.client_id)
            .field("display_name", &self.display_name)
            .field("secrets", &format!("[{} REDACTED]", self.secrets.len()))
            .field("certificates", &self.certificates.len())
            .field("app_roles", &self.app_roles)
            .field("federated_credentials", &self.federated_credentials)
            .finish()
    }
}

/// A registered certificate's public key (RSA), identified by its thumbprints.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntraCertificate {
    /// Base64url SHA-256 thumbprint (`x5t#S256` header of an assertion).
    #[serde(default)]
    pub x5t_s256: Option<String>,
    /// Base64url SHA-1 thumbprint (`x5t` header of an assertion).
    #[serde(default)]
    pub x5t: Option<String>,
    /// RSA modulus, base64url without padding.
    pub rsa_modulus: String,
    /// RSA public exponent, base64url without padding (`AQAB`).
    pub rsa_exponent: String,
}

/// An application a service principal can be created for.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct KnownApplication {
    pub app_id: String,
    pub display_name: String,
    #[serde(default = "multiple_orgs")]
    pub sign_in_audience: String,
    /// The publisher's tenant id (`appOwnerOrganizationId`).
    #[serde(default)]
    pub publisher_tenant_id: Option<String>,
    #[serde(default)]
    pub verified_publisher: Option<String>,
    #[serde(default)]
    pub oauth2_permission_scopes: Vec<PermissionEntry>,
    #[serde(default)]
    pub app_roles: Vec<PermissionEntry>,
}

fn multiple_orgs() -> String {
    "AzureADMultipleOrgs".into()
}

/// A delegated permission (scope) or application permission (app role) an application exposes.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PermissionEntry {
    pub id: String,
    pub value: String,
    #[serde(default)]
    pub display_name: String,
    /// For scopes: `User` (users may consent) or `Admin`.
    #[serde(default = "user_consent")]
    pub consent_type: String,
}

fn user_consent() -> String {
    "User".into()
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EntraUserSeed {
    pub id: String,
    pub user_principal_name: String,
    #[serde(default)]
    pub display_name: String,
}

/// Well-known application ids.
pub(crate) mod app_ids {
    pub const MICROSOFT_GRAPH: &str = "00000003-0000-0000-c000-000000000000";
    pub const EXCHANGE_ONLINE: &str = "00000002-0000-0ff1-ce00-000000000000";
    pub const SHAREPOINT_ONLINE: &str = "00000003-0000-0ff1-ce00-000000000000";
    /// Zoom for conference rooms, full delegate access method (multitenant, published by Zoom).
    pub const ZOOM: &str = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29";
    /// Zoom Rooms, Microsoft Graph application permissions method.
    pub const ZOOM_ROOMS: &str = "f56e91e5-5a82-452f-b435-d4d78aeaf064";
}

/// The tenant id of Microsoft's own services (publisher of Graph, Exchange, SharePoint).
pub(crate) const MICROSOFT_SERVICES_TENANT: &str = "f8cdef31-a31e-4b4a-93e4-5f571e91255a";

/// Applications every tenant knows without being told.
pub(crate) fn builtin_applications() -> Vec<KnownApplication> {
    vec![
        KnownApplication {
            app_id: app_ids::MICROSOFT_GRAPH.into(),
            display_name: "Microsoft Graph".into(),
            sign_in_audience: multiple_orgs(),
            publisher_tenant_id: Some(MICROSOFT_SERVICES_TENANT.into()),
            verified_publisher: None,
            oauth2_permission_scopes: permissions::graph_delegated_scopes(),
            app_roles: permissions::graph_app_roles(),
        },
        KnownApplication {
            app_id: app_ids::EXCHANGE_ONLINE.into(),
            display_name: "Office 365 Exchange Online".into(),
            sign_in_audience: multiple_orgs(),
            publisher_tenant_id: Some(MICROSOFT_SERVICES_TENANT.into()),
            verified_publisher: None,
            oauth2_permission_scopes: vec![],
            app_roles: vec![],
        },
        KnownApplication {
            app_id: app_ids::SHAREPOINT_ONLINE.into(),
            display_name: "Office 365 SharePoint Online".into(),
            sign_in_audience: multiple_orgs(),
            publisher_tenant_id: Some(MICROSOFT_SERVICES_TENANT.into()),
            verified_publisher: None,
            oauth2_permission_scopes: vec![],
            app_roles: vec![],
        },
    ]
}

impl Seed {
    /// Parses and checks the text of the seed file `origin`; errors name the file (and the line
    /// and column of a JSON error). Reading the file is the caller's: `zentra sim --seed` reads
    /// it as zentra reads every file, a regular file of bounded size.
    pub fn from_json(text: &str, origin: &Path) -> anyhow::Result<Seed> {
        let seed: Seed = serde_json::from_str(text)
            .with_context(|| format!("invalid seed file {}", origin.display()))?;
        seed.validate()
            .with_context(|| format!("invalid seed file {}", origin.display()))?;
        Ok(seed)
    }

    /// Checks what serde cannot: ids are unique and well-formed and references resolve.
    pub fn validate(&self) -> anyhow::Result<()> {
        let mut account_ids = HashSet::new();
        let mut zoom_client_ids = HashSet::new();
        for account in &self.zoom.accounts {
            if account.id.trim().is_empty() || account.id == "me" {
                bail!("zoom account id {:?} is not usable", account.id);
            }
            if !account_ids.insert(account.id.as_str()) {
                bail!("zoom account {} is listed twice", account.id);
            }
            for app in &account.apps {
                if app.client_id.is_empty() || app.client_secret.is_empty() {
                    bail!(
                        "zoom account {}: an app needs client_id and client_secret",
                        account.id
                    );
                }
                if !zoom_client_ids.insert(app.client_id.as_str()) {
                    bail!("zoom client_id {} is listed twice", app.client_id);
                }
            }
            for (doc, name, overrides) in [
                (Document::Settings, "settings", &account.settings),
                (
                    Document::LockSettings,
                    "lock_settings",
                    &account.lock_settings,
                ),
            ] {
                let errors = validate_stored(doc, overrides);
                if !errors.is_empty() {
                    bail!(
                        "zoom account {}: {name} has unknown or invalid fields: {}",
                        account.id,
                        errors.join(", ")
                    );
                }
            }
            let mut user_ids = HashSet::new();
            for user in &account.users {
                if !user_ids.insert(user.id.as_str()) {
                    bail!(
                        "zoom account {}: user {} is listed twice",
                        account.id,
                        user.id
                    );
                }
            }
            zoom_groups::validate_seed(&account.groups, &account.users)
                .and_then(|()| zoom_roles::validate_seed(&account.roles, &account.users))
                .and_then(|()| zoom_rooms::validate_seed(&account.calendar_services))
                .with_context(|| format!("zoom account {}", account.id))?;
            if let Some(bypass) = account
                .settings
                .get("security")
                .and_then(|s| s.get("signin_with_sso"))
                .and_then(|s| s.get("sso_bypass_users"))
            {
                let Some(list) = bypass.as_array() else {
                    bail!(
                        "zoom account {}: security.signin_with_sso.sso_bypass_users must be a list",
                        account.id
                    );
                };
                for entry in list {
                    let id = entry.get("id").and_then(Value::as_str).unwrap_or_default();
                    if !user_ids.contains(id) {
                        bail!(
                            "zoom account {}: sso_bypass_users names {:?}, which is not a user of the account",
                            account.id,
                            id
                        );
                    }
                }
            }
        }
        for account in &self.zoom.accounts {
            if let Some(master) = &account.master_account
                && (master == &account.id || !account_ids.contains(master.as_str()))
            {
                bail!(
                    "zoom account {}: master account {master} is not another account of the seed",
                    account.id
                );
            }
        }
        let mut tenant_ids = HashSet::new();
        for tenant in &self.entra.tenants {
            if uuid::Uuid::parse_str(&tenant.id).is_err() {
                bail!("entra tenant id {:?} is not a GUID", tenant.id);
            }
            if !tenant_ids.insert(tenant.id.to_ascii_lowercase()) {
                bail!("entra tenant {} is listed twice", tenant.id);
            }
            for client in &tenant.client_apps {
                if uuid::Uuid::parse_str(&client.client_id).is_err() {
                    bail!(
                        "tenant {}: client app id {:?} is not a GUID",
                        tenant.id,
                        client.client_id
                    );
                }
                for fic in &client.federated_credentials {
                    if fic.name.trim().is_empty()
                        || fic.issuer.trim().is_empty()
                        || fic.subject.trim().is_empty()
                        || fic.audiences.is_empty()
                    {
                        bail!(
                            "tenant {}: client app {}: a federated credential needs name, issuer, \
                             subject and at least one audience",
                            tenant.id,
                            client.client_id
                        );
                    }
                }
            }
            let mut known: HashSet<String> = builtin_applications()
                .into_iter()
                .map(|a| a.app_id.to_ascii_lowercase())
                .collect();
            known.extend(
                tenant
                    .applications
                    .iter()
                    .map(|a| a.app_id.to_ascii_lowercase()),
            );
            known.extend(
                tenant
                    .client_apps
                    .iter()
                    .map(|c| c.client_id.to_ascii_lowercase()),
            );
            let mut sp_app_ids = HashSet::new();
            for sp in &tenant.service_principals {
                let Some(app_id) = sp.get("appId").and_then(Value::as_str) else {
                    bail!("tenant {}: a service principal has no appId", tenant.id);
                };
                if !known.contains(&app_id.to_ascii_lowercase()) {
                    bail!(
                        "tenant {}: service principal appId {} is not a known application",
                        tenant.id,
                        app_id
                    );
                }
                if !sp_app_ids.insert(app_id.to_ascii_lowercase()) {
                    bail!(
                        "tenant {}: two service principals for appId {}",
                        tenant.id,
                        app_id
                    );
                }
            }
            for domain in &tenant.domains {
                if domain.id.is_empty() || !domain.id.contains('.') {
                    bail!(
                        "tenant {}: domain {:?} is not a domain name",
                        tenant.id,
                        domain.id
                    );
                }
            }
        }
        Ok(())
    }

    /// A realistic Zoom Business account and Entra ID tenant ("Contoso") before the Office 365
    /// calendar integration: SSO sign-in disabled in Zoom, legacy user consent allowed in
    /// Entra ID, the Microsoft Graph service principal present, the Zoom application known but
    /// its service principal not yet created, and no delegated permission grants.
    pub fn default_demo() -> Seed {
        let zoom_account = ZoomAccountSeed {
            id: "zA1b2C3d4E5f6G7h8I9j0k".into(),
            name: "Contoso Ltd".into(),
            plan: ZoomPlan::Business,
            apps: vec![ZoomAppSeed {
                client_id: "Xq7TnR2wS0aZ4kLm9PvB1c".into(),
                client_secret: "sim-zoom-secret-4f8a2c9e7b1d6035".into(),
                scopes: default_zoom_scopes(),
            }],
            users: vec![
                zoom_user(
                    "Rk3vQp8sTq2xWm5yZb7nLa",
                    "megan.bowen@contoso.com",
                    "Megan",
                    "Bowen",
                    "Owner",
                ),
                zoom_user(
                    "KDcuGIm1QgePTO8WbOqwIQ",
                    "breakglass@contoso.com",
                    "Break",
                    "Glass",
                    "Admin",
                ),
                zoom_user(
                    "Hn4cXe9uVr1bTt6oPs2dMw",
                    "adele.vance@contoso.com",
                    "Adele",
                    "Vance",
                    "Member",
                ),
                zoom_user(
                    "Jp8wLd3fGy7kNa0hQz5rEu",
                    "alex.wilber@contoso.com",
                    "Alex",
                    "Wilber",
                    "Member",
                ),
                zoom_user(
                    "Ty2mBq6jSc9vXn4eWk1gRo",
                    "lee.gu@contoso.com",
                    "Lee",
                    "Gu",
                    "Member",
                ),
            ],
            managed_domains: vec![ZoomManagedDomain {
                domain: "contoso.com".into(),
                status: "verified".into(),
            }],
            trusted_domains: vec!["contoso.com".into()],
            settings: demo_zoom_settings(),
            lock_settings: demo_zoom_lock_settings(),
            master_account: None,
            groups: vec![ZoomGroupSeed {
                id: Some("gR7kT2mWq9XbN4vLc1sPzA".into()),
                name: "Sales".into(),
                members: vec![
                    "alex.wilber@contoso.com".into(),
                    "lee.gu@contoso.com".into(),
                ],
                settings: Map::new(),
                lock_settings: Map::new(),
            }],
            roles: vec![],
            zoom_rooms_subscription: true,
            calendar_services: vec![CalendarServiceSeed {
                id: Some("cS4nQ8wE2rT6yU0iO3pA7d".into()),
                email: "rooms.admin@contoso.com".into(),
                kind: zoom_rooms::CalendarServiceKind::Office365,
                resources: vec![CalendarResourceSeed {
                    id: Some("cR1aZ5xC9vB3nM7qW2eR6t".into()),
                    email: "board.room@contoso.com".into(),
                    name: Some("Board Room".into()),
                    assigned_room_id: Some("zR8kL2pQ6wE0rT4yU9iO1a".into()),
                }],
            }],
        };
        let tenant_id = "8a3c5e21-4b6d-4f9e-9c1a-2d7e6f0b3a94";
        let zentra_client_id = "3f2b9c4e-8d1a-4e7b-9a6c-5b0d2e1f7a83";
        let tenant = TenantSeed {
            id: tenant_id.into(),
            display_name: "Contoso".into(),
            domains: vec![
                // Federating a domain needs another default: the initial domain is the default,
                // as in tenants that federate their company domain.
                EntraDomainSeed {
                    id: "contoso.onmicrosoft.com".into(),
                    is_default: true,
                    is_initial: true,
                    is_verified: true,
                    authentication_type: "Managed".into(),
                    supported_services: vec!["Email".into(), "OfficeCommunicationsOnline".into()],
                },
                EntraDomainSeed {
                    id: "contoso.com".into(),
                    is_default: false,
                    is_initial: false,
                    is_verified: true,
                    authentication_type: "Managed".into(),
                    supported_services: vec![
                        "Email".into(),
                        "OfficeCommunicationsOnline".into(),
                        "Intune".into(),
                    ],
                },
            ],
            client_apps: vec![EntraClientApp {
                client_id: zentra_client_id.into(),
                display_name: "zentra".into(),
                secrets: vec!["sim~Vb8Q~contoso.zentra.7c1e4a9d2f6b".into()],
                certificates: vec![],
                app_roles: [
                    "Policy.Read.All",
                    "Policy.ReadWrite.Authorization",
                    "Application.ReadWrite.All",
                    "DelegatedPermissionGrant.ReadWrite.All",
                    "AppRoleAssignment.ReadWrite.All",
                    "Domain.Read.All",
                    "Policy.ReadWrite.ConsentRequest",
                    "Domain-InternalFederation.ReadWrite.All",
                ]
                .iter()
                .map(|s| s.to_string())
                .collect(),
                federated_credentials: vec![],
            }],
            applications: vec![
                KnownApplication {
                    app_id: app_ids::ZOOM.into(),
                    display_name: "Zoom".into(),
                    sign_in_audience: multiple_orgs(),
                    publisher_tenant_id: Some("6b2c0f4e-93a1-4d87-b5e2-1c9f8a7d3e60".into()),
                    verified_publisher: Some("Zoom Video Communications, Inc.".into()),
                    oauth2_permission_scopes: vec![],
                    app_roles: vec![],
                },
                KnownApplication {
                    app_id: app_ids::ZOOM_ROOMS.into(),
                    display_name: "Zoom Rooms".into(),
                    sign_in_audience: multiple_orgs(),
                    publisher_tenant_id: Some("6b2c0f4e-93a1-4d87-b5e2-1c9f8a7d3e60".into()),
                    verified_publisher: Some("Zoom Video Communications, Inc.".into()),
                    oauth2_permission_scopes: vec![],
                    app_roles: vec![],
                },
            ],
            service_principals: vec![
                sp_seed(
                    app_ids::MICROSOFT_GRAPH,
                    "5b1e7c3a-9f2d-4e8b-a6c4-0d3f9e2b7a15",
                ),
                sp_seed(
                    app_ids::EXCHANGE_ONLINE,
                    "c4d9a2e6-1b7f-4c3e-8a5d-6f0e2b9c7d41",
                ),
                sp_seed(
                    app_ids::SHAREPOINT_ONLINE,
                    "e7f3b1c9-5a4d-4b2e-9c8f-1d6a0e3b5c72",
                ),
                sp_seed(zentra_client_id, "9d2e6f1a-3c8b-4a7e-b5d9-2f0c4e8a1b36"),
            ],
            authorization_policy: match json!({
                "defaultUserRolePermissions": {
                    "permissionGrantPoliciesAssigned": [
                        "ManagePermissionGrantsForSelf.microsoft-user-default-legacy",
                        "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat",
                        "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"
                    ]
                }
            }) {
                Value::Object(map) => map,
                _ => Map::new(),
            },
            oauth2_permission_grants: vec![],
            users: vec![
                EntraUserSeed {
                    id: "0b6f2c1d-7e4a-4d93-8c5b-3a9e1f7d2c68".into(),
                    user_principal_name: "breakglass@contoso.onmicrosoft.com".into(),
                    display_name: "Break Glass".into(),
                },
                EntraUserSeed {
                    id: "4e8a1d3c-6b2f-4a7d-9e5c-8f1b3d6a2e94".into(),
                    user_principal_name: "megan.bowen@contoso.com".into(),
                    display_name: "Megan Bowen".into(),
                },
                EntraUserSeed {
                    id: "7c3b9e2a-1d5f-4e8c-a4b6-2d9f7e1c3a58".into(),
                    user_principal_name: "adele.vance@contoso.com".into(),
                    display_name: "Adele Vance".into(),
                },
            ],
            permission_grant_policies: vec![],
            admin_consent_request_policy: Map::new(),
        };
        Seed {
            zoom: ZoomSeed {
                accounts: vec![zoom_account],
            },
            entra: EntraSeed {
                tenants: vec![tenant],
                oidc_issuers: vec![],
            },
        }
    }
}

fn zoom_user(id: &str, email: &str, first: &str, last: &str, role: &str) -> ZoomUserSeed {
    ZoomUserSeed {
        id: id.into(),
        email: email.into(),
        first_name: first.into(),
        last_name: last.into(),
        user_type: 2,
        role_name: role.into(),
        status: "active".into(),
    }
}

fn sp_seed(app_id: &str, id: &str) -> Map<String, Value> {
    let mut map = Map::new();
    map.insert("id".into(), json!(id));
    map.insert("appId".into(), json!(app_id));
    map
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// Settings an administrator of a typical Business account would have, before SSO is enforced.
fn demo_zoom_settings() -> Map<String, Value> {
    object(json!({
        "security": {
            "admin_change_name_pic": true,
            "admin_change_user_info": true,
            "user_modifiable_info_by_admin": ["name", "profile_picture"],
            "hide_billing_info": false,
            "import_photos_from_devices": true,
            "password_requirement": {
                "consecutive_characters_length": 0,
                "have_special_character": true,
                "minimum_password_length": 10,
                "weak_enhance_detection": true
            },
            "sign_again_period_for_inactivity_on_client": 60,
            "sign_again_period_for_inactivity_on_web": 30,
            "sign_in_with_two_factor_auth": "all",
            "signin_with_sso": {
                "enable": false,
                "require_sso_for_domains": false,
                "domains": [],
                "sso_bypass_users": []
            }
        },
        "schedule_meeting": {
            "host_video": false,
            "participant_video": false,
            "join_before_host": false,
            "require_password_for_scheduling_new_meetings": true,
            "require_password_for_instant_meetings": true,
            "use_pmi_for_scheduled_meetings": false,
            "use_pmi_for_instant_meetings": false
        },
        "in_meeting": {
            "chat": true,
            "private_chat": true,
            "breakout_room": true,
            "co_host": true,
            "polling": true,
            "screen_sharing": true,
            "who_can_share_screen": "host",
            "annotation": true,
            "whiteboard": true,
            "file_transfer": false,
            "virtual_background": true,
            "closed_caption": true
        },
        "recording": {
            "local_recording": true,
            "cloud_recording": true,
            "auto_recording": "none",
            "cloud_recording_download": true,
            "host_delete_cloud_recording": true
        },
        "integration": {
            "google_calendar": false,
            "microsoft_one_drive": true
        },
        "mail_calendar": {
            "email_calendar_management": false
        },
        "meeting_security": {
            "waiting_room": true,
            "meeting_password": true,
            "embed_password_in_join_link": true,
            "phone_password": true,
            "pmi_password": true,
            "require_password_for_scheduled_meeting": true,
            "only_authenticated_can_join_from_webclient": false,
            "encryption_type": "enhanced_encryption",
            "end_to_end_encrypted_meetings": false
        }
    }))
}

/// Mostly unlocked; the account owner locked passcodes and cloud recording.
fn demo_zoom_lock_settings() -> Map<String, Value> {
    object(json!({
        "schedule_meeting": {
            "require_password_for_scheduling_new_meetings": true,
            "require_password_for_instant_meetings": true
        },
        "recording": {
            "cloud_recording": true
        },
        "meeting_security": {
            "meeting_password": true
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn demo_seed_is_valid_and_round_trips_through_json() {
        let seed = Seed::default_demo();
        seed.validate().expect("demo seed is valid");
        let text = serde_json::to_string_pretty(&seed).expect("serializes");
        let back: Seed = serde_json::from_str(&text).expect("parses back");
        back.validate().expect("still valid");
        assert_eq!(back.zoom.accounts[0].id, "zA1b2C3d4E5f6G7h8I9j0k");
        assert_eq!(
            back.entra.tenants[0].service_principals.len(),
            seed.entra.tenants[0].service_principals.len()
        );
    }

    #[test]
    fn demo_seed_has_zoom_app_known_but_no_service_principal() {
        let seed = Seed::default_demo();
        let tenant = &seed.entra.tenants[0];
        assert!(
            tenant
                .applications
                .iter()
                .any(|a| a.app_id == app_ids::ZOOM)
        );
        assert!(
            !tenant
                .service_principals
                .iter()
                .any(|sp| sp.get("appId") == Some(&json!(app_ids::ZOOM)))
        );
        assert!(tenant.oauth2_permission_grants.is_empty());
    }

    #[test]
    fn debug_output_hides_secrets() {
        let seed = Seed::default_demo();
        let text = format!("{seed:?}");
        assert!(!text.contains(&seed.zoom.accounts[0].apps[0].client_secret));
        assert!(!text.contains(&seed.entra.tenants[0].client_apps[0].secrets[0]));
        assert!(text.contains("REDACTED"));
    }

    #[test]
    fn from_json_names_the_file_and_position_on_errors() {
        let path = Path::new("seed.json");
        let text = "{\n  \"zoom\": {\"accounts\": [}\n}";
        let err = format!("{:#}", Seed::from_json(text, path).expect_err("bad json"));
        assert!(err.contains("seed.json"), "{err}");
        assert!(err.contains("line 2"), "{err}");

        let text = r#"{"zoom": {"acounts": []}}"#;
        let err = format!(
            "{:#}",
            Seed::from_json(text, path).expect_err("unknown key")
        );
        assert!(err.contains("acounts"), "{err}");

        let text = r#"{"entra": {"tenants": [{"id": "not-a-guid"}]}}"#;
        let err = format!("{:#}", Seed::from_json(text, path).expect_err("bad tenant"));
        assert!(err.contains("not a GUID"), "{err}");
    }

    #[test]
    fn settings_overrides_must_fit_the_schema() {
        let mut seed = Seed::default_demo();
        seed.zoom.accounts[0].settings = object(json!({
            "schedule_meeting": {"host_vidoe": true}
        }));
        let err = seed.validate().expect_err("typo");
        assert!(
            err.to_string().contains("schedule_meeting.host_vidoe"),
            "{err}"
        );
        let mut seed = Seed::default_demo();
        seed.zoom.accounts[0].lock_settings = object(json!({"in_meeting": {"chat": "yes"}}));
        let err = seed.validate().expect_err("type");
        assert!(err.to_string().contains("in_meeting.chat"), "{err}");
    }

    #[test]
    fn bypass_users_must_belong_to_the_account() {
        let mut seed = Seed::default_demo();
        seed.zoom.accounts[0].settings = object(json!({
            "security": {"signin_with_sso": {"sso_bypass_users": [{"id": "nobody"}]}}
        }));
        let err = seed.validate().expect_err("unknown user");
        assert!(err.to_string().contains("nobody"));
    }
}
