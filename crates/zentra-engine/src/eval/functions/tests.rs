//! Tests of the built-in functions, written as configuration expressions so that they go
//! through the evaluator as users' expressions do (argument expansion, marks, `try`, `can`).

use std::collections::HashMap;
use std::path::Path;

use indexmap::IndexMap;
use proptest::prelude::*;

use crate::config::Config;
use crate::diag::SourceFile;
use crate::env::Environment;
use crate::eval::EvalContext;
use crate::value::Value;

fn config(src: &str) -> Config {
    Config::from_files(
        Path::new("."),
        vec![SourceFile {
            display_path: "main.zen.hcl".into(),
            path: "main.zen.hcl".into(),
            text: src.into(),
        }],
    )
    .unwrap()
}

fn vars() -> IndexMap<String, Value> {
    let mut vars = IndexMap::new();
    vars.insert("secret".to_string(), Value::str("s3cr3t").mark_sensitive());
    vars.insert(
        "pattern".to_string(),
        Value::str("(s3cr3t").mark_sensitive(),
    );
    vars.insert("unknown".to_string(), Value::Unknown);
    vars
}

/// Evaluates `expr` as the local value `x`; an error is its summary, then its detail.
fn eval(expr: &str) -> Result<Value, String> {
    let cfg = config(&format!("locals {{\n  x = {expr}\n}}\n"));
    let env = Environment::from_pairs([("ZT_HOME", "/home/z")]);
    let vars = vars();
    let resources = HashMap::new();
    let ctx = EvalContext::new(&cfg, &env, &vars, &resources);
    ctx.eval(&cfg.locals["x"]).map_err(|d| match d.detail {
        Some(detail) => format!("{}\n{detail}", d.summary),
        None => d.summary,
    })
}

fn ev(expr: &str) -> Value {
    eval(expr).unwrap_or_else(|e| panic!("{expr}: {e}"))
}

fn err(expr: &str) -> String {
    match eval(expr) {
        Ok(v) => panic!("{expr}: expected an error, got {v:?}"),
        Err(e) => e,
    }
}

fn json(text: &str) -> Value {
    Value::from_json(&serde_json::from_str(text).unwrap())
}

/// `expr` evaluates to the JSON value `want`, exactly (`2` is not `2.0`).
#[track_caller]
fn check(expr: &str, want: &str) {
    assert_eq!(ev(expr), json(want), "{expr}");
}

#[track_caller]
fn check_err(expr: &str, want: &str) {
    assert_eq!(err(expr), want, "{expr}");
}

#[test]
fn function_names_come_from_the_table() {
    let table: Vec<&str> = super::FUNCTIONS.iter().map(|(n, _)| *n).collect();
    assert_eq!(table, super::FUNCTION_NAMES);
    let mut sorted = table.clone();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, table, "the table is sorted, without duplicates");
    for special in super::SPECIAL_FORMS {
        assert!(super::FUNCTION_NAMES.contains(special), "{special}");
    }
    assert!(super::FUNCTION_NAMES.len() >= 60);
}

#[test]
fn an_unknown_function_lists_or_suggests_the_others() {
    let cfg = config("locals {\n  a = substring(\"x\", 0, 1)\n  b = zzzzzzzz(1)\n}\n");
    let env = Environment::from_pairs([("A", "b")]);
    let (vars, resources) = (IndexMap::new(), HashMap::new());
    let ctx = EvalContext::new(&cfg, &env, &vars, &resources);
    let e = ctx.eval(&cfg.locals["a"]).unwrap_err();
    assert_eq!(e.summary, "unknown function `substring`");
    assert_eq!(e.hint.as_deref(), Some("did you mean `substr`?"));
    let e = ctx.eval(&cfg.locals["b"]).unwrap_err();
    let hint = e.hint.unwrap();
    for name in ["try", "can", "regexall", "zipmap", "abs"] {
        assert!(hint.contains(name), "{hint}");
    }
}

#[test]
fn prefixes_suffixes_and_substrings() {
    check(r#"startswith("hello world", "hello")"#, "true");
    check(r#"startswith("hello world", "world")"#, "false");
    check(r#"startswith("", "")"#, "true");
    check(r#"endswith("hello world", "world")"#, "true");
    check(r#"endswith("hello world", "hello")"#, "false");
    check(r#"strcontains("hello world", "o w")"#, "true");
    check(r#"strcontains("hello world", "x")"#, "false");
    check_err(
        r#"startswith("a")"#,
        "startswith(): takes 2 argument(s), got 1",
    );
    check_err(
        r#"endswith(["a"], "a")"#,
        "endswith(): argument 1 must be a string, found a list",
    );
    check_err(
        r#"strcontains("a", {})"#,
        "strcontains(): argument 2 must be a string, found a object",
    );
}

#[test]
fn substr_counts_characters_and_never_panics() {
    check(r#"substr("hello", 0, 2)"#, r#""he""#);
    check(r#"substr("hello", 1, 3)"#, r#""ell""#);
    check(r#"substr("hello", 1, -1)"#, r#""ello""#);
    check(r#"substr("hello", 1, -10)"#, r#""ello""#);
    check(r#"substr("hello", 1, 10)"#, r#""ello""#);
    check(r#"substr("hello", -3, -1)"#, r#""llo""#);
    check(r#"substr("hello", -3, 2)"#, r#""ll""#);
    check(r#"substr("hello", 10, 10)"#, r#""""#);
    check(r#"substr("hello", 5, 1)"#, r#""""#);
    check(r#"substr("hello", 0, 0)"#, r#""""#);
    check(r#"substr("hello", -10, 2)"#, r#""he""#);
    check(r#"substr("noël", 0, 3)"#, r#""noë""#);
    check(r#"substr("noël", 3, -1)"#, r#""l""#);
    check(r#"substr("noël", -2, -1)"#, r#""ël""#);
    check(r#"substr("😸😾", 1, 1)"#, r#""😾""#);
    check(r#"substr("", 0, 1)"#, r#""""#);
    check(r#"substr("hello", "1", "2")"#, r#""el""#);
    check(r#"substr("hello", 9223372036854775807, 1)"#, r#""""#);
    check(
        r#"substr("hello", -9223372036854775808, 9223372036854775807)"#,
        r#""hello""#,
    );
    check_err(
        r#"substr("hello", 1.5, 1)"#,
        "substr(): argument 2 must be a whole number, found 1.5",
    );
    assert!(err(r#"substr("hello", 0, 1e300)"#).contains("argument 3 must be a whole number"));
    check_err(
        r#"substr("hello", "one", 1)"#,
        r#"substr(): argument 2 must be a number, found the string "one""#,
    );
    check_err(
        r#"substr("hello", 1)"#,
        "substr(): takes 3 argument(s), got 2",
    );
}

#[test]
fn trimming() {
    check(r#"trim("?!hello?!", "!?")"#, r#""hello""#);
    check(r#"trim("foobar", "far")"#, r#""oob""#);
    check(r#"trim("aaa", "a")"#, r#""""#);
    check(r#"trim("  x  ", "")"#, r#""  x  ""#);
    check(r#"trimprefix("helloworld", "hello")"#, r#""world""#);
    check(r#"trimprefix("helloworld", "cat")"#, r#""helloworld""#);
    check(r#"trimprefix("hellohello", "hello")"#, r#""hello""#);
    check(r#"trimsuffix("helloworld", "world")"#, r#""hello""#);
    check(r#"trimsuffix("helloworld", "cat")"#, r#""helloworld""#);
    check(r#"trimsuffix("worldworld", "world")"#, r#""world""#);
    check(r#"chomp("hello\n")"#, r#""hello""#);
    check(r#"chomp("hello\r\n")"#, r#""hello""#);
    check(r#"chomp("hello\n\n\r")"#, r#""hello""#);
    check(r#"chomp("a\nb")"#, r#""a\nb""#);
    check(r#"chomp("")"#, r#""""#);
    check_err("trim(\"x\")", "trim(): takes 2 argument(s), got 1");
    check_err(
        "chomp([])",
        "chomp(): argument 1 must be a string, found a list",
    );
}

#[test]
fn title_upper_cases_the_first_letter_of_each_word() {
    check(r#"title("hello world")"#, r#""Hello World""#);
    check(
        r#"title("hello-world o'neil x_y 2nd")"#,
        r#""Hello-World O'Neil X_y 2nd""#,
    );
    check(r#"title("élan vital")"#, r#""Élan Vital""#);
    check(r#"title("mIxEd")"#, r#""MIxEd""#);
    check(r#"title("")"#, r#""""#);
    check_err("title()", "title(): takes 1 argument(s), got 0");
}

#[test]
fn regex_returns_the_match_or_its_groups() {
    check(
        r#"regex("[a-z]+", "53453453.345345aaabbbccc23454")"#,
        r#""aaabbbccc""#,
    );
    check(
        r#"regex("(\\d\\d\\d\\d)-(\\d\\d)-(\\d\\d)", "2019-02-01")"#,
        r#"["2019", "02", "01"]"#,
    );
    check(
        r#"regex("^(?:(?P<scheme>[^:/?#]+):)?(?://(?P<authority>[^/?#]*))?", "https://terraform.io/docs/")"#,
        r#"{"scheme": "https", "authority": "terraform.io"}"#,
    );
    check(r#"regex("(a)|(b)", "xb")"#, r#"[null, "b"]"#);
    check_err(
        r#"regex("[a-z]+", "12345")"#,
        "regex(): the pattern does not match any part of the string",
    );
    check_err(
        r#"regex("(?P<y>\\d+)-(\\d+)", "1-2")"#,
        "regex(): argument 1 must not mix named and unnamed capture groups",
    );
    check_err(
        r#"regex("(", "x")"#,
        "regex(): argument 1 is not a valid regular expression: unclosed group",
    );
    check_err("regex(\"a\")", "regex(): takes 2 argument(s), got 1");
    check(
        r#"regexall("[a-z]+", "1234abcd5678efgh9")"#,
        r#"["abcd", "efgh"]"#,
    );
    check(r#"regexall("x", "abc")"#, "[]");
    check(r#"length(regexall("b", "abc")) > 0"#, "true");
    check(
        r#"regexall("(\\w)=(\\d)", "a=1 b=2")"#,
        r#"[["a", "1"], ["b", "2"]]"#,
    );
    check(
        r#"regexall("(?P<k>\\w)=(?P<v>\\d)", "a=1")"#,
        r#"[{"k": "a", "v": "1"}]"#,
    );
    assert!(err(r#"regexall("[", "x")"#).contains("not a valid regular expression"));
    // A pattern too large to compile is refused rather than exhausting memory.
    let e = err(r#"regexall("((a{1000}){1000}){1000}", "x")"#);
    assert!(e.contains("not a valid regular expression"), "{e}");
}

#[test]
fn formatlist_formats_each_element() {
    check(
        r#"formatlist("Hello, %s!", ["Valentina", "Ander"])"#,
        r#"["Hello, Valentina!", "Hello, Ander!"]"#,
    );
    check(
        r#"formatlist("%s, %s!", "Salutations", ["Valentina", "Ander"])"#,
        r#"["Salutations, Valentina!", "Salutations, Ander!"]"#,
    );
    check(
        r#"formatlist("%s=%d", ["a", "b"], [1, 2])"#,
        r#"["a=1", "b=2"]"#,
    );
    check(r#"formatlist("%s", "x")"#, r#"["x"]"#);
    check(r#"formatlist("%s", [])"#, "[]");
    check_err(
        r#"formatlist("%s %s", ["a"], ["b", "c"])"#,
        "formatlist(): argument 3 has 2 element(s) but argument 2 has 1; lists must have the same length",
    );
    check_err(
        r#"formatlist("%s %s", ["a"])"#,
        "formatlist(): argument 3 is missing",
    );
    check_err(
        "formatlist()",
        "formatlist(): takes at least 1 argument(s), got 0",
    );
}

#[test]
fn base64_and_sha256() {
    check(r#"base64encode("Hello World")"#, r#""SGVsbG8gV29ybGQ=""#);
    check(r#"base64encode("")"#, r#""""#);
    check(r#"base64decode("SGVsbG8gV29ybGQ=")"#, r#""Hello World""#);
    check(r#"base64decode(base64encode("noël 😸"))"#, r#""noël 😸""#);
    assert!(
        err(r#"base64decode("not base64!")"#)
            .starts_with("base64decode(): argument 1 is not valid base64")
    );
    check_err(
        r#"base64decode("/w==")"#,
        "base64decode(): the decoded bytes are not valid UTF-8 text",
    );
    check(
        r#"sha256("hello world")"#,
        r#""b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9""#,
    );
    check(
        r#"sha256("")"#,
        r#""e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855""#,
    );
    check_err(
        "sha256([])",
        "sha256(): argument 1 must be a string, found a list",
    );
}

#[test]
fn flatten_element_and_index() {
    check(r#"flatten([["a", "b"], [], ["c"]])"#, r#"["a", "b", "c"]"#);
    check(
        r#"flatten([[["a", "b"], []], ["c"]])"#,
        r#"["a", "b", "c"]"#,
    );
    check("flatten([1, [2, [3, [{}]]]])", "[1, 2, 3, {}]");
    check("flatten([])", "[]");
    check_err(
        r#"flatten("x")"#,
        "flatten(): argument 1 must be a list, found a string",
    );
    check(r#"element(["a", "b", "c"], 1)"#, r#""b""#);
    check(r#"element(["a", "b", "c"], 3)"#, r#""a""#);
    check(r#"element(["a", "b", "c"], -1)"#, r#""c""#);
    check(r#"element(["a", "b", "c"], -4)"#, r#""c""#);
    check(r#"element(["a", "b"], 9223372036854775807)"#, r#""b""#);
    check_err(
        "element([], 0)",
        "element(): cannot take an element of an empty list",
    );
    check_err(
        r#"element(["a"], 0.5)"#,
        "element(): argument 2 must be a whole number, found 0.5",
    );
    check_err(
        r#"element({}, 0)"#,
        "element(): argument 1 must be a list, found a object",
    );
    check(r#"index(["a", "b", "c"], "b")"#, "1");
    check("index([1, 2, 3], 3.0)", "2");
    check_err(
        r#"index(["a"], "z")"#,
        "index(): the item is not in the list",
    );
}

#[test]
fn range_counts_like_terraform() {
    check("range(3)", "[0, 1, 2]");
    check("range(0)", "[]");
    check("range(-3)", "[0, -1, -2]");
    check("range(1, 4)", "[1, 2, 3]");
    check("range(4, 1)", "[4, 3, 2]");
    check("range(1, 1)", "[]");
    check("range(1, 8, 2)", "[1, 3, 5, 7]");
    check("range(1, 4, 0.5)", "[1, 1.5, 2, 2.5, 3, 3.5]");
    check("range(4, 1, -0.5)", "[4, 3.5, 3, 2.5, 2, 1.5]");
    check("range(1, 4, -1)", "[]");
    check("range(4, 1, 1)", "[]");
    check("range(0.5)", "[0]");
    check(r#"range("3")"#, "[0, 1, 2]");
    check("length(range(1024))", "1024");
    check_err("range(0, 1, 0)", "range(): the step must not be zero");
    check_err(
        "range(1025)",
        "range(): the result would have more than 1024 elements",
    );
    check_err(
        "range(1e300)",
        "range(): the result would have more than 1024 elements",
    );
    check_err(
        "range(0, 1, 1e-300)",
        "range(): the result would have more than 1024 elements",
    );
    check_err("range()", "range(): takes 1 to 3 argument(s), got 0");
    check_err(
        "range(1, 2, 3, 4)",
        "range(): takes 1 to 3 argument(s), got 4",
    );
    check_err(
        "range(true)",
        "range(): argument 1 must be a number, found a bool",
    );
}

#[test]
fn zipmap_tolist_tomap_and_one() {
    check(r#"zipmap(["a", "b"], [1, 2])"#, r#"{"a": 1, "b": 2}"#);
    check(r#"zipmap(["a", "a"], [1, 2])"#, r#"{"a": 2}"#);
    check("zipmap([], [])", "{}");
    check(r#"zipmap([1], ["x"])"#, r#"{"1": "x"}"#);
    check_err(
        r#"zipmap(["a", "b"], [1])"#,
        "zipmap(): the number of keys (2) does not match the number of values (1)",
    );
    check_err("zipmap([null], [1])", "zipmap(): key 0 is null");
    check_err(
        "zipmap([[]], [1])",
        "zipmap(): key 0 must be a string, found a list",
    );
    check(r#"tolist(["a", "b"])"#, r#"["a", "b"]"#);
    check(
        r#"tolist(["a", 1, true, null])"#,
        r#"["a", "1", "true", null]"#,
    );
    check("tolist([1, 2])", "[1, 2]");
    check("tolist([[1], [\"a\"]])", r#"[[1], ["a"]]"#);
    check_err(
        r#"tolist([[1], "a"])"#,
        "tolist(): all elements must have the same type, found a list and a string",
    );
    check_err(
        r#"tolist("a")"#,
        "tolist(): argument 1 must be a list, found a string",
    );
    check(r#"tomap({ a = 1, b = "x" })"#, r#"{"a": "1", "b": "x"}"#);
    check("tomap({ a = 1, b = 2 })", r#"{"a": 1, "b": 2}"#);
    check_err(
        r#"tomap(["x"])"#,
        "tomap(): argument 1 must be an object or map, found a list",
    );
    check("one([])", "null");
    check(r#"one(["a"])"#, r#""a""#);
    check_err(
        r#"one(["a", "b"])"#,
        "one(): the list must have no more than one element, found 2",
    );
    check_err(
        r#"one("a")"#,
        "one(): argument 1 must be a list, found a string",
    );
}

#[test]
fn alltrue_and_anytrue() {
    check("alltrue([])", "true");
    check(r#"alltrue([true, "true"])"#, "true");
    check("alltrue([true, false])", "false");
    check("alltrue([true, null])", "false");
    check("anytrue([])", "false");
    check("anytrue([false, true])", "true");
    check(r#"anytrue(["false", null])"#, "false");
    check_err(
        r#"alltrue(["yes"])"#,
        "alltrue(): element 0 must be true or false, found a string",
    );
    check_err(
        "anytrue([false, 1])",
        "anytrue(): element 1 must be true or false, found a number",
    );
    check_err(
        "anytrue(true)",
        "anytrue(): argument 1 must be a list, found a bool",
    );
}

#[test]
fn slice_reverse_and_compact() {
    let l = r#"["a", "b", "c", "d"]"#;
    check(&format!("slice({l}, 1, 3)"), r#"["b", "c"]"#);
    check(&format!("slice({l}, 0, 4)"), r#"["a", "b", "c", "d"]"#);
    check(&format!("slice({l}, 4, 4)"), "[]");
    check(&format!("slice({l}, 2, 2)"), "[]");
    check_err(
        &format!("slice({l}, 3, 1)"),
        "slice(): the start index (3) must not be greater than the end index (1)",
    );
    check_err(
        &format!("slice({l}, -1, 2)"),
        "slice(): the start index (-1) must not be less than zero",
    );
    check_err(
        &format!("slice({l}, 0, 5)"),
        "slice(): the end index (5) must not be greater than the length of the list (4)",
    );
    check_err(
        &format!("slice({l}, 0, 9223372036854775807)"),
        "slice(): the end index (9223372036854775807) must not be greater than the length of the list (4)",
    );
    check("reverse([1, 2, 3])", "[3, 2, 1]");
    check("reverse([])", "[]");
    check_err(
        r#"reverse("abc")"#,
        "reverse(): argument 1 must be a list, found a string",
    );
    check(r#"compact(["a", "", null, "b"])"#, r#"["a", "b"]"#);
    check(r#"compact([1, ""])"#, r#"["1"]"#);
    check("compact([])", "[]");
    check_err(
        r#"compact([["a"]])"#,
        "compact(): element 0 must be a string, found a list",
    );
}

#[test]
fn set_functions_and_coalescelist() {
    check(
        r#"setunion(["a", "b"], ["b", "c"], ["d"])"#,
        r#"["a", "b", "c", "d"]"#,
    );
    check(r#"setunion(["a", "a"])"#, r#"["a"]"#);
    check_err(
        "setunion()",
        "setunion(): takes at least 1 argument(s), got 0",
    );
    check_err(
        r#"setunion(["a"], "b")"#,
        "setunion(): argument 2 must be a list, found a string",
    );
    check(
        r#"setintersection(["a", "b", "c"], ["b", "c", "d"], ["c", "b"])"#,
        r#"["b", "c"]"#,
    );
    check(r#"setintersection(["a", "a"])"#, r#"["a"]"#);
    check(r#"setintersection(["a"], [])"#, "[]");
    check_err(
        "setintersection()",
        "setintersection(): takes at least 1 argument(s), got 0",
    );
    check(r#"setsubtract(["a", "b", "c"], ["a", "c"])"#, r#"["b"]"#);
    check_err(
        r#"setsubtract(["a"])"#,
        "setsubtract(): takes 2 argument(s), got 1",
    );
    check(r#"coalescelist(["a", "b"], ["c"])"#, r#"["a", "b"]"#);
    check(r#"coalescelist([], ["c"])"#, r#"["c"]"#);
    check(r#"coalescelist(null, ["c"])"#, r#"["c"]"#);
    check_err(
        "coalescelist([], [])",
        "coalescelist(): all arguments are empty lists or null",
    );
    check_err(
        r#"coalescelist("a")"#,
        "coalescelist(): argument 1 must be a list, found a string",
    );
    check_err(
        "coalescelist()",
        "coalescelist(): takes at least 1 argument(s), got 0",
    );
}

#[test]
fn numbers() {
    check("abs(23)", "23");
    check("abs(0)", "0");
    check("abs(-12.4)", "12.4");
    check("abs(-3)", "3");
    assert_eq!(
        ev("abs(-9223372036854775808)"),
        json("9223372036854775808.0")
    );
    check("ceil(5)", "5");
    check("ceil(5.1)", "6");
    check("ceil(-5.1)", "-5");
    check("floor(4.9)", "4");
    check("floor(-4.1)", "-5");
    check(r#"floor("2.5")"#, "2");
    assert_eq!(ev("ceil(1e300)"), json("1e300"));
    check("min(12, 54, 3)", "3");
    check("max(12, 54, 3)", "54");
    check("max([12, 54, 3]...)", "54");
    check("max(1.5, 1)", "1.5");
    check(r#"min("4", 3)"#, "3");
    check("min(7)", "7");
    check_err("min()", "min(): takes at least 1 argument(s), got 0");
    check_err("max([]...)", "max(): takes at least 1 argument(s), got 0");
    check_err(
        r#"max(1, "a")"#,
        r#"max(): argument 2 must be a number, found the string "a""#,
    );
    check_err(
        "abs(null)",
        "abs(): argument 1 must be a number, found a null",
    );
    check_err("ceil(1, 2)", "ceil(): takes 1 argument(s), got 2");
}

#[test]
fn unknown_arguments_make_unknown_results() {
    for expr in [
        "substr(var.unknown, 0, 1)",
        r#"element(["a", var.unknown], 0)"#,
        "range(var.unknown)",
        "min(1, var.unknown)",
        r#"regex("a", var.unknown)"#,
        r#"zipmap(["a"], [var.unknown])"#,
        "flatten([[var.unknown]])",
    ] {
        assert_eq!(ev(expr), Value::Unknown, "{expr}");
    }
}

#[test]
fn sensitive_arguments_make_sensitive_results_and_errors_hide_them() {
    for expr in [
        "sha256(var.secret)",
        "base64encode(var.secret)",
        r#"element([var.secret, "a"], 1)"#,
        r#"startswith(var.secret, "s3")"#,
        "title(var.secret)",
        r#"formatlist("%s", [var.secret])"#,
        "length(regexall(\"3\", var.secret))",
    ] {
        assert!(ev(expr).contains_sensitive(), "{expr}");
    }
    assert!(!ev(r#"sha256("x")"#).contains_sensitive());
    let e = err(r#"regex(var.pattern, "x")"#);
    assert!(e.contains("not a valid regular expression"), "{e}");
    assert!(!e.contains("s3cr3t"), "{e}");
    for expr in [
        r#"substr("x", var.secret, 1)"#,
        "range(var.secret)",
        r#"try(tonumber(var.secret), tonumber("x"))"#,
    ] {
        let e = err(expr);
        assert!(!e.contains("s3cr3t"), "{expr}: {e}");
        assert!(e.contains("(sensitive value)"), "{expr}: {e}");
    }
}

#[test]
fn try_returns_the_first_argument_that_evaluates() {
    check(r#"try({ a = 1 }.b, "fallback")"#, r#""fallback""#);
    check(r#"try({ a = 1 }.a, "fallback")"#, "1");
    check(r#"try(tonumber("x"), 5)"#, "5");
    check(r#"try(jsondecode("{"), tonumber("y"), {})"#, "{}");
    check(r#"try(["a"][3], null)"#, "null");
    check(r#"try("first", tonumber("never evaluated"))"#, r#""first""#);
    // A failed `for` expression leaves no names behind.
    check(
        r#"[try([for s in ["a"] : tonumber(s)], 0), try([for s in ["1"] : tonumber(s)], 0)]"#,
        "[0, [1]]",
    );
    assert_eq!(ev("try(var.unknown, 1)"), Value::Unknown);
    assert_eq!(ev(r#"try(tonumber("x"), var.unknown)"#), Value::Unknown);
    assert_eq!(ev("try([var.unknown], 1)"), Value::Unknown);
    assert!(ev(r#"try(var.secret, "x")"#).contains_sensitive());
    let e = err(r#"try(tonumber("x"), jsondecode("{"))"#);
    assert!(
        e.starts_with("try(): no argument could be evaluated\nargument 1: tonumber(): "),
        "{e}"
    );
    assert!(
        e.contains("\nargument 2: jsondecode(): invalid JSON"),
        "{e}"
    );
    check_err("try()", "try(): takes at least 1 argument(s), got 0");
    check_err(
        r#"try(["a"]...)"#,
        "try(): arguments cannot be expanded with `...`",
    );
}

#[test]
fn can_says_whether_its_argument_evaluates() {
    check(r#"can(tonumber("x"))"#, "false");
    check(r#"can(tonumber("1"))"#, "true");
    check(r#"can(regex("^[a-z]+$", "abc"))"#, "true");
    check(r#"can(regex("^[a-z]+$", "ABC"))"#, "false");
    check(r#"can({ a = 1 }.b)"#, "false");
    assert_eq!(ev("can(var.unknown)"), Value::Unknown);
    check_err("can()", "can(): takes 1 argument(s), got 0");
    check_err("can(1, 2)", "can(): takes 1 argument(s), got 2");
}

#[test]
fn try_and_can_do_not_hide_references_to_names_that_do_not_exist() {
    for (expr, want) in [
        (r#"try(var.nope, "x")"#, "no variable named `nope`"),
        (r#"try(local.nope, "x")"#, "no local value named `nope`"),
        ("can(nosuchfunc(1))", "unknown function `nosuchfunc`"),
        (
            r#"try(aws_instance.web.id, "x")"#,
            "reference to undeclared resource `aws_instance.web`",
        ),
        (r#"try(module.nope.out, "x")"#, "no module named `nope`"),
        (r#"try(path.nope, "x")"#, "`path.nope` is not defined"),
        (r#"try(nope, "x")"#, "unknown name `nope`"),
        (r#"try(try(var.nope, 1), 2)"#, "no variable named `nope`"),
        (
            r#"try(tonumber("x"), var.nope)"#,
            "no variable named `nope`",
        ),
    ] {
        assert_eq!(err(expr), want, "{expr}");
    }
    // A failure caught earlier does not make a later one escape.
    check(
        r#"[can(tonumber("x")), try(tonumber("y"), 2)]"#,
        "[false, 2]",
    );
}

fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        prop_oneof![
            Just(0i64),
            Just(1),
            Just(-1),
            Just(2),
            Just(1024),
            Just(1025)
        ]
        .prop_map(Value::from),
        (-1e6f64..1e6).prop_map(|f| Value::Number(serde_json::Number::from_f64(f).unwrap())),
        Just(Value::Number(serde_json::Number::from_f64(1e300).unwrap())),
        "[a-c(\\[\\\\?*+é😸 \n=-]{0,6}".prop_map(Value::String),
        Just(Value::str("true")),
        Just(Value::str("-3")),
    ];
    leaf.prop_recursive(3, 16, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::List),
            prop::collection::vec(("[a-c]{1,2}", inner), 0..3)
                .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// No function panics, whatever its arguments.
    #[test]
    fn no_function_panics(args in prop::collection::vec(any_value(), 0..4)) {
        let cfg = config("locals {\n  x = 1\n}\n");
        let env = Environment::from_pairs([("A", "b")]);
        let (vars, resources) = (IndexMap::new(), HashMap::new());
        let ctx = EvalContext::new(&cfg, &env, &vars, &resources);
        for (name, _) in super::FUNCTIONS {
            if *name == "file" {
                continue;
            }
            let _ = super::call(&ctx, name, args.clone());
        }
    }
}
