//! The emulator's live state: Zoom accounts (settings, locks, users, issued tokens) and Entra ID
//! tenants (policy, service principals, grants, issued tokens), built from a [`Seed`] and
//! changed by API calls and by the admin API.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{Context as _, bail};
use rand::Rng as _;
use rand::distr::Alphanumeric;
use serde_json::{Map, Value, json};

use super::faults::Faults;
use super::log::{REDACTED, RequestRecord};
use super::seed::{
    EntraClientApp, EntraUserSeed, KnownApplication, Seed, ZoomAppSeed, ZoomManagedDomain,
    ZoomPlan, ZoomUserSeed, builtin_applications,
};
use super::zoom_groups::ZoomGroup;
use super::zoom_roles::{ZoomRole, builtin_roles};
use super::zoom_rooms::CalendarService;
use super::zoom_schema;

/// Lifetime of Zoom access tokens (seconds), as Zoom documents.
pub(crate) const ZOOM_TOKEN_SECONDS: u64 = 3600;
/// Lifetime of Entra ID access tokens (seconds), as the token endpoint reports it.
pub(crate) const GRAPH_TOKEN_SECONDS: u64 = 3599;

pub(crate) struct SimState {
    seed: Seed,
    initial_faults: Faults,
    initial_lag: Duration,
    pub lag: Duration,
    pub faults: Faults,
    /// The random draws of the faults' rates, seeded from [`Faults::seed`].
    fault_draws: rand::rngs::StdRng,
    pub zoom: ZoomState,
    pub entra: EntraState,
    pub requests: Vec<RequestRecord>,
}

#[derive(Default)]
pub(crate) struct ZoomState {
    pub accounts: Vec<ZoomAccount>,
    pub tokens: HashMap<String, ZoomToken>,
    /// (account, category) -> (second since start, requests in that second).
    pub qps: HashMap<(String, &'static str), (u64, u32)>,
    /// account -> (UTC day number, requests that day).
    pub daily: HashMap<String, (i64, u32)>,
    pub started: Option<Instant>,
}

pub(crate) struct ZoomAccount {
    pub id: String,
    pub name: String,
    pub plan: ZoomPlan,
    pub apps: Vec<ZoomAppSeed>,
    pub users: Vec<ZoomUserSeed>,
    pub managed_domains: Vec<ZoomManagedDomain>,
    pub trusted_domains: Vec<String>,
    /// Every section in GET shape, plus `meeting_security`.
    pub settings: Map<String, Value>,
    /// Every section in GET shape, plus `meeting_security`.
    pub lock_settings: Map<String, Value>,
    /// The master account managing this one, if it is a sub account.
    pub master_account: Option<String>,
    pub groups: Vec<ZoomGroup>,
    /// The built-in roles first, then custom ones.
    pub roles: Vec<ZoomRole>,
    pub zoom_rooms_subscription: bool,
    pub calendar_services: Vec<CalendarService>,
}

pub(crate) struct ZoomToken {
    pub account_id: String,
    pub scopes: Vec<String>,
    pub expires: Instant,
}

#[derive(Default)]
pub(crate) struct EntraState {
    pub tenants: Vec<Tenant>,
    pub tokens: HashMap<String, GraphToken>,
    /// External token issuers trusted for federated client assertions.
    pub oidc_issuers: Vec<super::seed::OidcIssuerSeed>,
    /// Client assertion ids (`jti`) already used, until their assertion expires: an assertion
    /// is accepted once.
    pub used_assertions: HashMap<String, Instant>,
    /// (tenant, application) -> the pair's Graph throttling budget.
    pub budgets: HashMap<(String, String), super::graph_throttle::Budget>,
}

pub(crate) struct GraphToken {
    pub tenant_id: String,
    /// The application (client) id the token was issued to.
    pub app_id: String,
    pub roles: Vec<String>,
    pub expires: Instant,
}

/// A directory object with the moment it becomes visible to reads (replication lag).
#[derive(Clone, Debug)]
pub(crate) struct Stored {
    pub visible_at: Instant,
    pub data: Map<String, Value>,
}

impl Stored {
    pub(crate) fn replicated(data: Map<String, Value>) -> Stored {
        Stored {
            visible_at: Instant::now(),
            data,
        }
    }

    /// When an object created at `now` becomes visible; a lag too large to represent means
    /// (practically) never.
    pub(crate) fn visible_after(now: Instant, lag: Duration) -> Instant {
        now.checked_add(lag)
            .or_else(|| now.checked_add(Duration::from_secs(100 * 365 * 86_400)))
            .unwrap_or(now)
    }

    pub(crate) fn visible(&self, now: Instant) -> bool {
        now >= self.visible_at
    }

    pub(crate) fn id(&self) -> &str {
        self.data.get("id").and_then(Value::as_str).unwrap_or("")
    }

    pub(crate) fn str_field(&self, name: &str) -> Option<&str> {
        self.data.get(name).and_then(Value::as_str)
    }
}

pub(crate) struct Tenant {
    pub id: String,
    pub display_name: String,
    pub domains: Vec<Value>,
    pub client_apps: Vec<EntraClientApp>,
    pub applications: Vec<KnownApplication>,
    pub service_principals: Vec<Stored>,
    pub grants: Vec<Stored>,
    pub authorization_policy: Map<String, Value>,
    pub users: Vec<EntraUserSeed>,
    /// Ids of every permission grant policy (built-in and custom).
    pub permission_grant_policies: Vec<String>,
    pub admin_consent_request_policy: Map<String, Value>,
    /// App role assignments (`appRoleAssignedTo` of resource service principals).
    pub app_role_assignments: Vec<Stored>,
    /// Federation configurations (`internalDomainFederation`), at most one per domain.
    pub federations: Vec<DomainFederation>,
}

/// A domain's federation configuration.
#[derive(Clone, Debug)]
pub(crate) struct DomainFederation {
    /// The domain's id (its name), as stored in `domains`.
    pub domain: String,
    pub object: Stored,
}

impl Tenant {
    pub(crate) fn application(&self, app_id: &str) -> Option<&KnownApplication> {
        self.applications
            .iter()
            .find(|a| a.app_id.eq_ignore_ascii_case(app_id))
    }

    /// A service principal by object id, if visible (or `include_unreplicated`).
    pub(crate) fn sp_index(&self, id: &str, now: Option<Instant>) -> Option<usize> {
        self.service_principals
            .iter()
            .position(|sp| sp.id().eq_ignore_ascii_case(id) && now.is_none_or(|n| sp.visible(n)))
    }

    pub(crate) fn sp_index_by_app(&self, app_id: &str, now: Option<Instant>) -> Option<usize> {
        self.service_principals.iter().position(|sp| {
            sp.str_field("appId")
                .is_some_and(|a| a.eq_ignore_ascii_case(app_id))
                && now.is_none_or(|n| sp.visible(n))
        })
    }

    /// A domain by name, without regard to case.
    pub(crate) fn domain_index(&self, name: &str) -> Option<usize> {
        self.domains.iter().position(|d| {
            d.get("id")
                .and_then(Value::as_str)
                .is_some_and(|id| id.eq_ignore_ascii_case(name))
        })
    }

    /// The federation configuration of a domain, if visible (or `now` is `None`).
    pub(crate) fn federation_index(&self, domain: &str, now: Option<Instant>) -> Option<usize> {
        self.federations.iter().position(|f| {
            f.domain.eq_ignore_ascii_case(domain) && now.is_none_or(|n| f.object.visible(n))
        })
    }

    pub(crate) fn assignment_index(&self, id: &str, now: Option<Instant>) -> Option<usize> {
        self.app_role_assignments
            .iter()
            .position(|a| a.id() == id && now.is_none_or(|n| a.visible(n)))
    }

    pub(crate) fn grant_index(&self, id: &str, now: Option<Instant>) -> Option<usize> {
        self.grants
            .iter()
            .position(|g| g.id() == id && now.is_none_or(|n| g.visible(n)))
    }
}

/// Built-in permission grant policies every tenant has.
pub(crate) const BUILTIN_GRANT_POLICIES: &[&str] = &[
    "microsoft-user-default-legacy",
    "microsoft-user-default-low",
    "microsoft-user-default-recommended",
    "microsoft-user-default-allow-consent-apps",
    "microsoft-all-application-permissions",
    "microsoft-all-application-permissions-verified",
    "microsoft-application-admin",
    "microsoft-company-admin",
    "microsoft-dynamically-managed-permissions-for-chat",
    "microsoft-dynamically-managed-permissions-for-team",
    "microsoft-pre-approval-apps-for-chat",
    "microsoft-pre-approval-apps-for-group",
];

/// Role template ids `guestUserRoleId` may take: User, Guest User, Restricted Guest User.
pub(crate) const GUEST_ROLE_IDS: &[&str] = &[
    "a0b1b346-4d3e-4e8b-98f8-753987be4970",
    "10dae51f-b6af-4016-8d66-8c2a99b929b3",
    "2af84b1e-32c8-42b7-82bc-daa82404023b",
];

pub(crate) fn random_token(len: usize) -> String {
    rand::rng()
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// A grant id in the shape Entra ID uses: 43 characters of base64url.
pub(crate) fn random_grant_id() -> String {
    use base64::Engine as _;
    let bytes: [u8; 32] = rand::rng().random();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Deep merge: objects merge member-wise, anything else replaces.
pub(crate) fn deep_merge(target: &mut Map<String, Value>, patch: &Map<String, Value>) {
    for (key, value) in patch {
        match (target.get_mut(key), value) {
            (Some(Value::Object(existing)), Value::Object(incoming)) => {
                deep_merge(existing, incoming)
            }
            _ => {
                target.insert(key.clone(), value.clone());
            }
        }
    }
}

impl SimState {
    pub(crate) fn from_seed(seed: &Seed, lag: Duration, faults: Faults) -> anyhow::Result<Self> {
        seed.validate()?;
        faults.check().map_err(anyhow::Error::msg)?;
        let mut state = SimState {
            seed: seed.clone(),
            initial_faults: faults.clone(),
            initial_lag: lag,
            lag,
            faults: Faults::default(),
            fault_draws: rand::SeedableRng::seed_from_u64(0),
            zoom: ZoomState::default(),
            entra: EntraState::default(),
            requests: Vec::new(),
        };
        state.set_faults(faults);
        state.load_seed()?;
        Ok(state)
    }

    fn load_seed(&mut self) -> anyhow::Result<()> {
        self.zoom = ZoomState {
            started: Some(Instant::now()),
            ..ZoomState::default()
        };
        for account in &self.seed.zoom.accounts {
            let mut settings = zoom_schema::default_settings();
            let mut overrides = account.settings.clone();
            // The seed names bypass users by id; the stored GET shape carries their emails too.
            if let Some(Value::Object(sso)) = overrides
                .get_mut("security")
                .and_then(|s| s.get_mut("signin_with_sso"))
                && let Some(Value::Array(users)) = sso.get_mut("sso_bypass_users")
            {
                for entry in users.iter_mut() {
                    let id = entry.get("id").and_then(Value::as_str).unwrap_or_default();
                    let email = account
                        .users
                        .iter()
                        .find(|u| u.id == id)
                        .map(|u| u.email.clone())
                        .unwrap_or_default();
                    *entry = json!({"id": id, "email": email});
                }
            }
            deep_merge(&mut settings, &overrides);
            let mut lock_settings = zoom_schema::default_lock_settings();
            deep_merge(&mut lock_settings, &account.lock_settings);
            let mut built = ZoomAccount {
                id: account.id.clone(),
                name: account.name.clone(),
                plan: account.plan,
                apps: account.apps.clone(),
                users: account.users.clone(),
                managed_domains: account.managed_domains.clone(),
                trusted_domains: account.trusted_domains.clone(),
                settings,
                lock_settings,
                master_account: account.master_account.clone(),
                groups: Vec::new(),
                roles: builtin_roles(),
                zoom_rooms_subscription: account.zoom_rooms_subscription,
                calendar_services: account
                    .calendar_services
                    .iter()
                    .map(CalendarService::from_seed)
                    .collect(),
            };
            built
                .roles
                .extend(account.roles.iter().map(ZoomRole::from_seed));
            for group in &account.groups {
                let made = ZoomGroup::from_seed(&built, group)
                    .with_context(|| format!("zoom account {}", account.id))?;
                built.groups.push(made);
            }
            self.zoom.accounts.push(built);
        }
        self.entra = EntraState {
            oidc_issuers: self.seed.entra.oidc_issuers.clone(),
            ..EntraState::default()
        };
        for tenant in &self.seed.entra.tenants {
            let built =
                build_tenant(tenant).with_context(|| format!("entra tenant {}", tenant.id))?;
            self.entra.tenants.push(built);
        }
        Ok(())
    }

    /// Back to the seed: state, tokens and faults as at start; the request log is kept.
    pub(crate) fn reset(&mut self) -> anyhow::Result<()> {
        self.lag = self.initial_lag;
        self.set_faults(self.initial_faults.clone());
        self.load_seed()
    }

    /// Replaces the faults, and starts their random draws again from their seed.
    pub(crate) fn set_faults(&mut self, faults: Faults) {
        if let Some(ms) = faults.graph_replication_lag_ms {
            self.lag = Duration::from_millis(ms);
        }
        self.fault_draws = rand::SeedableRng::seed_from_u64(faults.seed);
        self.faults = faults;
    }

    /// Whether a fault of `rate` (a share between 0 and 1) hits this request.
    pub(crate) fn draw(&mut self, rate: f64) -> bool {
        rate > 0.0 && rand::Rng::random_bool(&mut self.fault_draws, rate.min(1.0))
    }

    /// Milliseconds of latency for this request: the fixed part and a drawn jitter.
    pub(crate) fn draw_latency(&mut self) -> Duration {
        let jitter = match self.faults.jitter_ms {
            0 => 0,
            most => rand::Rng::random_range(&mut self.fault_draws, 0..=most),
        };
        Duration::from_millis(self.faults.latency_ms.saturating_add(jitter))
    }

    pub(crate) fn expire_tokens(&mut self) {
        let past = Instant::now()
            .checked_sub(Duration::from_secs(1))
            .unwrap_or_else(Instant::now);
        for token in self.zoom.tokens.values_mut() {
            token.expires = past;
        }
        for token in self.entra.tokens.values_mut() {
            token.expires = past;
        }
    }

    /// The account for a path's `accountId` (`me` is the token's own account).
    pub(crate) fn zoom_account_index(
        &self,
        id: &str,
        token_account: Option<&str>,
    ) -> Option<usize> {
        let wanted = if id == "me" { token_account? } else { id };
        self.zoom.accounts.iter().position(|a| a.id == wanted)
    }

    /// A Graph access token for the tenant at `index` with these application permissions, as
    /// if issued to a tool signed in as an administrator (the emulator checks permissions the
    /// same way for both).
    pub(crate) fn issue_graph_token(&mut self, index: usize, roles: Vec<String>) -> String {
        let tenant_id = self
            .entra
            .tenants
            .get(index)
            .map(|t| t.id.clone())
            .unwrap_or_default();
        let token = random_token(96);
        self.entra.tokens.insert(
            token.clone(),
            GraphToken {
                tenant_id,
                app_id: "00000000-0000-0000-0000-0000000000ad".to_string(),
                roles,
                expires: Instant::now() + Duration::from_secs(GRAPH_TOKEN_SECONDS),
            },
        );
        token
    }

    pub(crate) fn tenant_index(&self, tenant_id: &str) -> Option<usize> {
        self.entra
            .tenants
            .iter()
            .position(|t| t.id.eq_ignore_ascii_case(tenant_id))
    }

    pub(crate) fn zoom_settings_snapshot(&self, account: &str, locks: bool) -> Value {
        let first = self.zoom.accounts.first().map(|a| a.id.as_str());
        match self.zoom_account_index(account, first) {
            Some(i) => {
                let a = &self.zoom.accounts[i];
                Value::Object(if locks {
                    a.lock_settings.clone()
                } else {
                    a.settings.clone()
                })
            }
            None => Value::Null,
        }
    }

    pub(crate) fn graph_authorization_policy(&self) -> Value {
        self.entra
            .tenants
            .first()
            .map(|t| Value::Object(t.authorization_policy.clone()))
            .unwrap_or(Value::Null)
    }

    /// The whole live state, secrets redacted.
    pub(crate) fn snapshot(&self) -> Value {
        let now = Instant::now();
        let accounts: Vec<Value> = self
            .zoom
            .accounts
            .iter()
            .map(|a| {
                json!({
                    "id": a.id,
                    "name": a.name,
                    "plan": a.plan,
                    "apps": a.apps.iter().map(|app| json!({
                        "client_id": app.client_id,
                        "client_secret": REDACTED,
                        "scopes": app.scopes,
                    })).collect::<Vec<_>>(),
                    "users": a.users,
                    "managed_domains": a.managed_domains,
                    "trusted_domains": a.trusted_domains,
                    "settings": a.settings,
                    "lock_settings": a.lock_settings,
                    "master_account": a.master_account,
                    "groups": a.groups.iter().map(ZoomGroup::snapshot).collect::<Vec<_>>(),
                    "roles": a.roles.iter().map(ZoomRole::snapshot).collect::<Vec<_>>(),
                    "zoom_rooms_subscription": a.zoom_rooms_subscription,
                    "calendar_services": a
                        .calendar_services
                        .iter()
                        .map(CalendarService::snapshot)
                        .collect::<Vec<_>>(),
                })
            })
            .collect();
        let tenants: Vec<Value> = self
            .entra
            .tenants
            .iter()
            .map(|t| {
                let objects = |list: &[Stored]| -> Vec<Value> {
                    list.iter()
                        .map(|o| {
                            let mut data = o.data.clone();
                            data.insert("_replicated".into(), json!(o.visible(now)));
                            Value::Object(data)
                        })
                        .collect()
                };
                json!({
                    "id": t.id,
                    "display_name": t.display_name,
                    "domains": t.domains,
                    "client_apps": t.client_apps.iter().map(|c| json!({
                        "client_id": c.client_id,
                        "display_name": c.display_name,
                        "secrets": c.secrets.iter().map(|_| REDACTED).collect::<Vec<_>>(),
                        "certificates": c.certificates,
                        "app_roles": c.app_roles,
                    })).collect::<Vec<_>>(),
                    "applications": t.applications,
                    "users": t.users,
                    "permission_grant_policies": t.permission_grant_policies,
                    "authorizationPolicy": t.authorization_policy,
                    "servicePrincipals": objects(&t.service_principals),
                    "oauth2PermissionGrants": objects(&t.grants),
                    "adminConsentRequestPolicy": t.admin_consent_request_policy,
                    "appRoleAssignments": objects(&t.app_role_assignments),
                    "federationConfigurations": t.federations.iter().map(|f| {
                        let mut data = f.object.data.clone();
                        data.insert("_domain".into(), json!(f.domain));
                        data.insert("_replicated".into(), json!(f.object.visible(now)));
                        Value::Object(data)
                    }).collect::<Vec<_>>(),
                })
            })
            .collect();
        json!({
            "zoom": {
                "accounts": accounts,
                "live_tokens": self.zoom.tokens.values().filter(|t| t.expires > now).count(),
            },
            "entra": {
                "tenants": tenants,
                "live_tokens": self.entra.tokens.values().filter(|t| t.expires > now).count(),
            },
            "faults": self.faults,
            "graph_replication_lag_ms": self.lag.as_millis() as u64,
        })
    }
}

fn build_tenant(seed: &super::seed::TenantSeed) -> anyhow::Result<Tenant> {
    let mut applications = builtin_applications();
    for app in &seed.applications {
        if let Some(existing) = applications
            .iter_mut()
            .find(|a| a.app_id.eq_ignore_ascii_case(&app.app_id))
        {
            *existing = app.clone();
        } else {
            applications.push(app.clone());
        }
    }
    for client in &seed.client_apps {
        if !applications
            .iter()
            .any(|a| a.app_id.eq_ignore_ascii_case(&client.client_id))
        {
            applications.push(KnownApplication {
                app_id: client.client_id.clone(),
                display_name: client.display_name.clone(),
                sign_in_audience: "AzureADMyOrg".into(),
                publisher_tenant_id: Some(seed.id.clone()),
                verified_publisher: None,
                oauth2_permission_scopes: vec![],
                app_roles: vec![],
            });
        }
    }
    let mut tenant = Tenant {
        id: seed.id.clone(),
        display_name: seed.display_name.clone(),
        domains: seed.domains.iter().map(domain_json).collect(),
        client_apps: seed.client_apps.clone(),
        applications,
        service_principals: Vec::new(),
        grants: Vec::new(),
        authorization_policy: default_authorization_policy(),
        users: seed.users.clone(),
        permission_grant_policies: BUILTIN_GRANT_POLICIES
            .iter()
            .map(|s| s.to_string())
            .chain(seed.permission_grant_policies.iter().cloned())
            .collect(),
        admin_consent_request_policy: default_admin_consent_request_policy(),
        app_role_assignments: Vec::new(),
        federations: Vec::new(),
    };
    deep_merge(&mut tenant.authorization_policy, &seed.authorization_policy);
    deep_merge(
        &mut tenant.admin_consent_request_policy,
        &seed.admin_consent_request_policy,
    );
    for sp_seed in &seed.service_principals {
        let app_id = sp_seed
            .get("appId")
            .and_then(Value::as_str)
            .unwrap_or_default();
        let Some(app) = tenant.application(app_id) else {
            bail!("service principal appId {app_id} is not a known application");
        };
        let id = sp_seed
            .get("id")
            .and_then(Value::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| uuid::Uuid::new_v4().to_string());
        let mut data = service_principal_json(app, &id, &seed.id);
        for (key, value) in sp_seed {
            data.insert(key.clone(), value.clone());
        }
        tenant.service_principals.push(Stored::replicated(data));
    }
    for grant_seed in &seed.oauth2_permission_grants {
        let mut data = Map::new();
        data.insert(
            "clientId".into(),
            grant_seed.get("clientId").cloned().unwrap_or(Value::Null),
        );
        data.insert(
            "consentType".into(),
            grant_seed
                .get("consentType")
                .cloned()
                .unwrap_or(json!("AllPrincipals")),
        );
        data.insert("id".into(), json!(random_grant_id()));
        data.insert(
            "principalId".into(),
            grant_seed
                .get("principalId")
                .cloned()
                .unwrap_or(Value::Null),
        );
        data.insert(
            "resourceId".into(),
            grant_seed.get("resourceId").cloned().unwrap_or(Value::Null),
        );
        data.insert(
            "scope".into(),
            grant_seed.get("scope").cloned().unwrap_or(json!("")),
        );
        if let Some(id) = grant_seed.get("id") {
            data.insert("id".into(), id.clone());
        }
        for field in ["clientId", "resourceId"] {
            let id = data.get(field).and_then(Value::as_str).unwrap_or_default();
            if tenant.sp_index(id, None).is_none() {
                bail!("grant {field} {id:?} is not a service principal of the tenant");
            }
        }
        tenant.grants.push(Stored::replicated(data));
    }
    Ok(tenant)
}

fn domain_json(d: &super::seed::EntraDomainSeed) -> Value {
    json!({
        "authenticationType": d.authentication_type,
        "availabilityStatus": null,
        "id": d.id,
        "isAdminManaged": true,
        "isDefault": d.is_default,
        "isInitial": d.is_initial,
        "isRoot": true,
        "isVerified": d.is_verified,
        "manufacturer": null,
        "model": null,
        "passwordNotificationWindowInDays": 14,
        "passwordValidityPeriodInDays": 2147483647,
        "supportedServices": d.supported_services,
        "state": null,
    })
}

/// The authorization policy of a new tenant ("Let Microsoft manage your consent settings").
pub(crate) fn default_authorization_policy() -> Map<String, Value> {
    let value = json!({
        "id": "authorizationPolicy",
        "allowInvitesFrom": "everyone",
        "allowedToSignUpEmailBasedSubscriptions": true,
        "allowedToUseSSPR": true,
        "allowEmailVerifiedUsersToJoinOrganization": false,
        "allowUserConsentForRiskyApps": false,
        "blockMsolPowerShell": false,
        "description": "Used to manage authorization related settings across the company.",
        "displayName": "Authorization Policy",
        "guestUserRoleId": "10dae51f-b6af-4016-8d66-8c2a99b929b3",
        "defaultUserRolePermissions": {
            "allowedToCreateApps": true,
            "allowedToCreateSecurityGroups": true,
            "allowedToCreateTenants": true,
            "allowedToReadBitlockerKeysForOwnedDevice": true,
            "allowedToReadOtherUsers": true,
            "permissionGrantPoliciesAssigned": [
                "ManagePermissionGrantsForSelf.microsoft-user-default-recommended",
                "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-chat",
                "ManagePermissionGrantsForOwnedResource.microsoft-dynamically-managed-permissions-for-team"
            ]
        }
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// The admin consent request policy of a new tenant: the workflow is off.
pub(crate) fn default_admin_consent_request_policy() -> Map<String, Value> {
    let value = json!({
        "isEnabled": false,
        "notifyReviewers": false,
        "remindersEnabled": false,
        "requestDurationInDays": 0,
        "reviewers": [],
        "version": 0,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

/// A service principal as Graph returns it, instantiated from an application.
pub(crate) fn service_principal_json(
    app: &KnownApplication,
    id: &str,
    tenant_id: &str,
) -> Map<String, Value> {
    let scopes: Vec<Value> = app
        .oauth2_permission_scopes
        .iter()
        .map(|p| {
            json!({
                "adminConsentDescription": format!("Allows the app to: {}.", p.display_name.to_lowercase()),
                "adminConsentDisplayName": p.display_name,
                "id": p.id,
                "isEnabled": true,
                "type": p.consent_type,
                "userConsentDescription": format!("Allows the app to: {}.", p.display_name.to_lowercase()),
                "userConsentDisplayName": p.display_name,
                "value": p.value,
            })
        })
        .collect();
    let roles: Vec<Value> = app
        .app_roles
        .iter()
        .map(|p| {
            json!({
                "allowedMemberTypes": ["Application"],
                "description": format!("Allows the app to: {}.", p.display_name.to_lowercase()),
                "displayName": p.display_name,
                "id": p.id,
                "isEnabled": true,
                "origin": "Application",
                "value": p.value,
            })
        })
        .collect();
    let publisher = app
        .verified_publisher
        .as_ref()
        .map(|name| {
            json!({
                "displayName": name,
                "verifiedPublisherId": "5128594",
                "addedDateTime": "2020-03-18T17:04:12Z",
            })
        })
        .unwrap_or(json!({
            "displayName": null,
            "verifiedPublisherId": null,
            "addedDateTime": null,
        }));
    let value = json!({
        "id": id,
        "deletedDateTime": null,
        "accountEnabled": true,
        "addIns": [],
        "alternativeNames": [],
        "appDescription": null,
        "appDisplayName": app.display_name,
        "appId": app.app_id,
        "applicationTemplateId": null,
        "appOwnerOrganizationId": app.publisher_tenant_id.clone().unwrap_or_else(|| tenant_id.to_string()),
        "appRoleAssignmentRequired": false,
        "appRoles": roles,
        "description": null,
        "disabledByMicrosoftStatus": null,
        "displayName": app.display_name,
        "homepage": null,
        "info": {
            "logoUrl": null,
            "marketingUrl": null,
            "privacyStatementUrl": null,
            "supportUrl": null,
            "termsOfServiceUrl": null
        },
        "keyCredentials": [],
        "loginUrl": null,
        "logoutUrl": null,
        "notes": null,
        "notificationEmailAddresses": [],
        "oauth2PermissionScopes": scopes,
        "passwordCredentials": [],
        "preferredSingleSignOnMode": null,
        "preferredTokenSigningKeyThumbprint": null,
        "replyUrls": [],
        "resourceSpecificApplicationPermissions": [],
        "samlSingleSignOnSettings": null,
        "servicePrincipalNames": [app.app_id],
        "servicePrincipalType": "Application",
        "signInAudience": app.sign_in_audience,
        "tags": [],
        "tokenEncryptionKeyId": null,
        "verifiedPublisher": publisher,
    });
    match value {
        Value::Object(map) => map,
        _ => Map::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deep_merge_merges_objects_and_replaces_the_rest() {
        let mut target = match json!({"a": {"b": 1, "c": [1, 2]}, "d": 1}) {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        let patch = match json!({"a": {"c": [3], "e": true}, "d": {"x": 1}}) {
            Value::Object(m) => m,
            _ => unreachable!(),
        };
        deep_merge(&mut target, &patch);
        assert_eq!(
            Value::Object(target),
            json!({"a": {"b": 1, "c": [3], "e": true}, "d": {"x": 1}})
        );
    }

    #[test]
    fn demo_state_has_graph_sp_with_real_permission_ids() {
        let state = SimState::from_seed(&Seed::default_demo(), Duration::ZERO, Faults::default())
            .expect("state");
        let tenant = &state.entra.tenants[0];
        let graph = tenant
            .sp_index_by_app("00000003-0000-0000-c000-000000000000", None)
            .map(|i| &tenant.service_principals[i])
            .expect("graph sp");
        let scopes = graph.data["oauth2PermissionScopes"]
            .as_array()
            .expect("scopes");
        assert!(scopes.iter().any(|s| s["value"] == "Calendars.ReadWrite"
            && s["id"] == "1ec239c2-d7c9-4623-a91a-a9775856bb36"));
        assert!(
            tenant
                .sp_index_by_app(super::super::seed::app_ids::ZOOM, None)
                .is_none()
        );
        let policy = &tenant.authorization_policy["defaultUserRolePermissions"]["permissionGrantPoliciesAssigned"];
        assert_eq!(policy.as_array().map(Vec::len), Some(3));
    }

    #[test]
    fn snapshot_redacts_secrets() {
        let seed = Seed::default_demo();
        let state = SimState::from_seed(&seed, Duration::ZERO, Faults::default()).expect("state");
        let text = state.snapshot().to_string();
        assert!(!text.contains(&seed.zoom.accounts[0].apps[0].client_secret));
        assert!(!text.contains(&seed.entra.tenants[0].client_apps[0].secrets[0]));
    }

    #[test]
    fn grant_ids_look_like_entra_ids() {
        let id = random_grant_id();
        assert_eq!(id.len(), 43);
        assert!(
            id.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }
}
