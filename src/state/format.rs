//! The bytes of a stored state: JSON, sealed in an encryption envelope when encryption is
//! configured. Every store reads and writes through here, so each checks versions and keys the
//! same way.

use super::encryption::{Content, StateEncryption, decode, encode};
use super::{STATE_FORMAT_VERSION, StateError, StateFile};

/// Reads stored bytes as a state: decrypts them if needed, then checks the format version.
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
    let probe: serde_json::Value =
        serde_json::from_slice(&bytes).map_err(|e| StateError::Corrupt {
            path: path.to_string(),
            message: e.to_string(),
        })?;
    let Some(found) = probe.get("version").and_then(serde_json::Value::as_u64) else {
        return Err(StateError::Corrupt {
            path: path.to_string(),
            message: "it has no format `version`: not a zentra state file".into(),
        });
    };
    if found != u64::from(STATE_FORMAT_VERSION) {
        return Err(StateError::Version {
            path: path.to_string(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
        });
    }
    serde_json::from_value(probe).map_err(|e| StateError::Corrupt {
        path: path.to_string(),
        message: e.to_string(),
    })
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
