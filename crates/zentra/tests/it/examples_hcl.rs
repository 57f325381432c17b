//! The examples are standard HCL: an independent parser (python-hcl2, from PyPI) reads every
//! `*.zen.hcl` file in `examples/`, so nothing zentra accepts there is zentra-only syntax.

use std::path::PathBuf;
use std::process::Command;

fn example_files() -> Vec<PathBuf> {
    let root = zentra_test_support::root().join("examples");
    let mut files = Vec::new();
    let mut dirs = vec![root];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).expect("examples are readable") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.to_string_lossy().ends_with(".zen.hcl") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

#[test]
fn every_example_parses_with_an_independent_hcl_parser() {
    let files = example_files();
    assert!(files.len() >= 6, "examples found: {files:?}");
    let python = zentra_test_support::test_tools::python_tool("readers", "python");
    let script = r#"
import sys, json, hcl2
out = {}
for path in sys.argv[1:]:
    with open(path) as f:
        doc = hcl2.load(f)
    out[path] = sorted(k for k in doc.keys())
print(json.dumps(out))
"#;
    let output = Command::new(python)
        .arg("-c")
        .arg(script)
        .args(&files)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "python-hcl2 rejected an example:\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let parsed: serde_json::Value = serde_json::from_slice(&output.stdout).expect("json");
    for file in &files {
        let blocks = &parsed[file.to_string_lossy().as_ref()];
        let blocks: Vec<&str> = blocks
            .as_array()
            .expect("block kinds")
            .iter()
            .filter_map(|b| b.as_str())
            .collect();
        let text = std::fs::read_to_string(file).expect("read");
        // Every top-level block kind zentra reads is seen by the other parser too.
        for kind in [
            "resource", "provider", "variable", "data", "output", "locals",
        ] {
            let declared = text.lines().any(|l| l.starts_with(&format!("{kind} ")));
            assert_eq!(
                declared,
                blocks.contains(&kind),
                "{}: `{kind}` blocks seen by zentra's reading of the file and by python-hcl2 differ ({blocks:?})",
                file.display()
            );
        }
    }
}
