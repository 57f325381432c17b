//! Typed addresses of the things a configuration declares (`zoom_account_settings.main`,
//! `data.azuread_domain.primary`, `zoom.emea`), and of their instances
//! (`module.tenant["contoso"].zoom_group.pilot["emea"]`), with parsing and display that
//! round-trip as Terraform writes them.
//!
//! The API other modules rely on is small: [`ResourceAddr`]'s `FromStr` (parse) and `Display`,
//! [`ResourceAddr::module_path`] and [`ResourceAddr::key`].

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Whether an address names a managed resource or a data source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// The key of one instance of a block with `for_each` (a string) or `count` (a number).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum InstanceKey {
    /// `count.index`: `[0]`.
    Index(u64),
    /// `each.key`: `["emea"]`.
    Name(String),
}

impl fmt::Display for InstanceKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InstanceKey::Index(i) => write!(f, "[{i}]"),
            // Quoted as JSON (and HCL) strings are: `["a \"b\""]`.
            InstanceKey::Name(s) => {
                write!(f, "[{}]", serde_json::to_string(s).map_err(|_| fmt::Error)?)
            }
        }
    }
}

impl InstanceKey {
    /// The key as a configuration value (`each.key`, `count.index`).
    pub fn to_value(&self) -> crate::value::Value {
        match self {
            InstanceKey::Index(i) => crate::value::Value::Number((*i).into()),
            InstanceKey::Name(s) => crate::value::Value::str(s.clone()),
        }
    }
}

/// One step of a module path: `module.NAME` or `module.NAME[KEY]`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ModuleStep {
    pub name: String,
    pub key: Option<InstanceKey>,
}

impl fmt::Display for ModuleStep {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "module.{}", self.name)?;
        if let Some(key) = &self.key {
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

/// The address of one resource or data source (`TYPE.NAME`, `data.TYPE.NAME`), or of one
/// instance of it (`TYPE.NAME["key"]`, `TYPE.NAME[0]`), within the root module or a module
/// instance (`module.tenant["contoso"].TYPE.NAME`).
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceAddr {
    /// The module instances it lies in, outermost first; empty in the root module.
    pub module: Vec<ModuleStep>,
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
    /// The instance key of a block with `for_each` or `count`.
    pub key: Option<InstanceKey>,
}

impl ResourceAddr {
    pub fn managed(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceAddr {
            module: Vec::new(),
            mode: Mode::Managed,
            type_name: type_name.into(),
            name: name.into(),
            key: None,
        }
    }

    pub fn data(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceAddr {
            module: Vec::new(),
            mode: Mode::Data,
            type_name: type_name.into(),
            name: name.into(),
            key: None,
        }
    }

    /// The module path, as Terraform writes `module_address` (`module.tenant["contoso"]`);
    /// `None` in the root module.
    pub fn module_path(&self) -> Option<String> {
        if self.module.is_empty() {
            return None;
        }
        let steps: Vec<String> = self.module.iter().map(ToString::to_string).collect();
        Some(steps.join("."))
    }

    /// The instance key, for a block with `for_each` or `count`.
    pub fn key(&self) -> Option<&InstanceKey> {
        self.key.as_ref()
    }

    /// This address with the instance key `key`.
    pub fn with_key(&self, key: InstanceKey) -> ResourceAddr {
        ResourceAddr {
            key: Some(key),
            ..self.clone()
        }
    }

    /// The address of the block this instance comes from (without its instance key).
    pub fn block(&self) -> ResourceAddr {
        ResourceAddr {
            key: None,
            ..self.clone()
        }
    }

    /// `TYPE.NAME` or `data.TYPE.NAME`, without module path or key.
    pub fn local_name(&self) -> String {
        match self.mode {
            Mode::Data => format!("data.{}.{}", self.type_name, self.name),
            Mode::Managed => format!("{}.{}", self.type_name, self.name),
        }
    }

    /// The provider type that serves this resource type: the prefix before the first `_`,
    /// except for `manual_step`, which the engine serves itself.
    pub fn provider_type(&self) -> &str {
        self.type_name
            .split_once('_')
            .map_or(self.type_name.as_str(), |(prefix, _)| prefix)
    }
}

impl fmt::Display for ResourceAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for step in &self.module {
            write!(f, "{step}.")?;
        }
        if self.mode == Mode::Data {
            write!(f, "data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)?;
        if let Some(key) = &self.key {
            write!(f, "{key}")?;
        }
        Ok(())
    }
}

/// Why a string is not a resource address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{input}` is not a resource address: expected TYPE.NAME or data.TYPE.NAME, optionally with \
     an instance key (`TYPE.NAME[\"key\"]`, `TYPE.NAME[0]`) and a module path before it \
     (`module.NAME[\"key\"].`)"
)]
pub struct AddrParseError {
    pub input: String,
}

/// Whether `s` is a name as Terraform's are: a letter or underscore, then letters, digits,
/// underscores and dashes (ASCII). Block labels that name things must be, so that addresses
/// built from them read back.
pub fn is_identifier(s: &str) -> bool {
    let mut chars = s.chars();
    matches!(chars.next(), Some(c) if c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
}

/// A reader of the parts of an address: names separated by dots, each optionally followed by
/// an instance key in brackets.
struct AddrReader<'s> {
    rest: &'s str,
}

impl<'s> AddrReader<'s> {
    /// The next name, with the dot before it when `dotted`.
    fn name(&mut self, dotted: bool) -> Option<&'s str> {
        if dotted {
            self.rest = self.rest.strip_prefix('.')?;
        }
        let end = self.rest.find(['.', '[']).unwrap_or(self.rest.len());
        let (name, rest) = self.rest.split_at(end);
        self.rest = rest;
        is_identifier(name).then_some(name)
    }

    /// An instance key in brackets, if one follows; `Err` when one is malformed.
    fn key(&mut self) -> Result<Option<InstanceKey>, ()> {
        let Some(rest) = self.rest.strip_prefix('[') else {
            return Ok(None);
        };
        if rest.starts_with('"') {
            // A JSON string literal, then `]`.
            let mut stream =
                serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
            let Some(Ok(serde_json::Value::String(key))) = stream.next() else {
                return Err(());
            };
            let after = &rest[stream.byte_offset()..];
            self.rest = after.strip_prefix(']').ok_or(())?;
            return Ok(Some(InstanceKey::Name(key)));
        }
        let end = rest.find(']').ok_or(())?;
        let digits = &rest[..end];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(());
        }
        let index = digits.parse().map_err(|_| ())?;
        self.rest = &rest[end + 1..];
        Ok(Some(InstanceKey::Index(index)))
    }
}

impl FromStr for ResourceAddr {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AddrParseError {
            input: s.to_string(),
        };
        let mut reader = AddrReader { rest: s };
        let mut module = Vec::new();
        let mut first = reader.name(false).ok_or_else(err)?;
        while first == "module" {
            let name = reader.name(true).ok_or_else(err)?;
            let key = reader.key().map_err(|_| err())?;
            module.push(ModuleStep {
                name: name.to_string(),
                key,
            });
            first = reader.name(true).ok_or_else(err)?;
        }
        let (mode, type_name) = if first == "data" {
            (Mode::Data, reader.name(true).ok_or_else(err)?)
        } else {
            (Mode::Managed, first)
        };
        let name = reader.name(true).ok_or_else(err)?;
        let key = reader.key().map_err(|_| err())?;
        if !reader.rest.is_empty() {
            return Err(err());
        }
        Ok(ResourceAddr {
            module,
            mode,
            type_name: type_name.to_string(),
            name: name.to_string(),
            key,
        })
    }
}

impl Serialize for ResourceAddr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ResourceAddr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// The address of a configured provider instance: `zoom`, or `zoom.emea` for an alias.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ProviderAddr {
    pub type_name: String,
    pub alias: Option<String>,
}

impl FromStr for ProviderAddr {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AddrParseError {
            input: s.to_string(),
        };
        let (type_name, alias) = match s.split_once('.') {
            Some((t, a)) => (t, Some(a)),
            None => (s, None),
        };
        if !is_identifier(type_name) || alias.is_some_and(|a| !is_identifier(a)) {
            return Err(err());
        }
        Ok(ProviderAddr {
            type_name: type_name.to_string(),
            alias: alias.map(str::to_string),
        })
    }
}

impl Serialize for ProviderAddr {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for ProviderAddr {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

impl ProviderAddr {
    pub fn default_for(type_name: impl Into<String>) -> Self {
        ProviderAddr {
            type_name: type_name.into(),
            alias: None,
        }
    }
}

impl fmt::Display for ProviderAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.alias {
            Some(alias) => write!(f, "{}.{alias}", self.type_name),
            None => write!(f, "{}", self.type_name),
        }
    }
}

/// Addresses are strings in JSON (`zoom_group.sales`, `data.azuread_domain.primary`).
impl schemars::JsonSchema for ResourceAddr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ResourceAddr".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A resource address: TYPE.NAME, or data.TYPE.NAME for a data source, with an instance key for a block with for_each or count (TYPE.NAME[\"key\"], TYPE.NAME[0]) and the module path before it (module.NAME[\"key\"].TYPE.NAME).",
            "pattern": "^(module\\.[A-Za-z_][A-Za-z0-9_-]*(\\[([0-9]+|\"([^\"\\\\]|\\\\.)*\")\\])?\\.)*(data\\.)?[A-Za-z_][A-Za-z0-9_-]*\\.[A-Za-z_][A-Za-z0-9_-]*(\\[([0-9]+|\"([^\"\\\\]|\\\\.)*\")\\])?$"
        })
    }
}

/// Provider addresses are strings in JSON (`zoom`, `zoom.emea`).
impl schemars::JsonSchema for ProviderAddr {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "ProviderAddr".into()
    }

    fn json_schema(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
        schemars::json_schema!({
            "type": "string",
            "description": "A provider instance: TYPE, or TYPE.ALIAS.",
            "pattern": "^[A-Za-z_][A-Za-z0-9_-]*(\\.[A-Za-z_][A-Za-z0-9_-]*)?$"
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_round_trip() {
        for s in ["zoom_account_settings.main", "data.azuread_domain.primary"] {
            let addr: ResourceAddr = s.parse().unwrap();
            assert_eq!(addr.to_string(), s);
        }
        let addr: ResourceAddr = "azuread_service_principal.zoom".parse().unwrap();
        assert_eq!(addr.provider_type(), "azuread");
    }

    #[test]
    fn provider_addresses_round_trip() {
        for s in ["zoom", "zoom.emea"] {
            let addr: ProviderAddr = s.parse().unwrap();
            assert_eq!(addr.to_string(), s);
            assert_eq!(serde_json::to_string(&addr).unwrap(), format!("\"{s}\""));
        }
        assert!("zoom.a.b".parse::<ProviderAddr>().is_err());
    }

    #[test]
    fn malformed_addresses_are_rejected() {
        for s in [
            "",
            "one",
            "a.b.c.d",
            "data.x",
            "9x.y",
            "x.y z",
            "x.y[",
            "x.y[a]",
            "x.y[-1]",
            "x.y[\"a\"",
            "x.y[\"a\"]z",
            "x.y[0][1]",
            "module.m",
            "module.m.x",
            "module..x.y",
            "module.m[\"a\"]x.y",
        ] {
            assert!(s.parse::<ResourceAddr>().is_err(), "{s}");
        }
    }

    #[test]
    fn instance_and_module_addresses_round_trip() {
        for s in [
            "zoom_group.pilot[\"emea\"]",
            "zoom_group.pilot[3]",
            "data.azuread_domain.d[\"contoso.com\"]",
            "module.tenant.zoom_group.pilot",
            "module.tenant[\"contoso\"].zoom_group.pilot[\"emea\"]",
            "module.a[0].module.b[\"x\"].data.zoom_group.g",
            "zoom_group.g[\"with \\\"quotes\\\" and . [dots]\"]",
        ] {
            let addr: ResourceAddr = s.parse().unwrap();
            assert_eq!(addr.to_string(), s);
            let json = serde_json::to_string(&addr).unwrap();
            assert_eq!(serde_json::from_str::<ResourceAddr>(&json).unwrap(), addr);
        }
        let addr: ResourceAddr = "module.tenant[\"contoso\"].zoom_group.pilot[\"emea\"]"
            .parse()
            .unwrap();
        assert_eq!(
            addr.module_path().as_deref(),
            Some("module.tenant[\"contoso\"]")
        );
        assert_eq!(addr.key(), Some(&InstanceKey::Name("emea".into())));
        assert_eq!(
            addr.block().to_string(),
            "module.tenant[\"contoso\"].zoom_group.pilot"
        );
        assert_eq!(addr.local_name(), "zoom_group.pilot");
        assert_eq!(addr.provider_type(), "zoom");
        let plain: ResourceAddr = "zoom_group.pilot".parse().unwrap();
        assert_eq!(plain.module_path(), None);
        assert_eq!(plain.key(), None);
        assert_eq!(
            plain.with_key(InstanceKey::Index(2)).to_string(),
            "zoom_group.pilot[2]"
        );
    }
}
