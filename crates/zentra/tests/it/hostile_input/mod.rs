//! Hostile input never panics and never overflows the stack: the fuzz corpus in
//! `fuzz/corpus/` replayed through the fuzz targets' own entry points, and proptest properties
//! over the same functions (random bytes, token soup, valid files mutated, nesting of every
//! kind far past the limit), so CI exercises them on stable Rust. The libFuzzer targets
//! themselves are in `fuzz/` (see its README).

mod entry_points;

use std::path::PathBuf;

use proptest::prelude::*;
use zentra_engine::config::nesting::MAX_NESTING;

use entry_points::{evaluate, load_config, read_saml_metadata, read_saved_plan, read_state};

type Target = fn(&[u8]) -> bool;

const TARGETS: [(&str, Target); 5] = [
    ("hcl_loader", load_config),
    ("expression", evaluate),
    ("state_file", read_state),
    ("saved_plan", read_saved_plan),
    ("saml_metadata", read_saml_metadata),
];

fn corpus(target: &str) -> Vec<(PathBuf, Vec<u8>)> {
    let dir = zentra_test_support::root().join("fuzz/corpus").join(target);
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    files
        .into_iter()
        .map(|p| {
            let bytes = std::fs::read(&p).unwrap();
            (p, bytes)
        })
        .collect()
}

#[test]
fn every_corpus_file_goes_through_its_target_and_the_valid_seeds_are_accepted() {
    for (target, run) in TARGETS {
        let files = corpus(target);
        assert!(files.len() >= 3, "{target}: a corpus of {}", files.len());
        let mut accepted = 0;
        for (path, bytes) in &files {
            let ok = run(bytes);
            accepted += usize::from(ok);
            // Seeds named `valid-*` are real inputs: they must still be read.
            let name = path.file_name().unwrap().to_string_lossy();
            if name.starts_with("valid-") {
                assert!(ok, "{target}: {} is no longer accepted", path.display());
            }
        }
        assert!(accepted > 0, "{target}: nothing in the corpus is accepted");
    }
}

/// `depth` levels of one kind of nesting around a value.
fn nested(kind: usize, depth: usize) -> String {
    let (open, close) = match kind {
        0 => ("[", "]"),
        1 => ("{a = ", "}"),
        2 => ("(", ")"),
        3 => ("\"${", "}\""),
        4 => ("tostring(", ")"),
        5 => ("[for x in ", " : x]"),
        _ => ("true ? ", " : 0"),
    };
    // `for` needs something to iterate over.
    let inner = if kind == 5 { "[1]" } else { "1" };
    format!("{}{inner}{}", open.repeat(depth), close.repeat(depth))
}

#[test]
fn nesting_past_the_limit_is_refused_with_a_clear_error_at_its_place() {
    for kind in 0..=6 {
        for depth in [MAX_NESTING + 1, 1_000, 100_000] {
            let text = format!("locals {{\n  v = {}\n}}\n", nested(kind, depth));
            if kind == 6 {
                // Conditionals nest without brackets: the parser's own limits apply.
                let _ = load_config(text.as_bytes());
                continue;
            }
            let err = zentra_engine::config::Config::from_files(
                std::path::Path::new("."),
                vec![zentra_engine::diag::SourceFile {
                    display_path: "main.zen.hcl".into(),
                    path: "main.zen.hcl".into(),
                    text,
                }],
            )
            .unwrap_err();
            let d = &err.0[0];
            assert!(
                d.summary.contains("nested more than 64 levels deep"),
                "{kind}/{depth}: {}",
                d.summary
            );
            assert_eq!(d.location.as_ref().unwrap().line, 2);
        }
        // Blocks nest too.
        let blocks = format!("{}{}", "b {\n".repeat(1000), "}\n".repeat(1000));
        assert!(!load_config(blocks.as_bytes()));
    }
    // A reasonable depth of each kind is accepted and evaluates.
    for kind in 0..=5 {
        assert!(evaluate(nested(kind, 20).as_bytes()), "{kind}");
    }
}

fn token_soup() -> impl Strategy<Value = String> {
    let tokens = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        "\"",
        "${",
        "%{",
        "}",
        "=",
        " ",
        "\n",
        "a",
        "b.c",
        "var.x",
        "local.v",
        "1",
        "-2.5e3",
        "true",
        "null",
        ",",
        ":",
        "?",
        "for",
        "in",
        "if",
        "=>",
        "...",
        "<<EOT\n",
        "EOT\n",
        "#",
        "//",
        "/*",
        "*/",
        "\\",
        "$${",
        "*",
        "!",
        "&&",
        "||",
        "==",
        "+",
        "[*]",
        ".0",
        "resource",
        "\"zoom_group\"",
        "locals",
        "variable",
        "lower(",
        "jsondecode(",
        "format(\"%s\", ",
        "upper(",
        "\u{202e}",
        "é",
        "\t",
        "\r",
    ]);
    prop::collection::vec(tokens, 0..80).prop_map(|t| t.concat())
}

/// One valid file of each kind, from the corpus.
fn valid_seed(target: &str) -> Vec<u8> {
    corpus(target)
        .into_iter()
        .find(|(p, _)| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with("valid-")
        })
        .map(|(_, b)| b)
        .unwrap_or_else(|| panic!("{target}: a valid seed"))
}

/// `bytes` with some of them overwritten, some cut and some repeated.
fn mutated(target: &'static str) -> impl Strategy<Value = Vec<u8>> {
    let seed = valid_seed(target);
    let len = seed.len().max(1);
    (
        prop::collection::vec((0..len, any::<u8>()), 0..8),
        0..=len,
        0..len,
        0usize..4,
    )
        .prop_map(move |(flips, cut, from, repeat)| {
            let mut bytes = seed.clone();
            for (at, b) in flips {
                if at < bytes.len() {
                    bytes[at] = b;
                }
            }
            let tail = bytes[from.min(bytes.len())..].to_vec();
            bytes.truncate(cut.max(from.min(bytes.len())));
            for _ in 0..repeat {
                bytes.extend_from_slice(&tail);
            }
            bytes
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for (_, run) in TARGETS {
            run(&bytes);
        }
    }

    #[test]
    fn token_soup_never_panics_the_loader_or_the_evaluator(text in token_soup()) {
        load_config(text.as_bytes());
        evaluate(text.as_bytes());
    }

    #[test]
    fn nesting_of_any_kind_and_depth_never_overflows(kind in 0usize..7, depth in 0usize..400) {
        let text = nested(kind, depth);
        let accepted = evaluate(text.as_bytes());
        // The `locals` block around the value is one level of its own.
        if kind < 6 && depth + 1 > MAX_NESTING {
            prop_assert!(!accepted, "{depth} levels inside `locals` were accepted");
        }
    }

    #[test]
    fn mutated_configurations_never_panic(bytes in mutated("hcl_loader")) {
        load_config(&bytes);
    }

    #[test]
    fn mutated_state_files_never_panic(bytes in mutated("state_file")) {
        read_state(&bytes);
    }

    #[test]
    fn mutated_saved_plans_never_panic(bytes in mutated("saved_plan")) {
        read_saved_plan(&bytes);
    }

    #[test]
    fn mutated_metadata_never_panics(bytes in mutated("saml_metadata")) {
        read_saml_metadata(&bytes);
    }
}
