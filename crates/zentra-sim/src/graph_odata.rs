//! The OData query options Graph's directory endpoints take on the collections the emulator
//! serves: `$filter` (`eq`, `in`, `startswith`, `and`, `or`, `not`, parentheses), `$select`,
//! `$top` and `$skiptoken` paging with absolute `@odata.nextLink` URLs.

use base64::Engine as _;
use serde_json::{Map, Value};

use super::graph_types::TypeDef;

/// A literal in a filter.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Literal {
    Str(String),
    Bool(bool),
    Null,
    Number(f64),
}

/// A parsed `$filter` expression.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Eq(String, Literal),
    In(String, Vec<Literal>),
    StartsWith(String, String),
}

impl Filter {
    /// Every property the filter names.
    pub(crate) fn properties(&self) -> Vec<(&str, &'static str)> {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => {
                let mut v = a.properties();
                v.extend(b.properties());
                v
            }
            Filter::Not(a) => a.properties(),
            Filter::Eq(p, _) => vec![(p.as_str(), "eq")],
            Filter::In(p, _) => vec![(p.as_str(), "in")],
            Filter::StartsWith(p, _) => vec![(p.as_str(), "startswith")],
        }
    }

    pub(crate) fn uses_not(&self) -> bool {
        match self {
            Filter::And(a, b) | Filter::Or(a, b) => a.uses_not() || b.uses_not(),
            Filter::Not(_) => true,
            _ => false,
        }
    }

    /// Whether an object matches. String comparison ignores case, as the directory does.
    pub(crate) fn matches(&self, object: &Map<String, Value>) -> bool {
        match self {
            Filter::And(a, b) => a.matches(object) && b.matches(object),
            Filter::Or(a, b) => a.matches(object) || b.matches(object),
            Filter::Not(a) => !a.matches(object),
            Filter::Eq(p, lit) => literal_equals(object.get(p).unwrap_or(&Value::Null), lit),
            Filter::In(p, lits) => {
                let v = object.get(p).unwrap_or(&Value::Null);
                lits.iter().any(|l| literal_equals(v, l))
            }
            Filter::StartsWith(p, prefix) => object
                .get(p)
                .and_then(Value::as_str)
                .is_some_and(|s| s.to_lowercase().starts_with(&prefix.to_lowercase())),
        }
    }
}

fn literal_equals(value: &Value, lit: &Literal) -> bool {
    match (value, lit) {
        (Value::String(s), Literal::Str(l)) => s.eq_ignore_ascii_case(l),
        (Value::Bool(b), Literal::Bool(l)) => b == l,
        (Value::Null, Literal::Null) => true,
        (Value::Number(n), Literal::Number(l)) => n.as_f64() == Some(*l),
        _ => false,
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Token {
    Ident(String),
    Str(String),
    Open,
    Close,
    Comma,
}

fn tokenize(text: &str) -> Result<Vec<Token>, String> {
    let chars: Vec<char> = text.chars().collect();
    let mut tokens = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '(' {
            tokens.push(Token::Open);
            i += 1;
        } else if c == ')' {
            tokens.push(Token::Close);
            i += 1;
        } else if c == ',' {
            tokens.push(Token::Comma);
            i += 1;
        } else if c == '\'' {
            let mut s = String::new();
            i += 1;
            loop {
                match chars.get(i) {
                    None => return Err("unterminated string literal".into()),
                    Some('\'') if chars.get(i + 1) == Some(&'\'') => {
                        s.push('\'');
                        i += 2;
                    }
                    Some('\'') => {
                        i += 1;
                        break;
                    }
                    Some(ch) => {
                        s.push(*ch);
                        i += 1;
                    }
                }
            }
            tokens.push(Token::Str(s));
        } else if c.is_alphanumeric() || "_-./@$".contains(c) {
            let start = i;
            while i < chars.len() && (chars[i].is_alphanumeric() || "_-./@$".contains(chars[i])) {
                i += 1;
            }
            tokens.push(Token::Ident(chars[start..i].iter().collect()));
        } else {
            return Err(format!("unexpected character '{c}'"));
        }
    }
    Ok(tokens)
}

struct Parser {
    tokens: Vec<Token>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<&Token> {
        self.tokens.get(self.pos)
    }

    fn next(&mut self) -> Option<Token> {
        let t = self.tokens.get(self.pos).cloned();
        self.pos += 1;
        t
    }

    fn keyword(&self, word: &str) -> bool {
        matches!(self.peek(), Some(Token::Ident(w)) if w.eq_ignore_ascii_case(word))
    }

    fn expect(&mut self, token: Token) -> Result<(), String> {
        match self.next() {
            Some(t) if t == token => Ok(()),
            other => Err(format!("expected {token:?}, found {other:?}")),
        }
    }

    fn or_expr(&mut self) -> Result<Filter, String> {
        let mut left = self.and_expr()?;
        while self.keyword("or") {
            self.pos += 1;
            let right = self.and_expr()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and_expr(&mut self) -> Result<Filter, String> {
        let mut left = self.unary()?;
        while self.keyword("and") {
            self.pos += 1;
            let right = self.unary()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unary(&mut self) -> Result<Filter, String> {
        if self.keyword("not") {
            self.pos += 1;
            return Ok(Filter::Not(Box::new(self.unary()?)));
        }
        if self.peek() == Some(&Token::Open) {
            self.pos += 1;
            let inner = self.or_expr()?;
            self.expect(Token::Close)?;
            return Ok(inner);
        }
        self.comparison()
    }

    fn literal(&mut self) -> Result<Literal, String> {
        match self.next() {
            Some(Token::Str(s)) => Ok(Literal::Str(s)),
            Some(Token::Ident(w)) if w == "true" => Ok(Literal::Bool(true)),
            Some(Token::Ident(w)) if w == "false" => Ok(Literal::Bool(false)),
            Some(Token::Ident(w)) if w == "null" => Ok(Literal::Null),
            Some(Token::Ident(w)) => w
                .parse::<f64>()
                .map(Literal::Number)
                .map_err(|_| format!("'{w}' is not a literal")),
            other => Err(format!("expected a literal, found {other:?}")),
        }
    }

    fn comparison(&mut self) -> Result<Filter, String> {
        let Some(Token::Ident(first)) = self.next() else {
            return Err("expected a property name".into());
        };
        if first.eq_ignore_ascii_case("startswith") {
            self.expect(Token::Open)?;
            let Some(Token::Ident(prop)) = self.next() else {
                return Err("startswith needs a property name".into());
            };
            self.expect(Token::Comma)?;
            let Literal::Str(prefix) = self.literal()? else {
                return Err("startswith needs a string".into());
            };
            self.expect(Token::Close)?;
            return Ok(Filter::StartsWith(prop, prefix));
        }
        let Some(Token::Ident(op)) = self.next() else {
            return Err(format!("expected an operator after '{first}'"));
        };
        match op.as_str() {
            "eq" => Ok(Filter::Eq(first, self.literal()?)),
            "in" => {
                self.expect(Token::Open)?;
                let mut items = vec![self.literal()?];
                while self.peek() == Some(&Token::Comma) {
                    self.pos += 1;
                    items.push(self.literal()?);
                }
                self.expect(Token::Close)?;
                Ok(Filter::In(first, items))
            }
            "ne" | "gt" | "ge" | "lt" | "le" => Err(format!("operator '{op}' is not supported")),
            other => Err(format!("'{other}' is not an operator")),
        }
    }
}

/// Parses a `$filter` value.
pub(crate) fn parse_filter(text: &str) -> Result<Filter, String> {
    let tokens = tokenize(text)?;
    if tokens.is_empty() {
        return Err("empty filter".into());
    }
    let mut parser = Parser { tokens, pos: 0 };
    let filter = parser.or_expr()?;
    if parser.pos < parser.tokens.len() {
        return Err(format!(
            "unexpected {:?} after the expression",
            parser.tokens[parser.pos]
        ));
    }
    Ok(filter)
}

/// Parses `$select` against a type; unknown names are an error naming the property.
pub(crate) fn parse_select(text: &str, ty: &TypeDef) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    for name in text.split(',').map(str::trim) {
        if name.is_empty() {
            continue;
        }
        if ty.prop(name).is_none() {
            return Err(name.to_string());
        }
        if !out.iter().any(|n: &String| n == name) {
            out.push(name.to_string());
        }
    }
    Ok(out)
}

/// Keeps only the selected properties (all when `select` is empty).
pub(crate) fn project(object: &Map<String, Value>, select: &[String]) -> Map<String, Value> {
    if select.is_empty() {
        return object.clone();
    }
    select
        .iter()
        .map(|name| {
            (
                name.clone(),
                object.get(name).cloned().unwrap_or(Value::Null),
            )
        })
        .collect()
}

const SKIPTOKEN_PREFIX: &str = "zsim1:";

pub(crate) fn encode_skiptoken(offset: usize) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(format!("{SKIPTOKEN_PREFIX}{offset}"))
}

pub(crate) fn decode_skiptoken(token: &str) -> Option<usize> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token)
        .ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(SKIPTOKEN_PREFIX)?.parse().ok()
}

/// Percent-encodes a query value the way Graph writes its links (`%20` for spaces; `$`, `'`,
/// `(`, `)`, `,` and `=` kept).
pub(crate) fn encode_query_value(value: &str) -> String {
    let mut out = String::new();
    for byte in value.bytes() {
        let c = byte as char;
        if c.is_ascii_alphanumeric() || "-_.~$'(),=:@/".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => panic!("object"),
        }
    }

    #[test]
    fn parses_conjunctions_of_equalities() {
        let f = parse_filter("clientId eq 'abc' and consentType eq 'AllPrincipals'").expect("ok");
        assert_eq!(
            f,
            Filter::And(
                Box::new(Filter::Eq("clientId".into(), Literal::Str("abc".into()))),
                Box::new(Filter::Eq(
                    "consentType".into(),
                    Literal::Str("AllPrincipals".into())
                ))
            )
        );
        let o = obj(json!({"clientId": "ABC", "consentType": "AllPrincipals"}));
        assert!(f.matches(&o));
        let o = obj(json!({"clientId": "abc", "consentType": "Principal"}));
        assert!(!f.matches(&o));
    }

    #[test]
    fn parses_in_startswith_not_and_parentheses() {
        let f = parse_filter(
            "(appId in ('a','b') or startswith(displayName,'Zo')) and not accountEnabled eq false",
        )
        .expect("ok");
        assert!(f.matches(&obj(
            json!({"appId": "b", "displayName": "x", "accountEnabled": true})
        )));
        assert!(f.matches(&obj(
            json!({"appId": "z", "displayName": "zoom", "accountEnabled": true})
        )));
        assert!(!f.matches(&obj(json!({"appId": "a", "accountEnabled": false}))));
        assert!(f.uses_not());
    }

    #[test]
    fn quotes_are_escaped_by_doubling() {
        let f = parse_filter("displayName eq 'O''Brien'").expect("ok");
        assert_eq!(
            f,
            Filter::Eq("displayName".into(), Literal::Str("O'Brien".into()))
        );
    }

    #[test]
    fn malformed_filters_are_errors() {
        for bad in [
            "",
            "appId eq",
            "appId 'x'",
            "appId eq 'x' and",
            "appId eq 'x",
            "(appId eq 'x'",
            "appId ne 'x'",
            "appId eq 'x' extra",
            "appId eq 'x' # y",
        ] {
            assert!(parse_filter(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn skiptokens_round_trip_and_reject_garbage() {
        assert_eq!(decode_skiptoken(&encode_skiptoken(200)), Some(200));
        assert_eq!(decode_skiptoken("garbage"), None);
        assert_eq!(decode_skiptoken(""), None);
    }

    #[test]
    fn query_values_are_encoded_like_graph_links() {
        assert_eq!(encode_query_value("appId eq 'x&y'"), "appId%20eq%20'x%26y'");
    }
}
