//! Reading the files zentra is pointed at — configuration, variables files, `file()`, state,
//! saved plans, credentials, seeds — with the same limits everywhere: only regular files (after
//! following symbolic links), never more than a cap per kind of file. A device such as
//! `/dev/zero` could otherwise be read until memory runs out, and a named pipe could block a run
//! forever; both are refused, naming the file and why.

use std::fmt;
use std::fs::{File, OpenOptions};
use std::io::Read;
use std::path::Path;

/// What a file is read as; each kind has its own size cap.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FileKind {
    /// A `*.zen.hcl` file.
    Configuration,
    /// A `--var-file` or `zentra.vars.hcl`.
    Variables,
    /// A file read by `file()` in configuration.
    FileFunction,
    /// A state file (and its backup).
    State,
    /// A plan saved with `zentra plan --out`.
    Plan,
    /// A PEM certificate and key, or a federated token.
    Credential,
    /// An emulator seed.
    Seed,
}

const MIB: u64 = 1024 * 1024;

impl FileKind {
    /// The largest file of this kind zentra reads, in bytes.
    pub fn limit(self) -> u64 {
        match self {
            FileKind::Configuration | FileKind::Variables | FileKind::FileFunction => 16 * MIB,
            FileKind::State | FileKind::Plan => 128 * MIB,
            FileKind::Credential => MIB,
            FileKind::Seed => 64 * MIB,
        }
    }
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// Nothing is there.
    NotFound,
    /// A symbolic link whose target does not exist.
    DanglingLink,
    /// Symbolic links that lead back to themselves.
    LinkLoop,
    /// Something other than a regular file (a directory, a named pipe, a device, a socket).
    NotRegular(&'static str),
    /// Larger than the kind's cap.
    TooLarge {
        limit: u64,
    },
    /// Not UTF-8 text (for [`read_text`]).
    NotText,
    Io(std::io::Error),
}

impl ReadError {
    pub fn is_not_found(&self) -> bool {
        matches!(self, ReadError::NotFound)
    }

    /// The error as an `std::io::Error`, for callers that report those.
    pub fn into_io(self) -> std::io::Error {
        match self {
            ReadError::Io(e) => e,
            ReadError::NotFound => {
                std::io::Error::new(std::io::ErrorKind::NotFound, self.to_string())
            }
            ReadError::NotText => {
                std::io::Error::new(std::io::ErrorKind::InvalidData, self.to_string())
            }
            other => std::io::Error::other(other.to_string()),
        }
    }
}

impl fmt::Display for ReadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReadError::NotFound => write!(f, "it does not exist"),
            ReadError::DanglingLink => {
                write!(f, "it is a symbolic link to a file that does not exist")
            }
            ReadError::LinkLoop => write!(f, "it is a loop of symbolic links"),
            ReadError::NotRegular(what) => write!(f, "it is {what}, not a regular file"),
            ReadError::TooLarge { limit } => write!(f, "it is larger than {}", size_text(*limit)),
            ReadError::NotText => write!(f, "it is not UTF-8 text"),
            ReadError::Io(e) => write!(f, "{e}"),
        }
    }
}

impl std::error::Error for ReadError {}

/// `16 MiB`, `512 KiB`.
fn size_text(bytes: u64) -> String {
    if bytes >= MIB && bytes.is_multiple_of(MIB) {
        format!("{} MiB", bytes / MIB)
    } else if bytes >= 1024 {
        format!("{} KiB", bytes / 1024)
    } else {
        format!("{bytes} bytes")
    }
}

/// Reads a regular file of at most `kind`'s cap.
pub fn read_bytes(path: &Path, kind: FileKind) -> Result<Vec<u8>, ReadError> {
    let file = open_regular(path)?;
    let limit = kind.limit();
    let mut bytes = Vec::new();
    // The cap holds even for a file that grows while it is read.
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge { limit });
    }
    Ok(bytes)
}

/// Reads a regular UTF-8 file of at most `kind`'s cap.
pub fn read_text(path: &Path, kind: FileKind) -> Result<String, ReadError> {
    String::from_utf8(read_bytes(path, kind)?).map_err(|_| ReadError::NotText)
}

/// Whether `path` can be read as a regular file (following symbolic links), without reading
/// it: what [`read_bytes`] would refuse, it refuses.
pub fn check_regular(path: &Path) -> Result<(), ReadError> {
    open_regular(path).map(drop)
}

/// Opens `path` for reading, refusing anything but a regular file. The type is checked on the
/// opened file, not before opening, so nothing can be swapped in between; a named pipe is
/// opened without blocking (it would wait for a writer otherwise).
fn open_regular(path: &Path) -> Result<File, ReadError> {
    let mut options = OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(|e| open_error(path, e))?;
    let metadata = file.metadata().map_err(ReadError::Io)?;
    if !metadata.is_file() {
        return Err(ReadError::NotRegular(file_type_name(&metadata.file_type())));
    }
    Ok(file)
}

fn open_error(path: &Path, e: std::io::Error) -> ReadError {
    #[cfg(unix)]
    if e.raw_os_error() == Some(libc::ELOOP) {
        return ReadError::LinkLoop;
    }
    if e.kind() == std::io::ErrorKind::NotFound {
        let is_link = std::fs::symlink_metadata(path).is_ok_and(|m| m.file_type().is_symlink());
        return if is_link {
            ReadError::DanglingLink
        } else {
            ReadError::NotFound
        };
    }
    ReadError::Io(e)
}

fn file_type_name(file_type: &std::fs::FileType) -> &'static str {
    if file_type.is_dir() {
        return "a directory";
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if file_type.is_fifo() {
            return "a named pipe";
        }
        if file_type.is_char_device() || file_type.is_block_device() {
            return "a device";
        }
        if file_type.is_socket() {
            return "a socket";
        }
    }
    "not a regular file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn regular_files_are_read_up_to_their_cap() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.zen.hcl");
        std::fs::write(&path, "x = 1\n").unwrap();
        assert_eq!(
            read_text(&path, FileKind::Configuration).unwrap(),
            "x = 1\n"
        );
        let big = dir.path().join("big.pem");
        std::fs::write(
            &big,
            vec![b'a'; (FileKind::Credential.limit() + 1) as usize],
        )
        .unwrap();
        let err = read_bytes(&big, FileKind::Credential).unwrap_err();
        assert_eq!(err.to_string(), "it is larger than 1 MiB");
        std::fs::write(&path, [0xff, 0xfe]).unwrap();
        assert!(matches!(
            read_text(&path, FileKind::Configuration),
            Err(ReadError::NotText)
        ));
    }

    #[cfg(unix)]
    #[test]
    fn devices_pipes_directories_and_broken_links_are_refused_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let err = read_bytes(Path::new("/dev/zero"), FileKind::State).unwrap_err();
        assert_eq!(err.to_string(), "it is a device, not a regular file");
        assert_eq!(
            read_bytes(dir.path(), FileKind::State)
                .unwrap_err()
                .to_string(),
            "it is a directory, not a regular file"
        );
        let fifo = dir.path().join("pipe");
        let c_path = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path; mkfifo only creates a file system entry.
        assert_eq!(unsafe { libc::mkfifo(c_path.as_ptr(), 0o600) }, 0);
        assert_eq!(
            read_bytes(&fifo, FileKind::Plan).unwrap_err().to_string(),
            "it is a named pipe, not a regular file"
        );
        let dangling = dir.path().join("dangling");
        std::os::unix::fs::symlink(dir.path().join("missing"), &dangling).unwrap();
        assert!(matches!(
            read_bytes(&dangling, FileKind::State),
            Err(ReadError::DanglingLink)
        ));
        let a = dir.path().join("a");
        let b = dir.path().join("b");
        std::os::unix::fs::symlink(&b, &a).unwrap();
        std::os::unix::fs::symlink(&a, &b).unwrap();
        assert!(matches!(
            read_bytes(&a, FileKind::State),
            Err(ReadError::LinkLoop)
        ));
        assert!(
            read_bytes(&dir.path().join("none"), FileKind::State)
                .unwrap_err()
                .is_not_found()
        );
    }
}
