//! Resource schemas: the single description of every attribute a provider manages, from which
//! validation, diffing, documentation and permission reports are derived.
//!
//! The same [`Attr`] shape is used for hand-written schemas (Entra ID resources) and for the
//! generated Zoom schema in `schemas/providers/zoom.json`, which is produced from Zoom's OpenAPI
//! files by `cargo xtask schemas` and checked in.

pub mod data;

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The type of one attribute, following JSON Schema's vocabulary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AttrType {
    Boolean,
    Integer,
    Number,
    String,
    Array,
    Object,
}

impl AttrType {
    /// The word used for this type in diagnostics.
    pub fn describe(self) -> &'static str {
        match self {
            AttrType::Boolean => "bool",
            AttrType::Integer => "whole number",
            AttrType::Number => "number",
            AttrType::String => "string",
            AttrType::Array => "list",
            AttrType::Object => "block",
        }
    }
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// One attribute (or nested block, for `object`) of a resource.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attr {
    #[serde(rename = "type")]
    pub ty: AttrType,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub description: String,
    /// Members of an `object`; written in configuration as a nested block.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub properties: IndexMap<String, Attr>,
    /// Element type of an `array`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub items: Option<Box<Attr>>,
    /// Allowed values, when the vendor restricts them.
    #[serde(default, rename = "enum", skip_serializing_if = "Vec::is_empty")]
    pub enum_values: Vec<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub minimum: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub maximum: Option<f64>,
    /// Shortest and longest allowed string, in characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_length: Option<u64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_length: Option<u64>,
    /// Most items an `array` may hold.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_items: Option<u64>,
    /// An `array` whose order carries no meaning: compared as a set.
    #[serde(default, skip_serializing_if = "is_false")]
    pub set: bool,
    /// Strings compared without regard to case.
    #[serde(default, skip_serializing_if = "is_false")]
    pub case_insensitive: bool,
    /// Never shown in plans, logs or state.
    #[serde(default, skip_serializing_if = "is_false")]
    pub sensitive: bool,
    /// Set by the service, not by configuration (readable, for references).
    #[serde(default, skip_serializing_if = "is_false")]
    pub computed: bool,
    /// Must be written in configuration.
    #[serde(default, skip_serializing_if = "is_false")]
    pub required: bool,
    /// A change cannot be made in place: the object is replaced.
    #[serde(default, skip_serializing_if = "is_false")]
    pub force_new: bool,
    /// Accepted on write but never returned on read: cannot be checked for drift.
    #[serde(default, skip_serializing_if = "is_false")]
    pub write_only: bool,
    /// Returned on read but rejected on write.
    #[serde(default, skip_serializing_if = "is_false")]
    pub read_only: bool,
    #[serde(default, skip_serializing_if = "is_false")]
    pub deprecated: bool,
}

impl Attr {
    pub fn new(ty: AttrType) -> Self {
        Attr {
            ty,
            description: String::new(),
            properties: IndexMap::new(),
            items: None,
            enum_values: Vec::new(),
            minimum: None,
            maximum: None,
            min_length: None,
            max_length: None,
            max_items: None,
            set: false,
            case_insensitive: false,
            sensitive: false,
            computed: false,
            required: false,
            force_new: false,
            write_only: false,
            read_only: false,
            deprecated: false,
        }
    }
    /// This attribute with other members (for an object narrowed to some of its members),
    /// without copying its own.
    pub fn with_properties(&self, properties: IndexMap<String, Attr>) -> Self {
        let Attr {
            ty,
            description,
            properties: _,
            items,
            enum_values,
            minimum,
            maximum,
            min_length,
            max_length,
            max_items,
            set,
            case_insensitive,
            sensitive,
            computed,
            required,
            force_new,
            write_only,
            read_only,
            deprecated,
        } = self;
        Attr {
            ty: *ty,
            description: description.clone(),
            properties,
            items: items.clone(),
            enum_values: enum_values.clone(),
            minimum: *minimum,
            maximum: *maximum,
            min_length: *min_length,
            max_length: *max_length,
            max_items: *max_items,
            set: *set,
            case_insensitive: *case_insensitive,
            sensitive: *sensitive,
            computed: *computed,
            required: *required,
            force_new: *force_new,
            write_only: *write_only,
            read_only: *read_only,
            deprecated: *deprecated,
        }
    }

    pub fn bool() -> Self {
        Attr::new(AttrType::Boolean)
    }
    pub fn int() -> Self {
        Attr::new(AttrType::Integer)
    }
    pub fn string() -> Self {
        Attr::new(AttrType::String)
    }
    pub fn list(items: Attr) -> Self {
        let mut a = Attr::new(AttrType::Array);
        a.items = Some(Box::new(items));
        a
    }
    pub fn string_set() -> Self {
        let mut a = Attr::list(Attr::string());
        a.set = true;
        a
    }
    pub fn object(properties: impl IntoIterator<Item = (&'static str, Attr)>) -> Self {
        let mut a = Attr::new(AttrType::Object);
        a.properties = properties
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect();
        a
    }
    pub fn describe(mut self, text: &str) -> Self {
        self.description = text.to_string();
        self
    }
    pub fn required(mut self) -> Self {
        self.required = true;
        self
    }
    pub fn computed(mut self) -> Self {
        self.computed = true;
        self
    }
    pub fn force_new(mut self) -> Self {
        self.force_new = true;
        self
    }
    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }
    pub fn case_insensitive(mut self) -> Self {
        self.case_insensitive = true;
        self
    }
    pub fn one_of(mut self, values: &[&str]) -> Self {
        self.enum_values = values.iter().map(|v| serde_json::json!(v)).collect();
        self
    }

    /// The member `name` of an object attribute.
    pub fn property(&self, name: &str) -> Option<&Attr> {
        self.properties.get(name)
    }

    /// Walks a dotted path (`security.signin_with_sso.enable`) through nested objects.
    pub fn at_path<'a>(&'a self, path: &[&str]) -> Option<&'a Attr> {
        let mut cur = self;
        for part in path {
            cur = match cur.ty {
                AttrType::Object => cur.properties.get(*part)?,
                AttrType::Array => cur.items.as_deref()?.properties.get(*part)?,
                _ => return None,
            };
        }
        Some(cur)
    }
}

/// How a resource type relates to objects in the remote service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ResourceKind {
    /// Always exists remotely (account settings, tenant policies): zentra adopts and updates it,
    /// and removing it from configuration only stops managing it.
    Singleton,
    /// Created and deleted by zentra (groups, service principals, grants).
    Object,
    /// Read only: a data source.
    Data,
    /// A step outside any API, confirmed by a person.
    Manual,
}

/// The system that grants a permission.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PermissionSystem {
    /// A Microsoft Graph application permission (app role), e.g. `Policy.ReadWrite.Authorization`.
    GraphApplication,
    /// An Entra ID directory role the automation identity must hold, e.g. `Privileged Role Administrator`.
    EntraRole,
    /// A Zoom OAuth scope of the Server-to-Server app, e.g. `account:update:settings:admin`.
    ZoomScope,
}

/// Whether a permission is needed to plan (read) or only to apply (write).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Access {
    Read,
    Write,
}

/// One least-privilege permission a resource type needs, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permission {
    pub system: PermissionSystem,
    pub name: String,
    pub access: Access,
    /// What it is for, e.g. `PATCH /policies/authorizationPolicy`.
    pub reason: String,
}

impl Permission {
    pub fn new(system: PermissionSystem, name: &str, access: Access, reason: &str) -> Self {
        Permission {
            system,
            name: name.to_string(),
            access,
            reason: reason.to_string(),
        }
    }
}

/// Everything zentra knows about one resource type.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ResourceSchema {
    pub type_name: String,
    pub kind: ResourceKind,
    #[serde(default)]
    pub description: String,
    /// The resource's attributes; always an `object`.
    pub body: Attr,
    /// The least-privilege permissions planning and applying it need (for `zentra permissions`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub permissions: Vec<Permission>,
}

impl ResourceSchema {
    pub fn new(type_name: &str, kind: ResourceKind, description: &str, body: Attr) -> Self {
        ResourceSchema {
            type_name: type_name.to_string(),
            kind,
            description: description.to_string(),
            body,
            permissions: Vec::new(),
        }
    }

    /// Declares the permissions the resource type needs.
    pub fn with_permissions(mut self, permissions: Vec<Permission>) -> Self {
        self.permissions = permissions;
        self
    }
}

/// The file format of `schemas/providers/*.json`.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct ProviderSchemaFile {
    /// Where the schema came from (spec file names and their SHA-256), so staleness can be checked.
    pub generated_from: IndexMap<String, String>,
    /// Named object schemas (`account_settings`, `account_lock_settings`, ...), each an `object`.
    pub objects: IndexMap<String, Attr>,
}
