//! Brings a new release of the vendors' API descriptions into the repository's copy in
//! `schemas/vendor/`: copies the spec files zentra uses from a release directory, all of them or
//! none, and reports each file's change by SHA-256.

use std::fs;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use sha2::{Digest, Sha256};

use crate::spec_paths;

/// What copying a release did to one vendored file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Change {
    /// The repository had no copy of the file before.
    Added,
    /// The file's bytes differ from the repository's copy, whose SHA-256 was `previous`.
    Changed { previous: String },
    /// The release holds the same bytes as the repository's copy.
    Unchanged,
}

/// One spec file of a release, as copied into the vendor directory.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VendoredFile {
    /// `/`-separated path relative to the vendor directory, e.g. `zoom/.../endpoints.json`.
    pub path: &'static str,
    /// Lower-case hex SHA-256 of the release's file.
    pub sha256: String,
    pub change: Change,
}

impl VendoredFile {
    /// The vendor the file belongs to: the first component of its path (`zoom`, `msgraph`).
    pub fn vendor(&self) -> &'static str {
        self.path.split('/').next().unwrap_or(self.path)
    }
}

/// Copies every file of [`spec_paths::ALL`] from `release` into `vendor_dir`, keeping the
/// relative paths, and reports what changed. Nothing is written unless `release` holds every
/// one of the files.
pub fn vendor_specs(release: &Path, vendor_dir: &Path) -> Result<Vec<VendoredFile>> {
    if !release.is_dir() {
        bail!(
            "release directory not found: {}\n\
             Pass the directory of a new release of the vendor specs, laid out like \
             schemas/vendor/ (zoom/..., msgraph/...).",
            release.display()
        );
    }
    if let (Ok(from), Ok(to)) = (release.canonicalize(), vendor_dir.canonicalize())
        && from == to
    {
        bail!(
            "{} is the repository's own copy of the specs; pass the directory of a new release",
            release.display()
        );
    }

    let mut missing = Vec::new();
    let mut releases = Vec::new();
    for path in spec_paths::ALL {
        match fs::read(locate(release, path)) {
            Ok(bytes) => releases.push((path, bytes)),
            Err(_) => missing.push(path),
        }
    }
    if !missing.is_empty() {
        bail!(
            "{} lacks {} of the spec files zentra uses, so nothing was copied:\n  {}\n\
             A release directory holds them at these paths, as schemas/vendor/ does.",
            release.display(),
            missing.len(),
            missing.join("\n  ")
        );
    }

    let mut files = Vec::new();
    for (path, bytes) in releases {
        let target = locate(vendor_dir, path);
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let change = match fs::read(&target) {
            Ok(current) if current == bytes => Change::Unchanged,
            Ok(current) => Change::Changed {
                previous: hex::encode(Sha256::digest(&current)),
            },
            Err(_) => Change::Added,
        };
        if change != Change::Unchanged {
            if let Some(parent) = target.parent() {
                fs::create_dir_all(parent)
                    .with_context(|| format!("cannot create {}", parent.display()))?;
            }
            fs::write(&target, &bytes)
                .with_context(|| format!("cannot write {}", target.display()))?;
        }
        files.push(VendoredFile {
            path,
            sha256,
            change,
        });
    }
    Ok(files)
}

/// Where the `/`-separated `relative` path lives under `dir`.
fn locate(dir: &Path, relative: &str) -> PathBuf {
    relative
        .split('/')
        .fold(dir.to_path_buf(), |path, part| path.join(part))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Writes every spec file into `dir`, each with `contents(path)`.
    fn write_release(dir: &Path, contents: impl Fn(&str) -> String) {
        for path in spec_paths::ALL {
            let file = locate(dir, path);
            fs::create_dir_all(file.parent().expect("parent")).expect("mkdir");
            fs::write(file, contents(path)).expect("write");
        }
    }

    #[test]
    fn a_release_lacking_a_file_is_refused_and_nothing_is_written() {
        let release = tempfile::tempdir().expect("tempdir");
        let vendor = tempfile::tempdir().expect("tempdir");
        write_release(release.path(), |path| format!("new {path}"));
        fs::remove_file(locate(release.path(), spec_paths::GRAPH_METADATA)).expect("remove");
        write_release(vendor.path(), |path| format!("old {path}"));

        let error = format!(
            "{:#}",
            vendor_specs(release.path(), vendor.path()).expect_err("refused")
        );
        assert!(error.contains("lacks 1 of the spec files"), "{error}");
        assert!(error.contains(spec_paths::GRAPH_METADATA), "{error}");
        assert!(error.contains("nothing was copied"), "{error}");
        for path in spec_paths::ALL {
            let kept = fs::read_to_string(locate(vendor.path(), path)).expect("still there");
            assert_eq!(kept, format!("old {path}"), "{path} was overwritten");
        }
    }

    #[test]
    fn changes_are_reported_by_sha256_and_the_release_is_copied() {
        let release = tempfile::tempdir().expect("tempdir");
        let vendor = tempfile::tempdir().expect("tempdir");
        write_release(release.path(), |path| {
            if path == spec_paths::ZOOM_ROOMS {
                "abc".to_string()
            } else {
                format!("same {path}")
            }
        });
        write_release(vendor.path(), |path| format!("same {path}"));
        fs::write(locate(vendor.path(), spec_paths::ZOOM_ROOMS), "").expect("write");
        fs::remove_file(locate(vendor.path(), spec_paths::GRAPH_TYPES)).expect("remove");

        let files = vendor_specs(release.path(), vendor.path()).expect("copied");
        assert_eq!(files.len(), spec_paths::ALL.len());
        let change = |path: &str| {
            files
                .iter()
                .find(|file| file.path == path)
                .unwrap_or_else(|| panic!("{path} reported"))
                .clone()
        };
        let rooms = change(spec_paths::ZOOM_ROOMS);
        assert_eq!(
            rooms.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            rooms.change,
            Change::Changed {
                previous: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
                    .to_string()
            }
        );
        assert_eq!(rooms.vendor(), "zoom");
        assert_eq!(change(spec_paths::GRAPH_TYPES).change, Change::Added);
        assert_eq!(change(spec_paths::GRAPH_TYPES).vendor(), "msgraph");
        assert_eq!(change(spec_paths::ZOOM_USERS).change, Change::Unchanged);
        for path in spec_paths::ALL {
            assert_eq!(
                fs::read(locate(vendor.path(), path)).expect("copied"),
                fs::read(locate(release.path(), path)).expect("release"),
                "{path} differs after copying"
            );
        }
    }

    #[test]
    fn the_vendor_directory_itself_is_not_a_release() {
        let vendor = tempfile::tempdir().expect("tempdir");
        write_release(vendor.path(), |path| path.to_string());
        let error = format!(
            "{:#}",
            vendor_specs(vendor.path(), vendor.path()).expect_err("refused")
        );
        assert!(error.contains("the repository's own copy"), "{error}");
    }

    #[test]
    fn a_missing_release_directory_is_explained() {
        let vendor = tempfile::tempdir().expect("tempdir");
        let missing = vendor.path().join("no-such-release");
        let error = format!(
            "{:#}",
            vendor_specs(&missing, vendor.path()).expect_err("refused")
        );
        assert!(error.contains("release directory not found"), "{error}");
        assert!(error.contains("no-such-release"), "{error}");
    }
}
