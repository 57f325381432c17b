//! The built-in functions of the configuration language (`env`, `file`, `lower`, `jsonencode`,
//! ...). Unknown arguments make an unknown result; sensitive arguments make a sensitive one.

use indexmap::IndexMap;

use super::EvalContext;
use crate::value::Value;

type Func = fn(&EvalContext<'_>, Vec<Value>) -> Result<Value, String>;

const FUNCTIONS: &[(&str, Func)] = &[
    ("coalesce", coalesce),
    ("concat", concat),
    ("contains", contains),
    ("distinct", distinct),
    ("env", env),
    ("file", file),
    ("format", format),
    ("join", join),
    ("jsondecode", jsondecode),
    ("jsonencode", jsonencode),
    ("keys", keys),
    ("length", length),
    ("lookup", lookup),
    ("lower", lower),
    ("merge", merge),
    ("replace", replace),
    ("sort", sort),
    ("split", split),
    ("tobool", tobool),
    ("tonumber", tonumber),
    ("toset", distinct),
    ("tostring", tostring),
    ("trimspace", trimspace),
    ("upper", upper),
    ("values", values),
];

/// Names of every built-in function, for suggestions.
pub const FUNCTION_NAMES: &[&str] = &[
    "coalesce",
    "concat",
    "contains",
    "distinct",
    "env",
    "file",
    "format",
    "join",
    "jsondecode",
    "jsonencode",
    "keys",
    "length",
    "lookup",
    "lower",
    "merge",
    "replace",
    "sort",
    "split",
    "tobool",
    "tonumber",
    "toset",
    "tostring",
    "trimspace",
    "upper",
    "values",
];

/// Calls the function `name` with evaluated arguments.
pub fn call(ctx: &EvalContext<'_>, name: &str, args: Vec<Value>) -> Result<Value, String> {
    let Some((_, f)) = FUNCTIONS.iter().find(|(n, _)| *n == name) else {
        return Err(format!("unknown function `{name}`"));
    };
    if args.iter().any(Value::contains_unknown) {
        return Ok(Value::Unknown);
    }
    let mut secrets = Vec::new();
    for a in &args {
        sensitive_texts(a, false, &mut secrets);
    }
    let mut sensitive = false;
    let args: Vec<Value> = args
        .into_iter()
        .map(|a| {
            let (v, s) = strip_marks(a);
            sensitive |= s;
            v
        })
        .collect();
    let out = f(ctx, args).map_err(|e| redact(&format!("{name}(): {e}"), secrets))?;
    Ok(if sensitive { out.mark_sensitive() } else { out })
}

/// The texts of the strings and numbers inside sensitive marks, which an error message about
/// the arguments could otherwise repeat.
fn sensitive_texts(v: &Value, inside: bool, out: &mut Vec<String>) {
    if inside {
        out.extend(crate::redact::all_texts(v));
    } else {
        out.extend(crate::redact::sensitive_texts(v));
    }
}

/// `message` with every string and number inside `value` replaced: for errors about a value
/// that is sensitive as a whole (a sensitive variable's).
pub(crate) fn redact_value(message: &str, value: &Value) -> String {
    let mut secrets = Vec::new();
    sensitive_texts(value, true, &mut secrets);
    redact(message, secrets)
}

/// `message` with every occurrence of a secret (in any quoted form) replaced, longest first:
/// the same redaction every diagnostic goes through ([`crate::redact`]).
fn redact(message: &str, secrets: Vec<String>) -> String {
    let escaped: Vec<String> = secrets
        .iter()
        .flat_map(|s| {
            let debug = format!("{s:?}");
            [s.clone(), debug[1..debug.len() - 1].to_string()]
        })
        .collect();
    crate::redact::replace_secrets(message, &escaped)
}

/// Removes every sensitive mark inside `v`, reporting whether there was one.
fn strip_marks(v: Value) -> (Value, bool) {
    match v {
        Value::Sensitive(inner) => (strip_marks(*inner).0, true),
        Value::List(items) => {
            let mut any = false;
            let items = items
                .into_iter()
                .map(|i| {
                    let (v, s) = strip_marks(i);
                    any |= s;
                    v
                })
                .collect();
            (Value::List(items), any)
        }
        Value::Object(map) => {
            let mut any = false;
            let map = map
                .into_iter()
                .map(|(k, i)| {
                    let (v, s) = strip_marks(i);
                    any |= s;
                    (k, v)
                })
                .collect();
            (Value::Object(map), any)
        }
        other => (other, false),
    }
}

fn arity(args: &[Value], min: usize, max: usize) -> Result<(), String> {
    if args.len() < min || args.len() > max {
        let want = if min == max {
            format!("{min}")
        } else {
            format!("{min} to {max}")
        };
        return Err(format!("takes {want} argument(s), got {}", args.len()));
    }
    Ok(())
}

fn string_arg(args: &[Value], i: usize) -> Result<String, String> {
    match args.get(i) {
        Some(Value::String(s)) => Ok(s.clone()),
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(Value::Bool(b)) => Ok(b.to_string()),
        Some(other) => Err(format!(
            "argument {} must be a string, found a {}",
            i + 1,
            other.type_name()
        )),
        None => Err(format!("argument {} is missing", i + 1)),
    }
}

fn list_arg(args: &[Value], i: usize) -> Result<Vec<Value>, String> {
    match args.get(i) {
        Some(Value::List(items)) => Ok(items.clone()),
        Some(other) => Err(format!(
            "argument {} must be a list, found a {}",
            i + 1,
            other.type_name()
        )),
        None => Err(format!("argument {} is missing", i + 1)),
    }
}

fn object_arg(args: &[Value], i: usize) -> Result<IndexMap<String, Value>, String> {
    match args.get(i) {
        Some(Value::Object(m)) => Ok(m.clone()),
        Some(other) => Err(format!(
            "argument {} must be an object or map, found a {}",
            i + 1,
            other.type_name()
        )),
        None => Err(format!("argument {} is missing", i + 1)),
    }
}

fn env(ctx: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 2)?;
    let name = string_arg(&args, 0)?;
    match ctx.env.get(&name) {
        Some(v) if crate::env::vars::holds_secret(&name) => Ok(Value::str(v).mark_sensitive()),
        Some(v) => Ok(Value::str(v)),
        None if args.len() == 2 => Ok(args[1].clone()),
        None => Err(format!(
            "environment variable `{name}` is not set; set it, or give a default: env(\"{name}\", \"...\")"
        )),
    }
}

fn file(ctx: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let rel = string_arg(&args, 0)?;
    let path = ctx.base_dir().join(&rel);
    let cannot = |e: &dyn std::fmt::Display| {
        format!("cannot read `{rel}` (relative to the configuration directory): {e}")
    };
    // A device or pipe (`/dev/zero`, `/dev/stdin`) could be read forever: regular files only,
    // of configuration size.
    crate::files::read_text(&path, crate::files::FileKind::FileFunction)
        .map(Value::String)
        .map_err(|e| cannot(&e))
}

fn lower(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    Ok(Value::String(string_arg(&args, 0)?.to_lowercase()))
}

fn upper(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    Ok(Value::String(string_arg(&args, 0)?.to_uppercase()))
}

fn trimspace(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    Ok(Value::String(string_arg(&args, 0)?.trim().to_string()))
}

fn jsonencode(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let json = args[0].to_json().ok_or("the value is not fully known")?;
    serde_json::to_string(&json)
        .map(Value::String)
        .map_err(|e| e.to_string())
}

fn jsondecode(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let text = string_arg(&args, 0)?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("invalid JSON: {e}"))?;
    Ok(Value::from_json(&json))
}

fn join(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let sep = string_arg(&args, 0)?;
    let items = list_arg(&args, 1)?;
    let parts = (0..items.len())
        .map(|i| string_arg(&items, i))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Value::String(parts.join(&sep)))
}

fn split(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let sep = string_arg(&args, 0)?;
    let s = string_arg(&args, 1)?;
    if sep.is_empty() {
        return Err("the separator must not be empty".into());
    }
    Ok(Value::List(s.split(sep.as_str()).map(Value::str).collect()))
}

fn replace(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 3, 3)?;
    let s = string_arg(&args, 0)?;
    let from = string_arg(&args, 1)?;
    let to = string_arg(&args, 2)?;
    if from.is_empty() {
        return Err("the text to replace must not be empty".into());
    }
    Ok(Value::String(s.replace(&from, &to)))
}

fn format(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    if args.is_empty() {
        return Err("takes a format string and its arguments".into());
    }
    let spec = string_arg(&args, 0)?;
    let mut out = String::new();
    let mut next = 1;
    let mut chars = spec.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '%' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('%') => out.push('%'),
            Some('s' | 'd' | 'v') => {
                out.push_str(&string_arg(&args, next)?);
                next += 1;
            }
            Some(other) => {
                return Err(format!("unsupported verb `%{other}`; use %s, %d, %v or %%"));
            }
            None => return Err("the format string ends with a lone `%`".into()),
        }
    }
    if next != args.len() {
        return Err(format!(
            "the format string uses {} argument(s), {} given",
            next - 1,
            args.len() - 1
        ));
    }
    Ok(Value::String(out))
}

fn length(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let n = match &args[0] {
        Value::List(l) => l.len(),
        Value::Object(m) => m.len(),
        Value::String(s) => s.chars().count(),
        other => return Err(format!("cannot take the length of a {}", other.type_name())),
    };
    Ok(Value::from(i64::try_from(n).unwrap_or(i64::MAX)))
}

fn contains(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let items = list_arg(&args, 0)?;
    Ok(Value::Bool(
        items.iter().any(|i| super::values_equal(i, &args[1])),
    ))
}

fn concat(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    let mut out = Vec::new();
    for i in 0..args.len() {
        out.extend(list_arg(&args, i)?);
    }
    Ok(Value::List(out))
}

fn distinct(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let mut out: Vec<Value> = Vec::new();
    for item in list_arg(&args, 0)? {
        if !out.iter().any(|o| super::values_equal(o, &item)) {
            out.push(item);
        }
    }
    Ok(Value::List(out))
}

fn sort(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let items = list_arg(&args, 0)?;
    let mut strings = (0..items.len())
        .map(|i| string_arg(&items, i))
        .collect::<Result<Vec<_>, _>>()?;
    strings.sort();
    Ok(Value::List(
        strings.into_iter().map(Value::String).collect(),
    ))
}

fn coalesce(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    args.into_iter()
        .find(|a| !matches!(a, Value::Null) && a.as_str() != Some(""))
        .ok_or_else(|| "all arguments are null or empty".to_string())
}

fn merge(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    let mut out = IndexMap::new();
    for i in 0..args.len() {
        out.extend(object_arg(&args, i)?);
    }
    Ok(Value::Object(out))
}

fn lookup(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 3)?;
    let map = object_arg(&args, 0)?;
    let key = string_arg(&args, 1)?;
    match (map.get(&key), args.get(2)) {
        (Some(v), _) => Ok(v.clone()),
        (None, Some(default)) => Ok(default.clone()),
        (None, None) => Err(format!("no key \"{key}\" and no default given")),
    }
}

fn keys(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    Ok(Value::List(
        object_arg(&args, 0)?
            .into_keys()
            .map(Value::String)
            .collect(),
    ))
}

fn values(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    Ok(Value::List(object_arg(&args, 0)?.into_values().collect()))
}

fn tostring(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    crate::config::TypeConstraint::String.convert(args[0].clone())
}

fn tonumber(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    crate::config::TypeConstraint::Number.convert(args[0].clone())
}

fn tobool(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    crate::config::TypeConstraint::Bool.convert(args[0].clone())
}

#[cfg(test)]
mod tests {
    #[test]
    fn function_names_match_the_table() {
        let table: Vec<&str> = super::FUNCTIONS.iter().map(|(n, _)| *n).collect();
        assert_eq!(table, super::FUNCTION_NAMES);
    }
}
