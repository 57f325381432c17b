//! The real programs the tests run (an independent HCL parser, schema and report validators,
//! storage servers), installed from the package registries: each tool set in an isolated
//! install of its own, installed again only when its pinned list in `xtask/test-tools/` changes.

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

/// The environment variable through which tests find the installed tools.
pub const TOOLS_ENV: &str = "ZENTRA_TEST_TOOLS";

/// Where the pinned tool lists live, relative to the workspace root.
pub const LISTS_DIR: &str = "xtask/test-tools";

/// The file beside an install that records the hash of the list it was installed from.
const STAMP_FILE: &str = ".zentra-test-tools-stamp";

/// One isolated install.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ToolSet {
    /// `python-NAME.txt`: a virtual environment `venv-NAME` with these requirements.
    Python { name: String, requirements: PathBuf },
    /// `node/`: `package.json` and `package-lock.json`, installed with `npm ci`.
    Node { dir: PathBuf },
}

impl ToolSet {
    /// Where this set is installed under `tools`.
    pub fn install_dir(&self, tools: &Path) -> PathBuf {
        match self {
            ToolSet::Python { name, .. } => tools.join(format!("venv-{name}")),
            ToolSet::Node { .. } => tools.join("node"),
        }
    }

    /// The files whose content decides whether the install is current.
    fn pinned_files(&self) -> Vec<PathBuf> {
        match self {
            ToolSet::Python { requirements, .. } => vec![requirements.clone()],
            ToolSet::Node { dir } => vec![dir.join("package.json"), dir.join("package-lock.json")],
        }
    }

    pub fn label(&self) -> String {
        match self {
            ToolSet::Python { name, .. } => format!("python tools `{name}`"),
            ToolSet::Node { .. } => "node tools".to_string(),
        }
    }
}

/// The directory the tools are installed in: `$CARGO_TARGET_DIR/test-tools`, else
/// `target/test-tools` of the workspace.
pub fn tools_dir(root: &Path) -> PathBuf {
    match std::env::var_os("CARGO_TARGET_DIR") {
        Some(dir) if !dir.is_empty() => {
            let dir = PathBuf::from(dir);
            let dir = if dir.is_absolute() {
                dir
            } else {
                root.join(dir)
            };
            dir.join("test-tools")
        }
        _ => root.join("target").join("test-tools"),
    }
}

/// Every tool set listed in `lists` (the `xtask/test-tools` directory), in a stable order.
pub fn tool_sets(lists: &Path) -> Result<Vec<ToolSet>> {
    let mut sets = Vec::new();
    let entries = std::fs::read_dir(lists)
        .with_context(|| format!("cannot read the tool lists in `{}`", lists.display()))?;
    for entry in entries {
        let path = entry?.path();
        let Some(file) = path.file_name().and_then(|f| f.to_str()) else {
            continue;
        };
        if let Some(name) = file
            .strip_prefix("python-")
            .and_then(|rest| rest.strip_suffix(".txt"))
        {
            sets.push(ToolSet::Python {
                name: name.to_string(),
                requirements: path.clone(),
            });
        } else if file == "node" && path.join("package-lock.json").is_file() {
            sets.push(ToolSet::Node { dir: path.clone() });
        }
    }
    sets.sort_by_key(ToolSet::label);
    Ok(sets)
}

/// The hash of a set's pinned files, recorded beside its install.
fn stamp(set: &ToolSet) -> Result<String> {
    let mut hasher = Sha256::new();
    for file in set.pinned_files() {
        let bytes =
            std::fs::read(&file).with_context(|| format!("cannot read `{}`", file.display()))?;
        hasher.update(file.file_name().unwrap_or_default().as_encoded_bytes());
        hasher.update([0]);
        hasher.update(&bytes);
    }
    Ok(hex::encode(hasher.finalize()))
}

/// Whether `set` is installed under `tools` from its current pinned files.
pub fn is_current(set: &ToolSet, tools: &Path) -> Result<bool> {
    let recorded = std::fs::read_to_string(set.install_dir(tools).join(STAMP_FILE)).ok();
    Ok(recorded.as_deref().map(str::trim) == Some(stamp(set)?.as_str()))
}

/// What [`install`] did with a set.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Installed {
    AlreadyCurrent,
    Installed,
}

/// Installs `set` under `tools` unless it is current. A failed install leaves no stamp, so the
/// next run tries again.
pub fn install(set: &ToolSet, tools: &Path) -> Result<Installed> {
    if is_current(set, tools)? {
        return Ok(Installed::AlreadyCurrent);
    }
    let dir = set.install_dir(tools);
    if dir.exists() {
        std::fs::remove_dir_all(&dir)
            .with_context(|| format!("cannot remove the old install `{}`", dir.display()))?;
    }
    std::fs::create_dir_all(&dir).with_context(|| format!("cannot create `{}`", dir.display()))?;
    match set {
        ToolSet::Python { requirements, .. } => {
            let python = std::env::var("PYTHON").unwrap_or_else(|_| "python3".to_string());
            run(Command::new(&python).args(["-m", "venv"]).arg(&dir))?;
            run(Command::new(dir.join("bin").join("pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(requirements))?;
        }
        ToolSet::Node { dir: lists } => {
            for file in ["package.json", "package-lock.json"] {
                std::fs::copy(lists.join(file), dir.join(file))
                    .with_context(|| format!("cannot copy `{file}` into `{}`", dir.display()))?;
            }
            run(Command::new("npm")
                .args(["ci", "--no-audit", "--no-fund", "--ignore-scripts"])
                .current_dir(&dir))?;
        }
    }
    std::fs::write(dir.join(STAMP_FILE), stamp(set)?)
        .with_context(|| format!("cannot write the stamp in `{}`", dir.display()))?;
    Ok(Installed::Installed)
}

fn run(command: &mut Command) -> Result<()> {
    let shown = format!("{command:?}");
    let status = command
        .status()
        .with_context(|| format!("cannot run {shown}: is the program installed?"))?;
    if !status.success() {
        bail!("{shown} failed ({status})");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_found_by_name_and_ordered() {
        let dir = tempfile::tempdir().expect("temp dir");
        std::fs::write(dir.path().join("python-readers.txt"), "a==1\n").expect("write");
        std::fs::write(dir.path().join("python-storage.txt"), "b==2\n").expect("write");
        std::fs::write(dir.path().join("README.md"), "not a list").expect("write");
        std::fs::create_dir(dir.path().join("node")).expect("mkdir");
        std::fs::write(dir.path().join("node/package.json"), "{}").expect("write");
        std::fs::write(dir.path().join("node/package-lock.json"), "{}").expect("write");
        let sets = tool_sets(dir.path()).expect("sets");
        let labels: Vec<String> = sets.iter().map(ToolSet::label).collect();
        assert_eq!(
            labels,
            [
                "node tools",
                "python tools `readers`",
                "python tools `storage`"
            ]
        );
        let tools = Path::new("/t");
        assert_eq!(sets[1].install_dir(tools), Path::new("/t/venv-readers"));
        assert_eq!(sets[0].install_dir(tools), Path::new("/t/node"));
    }

    #[test]
    fn an_install_is_current_only_for_the_list_it_came_from() {
        let lists = tempfile::tempdir().expect("temp dir");
        let tools = tempfile::tempdir().expect("temp dir");
        let requirements = lists.path().join("python-x.txt");
        std::fs::write(&requirements, "a==1\n").expect("write");
        let set = ToolSet::Python {
            name: "x".into(),
            requirements: requirements.clone(),
        };
        assert!(!is_current(&set, tools.path()).expect("check"));
        let dir = set.install_dir(tools.path());
        std::fs::create_dir_all(&dir).expect("mkdir");
        std::fs::write(dir.join(STAMP_FILE), stamp(&set).expect("stamp")).expect("write");
        assert!(is_current(&set, tools.path()).expect("check"));
        std::fs::write(&requirements, "a==2\n").expect("write");
        assert!(!is_current(&set, tools.path()).expect("check"));
    }

    #[test]
    fn the_repository_lists_are_readable() {
        let root = crate::sources::workspace_root();
        let sets = tool_sets(&root.join(LISTS_DIR)).expect("sets");
        assert!(sets.iter().any(|s| matches!(s, ToolSet::Node { .. })));
        assert!(sets.iter().any(|s| matches!(s, ToolSet::Python { .. })));
        for set in &sets {
            stamp(set).expect("every pinned file is readable");
        }
    }
}
