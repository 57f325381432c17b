//! Tests of canonical formatting: layout rules, comments kept, meaning kept, idempotence.

use super::format_source;

fn fmt(text: &str) -> String {
    format_source("main.zen.hcl", text).expect("formats")
}

#[test]
fn aligns_equals_signs_within_a_run_of_attributes() {
    let text = "resource \"zoom_group\"   \"pilot\"{\nname=\"Pilot\"\n    total_members   =  3\n\n  x = 1\n}\n";
    assert_eq!(
        fmt(text),
        "resource \"zoom_group\" \"pilot\" {\n  name          = \"Pilot\"\n  total_members = 3\n\n  x = 1\n}\n"
    );
}

#[test]
fn comment_lines_and_nested_blocks_end_a_run() {
    let text = "a {\n  short = 1\n  # about the next\n  much_longer = 2\n  inner {\n    y = 3\n  }\n  z = 4\n}\n";
    assert_eq!(fmt(text), text);
}

#[test]
fn multi_line_values_end_a_run_and_are_indented() {
    let text = "locals {\na = 1\nlonger = {\nk = \"v\"\nkey = [1,2]\n}\nb=2\n}\n";
    assert_eq!(
        fmt(text),
        "locals {\n  a = 1\n  longer = {\n    k   = \"v\"\n    key = [1, 2]\n  }\n  b = 2\n}\n"
    );
}

#[test]
fn keeps_every_comment_and_aligns_trailing_ones() {
    let text = "# top\n// slashes\n/* block\n   comment */\nlocals {\n  a = 1 # one\n  bbb = 22    // two\n\n  /* inline */ c = 3\n}\n";
    assert_eq!(
        fmt(text),
        "# top\n// slashes\n/* block\n   comment */\nlocals {\n  a   = 1  # one\n  bbb = 22 // two\n\n  /* inline */ c = 3\n}\n"
    );
}

#[test]
fn normalises_spacing_in_one_line_expressions() {
    let text = "locals {\n  a = [ 1 ,2,  3 ]\n  b = { x=1 , y = -2 }\n  c = f( var.x [0] , local.y .z ,- 1)\n  d = var.on ? 1 : 2\n  e = [for k,v in var.m : \"${k}\" if !v]\n  f = {for k, v in var.m: k=>v...}\n  g = a -b * 3\n  h = {}\n  i = var.list[*].id\n}\n";
    assert_eq!(
        fmt(text),
        "locals {\n  a = [1, 2, 3]\n  b = { x = 1, y = -2 }\n  c = f(var.x[0], local.y.z, -1)\n  d = var.on ? 1 : 2\n  e = [for k, v in var.m : \"${k}\" if !v]\n  f = { for k, v in var.m : k => v... }\n  g = a - b * 3\n  h = {}\n  i = var.list[*].id\n}\n"
    );
}

#[test]
fn object_colons_stay_unspaced_before() {
    assert_eq!(fmt("a = {\"k\" : 1}\n"), "a = { \"k\": 1 }\n");
}

#[test]
fn blank_lines_trailing_white_space_and_the_final_newline() {
    let text = "\n\na = 1   \n\n\n\nb = 2 # c   \n\n";
    assert_eq!(fmt(text), "a = 1\n\nb = 2 # c\n");
    assert_eq!(fmt("a = 1"), "a = 1\n");
    assert_eq!(fmt(""), "");
}

#[test]
fn strings_and_heredocs_are_kept_as_written() {
    let text = "locals {\n    s = \"  two  spaces ${ var.x }  \"\n    h = <<-EOT\n      keep   this  \n        as is\n    EOT\n  t = 1\n}\n";
    assert_eq!(
        fmt(text),
        "locals {\n  s = \"  two  spaces ${ var.x }  \"\n  h = <<-EOT\n      keep   this  \n        as is\n    EOT\n  t = 1\n}\n"
    );
}

#[test]
fn a_file_that_does_not_parse_is_refused_where_it_is_wrong() {
    let e = format_source("bad.zen.hcl", "a = 1\nb = = 2\n").expect_err("refused");
    let location = e.location.expect("a location");
    assert_eq!((location.file.as_str(), location.line), ("bad.zen.hcl", 2));
    assert!(e.summary.contains("syntax error"), "{}", e.summary);
}

#[test]
fn formatting_is_idempotent_and_keeps_meaning_for_every_example() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut seen = 0;
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("examples directory") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                stack.push(path);
            } else if path.to_string_lossy().ends_with(".zen.hcl") {
                let text = std::fs::read_to_string(&path).expect("example");
                let display = path.display().to_string();
                let once = format_source(&display, &text).expect("formats");
                let twice = format_source(&display, &once).expect("formats again");
                assert_eq!(once, twice, "{display}");
                seen += 1;
            }
        }
    }
    assert!(seen > 0);
}

mod properties {
    use proptest::prelude::*;

    use super::format_source;

    /// Pieces of configuration, each a whole line or block, put together in any order and
    /// spacing; `NAME` becomes a name of its own in each.
    fn piece() -> impl Strategy<Value = String> {
        prop_oneof![
            Just("NAME = 1".to_string()),
            Just("NAME_long   =\t\"x\" # note".to_string()),
            Just("// a comment".to_string()),
            Just("/* b */".to_string()),
            Just("".to_string()),
            Just("NAME {\nc = [1 ,2]\n  d = { e = -1 }\n}".to_string()),
            Just("NAME = [\n1,\n  2, # two\n]".to_string()),
            Just("NAME = <<EOT\n  text\nEOT".to_string()),
            Just("NAME = var.a ? \"${x}\" : f(y...)".to_string()),
            Just("NAME = {\n  for k, v in m: k => v\n}".to_string()),
        ]
    }

    proptest! {
        #[test]
        fn formatting_twice_changes_nothing(
            pieces in proptest::collection::vec((piece(), " {0,3}"), 0..8)
        ) {
            let text: String = pieces
                .iter()
                .enumerate()
                .map(|(i, (p, pad))| format!("{pad}{}{pad}\n", p.replace("NAME", &format!("n{i}"))))
                .collect();
            prop_assume!(text.parse::<hcl::edit::structure::Body>().is_ok());
            let once = format_source("p.zen.hcl", &text).expect("formats");
            let twice = format_source("p.zen.hcl", &once).expect("formats again");
            prop_assert_eq!(&once, &twice);
            prop_assert!(!once.lines().any(|l| l.ends_with(' ')));
        }
    }
}

#[test]
fn a_crlf_file_stays_crlf_heredocs_included() {
    let text = "locals {\r\n  a=1\r\n  b = <<EOT\r\n  keep   this\r\nEOT\r\n}\r\n";
    assert_eq!(
        fmt(text),
        "locals {\r\n  a = 1\r\n  b = <<EOT\r\n  keep   this\r\nEOT\r\n}\r\n"
    );
    assert_eq!(fmt("locals {\n  a=1\n}\n"), "locals {\n  a = 1\n}\n");
}
