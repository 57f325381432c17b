//! The bytes of a stored state: JSON, sealed in an encryption envelope when encryption is
//! configured. Every store reads and writes through here, so each checks versions and keys the
//! same way.

use super::encryption::{Content, StateEncryption, decode, encode};
use super::{StateError, StateFile};

/// Reads stored bytes as a state: decrypts them if needed, then checks the format version and
/// the state's integrity.
/// `path` names the state in errors.
pub fn parse_state(
    bytes: Vec<u8>,
    path: &str,
    encryption: Option<&StateEncryption>,
) -> Result<StateFile, StateError> {
    let bytes = decode(bytes, encryption, Content::State).map_err(|e| StateError::Encryption {
        path: path.to_string(),
        message: e.message,
        hint: e.hint,
    })?;
    super::integrity::parse_json(path, &bytes)
}

/// The bytes to store for `state`: pretty JSON, sealed when encryption is configured.
pub fn state_bytes(
    state: &StateFile,
    path: &str,
    encryption: Option<&StateEncryption>,
) -> Result<Vec<u8>, StateError> {
    let mut json = serde_json::to_vec_pretty(state).map_err(|e| StateError::Corrupt {
        path: path.to_string(),
        message: e.to_string(),
    })?;
    json.push(b'\n');
    encode(json, encryption, Content::State).map_err(|e| StateError::Encryption {
        path: path.to_string(),
        message: e.message,
        hint: e.hint,
    })
}
