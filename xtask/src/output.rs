//! Renders generated data as stable, pretty-printed JSON files and compares or writes them
//! under the workspace root.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::Serialize;

/// One generated file: its `/`-separated path relative to the workspace root, and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GeneratedFile {
    pub path: String,
    pub contents: String,
}

impl GeneratedFile {
    /// Where the file lives under `root`.
    pub fn location(&self, root: &Path) -> PathBuf {
        self.path
            .split('/')
            .fold(root.to_path_buf(), |path, part| path.join(part))
    }
}

/// Pretty-printed JSON (two-space indent, map order as built) with a trailing newline.
pub fn render_json<T: Serialize>(value: &T) -> Result<String> {
    let mut text = serde_json::to_string_pretty(value).context("serializing generated JSON")?;
    text.push('\n');
    Ok(text)
}

/// The paths of the files whose copy under `root` is missing or differs from `files`.
pub fn stale_files(root: &Path, files: &[GeneratedFile]) -> Vec<String> {
    files
        .iter()
        .filter(|file| match std::fs::read(file.location(root)) {
            Ok(current) => current != file.contents.as_bytes(),
            Err(_) => true,
        })
        .map(|file| file.path.clone())
        .collect()
}

/// Writes the files that are missing or differ under `root`, creating directories as needed;
/// returns the paths written. Files already current are left untouched.
pub fn write_files(root: &Path, files: &[GeneratedFile]) -> Result<Vec<String>> {
    let stale = stale_files(root, files);
    for file in files.iter().filter(|file| stale.contains(&file.path)) {
        let location = file.location(root);
        if let Some(parent) = location.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&location, &file.contents)
            .with_context(|| format!("writing {}", location.display()))?;
    }
    Ok(stale)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn rendered_json_is_pretty_ordered_and_ends_with_a_newline() {
        let text = render_json(&json!({ "b": 1, "a": [true] })).expect("renders");
        assert_eq!(text, "{\n  \"b\": 1,\n  \"a\": [\n    true\n  ]\n}\n");
    }

    #[test]
    fn missing_and_changed_files_are_stale_until_written() {
        let root = tempfile::tempdir().expect("tempdir");
        let files = vec![
            GeneratedFile {
                path: "schemas/a.json".into(),
                contents: "{}\n".into(),
            },
            GeneratedFile {
                path: "schemas/sub/b.json".into(),
                contents: "[]\n".into(),
            },
        ];
        assert_eq!(
            stale_files(root.path(), &files),
            ["schemas/a.json", "schemas/sub/b.json"]
        );
        let written = write_files(root.path(), &files).expect("writes");
        assert_eq!(written.len(), 2);
        assert!(stale_files(root.path(), &files).is_empty());
        std::fs::write(root.path().join("schemas/a.json"), "{ }\n").expect("edit");
        assert_eq!(stale_files(root.path(), &files), ["schemas/a.json"]);
        assert_eq!(
            write_files(root.path(), &files).expect("rewrites"),
            ["schemas/a.json"]
        );
    }
}
