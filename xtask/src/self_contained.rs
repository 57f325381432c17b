//! Finds places in the repository's Rust sources and Cargo manifests that refer to files outside
//! the checkout, so that a fresh clone builds and passes its tests with nothing beside it.
//!
//! Two kinds of reference are found. The directory the vendor specs once were read from (a
//! `shared` directory beside the checkout), named anywhere in a line. And paths that climb out
//! of the checkout or are absolute, where Rust or Cargo reads a file: `include_str!`,
//! `include_bytes!`, `include!` and `#[path]` (relative to the source file), `.join(...)` and
//! `concat!(env!("CARGO_MANIFEST_DIR"), ...)` (relative to the crate), and `path = ...` in a
//! manifest (relative to the manifest).

use std::fmt;
use std::path::Path;

use anyhow::{Context, Result};
use walkdir::WalkDir;

/// The directory beside the checkout that the vendor specs used to be read from.
const SHARED_DIR: &str = concat!("..", "/shared");
/// The name that directory goes by in prose and labels.
const SHARED_NAME: &str = concat!("shared", "/");

/// One reference to something outside the checkout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutsideReference {
    /// `/`-separated path of the file, relative to the repository root.
    pub file: String,
    /// 1-based line number.
    pub line: usize,
    /// The path as written.
    pub reference: String,
}

impl fmt::Display for OutsideReference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}:{}: `{}` is outside the checkout",
            self.file, self.line, self.reference
        )
    }
}

/// What a path found in a source line is relative to.
#[derive(Clone, Copy)]
enum Base {
    /// The directory of the file it is written in.
    File,
    /// The directory of the crate (the nearest `Cargo.toml`) the file belongs to.
    Crate,
}

/// Markers after which a Rust source names a path, up to the next `"`, and what it is relative to.
const RUST_PATH_MARKERS: [(&str, Base); 6] = [
    ("include_str!(\"", Base::File),
    ("include_bytes!(\"", Base::File),
    ("include!(\"", Base::File),
    ("#[path = \"", Base::File),
    (".join(\"", Base::Crate),
    ("env!(\"CARGO_MANIFEST_DIR\"), \"", Base::Crate),
];

/// Every reference in a `*.rs` or `*.toml` file under `root` (build output and version control
/// directories aside) to a file outside `root`.
pub fn outside_references(root: &Path) -> Result<Vec<OutsideReference>> {
    let mut found = Vec::new();
    let walk = WalkDir::new(root)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|entry| {
            let name = entry.file_name().to_string_lossy();
            !(entry.file_type().is_dir() && (name == "target" || name == ".git"))
        });
    for entry in walk {
        let entry = entry.with_context(|| format!("cannot list {}", root.display()))?;
        let path = entry.path();
        let is_rust = path.extension().is_some_and(|ext| ext == "rs");
        let is_manifest = path.extension().is_some_and(|ext| ext == "toml");
        if !entry.file_type().is_file() || !(is_rust || is_manifest) {
            continue;
        }
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("cannot read {}", path.display()))?;
        let relative = path.strip_prefix(root).unwrap_or(path);
        let file = relative
            .components()
            .map(|part| part.as_os_str().to_string_lossy())
            .collect::<Vec<_>>()
            .join("/");
        let file_depth = relative.components().count().saturating_sub(1);
        let crate_depth = crate_depth(root, relative);
        for (index, line) in text.lines().enumerate() {
            let mut report = |reference: &str| {
                found.push(OutsideReference {
                    file: file.clone(),
                    line: index + 1,
                    reference: reference.to_string(),
                })
            };
            if let Some(name) = names_shared_dir(line) {
                report(name);
            }
            if is_rust {
                for (marker, base) in RUST_PATH_MARKERS {
                    let depth = match base {
                        Base::File => file_depth,
                        Base::Crate => crate_depth,
                    };
                    for literal in literals_after(line, marker) {
                        let literal = match base {
                            // `concat!(env!("CARGO_MANIFEST_DIR"), "/x")` appends to the crate dir.
                            Base::Crate if marker.starts_with("env!") => {
                                literal.trim_start_matches('/')
                            }
                            _ => literal,
                        };
                        // `.join` also joins strings (`parts.join("/")`): only a climb counts.
                        let is_path = !marker.starts_with(".join") || climbs(literal);
                        if is_path && leaves_checkout(depth, literal) {
                            report(literal);
                        }
                    }
                }
            } else {
                for literal in literals_after(line, "path = \"") {
                    if leaves_checkout(file_depth, literal) {
                        report(literal);
                    }
                }
            }
        }
    }
    Ok(found)
}

/// The name of the shared directory beside the checkout, if `line` mentions it.
fn names_shared_dir(line: &str) -> Option<&'static str> {
    if line.contains(SHARED_DIR) {
        return Some(SHARED_DIR);
    }
    // The name starting a path (after a quote, backtick, bracket or space), not a path segment or
    // part of a longer name.
    line.match_indices(SHARED_NAME)
        .any(|(at, _)| {
            line[..at].chars().next_back().is_none_or(|before| {
                !(before.is_alphanumeric() || matches!(before, '_' | '-' | '.' | '/'))
            })
        })
        .then_some(SHARED_NAME)
}

/// The string literals that directly follow `marker` on `line`.
fn literals_after<'a>(line: &'a str, marker: &str) -> Vec<&'a str> {
    line.match_indices(marker)
        .filter_map(|(at, _)| {
            let rest = &line[at + marker.len()..];
            rest.find('"').map(|end| &rest[..end])
        })
        .collect()
}

/// Whether `path` has a `..` component.
fn climbs(path: &str) -> bool {
    path.split(['/', '\\']).any(|part| part == "..")
}

/// Whether `path`, relative to a directory `depth` levels below the root, names something outside
/// the root: an absolute path, or one whose `..` components climb above the root.
fn leaves_checkout(depth: usize, path: &str) -> bool {
    let is_absolute =
        path.starts_with('/') || path.starts_with('\\') || path.as_bytes().get(1) == Some(&b':');
    if is_absolute {
        return true;
    }
    let mut depth = depth as isize;
    for part in path.split(['/', '\\']) {
        match part {
            "" | "." => {}
            ".." => depth -= 1,
            _ => depth += 1,
        }
        if depth < 0 {
            return true;
        }
    }
    false
}

/// How many levels below `root` the crate of the file at `relative` lies: the directory of the
/// nearest `Cargo.toml` above the file.
fn crate_depth(root: &Path, relative: &Path) -> usize {
    let mut dir = relative.parent();
    while let Some(candidate) = dir {
        if root.join(candidate).join("Cargo.toml").is_file() {
            return candidate.components().count();
        }
        dir = candidate.parent();
    }
    0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(root: &Path, relative: &str, text: &str) {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }

    fn found(root: &Path) -> Vec<String> {
        outside_references(root)
            .expect("scan")
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn paths_inside_the_checkout_pass() {
        let root = tempfile::tempdir().expect("tempdir");
        write(
            root.path(),
            "Cargo.toml",
            "[[bin]]\npath = \"src/main.rs\"\n",
        );
        write(
            root.path(),
            "xtask/Cargo.toml",
            "[dependencies]\nzentra = { path = \"..\" }\n",
        );
        write(
            root.path(),
            "src/provider/zoom/tests.rs",
            "const S: &str = include_str!(\"../../../schemas/zoom-api.json\");\n\
             let parts = [\"a\", \"b\"].join(\"/\");\n\
             let index = Arc<Shared>::new(); // my_shared/x, ../../not_shared/y\n",
        );
        write(
            root.path(),
            "xtask/src/sources.rs",
            "let root = Path::new(env!(\"CARGO_MANIFEST_DIR\")).join(\"..\");\n",
        );
        write(
            root.path(),
            "tests/cli.rs",
            "#[path = \"support/traffic.rs\"]\nmod traffic;\n",
        );
        assert_eq!(found(root.path()), Vec::<String>::new());
    }

    #[test]
    fn paths_leaving_the_checkout_are_found_with_file_and_line() {
        let root = tempfile::tempdir().expect("tempdir");
        write(root.path(), "Cargo.toml", "[package]\n");
        write(
            root.path(),
            "tests/support/mod.rs",
            &format!(
                "//! Specs are read from `{SHARED_NAME}specs`.\n\
                 fn dir() -> PathBuf {{\n    \
                     PathBuf::from(env!(\"CARGO_MANIFEST_DIR\")).join(\"../elsewhere\")\n\
                 }}\n\
                 const A: &str = include_str!(\"../../../outside.txt\");\n\
                 const B: &[u8] = include_bytes!(\"/etc/hosts\");\n"
            ),
        );
        write(
            root.path(),
            "xtask/Cargo.toml",
            "[dependencies]\nother = { path = \"../../other\" }\n",
        );
        write(
            root.path(),
            "xtask/src/main.rs",
            &format!("/// Default: {SHARED_DIR}/specs.\n"),
        );
        let expected = [
            format!("tests/support/mod.rs:1: `{SHARED_NAME}` is outside the checkout"),
            "tests/support/mod.rs:3: `../elsewhere` is outside the checkout".to_string(),
            "tests/support/mod.rs:5: `../../../outside.txt` is outside the checkout".to_string(),
            "tests/support/mod.rs:6: `/etc/hosts` is outside the checkout".to_string(),
            "xtask/Cargo.toml:2: `../../other` is outside the checkout".to_string(),
            format!("xtask/src/main.rs:1: `{SHARED_DIR}` is outside the checkout"),
        ];
        let mut found = found(root.path());
        found.sort();
        assert_eq!(found, expected);
    }

    #[test]
    fn build_output_is_not_scanned() {
        let root = tempfile::tempdir().expect("tempdir");
        write(
            root.path(),
            "target/debug/build/out.rs",
            "const A: &str = include_str!(\"/abs/generated.rs\");\n",
        );
        assert_eq!(found(root.path()), Vec::<String>::new());
    }
}
