//! The built-in functions of the configuration language (`env`, `file`, `lower`, `jsonencode`,
//! `regex`, `range`, ...), with Terraform's semantics. Unknown arguments make an unknown result;
//! sensitive arguments make a sensitive one. `try` and `can` are named here but evaluated by
//! the evaluator, which must not evaluate their arguments beforehand.

use indexmap::IndexMap;

use super::EvalContext;
use crate::value::Value;

type Func = fn(&EvalContext<'_>, Vec<Value>) -> Result<Value, String>;

/// Every built-in function, in alphabetical order. `try` and `can` are here for their names
/// only: their arguments are evaluated lazily, by the evaluator itself
/// (`EvalContext::eval_expr`), so the table never calls them.
const FUNCTIONS: &[(&str, Func)] = &[
    ("abs", abs),
    ("alltrue", alltrue),
    ("anytrue", anytrue),
    ("base64decode", base64decode),
    ("base64encode", base64encode),
    ("can", special_form),
    ("ceil", ceil),
    ("chomp", chomp),
    ("coalesce", coalesce),
    ("coalescelist", coalescelist),
    ("compact", compact),
    ("concat", concat),
    ("contains", contains),
    ("distinct", distinct),
    ("element", element),
    ("endswith", endswith),
    ("env", env),
    ("file", file),
    ("flatten", flatten),
    ("floor", floor),
    ("format", format),
    ("formatlist", formatlist),
    ("index", index),
    ("join", join),
    ("jsondecode", jsondecode),
    ("jsonencode", jsonencode),
    ("keys", keys),
    ("length", length),
    ("lookup", lookup),
    ("lower", lower),
    ("max", max),
    ("merge", merge),
    ("min", min),
    ("one", one),
    ("range", range),
    ("regex", regex),
    ("regexall", regexall),
    ("replace", replace),
    ("reverse", reverse),
    ("setintersection", setintersection),
    ("setsubtract", setsubtract),
    ("setunion", setunion),
    ("sha256", sha256),
    ("slice", slice),
    ("sort", sort),
    ("split", split),
    ("startswith", startswith),
    ("strcontains", strcontains),
    ("substr", substr),
    ("title", title),
    ("tobool", tobool),
    ("tolist", tolist),
    ("tomap", tomap),
    ("tonumber", tonumber),
    ("toset", distinct),
    ("tostring", tostring),
    ("trim", trim),
    ("trimprefix", trimprefix),
    ("trimspace", trimspace),
    ("trimsuffix", trimsuffix),
    ("try", special_form),
    ("upper", upper),
    ("values", values),
    ("zipmap", zipmap),
];

/// Names of every built-in function (those of the table above, in its order), for the "unknown
/// function" hint and suggestions.
pub const FUNCTION_NAMES: &[&str] = &{
    let mut names = [""; FUNCTIONS.len()];
    let mut i = 0;
    while i < FUNCTIONS.len() {
        names[i] = FUNCTIONS[i].0;
        i += 1;
    }
    names
};

/// The functions whose arguments are evaluated lazily: an argument that fails to evaluate is
/// skipped (`try`) or answers false (`can`).
pub const SPECIAL_FORMS: &[&str] = &["can", "try"];

/// The most elements `range` makes, as in Terraform: a list is built in memory, and a mistaken
/// limit or step must not exhaust it.
const RANGE_MAX: usize = 1024;

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

fn special_form(_: &EvalContext<'_>, _: Vec<Value>) -> Result<Value, String> {
    Err("is evaluated with its arguments unevaluated, by the evaluator".into())
}

fn at_least(args: &[Value], min: usize) -> Result<(), String> {
    if args.len() < min {
        return Err(format!(
            "takes at least {min} argument(s), got {}",
            args.len()
        ));
    }
    Ok(())
}

/// Argument `i` as a number; a string holding a number is converted, as in Terraform.
fn number_arg(args: &[Value], i: usize) -> Result<serde_json::Number, String> {
    match args.get(i) {
        Some(Value::Number(n)) => Ok(n.clone()),
        Some(Value::String(s)) => crate::config::types_parse_number(s).ok_or_else(|| {
            format!(
                "argument {} must be a number, found the string \"{s}\"",
                i + 1
            )
        }),
        Some(other) => Err(format!(
            "argument {} must be a number, found a {}",
            i + 1,
            other.type_name()
        )),
        None => Err(format!("argument {} is missing", i + 1)),
    }
}

fn float_arg(args: &[Value], i: usize) -> Result<f64, String> {
    let n = number_arg(args, i)?;
    n.as_f64()
        .ok_or_else(|| format!("argument {} must be a number, found {n}", i + 1))
}

/// Argument `i` as a whole number that fits in 64 bits.
fn int_arg(args: &[Value], i: usize) -> Result<i64, String> {
    let n = number_arg(args, i)?;
    if let Some(v) = n.as_i64() {
        return Ok(v);
    }
    match n.as_f64() {
        // `i64::MAX as f64` rounds up to 2^63, which no i64 holds.
        Some(f) if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 => Ok(f as i64),
        _ => Err(format!(
            "argument {} must be a whole number, found {n}",
            i + 1
        )),
    }
}

/// A number value: whole numbers as integers, so that `floor(2.5)` is `2` and not `2.0`.
fn number(f: f64) -> Result<Value, String> {
    if f.fract() == 0.0 && f >= i64::MIN as f64 && f < i64::MAX as f64 {
        return Ok(Value::from(f as i64));
    }
    serde_json::Number::from_f64(f)
        .map(Value::Number)
        .ok_or_else(|| "the result is not a finite number".to_string())
}

fn len_value(n: usize) -> Value {
    Value::from(i64::try_from(n).unwrap_or(i64::MAX))
}

/// Element `i` of a list argument as a bool (`"true"` and `"false"` convert).
fn bool_element(items: &[Value], i: usize) -> Result<Option<bool>, String> {
    match &items[i] {
        Value::Null => Ok(None),
        Value::Bool(b) => Ok(Some(*b)),
        Value::String(s) if s == "true" => Ok(Some(true)),
        Value::String(s) if s == "false" => Ok(Some(false)),
        other => Err(format!(
            "element {i} must be true or false, found a {}",
            other.type_name()
        )),
    }
}

// --- strings ---------------------------------------------------------------------------------

fn startswith(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let s = string_arg(&args, 0)?;
    Ok(Value::Bool(s.starts_with(&string_arg(&args, 1)?)))
}

fn endswith(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let s = string_arg(&args, 0)?;
    Ok(Value::Bool(s.ends_with(&string_arg(&args, 1)?)))
}

fn strcontains(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let s = string_arg(&args, 0)?;
    Ok(Value::Bool(s.contains(&string_arg(&args, 1)?)))
}

/// `substr(string, offset, length)`, counting Unicode characters: a negative offset counts
/// from the end, a negative length takes the rest, and what lies beyond the end is empty.
fn substr(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 3, 3)?;
    let s = string_arg(&args, 0)?;
    let offset = int_arg(&args, 1)?;
    let length = int_arg(&args, 2)?;
    let chars: Vec<char> = s.chars().collect();
    let start = if offset < 0 {
        // Before the start of the string counts from its start.
        let len = i64::try_from(chars.len()).unwrap_or(i64::MAX);
        usize::try_from(offset.saturating_add(len)).unwrap_or(0)
    } else {
        usize::try_from(offset).unwrap_or(usize::MAX)
    };
    let rest = chars.get(start..).unwrap_or(&[]);
    let take = match usize::try_from(length) {
        Ok(n) => n.min(rest.len()),
        Err(_) => rest.len(),
    };
    Ok(Value::String(rest[..take].iter().collect()))
}

/// `trim(string, characters)`: removes any of `characters` from both ends.
fn trim(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let s = string_arg(&args, 0)?;
    let cutset = string_arg(&args, 1)?;
    Ok(Value::str(s.trim_matches(|c| cutset.contains(c))))
}

fn trimprefix(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let s = string_arg(&args, 0)?;
    let prefix = string_arg(&args, 1)?;
    Ok(Value::str(s.strip_prefix(prefix.as_str()).unwrap_or(&s)))
}

fn trimsuffix(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let s = string_arg(&args, 0)?;
    let suffix = string_arg(&args, 1)?;
    Ok(Value::str(s.strip_suffix(suffix.as_str()).unwrap_or(&s)))
}

/// Removes every newline (`\n`, `\r\n` or `\r`) at the end of the string.
fn chomp(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let s = string_arg(&args, 0)?;
    Ok(Value::str(s.trim_end_matches(['\r', '\n'])))
}

/// Upper-cases the first letter of each word, leaving the rest as it is. Words are separated
/// as in Terraform: by spaces and by ASCII punctuation other than `_`.
fn title(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let s = string_arg(&args, 0)?;
    let separator = |c: char| {
        if c.is_ascii() {
            !(c.is_ascii_alphanumeric() || c == '_')
        } else {
            c.is_whitespace()
        }
    };
    let mut out = String::with_capacity(s.len());
    let mut prev = ' ';
    for c in s.chars() {
        if separator(prev) {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        prev = c;
    }
    Ok(Value::String(out))
}

/// How the matches of a pattern are returned: the matched text when it has no capture groups,
/// a list of the groups when they are unnamed, an object of them when they are named.
enum Captures {
    Whole,
    List,
    Named(Vec<String>),
}

fn compile(pattern: &str) -> Result<(::regex::Regex, Captures), String> {
    let re = ::regex::Regex::new(pattern).map_err(|e| {
        // A syntax error is several lines repeating the pattern; its last line says what is wrong.
        let text = e.to_string();
        let reason = text
            .lines()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or(&text)
            .trim()
            .to_string();
        format!("argument 1 is not a valid regular expression: {reason}")
    })?;
    let groups: Vec<Option<&str>> = re.capture_names().skip(1).collect();
    let named: Vec<String> = groups.iter().flatten().map(|n| n.to_string()).collect();
    let shape = match (groups.is_empty(), named.len()) {
        (true, _) => Captures::Whole,
        (false, 0) => Captures::List,
        (false, n) if n == groups.len() => Captures::Named(named),
        _ => {
            return Err("argument 1 must not mix named and unnamed capture groups".to_string());
        }
    };
    Ok((re, shape))
}

fn match_value(re: &::regex::Regex, shape: &Captures, caps: &::regex::Captures<'_>) -> Value {
    let text = |m: Option<::regex::Match<'_>>| m.map_or(Value::Null, |m| Value::str(m.as_str()));
    match shape {
        Captures::Whole => text(caps.get(0)),
        Captures::List => Value::List((1..re.captures_len()).map(|i| text(caps.get(i))).collect()),
        Captures::Named(names) => Value::Object(
            names
                .iter()
                .map(|n| (n.clone(), text(caps.name(n))))
                .collect(),
        ),
    }
}

/// `regex(pattern, string)`: the first match, as [`Captures`] says; an error if none.
fn regex(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let (re, shape) = compile(&string_arg(&args, 0)?)?;
    let s = string_arg(&args, 1)?;
    let caps = re
        .captures(&s)
        .ok_or("the pattern does not match any part of the string")?;
    Ok(match_value(&re, &shape, &caps))
}

/// `regexall(pattern, string)`: every match, as [`Captures`] says; an empty list if none.
fn regexall(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let (re, shape) = compile(&string_arg(&args, 0)?)?;
    let s = string_arg(&args, 1)?;
    Ok(Value::List(
        re.captures_iter(&s)
            .map(|caps| match_value(&re, &shape, &caps))
            .collect(),
    ))
}

/// `formatlist(spec, args...)`: `format` once per element of the list arguments (which must
/// have the same length); other arguments are used in every element.
fn formatlist(ctx: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    at_least(&args, 1)?;
    let mut len: Option<(usize, usize)> = None;
    for (i, a) in args.iter().enumerate().skip(1) {
        if let Value::List(items) = a {
            match len {
                None => len = Some((i, items.len())),
                Some((j, n)) if n != items.len() => {
                    return Err(format!(
                        "argument {} has {} element(s) but argument {} has {n}; lists must have the same length",
                        i + 1,
                        items.len(),
                        j + 1
                    ));
                }
                Some(_) => {}
            }
        }
    }
    let count = len.map_or(1, |(_, n)| n);
    let mut out = Vec::with_capacity(count);
    for k in 0..count {
        let row = args
            .iter()
            .enumerate()
            .map(|(i, a)| match a {
                Value::List(items) if i > 0 => items[k].clone(),
                other => other.clone(),
            })
            .collect();
        out.push(format(ctx, row)?);
    }
    Ok(Value::List(out))
}

fn base64encode(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    use base64::Engine as _;
    arity(&args, 1, 1)?;
    let s = string_arg(&args, 0)?;
    Ok(Value::String(
        base64::engine::general_purpose::STANDARD.encode(s.as_bytes()),
    ))
}

fn base64decode(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    use base64::Engine as _;
    arity(&args, 1, 1)?;
    let s = string_arg(&args, 0)?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(s.as_bytes())
        .map_err(|e| format!("argument 1 is not valid base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "the decoded bytes are not valid UTF-8 text".to_string())
}

/// The SHA-256 hash of the string's UTF-8 bytes, in lowercase hexadecimal.
fn sha256(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    use sha2::{Digest, Sha256};
    arity(&args, 1, 1)?;
    let s = string_arg(&args, 0)?;
    Ok(Value::String(hex::encode(Sha256::digest(s.as_bytes()))))
}

// --- collections -----------------------------------------------------------------------------

/// Replaces every list inside the list with its elements, at any depth.
fn flatten(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    fn into(items: Vec<Value>, out: &mut Vec<Value>) {
        for item in items {
            match item {
                Value::List(inner) => into(inner, out),
                other => out.push(other),
            }
        }
    }
    arity(&args, 1, 1)?;
    let mut out = Vec::new();
    into(list_arg(&args, 0)?, &mut out);
    Ok(Value::List(out))
}

/// `element(list, index)`: the index wraps around the list's length, in both directions.
fn element(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let items = list_arg(&args, 0)?;
    let index = int_arg(&args, 1)?;
    let len = i64::try_from(items.len()).unwrap_or(i64::MAX);
    if len == 0 {
        return Err("cannot take an element of an empty list".into());
    }
    let i = usize::try_from(index.rem_euclid(len)).unwrap_or(0);
    Ok(items.into_iter().nth(i).unwrap_or(Value::Null))
}

/// `index(list, value)`: the position of the first element equal to `value`.
fn index(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let items = list_arg(&args, 0)?;
    items
        .iter()
        .position(|i| super::values_equal(i, &args[1]))
        .map(len_value)
        .ok_or_else(|| "the item is not in the list".to_string())
}

/// `range(limit)`, `range(start, limit)`, `range(start, limit, step)`.
fn range(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 3)?;
    let (start, limit) = if args.len() == 1 {
        (0.0, float_arg(&args, 0)?)
    } else {
        (float_arg(&args, 0)?, float_arg(&args, 1)?)
    };
    let step = match args.len() {
        3 => float_arg(&args, 2)?,
        _ if limit < start => -1.0,
        _ => 1.0,
    };
    if step == 0.0 {
        return Err("the step must not be zero".into());
    }
    let mut out = Vec::new();
    for i in 0..=RANGE_MAX {
        // Computed from the start each time, so that fractional steps do not drift.
        let n = start + step * i as f64;
        let more = if step > 0.0 { n < limit } else { n > limit };
        if !more {
            return Ok(Value::List(out));
        }
        if i == RANGE_MAX {
            break;
        }
        out.push(number(n)?);
    }
    Err(format!(
        "the result would have more than {RANGE_MAX} elements"
    ))
}

/// `zipmap(keys, values)`: an object of `keys[i] = values[i]`.
fn zipmap(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let keys = list_arg(&args, 0)?;
    let values = list_arg(&args, 1)?;
    if keys.len() != values.len() {
        return Err(format!(
            "the number of keys ({}) does not match the number of values ({})",
            keys.len(),
            values.len()
        ));
    }
    let mut out = IndexMap::new();
    for (i, v) in values.into_iter().enumerate() {
        let key = match &keys[i] {
            Value::Null => return Err(format!("key {i} is null")),
            _ => string_arg(&keys, i).map_err(|_| {
                format!("key {i} must be a string, found a {}", keys[i].type_name())
            })?,
        };
        out.insert(key, v);
    }
    Ok(Value::Object(out))
}

/// Converts the elements of a list or the values of a map to one type, as Terraform does: a
/// mix of strings, numbers and bools becomes strings; other mixes are an error.
fn unify(items: Vec<Value>) -> Result<Vec<Value>, String> {
    let kind = |v: &Value| match v {
        Value::List(_) => "list",
        Value::Object(_) => "object",
        _ => "primitive",
    };
    let mut first: Option<&Value> = None;
    let mut mixed = false;
    for v in items.iter().filter(|v| !matches!(v, Value::Null)) {
        match first {
            None => first = Some(v),
            Some(f) if kind(f) != kind(v) => {
                return Err(format!(
                    "all elements must have the same type, found a {} and a {}",
                    f.type_name(),
                    v.type_name()
                ));
            }
            Some(f) => mixed |= f.type_name() != v.type_name(),
        }
    }
    if !mixed || first.is_some_and(|f| kind(f) != "primitive") {
        return Ok(items);
    }
    items
        .into_iter()
        .map(|v| crate::config::TypeConstraint::String.convert(v))
        .collect()
}

fn tolist(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let items = list_arg(&args, 0)?;
    Ok(Value::List(unify(items)?))
}

fn tomap(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let map = object_arg(&args, 0)?;
    let keys: Vec<String> = map.keys().cloned().collect();
    let values = unify(map.into_values().collect())?;
    Ok(Value::Object(keys.into_iter().zip(values).collect()))
}

/// `one(list)`: null for an empty list, the element of a list of one, an error otherwise.
fn one(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let items = list_arg(&args, 0)?;
    if items.len() > 1 {
        return Err(format!(
            "the list must have no more than one element, found {}",
            items.len()
        ));
    }
    Ok(items.into_iter().next().unwrap_or(Value::Null))
}

/// True when every element is true (a null element is not), and for an empty list.
fn alltrue(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let items = list_arg(&args, 0)?;
    let mut all = true;
    for i in 0..items.len() {
        all &= bool_element(&items, i)?.unwrap_or(false);
    }
    Ok(Value::Bool(all))
}

/// True when some element is true (false for an empty list).
fn anytrue(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let items = list_arg(&args, 0)?;
    let mut any = false;
    for i in 0..items.len() {
        any |= bool_element(&items, i)?.unwrap_or(false);
    }
    Ok(Value::Bool(any))
}

/// `slice(list, start, end)`: the elements from `start` (included) to `end` (excluded).
fn slice(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 3, 3)?;
    let items = list_arg(&args, 0)?;
    let start = int_arg(&args, 1)?;
    let end = int_arg(&args, 2)?;
    let len = items.len();
    let index = |n: i64, which: &str| -> Result<usize, String> {
        let i = usize::try_from(n)
            .map_err(|_| format!("the {which} index ({n}) must not be less than zero"))?;
        if i > len {
            return Err(format!(
                "the {which} index ({n}) must not be greater than the length of the list ({len})"
            ));
        }
        Ok(i)
    };
    let (s, e) = (index(start, "start")?, index(end, "end")?);
    if s > e {
        return Err(format!(
            "the start index ({start}) must not be greater than the end index ({end})"
        ));
    }
    Ok(Value::List(items[s..e].to_vec()))
}

fn reverse(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let mut items = list_arg(&args, 0)?;
    items.reverse();
    Ok(Value::List(items))
}

/// Removes null and empty-string elements from a list of strings.
fn compact(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let items = list_arg(&args, 0)?;
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        if matches!(item, Value::Null) {
            continue;
        }
        let s = string_arg(&items, i)
            .map_err(|_| format!("element {i} must be a string, found a {}", item.type_name()))?;
        if !s.is_empty() {
            out.push(Value::String(s));
        }
    }
    Ok(Value::List(out))
}

fn push_distinct(out: &mut Vec<Value>, item: Value) {
    if !out.iter().any(|o| super::values_equal(o, &item)) {
        out.push(item);
    }
}

/// The elements of any of the sets, each once, in the order first seen.
fn setunion(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    at_least(&args, 1)?;
    let mut out = Vec::new();
    for i in 0..args.len() {
        for item in list_arg(&args, i)? {
            push_distinct(&mut out, item);
        }
    }
    Ok(Value::List(out))
}

/// The elements of the first set that are in every other set.
fn setintersection(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    at_least(&args, 1)?;
    let others = (1..args.len())
        .map(|i| list_arg(&args, i))
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for item in list_arg(&args, 0)? {
        if others
            .iter()
            .all(|o| o.iter().any(|x| super::values_equal(x, &item)))
        {
            push_distinct(&mut out, item);
        }
    }
    Ok(Value::List(out))
}

/// The elements of the first set that are not in the second.
fn setsubtract(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 2, 2)?;
    let minus = list_arg(&args, 1)?;
    let mut out = Vec::new();
    for item in list_arg(&args, 0)? {
        if !minus.iter().any(|x| super::values_equal(x, &item)) {
            push_distinct(&mut out, item);
        }
    }
    Ok(Value::List(out))
}

/// The first of the lists that is not empty (null arguments are skipped).
fn coalescelist(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    at_least(&args, 1)?;
    for i in 0..args.len() {
        if matches!(args[i], Value::Null) {
            continue;
        }
        let items = list_arg(&args, i)?;
        if !items.is_empty() {
            return Ok(Value::List(items));
        }
    }
    Err("all arguments are empty lists or null".into())
}

// --- numbers ---------------------------------------------------------------------------------

fn abs(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let n = number_arg(&args, 0)?;
    if let Some(i) = n.as_i64().and_then(i64::checked_abs) {
        return Ok(Value::from(i));
    }
    number(float_arg(&args, 0)?.abs())
}

fn ceil(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let n = number_arg(&args, 0)?;
    if n.is_i64() || n.is_u64() {
        return Ok(Value::Number(n));
    }
    number(float_arg(&args, 0)?.ceil())
}

fn floor(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    arity(&args, 1, 1)?;
    let n = number_arg(&args, 0)?;
    if n.is_i64() || n.is_u64() {
        return Ok(Value::Number(n));
    }
    number(float_arg(&args, 0)?.floor())
}

/// The argument that is least (`want` Less) or greatest (`want` Greater), as given.
fn extreme(args: &[Value], want: std::cmp::Ordering) -> Result<Value, String> {
    at_least(args, 1)?;
    let mut best = (number_arg(args, 0)?, float_arg(args, 0)?);
    for i in 1..args.len() {
        let f = float_arg(args, i)?;
        if f.partial_cmp(&best.1) == Some(want) {
            best = (number_arg(args, i)?, f);
        }
    }
    Ok(Value::Number(best.0))
}

fn min(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    extreme(&args, std::cmp::Ordering::Less)
}

fn max(_: &EvalContext<'_>, args: Vec<Value>) -> Result<Value, String> {
    extreme(&args, std::cmp::Ordering::Greater)
}

#[cfg(test)]
mod tests;
