//! Where the tests find the real programs that read zentra's outputs or serve the storage APIs
//! it uses, installed by `cargo xtask test-tools` (and by `cargo xtask test`, which then runs the
//! tests with `ZENTRA_TEST_TOOLS` pointing at them).

use std::path::{Path, PathBuf};

/// The tools directory: `ZENTRA_TEST_TOOLS`, else `test-tools` in the build's target directory.
pub fn tools_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("ZENTRA_TEST_TOOLS").filter(|d| !d.is_empty()) {
        return PathBuf::from(dir);
    }
    let root = workspace_root();
    match std::env::var_os("CARGO_TARGET_DIR").filter(|d| !d.is_empty()) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            }
            .join("test-tools")
        }
        None => root.join("target").join("test-tools"),
    }
}

/// The directory holding the workspace's `Cargo.lock`.
fn workspace_root() -> PathBuf {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR"));
    manifest
        .ancestors()
        .find(|dir| dir.join("Cargo.lock").is_file())
        .unwrap_or(manifest)
        .to_path_buf()
}

/// A program of the Python tool set `set` (`xtask/test-tools/python-SET.txt`), e.g.
/// `python_tool("readers", "python")`.
pub fn python_tool(set: &str, program: &str) -> PathBuf {
    installed(
        tools_dir()
            .join(format!("venv-{set}"))
            .join("bin")
            .join(program),
    )
}

/// A program of the npm tool set (`xtask/test-tools/node/package.json`), e.g.
/// `node_tool("azurite-blob")`.
pub fn node_tool(program: &str) -> PathBuf {
    installed(
        tools_dir()
            .join("node")
            .join("node_modules")
            .join(".bin")
            .join(program),
    )
}

fn installed(path: PathBuf) -> PathBuf {
    assert!(
        path.exists(),
        "{} is not installed: run `cargo xtask test-tools` once (or run the tests with `cargo xtask test`)",
        path.display()
    );
    path
}
