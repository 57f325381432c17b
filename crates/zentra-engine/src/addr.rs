//! Typed addresses of the things a configuration declares (`zoom_account_settings.main`,
//! `data.azuread_domain.primary`, `zoom.emea`), with parsing and display that round-trip.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Whether an address names a managed resource or a data source.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Mode {
    Managed,
    Data,
}

/// The address of one resource or data source: `TYPE.NAME` or `data.TYPE.NAME`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ResourceAddr {
    pub mode: Mode,
    pub type_name: String,
    pub name: String,
}

impl ResourceAddr {
    pub fn managed(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceAddr {
            mode: Mode::Managed,
            type_name: type_name.into(),
            name: name.into(),
        }
    }

    pub fn data(type_name: impl Into<String>, name: impl Into<String>) -> Self {
        ResourceAddr {
            mode: Mode::Data,
            type_name: type_name.into(),
            name: name.into(),
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
        if self.mode == Mode::Data {
            write!(f, "data.")?;
        }
        write!(f, "{}.{}", self.type_name, self.name)
    }
}

/// Why a string is not a resource address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{input}` is not a resource address: expected TYPE.NAME or data.TYPE.NAME")]
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

impl FromStr for ResourceAddr {
    type Err = AddrParseError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let err = || AddrParseError {
            input: s.to_string(),
        };
        let parts: Vec<&str> = s.split('.').collect();
        let (mode, type_name, name) = match parts.as_slice() {
            ["data", t, n] => (Mode::Data, *t, *n),
            [t, n] if *t != "data" => (Mode::Managed, *t, *n),
            _ => return Err(err()),
        };
        if !is_identifier(type_name) || !is_identifier(name) {
            return Err(err());
        }
        Ok(ResourceAddr {
            mode,
            type_name: type_name.to_string(),
            name: name.to_string(),
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
            "description": "A resource address: TYPE.NAME, or data.TYPE.NAME for a data source.",
            "pattern": "^(data\\.)?[A-Za-z_][A-Za-z0-9_-]*\\.[A-Za-z_][A-Za-z0-9_-]*$"
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
        for s in ["", "one", "a.b.c.d", "data.x", "9x.y", "x.y z"] {
            assert!(s.parse::<ResourceAddr>().is_err(), "{s}");
        }
    }
}
