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
                            fields.insert(name, TypeConstraint::parse(value.expr())?);
                        }
                        Ok(TypeConstraint::Object(fields))
                    }
                    other => Err(format!("unknown type constructor `{other}`: {HINT}")),
                }
            }
            _ => Err(format!("not a type: {HINT}")),
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
            TypeConstraint::Object(fields) => match value {
                Value::Object(mut map) => {
                    let mut out = IndexMap::new();
                    for (name, ty) in fields {
                        let v = map.shift_remove(name).unwrap_or(Value::Null);
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
