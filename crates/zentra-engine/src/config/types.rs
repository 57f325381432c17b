//! Type constraints of `variable` blocks (`string`, `list(string)`, `object({...})`) and the
//! conversions HCL allows when a value is assigned to one.

use hcl::edit::expr::{Expression, ObjectKey};
use indexmap::IndexMap;

use crate::value::Value;

#[derive(Clone, Debug, PartialEq)]
pub enum TypeConstraint {
    Any,
    String,
    Number,
    Bool,
    List(Box<TypeConstraint>),
    Set(Box<TypeConstraint>),
    Map(Box<TypeConstraint>),
    Object(IndexMap<String, TypeConstraint>),
    /// An attribute of an `object(...)` that may be left out: `optional(T)` (null when left
    /// out) or `optional(T, default)`.
    Optional(Box<TypeConstraint>, Option<Box<Value>>),
}

impl std::fmt::Display for TypeConstraint {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            TypeConstraint::Any => write!(f, "any"),
            TypeConstraint::String => write!(f, "string"),
            TypeConstraint::Number => write!(f, "number"),
            TypeConstraint::Bool => write!(f, "bool"),
            TypeConstraint::List(t) => write!(f, "list({t})"),
            TypeConstraint::Set(t) => write!(f, "set({t})"),
            TypeConstraint::Map(t) => write!(f, "map({t})"),
            TypeConstraint::Object(fields) => {
                write!(f, "object({{")?;
                for (i, (k, v)) in fields.iter().enumerate() {
                    if i > 0 {
                        write!(f, ", ")?;
                    }
                    write!(f, "{k} = {v}")?;
                }
                write!(f, "}})")
            }
            TypeConstraint::Optional(t, None) => write!(f, "optional({t})"),
            TypeConstraint::Optional(t, Some(d)) => write!(
                f,
                "optional({t}, {})",
                d.to_json()
                    .map_or_else(|| "…".to_string(), |j| j.to_string())
            ),
        }
    }
}

impl TypeConstraint {
    /// Parses a type expression as written after `type =`.
    pub fn parse(expr: &Expression) -> Result<TypeConstraint, String> {
        const HINT: &str =
            "types are string, number, bool, any, list(T), set(T), map(T) and object({ name = T })";
        match expr {
            Expression::Variable(v) => match v.as_str() {
                "string" => Ok(TypeConstraint::String),
                "number" => Ok(TypeConstraint::Number),
                "bool" => Ok(TypeConstraint::Bool),
                "any" => Ok(TypeConstraint::Any),
                "list" => Ok(TypeConstraint::List(Box::new(TypeConstraint::Any))),
                "set" => Ok(TypeConstraint::Set(Box::new(TypeConstraint::Any))),
                "map" => Ok(TypeConstraint::Map(Box::new(TypeConstraint::Any))),
                other => Err(format!("unknown type `{other}`: {HINT}")),
            },
            Expression::FuncCall(call) => {
                let name = call.name.name.as_str();
                if name == "optional" {
                    return Err("`optional(...)` is allowed only for the attributes of an `object({ ... })` type".into());
                }
                let args: Vec<&Expression> = call.args.iter().collect();
                let [arg] = args.as_slice() else {
                    return Err(format!("`{name}(...)` takes exactly one type argument"));
                };
                match name {
                    "list" => Ok(TypeConstraint::List(Box::new(TypeConstraint::parse(arg)?))),
                    "set" => Ok(TypeConstraint::Set(Box::new(TypeConstraint::parse(arg)?))),
                    "map" => Ok(TypeConstraint::Map(Box::new(TypeConstraint::parse(arg)?))),
                    "object" => {
                        let Expression::Object(obj) = arg else {
                            return Err("`object(...)` takes an object of attribute types, like object({ name = string })".into());
                        };
                        let mut fields = IndexMap::new();
                        for (key, value) in obj.iter() {
                            let name = match key {
                                ObjectKey::Ident(id) => id.as_str().to_string(),
                                ObjectKey::Expression(e) => crate::config::literal_string(e)
                                    .ok_or("object attribute names must be plain names")?,
                            };
                            fields.insert(name, TypeConstraint::parse_attribute(value.expr())?);
                        }
                        Ok(TypeConstraint::Object(fields))
                    }
                    other => Err(format!("unknown type constructor `{other}`: {HINT}")),
                }
            }
            _ => Err(format!("not a type: {HINT}")),
        }
    }

    /// Parses the type of an `object(...)` attribute, where `optional(T[, default])` is allowed.
    fn parse_attribute(expr: &Expression) -> Result<TypeConstraint, String> {
        let Expression::FuncCall(call) = expr else {
            return TypeConstraint::parse(expr);
        };
        if call.name.name.as_str() != "optional" {
            return TypeConstraint::parse(expr);
        }
        let args: Vec<&Expression> = call.args.iter().collect();
        match args.as_slice() {
            [ty] => Ok(TypeConstraint::Optional(
                Box::new(TypeConstraint::parse(ty)?),
                None,
            )),
            [ty, default] => {
                let ty = TypeConstraint::parse(ty)?;
                let value = literal_value(default)
                    .ok_or("the default of optional(...) must be a literal value")?;
                let value = ty
                    .convert(value)
                    .map_err(|e| format!("the default of optional(...): {e}"))?;
                Ok(TypeConstraint::Optional(
                    Box::new(ty),
                    Some(Box::new(value)),
                ))
            }
            _ => Err("`optional(...)` takes a type and, optionally, a default value".into()),
        }
    }

    /// Converts `value` to this type, as HCL does on assignment (`"5"` to a number, `true` to a
    /// string), or explains why it cannot.
    pub fn convert(&self, value: Value) -> Result<Value, String> {
        if let Value::Sensitive(inner) = value {
            return self.convert(*inner).map(Value::mark_sensitive);
        }
        if matches!(value, Value::Unknown | Value::Null) {
            return Ok(value);
        }
        match self {
            TypeConstraint::Any => Ok(value),
            TypeConstraint::String => match value {
                Value::String(_) => Ok(value),
                Value::Bool(b) => Ok(Value::String(b.to_string())),
                Value::Number(n) => Ok(Value::String(n.to_string())),
                other => Err(format!("expected a string, found a {}", other.type_name())),
            },
            TypeConstraint::Number => match value {
                Value::Number(_) => Ok(value),
                Value::String(s) => parse_number(&s)
                    .map(Value::Number)
                    .ok_or_else(|| format!("expected a number, found the string \"{s}\"")),
                other => Err(format!("expected a number, found a {}", other.type_name())),
            },
            TypeConstraint::Bool => match value {
                Value::Bool(_) => Ok(value),
                Value::String(s) if s == "true" => Ok(Value::Bool(true)),
                Value::String(s) if s == "false" => Ok(Value::Bool(false)),
                other => Err(format!(
                    "expected true or false, found a {}",
                    other.type_name()
                )),
            },
            TypeConstraint::List(elem) | TypeConstraint::Set(elem) => match value {
                Value::List(items) => {
                    let mut out = Vec::with_capacity(items.len());
                    for (i, item) in items.into_iter().enumerate() {
                        out.push(
                            elem.convert(item)
                                .map_err(|e| format!("element {i}: {e}"))?,
                        );
                    }
                    if matches!(self, TypeConstraint::Set(_)) {
                        let mut seen = Vec::new();
                        out.retain(|v| {
                            let dup = seen.contains(v);
                            if !dup {
                                seen.push(v.clone());
                            }
                            !dup
                        });
                    }
                    Ok(Value::List(out))
                }
                other => Err(format!("expected a list, found a {}", other.type_name())),
            },
            TypeConstraint::Map(elem) => match value {
                Value::Object(map) => {
                    let mut out = IndexMap::new();
                    for (k, v) in map {
                        let v = elem.convert(v).map_err(|e| format!("key \"{k}\": {e}"))?;
                        out.insert(k, v);
                    }
                    Ok(Value::Object(out))
                }
                other => Err(format!("expected a map, found a {}", other.type_name())),
            },
            TypeConstraint::Optional(inner, _) => inner.convert(value),
            TypeConstraint::Object(fields) => match value {
                Value::Object(mut map) => {
                    let mut out = IndexMap::new();
                    for (name, ty) in fields {
                        let v = match (map.shift_remove(name), ty) {
                            (Some(v), _) => v,
                            (None, TypeConstraint::Optional(_, default)) => {
                                default.as_deref().cloned().unwrap_or(Value::Null)
                            }
                            (None, _) => {
                                return Err(format!(
                                    "attribute `{name}` is required (declare it optional({ty}) to allow leaving it out)"
                                ));
                            }
                        };
                        out.insert(
                            name.clone(),
                            ty.convert(v)
                                .map_err(|e| format!("attribute `{name}`: {e}"))?,
                        );
                    }
                    if let Some(extra) = map.keys().next() {
                        return Err(format!("unexpected attribute `{extra}`"));
                    }
                    Ok(Value::Object(out))
                }
                other => Err(format!("expected an object, found a {}", other.type_name())),
            },
        }
    }
}

/// The value of a literal expression (no references, no function calls), if it is one.
fn literal_value(expr: &Expression) -> Option<Value> {
    let config = crate::config::Config::default();
    let env = crate::env::Environment::default();
    let vars = IndexMap::new();
    let resources = std::collections::HashMap::new();
    let ctx = crate::eval::EvalContext::new(&config, &env, &vars, &resources);
    ctx.eval(&crate::config::Expr {
        file: crate::diag::FileId(usize::MAX),
        expr: expr.clone(),
    })
    .ok()
}

/// Parses a decimal number as HCL writes it.
pub fn parse_number(s: &str) -> Option<serde_json::Number> {
    let s = s.trim();
    if let Ok(i) = s.parse::<i64>() {
        return Some(i.into());
    }
    s.parse::<f64>().ok().and_then(serde_json::Number::from_f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(src: &str) -> TypeConstraint {
        let body: hcl::edit::structure::Body = format!("t = {src}").parse().unwrap();
        let attr = body.get_attribute("t").unwrap();
        TypeConstraint::parse(&attr.value).unwrap()
    }

    #[test]
    fn parses_type_expressions() {
        assert_eq!(parse("string"), TypeConstraint::String);
        assert_eq!(parse("list(string)").to_string(), "list(string)");
        assert_eq!(
            parse("object({ a = bool, b = set(number) })").to_string(),
            "object({a = bool, b = set(number)})"
        );
    }

    #[test]
    fn object_attributes_are_required_unless_optional() {
        let t =
            parse("object({ name = string, size = optional(number, 3), note = optional(string) })");
        assert_eq!(
            t.to_string(),
            "object({name = string, size = optional(number, 3), note = optional(string)})"
        );
        let mut m = IndexMap::new();
        m.insert("name".to_string(), Value::str("x"));
        let v = t.convert(Value::Object(m)).unwrap();
        assert_eq!(v.get("size"), Some(&Value::from(3)));
        assert_eq!(v.get("note"), Some(&Value::Null));
        let err = t.convert(Value::Object(IndexMap::new())).unwrap_err();
        assert!(err.contains("attribute `name` is required"), "{err}");
    }

    #[test]
    fn converts_like_hcl() {
        assert_eq!(
            TypeConstraint::Number.convert(Value::str("5")).unwrap(),
            Value::from(5)
        );
        assert_eq!(
            TypeConstraint::Bool.convert(Value::str("true")).unwrap(),
            Value::Bool(true)
        );
        assert!(TypeConstraint::Bool.convert(Value::str("yes")).is_err());
        let set = TypeConstraint::Set(Box::new(TypeConstraint::String));
        let v = set
            .convert(Value::List(vec![Value::str("a"), Value::str("a")]))
            .unwrap();
        assert_eq!(v, Value::List(vec![Value::str("a")]));
        let s = TypeConstraint::String
            .convert(Value::str("x").mark_sensitive())
            .unwrap();
        assert!(s.contains_sensitive());
    }
}
