//! The provider seam: everything vendor-specific (Zoom, Entra ID) lives behind the [`Provider`]
//! trait, so the engine (graph, diff, plan, apply, state) knows no vendor.
//!
//! Reads are batched: the engine hands a provider every resource of a refresh wave at once, so it
//! can coalesce requests (one Zoom settings GET per account, Graph reads as one `$batch`).

pub mod manual;
pub mod terraform_names;

use std::borrow::Cow;
use std::fmt;

use async_trait::async_trait;

use crate::schema::{Attr, AttrType, ResourceSchema};
use crate::value::Value;

/// What the engine asks a provider to read.
#[derive(Clone, Debug)]
pub struct ReadRequest {
    /// Resource type, e.g. `zoom_account_settings`.
    pub type_name: String,
    /// Whether this is a data source (`data "TYPE" "NAME"`), which may share its type name with
    /// a resource type.
    pub mode: crate::addr::Mode,
    /// The remote id recorded in state, if zentra has seen the object before.
    pub id: Option<String>,
    /// The evaluated configuration; may contain [`Value::Unknown`]. Providers use it to locate
    /// objects not yet in state (a service principal by `app_id`, an account by `account_id`).
    pub config: Value,
    /// The engine needs only what `config` sets and the computed attributes (see
    /// [`ReadRequest::schema_to_read`]): nothing refers to the object's other attributes. A
    /// provider whose objects are large (Zoom's settings, hundreds of values each) may leave the
    /// rest out of what it reads, so a plan over thousands of them does not hold them all.
    pub only_configured: bool,
}

impl ReadRequest {
    /// A read of everything the provider knows of the object.
    pub fn whole(
        type_name: impl Into<String>,
        mode: crate::addr::Mode,
        id: Option<String>,
        config: Value,
    ) -> Self {
        ReadRequest {
            type_name: type_name.into(),
            mode,
            id,
            config,
            only_configured: false,
        }
    }

    /// The part of `schema` (an object type's body) that a read must fill in: all of it, or,
    /// for a request that asks only for what it configures, [`configured_part`].
    pub fn schema_to_read<'s>(&self, schema: &'s Attr) -> Cow<'s, Attr> {
        schema_to_read(schema, &[self])
    }
}

/// The part of `schema` that a read serving all of `requests` at once must fill in: all of it
/// when any of them asks for the whole object.
pub fn schema_to_read<'s>(schema: &'s Attr, requests: &[&ReadRequest]) -> Cow<'s, Attr> {
    if requests.is_empty() || requests.iter().any(|r| !r.only_configured) {
        return Cow::Borrowed(schema);
    }
    let configs: Vec<&Value> = requests.iter().map(|r| &r.config).collect();
    Cow::Owned(configured_part(schema, &configs))
}

/// `schema` (an object type) restricted to the members any of `configs` sets (nested objects
/// member by member) and its computed members: what a plan compares, records and shows of an
/// object. A member set to anything but an object (a value, null, unknown) keeps its whole
/// schema; so does an object of which nothing would be left, since an object schema without
/// members stands for any object.
pub fn configured_part(schema: &Attr, configs: &[&Value]) -> Attr {
    let mut properties = indexmap::IndexMap::new();
    for (name, attr) in &schema.properties {
        let set: Vec<&Value> = configs.iter().filter_map(|c| c.get(name)).collect();
        if set.is_empty() {
            if attr.computed {
                properties.insert(name.clone(), attr.clone());
            }
            continue;
        }
        let nested: Option<Vec<&Value>> = set
            .iter()
            .map(|v| v.as_object().map(|_| v.unmark().0))
            .collect();
        let part = match nested {
            Some(objects) if attr.ty == AttrType::Object && !attr.properties.is_empty() => {
                configured_part(attr, &objects)
            }
            _ => attr.clone(),
        };
        properties.insert(name.clone(), part);
    }
    if properties.is_empty() {
        return schema.clone();
    }
    schema.with_properties(properties)
}

/// A remote object as read or written.
#[derive(Clone, Debug, PartialEq)]
pub struct RemoteObject {
    /// The remote id that state records.
    pub id: String,
    /// All attributes in the configuration's shape (nested objects for blocks), including
    /// computed ones. The engine compares only the attributes the configuration writes.
    pub attributes: Value,
    /// What the service says about who owns the object.
    pub ownership: Ownership,
}

impl RemoteObject {
    /// An object about whose ownership the service says nothing special.
    pub fn new(id: impl Into<String>, attributes: Value) -> Self {
        RemoteObject {
            id: id.into(),
            attributes,
            ownership: Ownership::default(),
        }
    }
}

/// Who owns a remote object, as far as the service can tell: what decides whether zentra may
/// ever delete it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Ownership {
    /// The vendor owns the object (Microsoft's own service principals, a tenant's initial
    /// domain, Zoom's built-in roles): why. zentra never deletes such an object, whatever the
    /// configuration or the state say; it only forgets it.
    pub vendor_owned: Option<String>,
    /// The lineage of the state that created the object, from the marker zentra leaves on the
    /// objects it creates where the API has a free field for one (see [`WriteRequest::creator`]).
    pub created_by: Option<String>,
    /// Set by [`Provider::create`] when the object already existed and was taken over rather
    /// than created (someone created it between plan and apply, or its key was unknown when
    /// planning): zentra then records it as adopted, not created.
    pub found_existing: bool,
}

/// What the engine asks a provider to write.
#[derive(Clone, Debug)]
pub struct WriteRequest {
    pub type_name: String,
    /// The remote id, for updates and deletes.
    pub id: Option<String>,
    /// The desired attributes (fully known at apply time), as written in configuration.
    pub config: Value,
    /// The live object as last read, for updates.
    pub prior: Option<Value>,
    /// Dotted paths of the attributes that differ between live and desired (for updates).
    pub changed_paths: Vec<String>,
    /// For creates: the lineage of the state that records the new object. Providers leave it on
    /// the object where the API has a free field that configuration does not manage (a service
    /// principal's `notes`), so that another state adopting the object can tell zentra created
    /// it; elsewhere it is ignored.
    pub creator: Option<String>,
}

/// A failure talking to a vendor API, carrying what support needs.
#[derive(Debug, Clone, PartialEq)]
pub struct ProviderError {
    pub kind: ErrorKind,
    /// What went wrong, in the user's terms.
    pub message: String,
    /// The HTTP method and path of the failing request, if any.
    pub request: Option<String>,
    pub status: Option<u16>,
    /// The vendor's error code (`Request_ResourceNotFound`, `4132`).
    pub vendor_code: Option<String>,
    /// The vendor's request id (Graph `request-id`, Zoom `x-zm-trackingid`).
    pub request_id: Option<String>,
    /// What the user can do about it.
    pub hint: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// Credentials were rejected or a token could not be obtained.
    Authentication,
    /// The identity lacks a permission or scope.
    Permission,
    NotFound,
    Conflict,
    /// The service rejected the request's content.
    Invalid,
    /// Throttled beyond the retry budget.
    Throttled,
    /// Network failure or server error.
    Transport,
    /// Provider configuration is wrong (missing credentials, bad endpoint).
    Configuration,
}

impl ProviderError {
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        ProviderError {
            kind,
            message: message.into(),
            request: None,
            status: None,
            vendor_code: None,
            request_id: None,
            hint: None,
        }
    }

    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl fmt::Display for ProviderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.message)?;
        if let Some(req) = &self.request {
            write!(f, " ({req}")?;
            if let Some(status) = self.status {
                write!(f, " -> {status}")?;
            }
            if let Some(code) = &self.vendor_code {
                write!(f, ", code {code}")?;
            }
            if let Some(id) = &self.request_id {
                write!(f, ", request id {id}")?;
            }
            write!(f, ")")?;
        }
        Ok(())
    }
}

impl std::error::Error for ProviderError {}

pub type ProviderResult<T> = Result<T, ProviderError>;

/// An object found by [`Provider::discover`]: what `zentra export` writes a block for.
#[derive(Clone, Debug, PartialEq)]
pub struct DiscoveredObject {
    /// The resource type, e.g. `zoom_group`; or a data source's type for an object no API
    /// creates (a Zoom Rooms calendar service), written as a `data` block that finds it.
    pub type_name: String,
    /// What to call the resource block, from the object's natural key (a group's name, a
    /// service principal's display name); the engine makes it an identifier and unique.
    pub name_hint: String,
    /// The object as a read of it with every attribute configured would return it: attributes
    /// in the configuration's shape, those that locate it (natural keys) included.
    pub object: RemoteObject,
}

/// An attribute value a provider refuses before any API call (see
/// [`ProviderType::complete_desired`]).
#[derive(Clone, Debug, PartialEq)]
pub struct InvalidAttribute {
    /// Dotted path of the attribute at fault, as written in configuration.
    pub path: String,
    pub message: String,
    pub hint: Option<String>,
}

/// One configured provider instance (`provider "zoom"`, or an alias such as `zoom.emea`).
#[async_trait]
pub trait Provider: Send + Sync {
    /// The provider's type name, `zoom` or `azuread`.
    fn name(&self) -> &'static str;

    /// Reads every resource of a refresh wave. The result has one entry per request, in order:
    /// `Ok(None)` when the object does not exist (or cannot be located yet because its key is
    /// unknown).
    async fn read(&self, batch: &[ReadRequest]) -> Vec<ProviderResult<Option<RemoteObject>>>;

    /// Creates an object (or, for singletons, makes the existing one match).
    async fn create(&self, req: &WriteRequest) -> ProviderResult<RemoteObject>;

    /// Updates an object in place.
    async fn update(&self, req: &WriteRequest) -> ProviderResult<RemoteObject>;

    /// Deletes an object.
    async fn delete(&self, req: &WriteRequest) -> ProviderResult<()>;

    /// Every object of the resource types `type_names` that this instance reaches (account
    /// settings, every group, the tenant's policies, the service principals of interest), for
    /// `zentra export`: one listing per kind, batched as reads are. Types it cannot list are
    /// left out. The default lists nothing.
    async fn discover(&self, type_names: &[String]) -> ProviderResult<Vec<DiscoveredObject>> {
        let _ = type_names;
        Ok(Vec::new())
    }

    /// What to call `value` of the attribute at dotted `path` of a `type_name` resource in a
    /// plan, when the provider knows a name for it: a directory role's name for its template
    /// id, a calendar service's name for its id. Asked for every string a plan shows, after the reads that
    /// may have taught the provider those names; no network calls. The default knows none.
    fn value_label(&self, type_name: &str, path: &str, value: &str) -> Option<String> {
        let _ = (type_name, path, value);
        None
    }
}

/// The static side of a provider type: its schemas and how to configure an instance.
pub trait ProviderType: Send + Sync {
    fn name(&self) -> &'static str;
    /// Schema of the `provider "NAME" { ... }` block.
    fn config_schema(&self) -> crate::schema::Attr;
    fn resource_schemas(&self) -> Vec<ResourceSchema>;
    /// Creates a configured instance from the evaluated `provider` block. Makes no network
    /// calls: credentials are exchanged for tokens on first use.
    fn configure(
        &self,
        config: &Value,
        env: &crate::env::Environment,
    ) -> ProviderResult<Box<dyn Provider>>;

    /// Completes a resource's desired attributes from what its configuration wrote, before
    /// they are compared with live ones, recorded in state or written: attributes derived from
    /// others (a federation's issuer and certificates from `metadata_xml`), canonical forms,
    /// and refusals of values no API call could accept. Parts may be [`Value::Unknown`]
    /// (references not yet applied): they are left as they are. No network calls. The default
    /// changes nothing.
    fn complete_desired(
        &self,
        type_name: &str,
        desired: Value,
    ) -> Result<Value, Vec<InvalidAttribute>> {
        let _ = type_name;
        Ok(desired)
    }

    /// The natural key of a resource: what identifies its remote object within one provider
    /// instance (an app id, a group name, the account whose settings it manages), normalised
    /// the way the vendor compares it (lower case where the vendor ignores case), and readable
    /// in a message (`app_id 00000003-…`). Two resources of one type and provider instance
    /// with the same key would manage one object, which the engine refuses. `None` when the
    /// type has no such key or a part of it is not known yet. The default has none.
    fn natural_key(&self, type_name: &str, desired: &Value) -> Option<String> {
        let _ = (type_name, desired);
        None
    }

    /// Whether the vendor owns the object a resource of `type_name` with these attributes
    /// (as configured, or as last recorded in state) stands for, from the attributes alone (a
    /// well-known Microsoft app id, an `onmicrosoft.com` domain, Zoom's built-in role names):
    /// why, if so. What only a read can tell comes in [`Ownership::vendor_owned`]. No network
    /// calls. The default owns nothing.
    fn vendor_owned(&self, type_name: &str, attributes: &Value) -> Option<String> {
        let _ = (type_name, attributes);
        None
    }

    /// What is worth a warning in a resource's desired attributes but does not stop a run (an
    /// identity provider certificate about to expire): `written` as the configuration wrote it,
    /// `completed` as [`ProviderType::complete_desired`] made it. `--strict` turns them into
    /// errors. No network calls. The default finds none.
    fn desired_warnings(
        &self,
        type_name: &str,
        written: &Value,
        completed: &Value,
    ) -> Vec<InvalidAttribute> {
        let _ = (type_name, written, completed);
        Vec::new()
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::addr::Mode;

    fn settings_schema() -> Attr {
        Attr::object([
            ("group_id", Attr::string().required()),
            ("id", Attr::string().computed()),
            (
                "in_meeting",
                Attr::object([("chat", Attr::bool()), ("polling", Attr::bool())]),
            ),
            (
                "recording",
                Attr::object([("local", Attr::bool()), ("cloud", Attr::bool())]),
            ),
            ("tags", Attr::string_set()),
        ])
    }

    fn names(attr: &Attr) -> Vec<String> {
        let mut out = Vec::new();
        for (name, member) in &attr.properties {
            out.push(name.clone());
            out.extend(names(member).into_iter().map(|n| format!("{name}.{n}")));
        }
        out
    }

    fn request(config: serde_json::Value, only_configured: bool) -> ReadRequest {
        ReadRequest {
            only_configured,
            ..ReadRequest::whole("t", Mode::Managed, None, Value::from_json(&config))
        }
    }

    #[test]
    fn a_read_for_the_configuration_keeps_what_it_sets_and_what_is_computed() {
        let schema = settings_schema();
        let req = request(
            json!({"group_id": "g1", "in_meeting": {"chat": true}}),
            true,
        );
        assert_eq!(
            names(&req.schema_to_read(&schema)),
            ["group_id", "id", "in_meeting", "in_meeting.chat"]
        );
        // A whole read, or any whole read among those served together, keeps everything.
        let whole = request(json!({"group_id": "g1"}), false);
        assert_eq!(whole.schema_to_read(&schema).as_ref(), &schema);
        assert_eq!(schema_to_read(&schema, &[&req, &whole]).as_ref(), &schema);
    }

    #[test]
    fn reads_served_together_keep_what_any_of_them_sets() {
        let schema = settings_schema();
        let chat = request(
            json!({"group_id": "g1", "in_meeting": {"chat": true}}),
            true,
        );
        let cloud = request(
            json!({"group_id": "g1", "recording": {"cloud": true}}),
            true,
        );
        assert_eq!(
            names(&schema_to_read(&schema, &[&chat, &cloud])),
            [
                "group_id",
                "id",
                "in_meeting",
                "in_meeting.chat",
                "recording",
                "recording.cloud"
            ]
        );
    }

    #[test]
    fn a_block_not_known_as_an_object_or_left_empty_keeps_its_whole_schema() {
        let schema = settings_schema();
        let mut config = Value::from_json(&json!({"group_id": "g1", "recording": {}}));
        if let Value::Object(map) = &mut config {
            map.insert("in_meeting".into(), Value::Unknown);
        }
        let req = ReadRequest {
            only_configured: true,
            ..ReadRequest::whole("t", Mode::Managed, None, config)
        };
        let part = req.schema_to_read(&schema);
        assert_eq!(
            part.properties["in_meeting"],
            schema.properties["in_meeting"]
        );
        assert_eq!(part.properties["recording"], schema.properties["recording"]);
        assert!(!part.properties.contains_key("tags"));
    }
}
