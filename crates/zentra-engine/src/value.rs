//! The one value type of the engine: JSON-like data plus the two marks a plan needs,
//! "unknown until apply" and "sensitive".
//!
//! Configuration is evaluated into [`Value`]s, providers read live state into them, and the diff
//! compares them. Sensitivity is a mark that follows a value through expressions: anything
//! computed from a sensitive value is sensitive too.

use indexmap::IndexMap;
use serde_json::Number;

#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    List(Vec<Value>),
    Object(IndexMap<String, Value>),
    /// Known only after apply (for example the id of an object not yet created).
    Unknown,
    /// A value that must never be shown.
    Sensitive(Box<Value>),
}

impl Value {
    pub fn object() -> Self {
        Value::Object(IndexMap::new())
    }

    pub fn str(s: impl Into<String>) -> Self {
        Value::String(s.into())
    }

    /// Wraps `self` in the sensitive mark (once).
    pub fn mark_sensitive(self) -> Self {
        match self {
            Value::Sensitive(_) => self,
            other => Value::Sensitive(Box::new(other)),
        }
    }

    /// The value with its sensitive mark removed (one level), and whether it had one.
    pub fn unmark(&self) -> (&Value, bool) {
        match self {
            Value::Sensitive(inner) => (inner.as_ref(), true),
            other => (other, false),
        }
    }

    /// True when the value or anything inside it is sensitive.
    pub fn contains_sensitive(&self) -> bool {
        match self {
            Value::Sensitive(_) => true,
            Value::List(items) => items.iter().any(Value::contains_sensitive),
            Value::Object(map) => map.values().any(Value::contains_sensitive),
            _ => false,
        }
    }

    /// True when the value or anything inside it is unknown.
    pub fn contains_unknown(&self) -> bool {
        match self {
            Value::Unknown => true,
            Value::Sensitive(inner) => inner.contains_unknown(),
            Value::List(items) => items.iter().any(Value::contains_unknown),
            Value::Object(map) => map.values().any(Value::contains_unknown),
            _ => false,
        }
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self.unmark().0, Value::Unknown)
    }

    pub fn as_str(&self) -> Option<&str> {
        match self.unmark().0 {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_bool(&self) -> Option<bool> {
        match self.unmark().0 {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_i64(&self) -> Option<i64> {
        match self.unmark().0 {
            Value::Number(n) => n.as_i64(),
            _ => None,
        }
    }

    pub fn as_object(&self) -> Option<&IndexMap<String, Value>> {
        match self.unmark().0 {
            Value::Object(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_list(&self) -> Option<&[Value]> {
        match self.unmark().0 {
            Value::List(l) => Some(l),
            _ => None,
        }
    }

    /// Member `key` of an object value.
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.as_object()?.get(key)
    }

    /// Walks nested objects along `path`.
    pub fn get_path(&self, path: &[&str]) -> Option<&Value> {
        let mut cur = self;
        for p in path {
            cur = cur.get(p)?;
        }
        Some(cur)
    }

    /// A short name of the value's type, for diagnostics.
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "bool",
            Value::Number(_) => "number",
            Value::String(_) => "string",
            Value::List(_) => "list",
            Value::Object(_) => "object",
            Value::Unknown => "unknown",
            Value::Sensitive(inner) => inner.type_name(),
        }
    }

    /// Converts to plain JSON, revealing sensitive values. `None` if anything is unknown.
    pub fn to_json(&self) -> Option<serde_json::Value> {
        Some(match self {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_json).collect::<Option<_>>()?)
            }
            Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| Some((k.clone(), v.to_json()?)))
                    .collect::<Option<_>>()?,
            ),
            Value::Unknown => return None,
            Value::Sensitive(inner) => inner.to_json()?,
        })
    }

    /// Converts to JSON for display or storage: sensitive values become `null`, unknown values
    /// become `null`. Use [`Value::sensitive_paths`] and [`Value::unknown_paths`] to say which.
    pub fn to_redacted_json(&self) -> serde_json::Value {
        match self {
            Value::Null | Value::Unknown | Value::Sensitive(_) => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Number(n) => serde_json::Value::Number(n.clone()),
            Value::String(s) => serde_json::Value::String(s.clone()),
            Value::List(items) => {
                serde_json::Value::Array(items.iter().map(Value::to_redacted_json).collect())
            }
            Value::Object(map) => serde_json::Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), v.to_redacted_json()))
                    .collect(),
            ),
        }
    }

    /// Builds a value from plain JSON (nothing sensitive, nothing unknown).
    pub fn from_json(json: &serde_json::Value) -> Self {
        match json {
            serde_json::Value::Null => Value::Null,
            serde_json::Value::Bool(b) => Value::Bool(*b),
            serde_json::Value::Number(n) => Value::Number(n.clone()),
            serde_json::Value::String(s) => Value::String(s.clone()),
            serde_json::Value::Array(items) => {
                Value::List(items.iter().map(Value::from_json).collect())
            }
            serde_json::Value::Object(map) => Value::Object(
                map.iter()
                    .map(|(k, v)| (k.clone(), Value::from_json(v)))
                    .collect(),
            ),
        }
    }
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Self {
        Value::Number(n.into())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sensitive_values_are_redacted_in_json() {
        let mut m = IndexMap::new();
        m.insert("secret".to_string(), Value::str("hunter2").mark_sensitive());
        m.insert("plain".to_string(), Value::str("ok"));
        let v = Value::Object(m);
        assert!(v.contains_sensitive());
        let json = v.to_redacted_json().to_string();
        assert!(!json.contains("hunter2"));
        assert!(json.contains("ok"));
        assert_eq!(v.to_json().unwrap()["secret"], "hunter2");
    }

    #[test]
    fn unknown_values_have_no_plain_json() {
        let v = Value::List(vec![Value::str("a"), Value::Unknown]);
        assert!(v.contains_unknown());
        assert!(v.to_json().is_none());
    }
}
