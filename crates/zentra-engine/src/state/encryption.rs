//! Client-side encryption of state and saved plans, so that storage (and whoever can read it)
//! never sees a setting's value: AES-256-GCM with a random 96-bit nonce per write, the key
//! given as 32 bytes (`ZENTRA_STATE_KEY`, base64, or a key file) or derived from a passphrase
//! (`ZENTRA_STATE_PASSPHRASE`) with PBKDF2-SHA256 and a salt stored in the envelope. A second,
//! old key (`..._OLD`, `old_key_file`) is tried for reading while keys are rotated; writes
//! always use the current one.
//!
//! The envelope is versioned JSON: `{"zentra_encrypted": 1, "algorithm", "content", "key_id",
//! "kdf", "nonce", "ciphertext"}`. Everything but the ciphertext is authenticated as associated
//! data. `key_id` (the first 8 bytes of a SHA-256 of the key, in hex) lets a wrong key be
//! named before any decryption is tried; it tells nothing about the key itself.

use std::path::Path;
use std::sync::Mutex;

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Nonce};
use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rand::RngCore as _;
use secrecy::{ExposeSecret, SecretBox, SecretString};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::config::EncryptionSettings;
use crate::env::Environment;

/// The envelope format version this build reads and writes.
pub const ENVELOPE_VERSION: u32 = 1;
/// PBKDF2-SHA256 iterations for a passphrase unless `iterations` says otherwise (OWASP's
/// recommendation for PBKDF2-HMAC-SHA256).
pub const DEFAULT_ITERATIONS: u32 = 600_000;
/// The fewest iterations `iterations` accepts.
pub const MIN_ITERATIONS: u32 = 100_000;
const ALGORITHM: &str = "AES-256-GCM";
const KDF_NAME: &str = "pbkdf2-sha256";
const SALT_LEN: usize = 16;

/// The environment variables that carry keys.
pub mod vars {
    pub const KEY: &str = "ZENTRA_STATE_KEY";
    pub const PASSPHRASE: &str = "ZENTRA_STATE_PASSPHRASE";
    pub const KEY_OLD: &str = "ZENTRA_STATE_KEY_OLD";
    pub const PASSPHRASE_OLD: &str = "ZENTRA_STATE_PASSPHRASE_OLD";
}

/// What an envelope holds; a plan cannot be read as a state, nor the reverse.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Content {
    State,
    Plan,
}

impl Content {
    fn name(self) -> &'static str {
        match self {
            Content::State => "state",
            Content::Plan => "plan",
        }
    }
}

/// Why something could not be sealed or opened. Never holds a key, a passphrase or plaintext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EncryptionError {
    pub message: String,
    pub hint: Option<String>,
}

impl EncryptionError {
    fn new(message: impl Into<String>) -> Self {
        EncryptionError {
            message: message.into(),
            hint: None,
        }
    }

    fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

impl std::fmt::Display for EncryptionError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Kdf {
    name: String,
    iterations: u32,
    salt: String,
}

#[derive(Debug, Serialize, Deserialize)]
struct Envelope {
    zentra_encrypted: u32,
    algorithm: String,
    content: String,
    key_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    kdf: Option<Kdf>,
    nonce: String,
    ciphertext: String,
}

impl Envelope {
    /// The authenticated header: every field but the ciphertext.
    fn associated_data(&self) -> Vec<u8> {
        let kdf = self
            .kdf
            .as_ref()
            .map(|k| format!("{}:{}:{}", k.name, k.iterations, k.salt))
            .unwrap_or_default();
        format!(
            "zentra_encrypted={};algorithm={};content={};key_id={};kdf={kdf};nonce={}",
            self.zentra_encrypted, self.algorithm, self.content, self.key_id, self.nonce
        )
        .into_bytes()
    }
}

/// Where a key comes from.
enum KeySource {
    Key {
        key: SecretBox<[u8; 32]>,
        from: String,
    },
    Passphrase {
        passphrase: SecretString,
        from: String,
    },
}

impl KeySource {
    fn from(&self) -> &str {
        match self {
            KeySource::Key { from, .. } | KeySource::Passphrase { from, .. } => from,
        }
    }
}

/// A derived or given key, with its id.
struct ReadyKey {
    key: SecretBox<[u8; 32]>,
    id: String,
    kdf: Option<Kdf>,
}

fn key_id(key: &[u8; 32]) -> String {
    let digest = Sha256::new()
        .chain_update(b"zentra state key id\0")
        .chain_update(key)
        .finalize();
    hex::encode(&digest[..8])
}

fn derive(passphrase: &SecretString, kdf: &Kdf) -> Result<ReadyKey, EncryptionError> {
    let salt = BASE64
        .decode(&kdf.salt)
        .map_err(|_| EncryptionError::new("the envelope's salt is not base64"))?;
    let mut key = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(
        passphrase.expose_secret().as_bytes(),
        &salt,
        kdf.iterations,
        &mut key,
    );
    let id = key_id(&key);
    Ok(ReadyKey {
        key: SecretBox::new(Box::new(key)),
        id,
        kdf: Some(kdf.clone()),
    })
}

/// The configured keys of one run.
pub struct StateEncryption {
    current: KeySource,
    old: Option<KeySource>,
    enforced: bool,
    iterations: u32,
    /// Keys derived from passphrases so far, by salt: a passphrase is stretched once per salt
    /// and run, not once per write. The first one derived from the current passphrase is also
    /// the one writes use.
    derived: Mutex<Vec<(bool, Kdf, ReadyKey)>>,
}

impl std::fmt::Debug for StateEncryption {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StateEncryption")
            .field("current", &self.current.from())
            .field("old", &self.old.as_ref().map(KeySource::from))
            .field("enforced", &self.enforced)
            .finish()
    }
}

impl StateEncryption {
    /// The keys `settings` asks for, from the environment and key files (relative to `dir`);
    /// `None` when there is no `encryption` block.
    pub fn from_settings(
        settings: Option<&EncryptionSettings>,
        dir: &Path,
        env: &Environment,
    ) -> Result<Option<StateEncryption>, EncryptionError> {
        let Some(settings) = settings else {
            return Ok(None);
        };
        let current = key_source(
            env,
            vars::KEY,
            vars::PASSPHRASE,
            settings.key_file.as_deref(),
            "key_file",
            dir,
        )?
        .ok_or_else(|| {
            EncryptionError::new("`encryption` is configured, but no key is given").with_hint(
                format!(
                    "set {} (base64 of 32 random bytes, e.g. `openssl rand -base64 32`) or {} in \
                     the environment, or write `key_file = \"PATH\"`",
                    vars::KEY,
                    vars::PASSPHRASE
                ),
            )
        })?;
        let old = key_source(
            env,
            vars::KEY_OLD,
            vars::PASSPHRASE_OLD,
            settings.old_key_file.as_deref(),
            "old_key_file",
            dir,
        )?;
        Ok(Some(StateEncryption {
            current,
            old,
            enforced: settings.enforced,
            iterations: settings.iterations.unwrap_or(DEFAULT_ITERATIONS),
            derived: Mutex::new(Vec::new()),
        }))
    }

    /// Whether unencrypted state and plans are refused.
    pub fn enforced(&self) -> bool {
        self.enforced
    }

    /// The key to write with (derived once per run from a passphrase, with a fresh salt unless
    /// a state was read with the current passphrase already).
    fn write_key(&self) -> Result<ReadyKey, EncryptionError> {
        match &self.current {
            KeySource::Key { key, .. } => Ok(ReadyKey {
                id: key_id(key.expose_secret()),
                key: SecretBox::new(Box::new(*key.expose_secret())),
                kdf: None,
            }),
            KeySource::Passphrase { passphrase, .. } => {
                let mut derived = self.derived.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((_, kdf, ready)) = derived
                    .iter()
                    .find(|(old, kdf, _)| !old && kdf.iterations == self.iterations)
                {
                    return Ok(ReadyKey {
                        key: SecretBox::new(Box::new(*ready.key.expose_secret())),
                        id: ready.id.clone(),
                        kdf: Some(kdf.clone()),
                    });
                }
                let mut salt = [0u8; SALT_LEN];
                rand::rng().fill_bytes(&mut salt);
                let kdf = Kdf {
                    name: KDF_NAME.into(),
                    iterations: self.iterations,
                    salt: BASE64.encode(salt),
                };
                let ready = derive(passphrase, &kdf)?;
                let copy = ReadyKey {
                    key: SecretBox::new(Box::new(*ready.key.expose_secret())),
                    id: ready.id.clone(),
                    kdf: Some(kdf.clone()),
                };
                derived.push((false, kdf, ready));
                Ok(copy)
            }
        }
    }

    /// The key of `source` for an envelope with `kdf`, if the source matches its kind.
    fn read_key(
        &self,
        source: &KeySource,
        is_old: bool,
        kdf: Option<&Kdf>,
    ) -> Result<Option<ReadyKey>, EncryptionError> {
        match (source, kdf) {
            (KeySource::Key { key, .. }, None) => Ok(Some(ReadyKey {
                id: key_id(key.expose_secret()),
                key: SecretBox::new(Box::new(*key.expose_secret())),
                kdf: None,
            })),
            (KeySource::Passphrase { passphrase, .. }, Some(kdf)) => {
                if kdf.name != KDF_NAME {
                    return Err(EncryptionError::new(format!(
                        "the key derivation `{}` is unknown to this zentra",
                        kdf.name
                    )));
                }
                if kdf.iterations < MIN_ITERATIONS / 10 || kdf.iterations > 100_000_000 {
                    return Err(EncryptionError::new(format!(
                        "the envelope asks for {} PBKDF2 iterations, out of any sane range",
                        kdf.iterations
                    )));
                }
                let mut derived = self.derived.lock().unwrap_or_else(|e| e.into_inner());
                if let Some((_, _, ready)) = derived
                    .iter()
                    .find(|(old, known, _)| *old == is_old && known == kdf)
                {
                    return Ok(Some(ReadyKey {
                        key: SecretBox::new(Box::new(*ready.key.expose_secret())),
                        id: ready.id.clone(),
                        kdf: Some(kdf.clone()),
                    }));
                }
                let ready = derive(passphrase, kdf)?;
                let copy = ReadyKey {
                    key: SecretBox::new(Box::new(*ready.key.expose_secret())),
                    id: ready.id.clone(),
                    kdf: Some(kdf.clone()),
                };
                derived.push((is_old, kdf.clone(), ready));
                Ok(Some(copy))
            }
            _ => Ok(None),
        }
    }

    /// Encrypts `plaintext` into an envelope.
    pub fn seal(&self, plaintext: &[u8], content: Content) -> Result<Vec<u8>, EncryptionError> {
        let ready = self.write_key()?;
        let mut nonce = [0u8; 12];
        rand::rng().fill_bytes(&mut nonce);
        let mut envelope = Envelope {
            zentra_encrypted: ENVELOPE_VERSION,
            algorithm: ALGORITHM.into(),
            content: content.name().into(),
            key_id: ready.id.clone(),
            kdf: ready.kdf.clone(),
            nonce: BASE64.encode(nonce),
            ciphertext: String::new(),
        };
        let aad = envelope.associated_data();
        let cipher = Aes256Gcm::new_from_slice(ready.key.expose_secret())
            .map_err(|_| EncryptionError::new("the key is not 32 bytes"))?;
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            .map_err(|_| EncryptionError::new("encryption failed"))?;
        envelope.ciphertext = BASE64.encode(sealed);
        let mut out = serde_json::to_vec_pretty(&envelope)
            .map_err(|e| EncryptionError::new(format!("cannot write the envelope: {e}")))?;
        out.push(b'\n');
        Ok(out)
    }

    /// Decrypts an envelope, with the current key or else the old one.
    fn open_envelope(
        &self,
        envelope: &Envelope,
        content: Content,
    ) -> Result<Vec<u8>, EncryptionError> {
        if envelope.zentra_encrypted != ENVELOPE_VERSION || envelope.algorithm != ALGORITHM {
            return Err(EncryptionError::new(format!(
                "it is encrypted with envelope version {} and {}, which this zentra does not read",
                envelope.zentra_encrypted, envelope.algorithm
            ))
            .with_hint("use the zentra version that wrote it (or a later one)"));
        }
        if envelope.content != content.name() {
            return Err(EncryptionError::new(format!(
                "it holds an encrypted {}, not a {}",
                envelope.content,
                content.name()
            )));
        }
        let mut tried = Vec::new();
        let sources =
            std::iter::once((&self.current, false)).chain(self.old.as_ref().map(|o| (o, true)));
        for (source, is_old) in sources {
            let Some(ready) = self.read_key(source, is_old, envelope.kdf.as_ref())? else {
                tried.push(format!(
                    "{} is a {}",
                    source.from(),
                    match source {
                        KeySource::Key { .. } => "key, the envelope needs a passphrase",
                        KeySource::Passphrase { .. } => "passphrase, the envelope needs a key",
                    }
                ));
                continue;
            };
            if ready.id != envelope.key_id {
                tried.push(format!("{} has key id {}", source.from(), ready.id));
                continue;
            }
            let nonce = BASE64
                .decode(&envelope.nonce)
                .ok()
                .filter(|n| n.len() == 12)
                .ok_or_else(|| EncryptionError::new("the envelope's nonce is not 12 bytes"))?;
            let ciphertext = BASE64
                .decode(&envelope.ciphertext)
                .map_err(|_| EncryptionError::new("the envelope's ciphertext is not base64"))?;
            let cipher = Aes256Gcm::new_from_slice(ready.key.expose_secret())
                .map_err(|_| EncryptionError::new("the key is not 32 bytes"))?;
            return cipher
                .decrypt(
                    Nonce::from_slice(&nonce),
                    Payload {
                        msg: &ciphertext,
                        aad: &envelope.associated_data(),
                    },
                )
                .map_err(|_| {
                    EncryptionError::new(
                        "it does not decrypt with the matching key: it was altered or damaged",
                    )
                    .with_hint("restore a previous version of it")
                });
        }
        Err(EncryptionError::new(format!(
            "it is encrypted with key id {}, and no key given matches ({})",
            envelope.key_id,
            tried.join("; ")
        ))
        .with_hint(format!(
            "set the key it was written with in {} or {}; while rotating keys, give the new key \
             there and the old one in {} or {} (or `old_key_file`)",
            vars::KEY,
            vars::PASSPHRASE,
            vars::KEY_OLD,
            vars::PASSPHRASE_OLD
        )))
    }
}

/// Reads the key of one slot (current or old): a key variable, a passphrase variable, or a
/// key file; more than one is an error.
fn key_source(
    env: &Environment,
    key_var: &str,
    passphrase_var: &str,
    file: Option<&str>,
    file_arg: &str,
    dir: &Path,
) -> Result<Option<KeySource>, EncryptionError> {
    let key = env.get(key_var).filter(|v| !v.trim().is_empty());
    let passphrase = env.get(passphrase_var).filter(|v| !v.is_empty());
    let given: Vec<&str> = [
        key.map(|_| key_var),
        passphrase.map(|_| passphrase_var),
        file.map(|_| file_arg),
    ]
    .into_iter()
    .flatten()
    .collect();
    if given.len() > 1 {
        return Err(EncryptionError::new(format!(
            "more than one key is given: {}",
            given.join(", ")
        ))
        .with_hint("give one of them"));
    }
    if let Some(text) = key {
        return decode_key(text, key_var).map(|key| {
            Some(KeySource::Key {
                key,
                from: key_var.into(),
            })
        });
    }
    if let Some(passphrase) = passphrase {
        if passphrase.chars().count() < 16 {
            return Err(EncryptionError::new(format!(
                "{passphrase_var} is shorter than 16 characters"
            ))
            .with_hint(
                "use a long passphrase (several words), or a random key in ZENTRA_STATE_KEY",
            ));
        }
        return Ok(Some(KeySource::Passphrase {
            passphrase: SecretString::from(passphrase.to_string()),
            from: passphrase_var.into(),
        }));
    }
    if let Some(file) = file {
        let path = dir.join(file);
        let text =
            crate::files::read_text(&path, crate::files::FileKind::Credential).map_err(|e| {
                EncryptionError::new(format!(
                    "cannot read the key file `{file}` ({file_arg}): {e}"
                ))
            })?;
        let from = format!("the key file `{file}`");
        return decode_key(&text, &from).map(|key| Some(KeySource::Key { key, from }));
    }
    Ok(None)
}

fn decode_key(text: &str, from: &str) -> Result<SecretBox<[u8; 32]>, EncryptionError> {
    let bytes = BASE64.decode(text.trim()).map_err(|_| {
        EncryptionError::new(format!("{from} is not base64"))
            .with_hint("make a key with `openssl rand -base64 32`")
    })?;
    let key: [u8; 32] = bytes.as_slice().try_into().map_err(|_| {
        EncryptionError::new(format!(
            "{from} holds {} bytes; an AES-256 key is 32",
            bytes.len()
        ))
        .with_hint("make a key with `openssl rand -base64 32`")
    })?;
    Ok(SecretBox::new(Box::new(key)))
}

/// Whether `bytes` are an encryption envelope.
pub fn is_sealed(bytes: &[u8]) -> bool {
    #[derive(Deserialize)]
    struct Probe {
        zentra_encrypted: Option<serde_json::Value>,
    }
    serde_json::from_slice::<Probe>(bytes).is_ok_and(|p| p.zentra_encrypted.is_some())
}

/// What to store for `plaintext`: an envelope when encryption is configured, else the
/// plaintext itself.
pub fn encode(
    plaintext: Vec<u8>,
    encryption: Option<&StateEncryption>,
    content: Content,
) -> Result<Vec<u8>, EncryptionError> {
    match encryption {
        Some(e) => e.seal(&plaintext, content),
        None => Ok(plaintext),
    }
}

/// The plaintext of stored `bytes`: decrypted when they are an envelope. An envelope without
/// encryption configured, and plaintext when encryption is enforced, are refused.
pub fn decode(
    bytes: Vec<u8>,
    encryption: Option<&StateEncryption>,
    content: Content,
) -> Result<Vec<u8>, EncryptionError> {
    if !is_sealed(&bytes) {
        return match encryption {
            Some(e) if e.enforced() => Err(EncryptionError::new(
                "it is not encrypted, and the configuration enforces encryption (`enforced = true`)",
            )
            .with_hint(format!(
                "to encrypt an existing {0} once, set `enforced = false`, run `zentra init` (it writes the {0} encrypted), then enforce again",
                content.name()
            ))),
            _ => Ok(bytes),
        };
    }
    let envelope: Envelope = serde_json::from_slice(&bytes)
        .map_err(|e| EncryptionError::new(format!("its encryption envelope is not valid: {e}")))?;
    match encryption {
        Some(e) => e.open_envelope(&envelope, content),
        None => Err(EncryptionError::new(format!(
            "it is encrypted (key id {}), and the configuration has no `encryption` block",
            envelope.key_id
        ))
        .with_hint(format!(
            "add `encryption {{}}` to the `zentra` block and set {} or {}",
            vars::KEY,
            vars::PASSPHRASE
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings() -> EncryptionSettings {
        EncryptionSettings {
            iterations: Some(MIN_ITERATIONS),
            ..EncryptionSettings::default()
        }
    }

    fn with_env(pairs: &[(&str, &str)], settings: &EncryptionSettings) -> StateEncryption {
        let env = Environment::from_pairs(pairs.iter().copied());
        StateEncryption::from_settings(Some(settings), Path::new("."), &env)
            .unwrap()
            .unwrap()
    }

    const KEY_A: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const KEY_B: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";

    #[test]
    fn a_sealed_state_holds_no_plaintext_and_opens_with_its_key() {
        let enc = with_env(&[(vars::KEY, KEY_A)], &settings());
        let plain = br#"{"secret_setting": "very-visible-value"}"#.to_vec();
        let sealed = encode(plain.clone(), Some(&enc), Content::State).unwrap();
        let text = String::from_utf8(sealed.clone()).unwrap();
        assert!(!text.contains("very-visible-value"), "{text}");
        assert!(is_sealed(&sealed));
        // A fresh nonce per write: the same plaintext never seals the same way twice.
        let again = enc.seal(&plain, Content::State).unwrap();
        assert_ne!(sealed, again);
        assert_eq!(
            decode(sealed.clone(), Some(&enc), Content::State).unwrap(),
            plain
        );
        let as_plan = decode(sealed, Some(&enc), Content::Plan).unwrap_err();
        assert!(as_plan.message.contains("not a plan"), "{as_plan}");
    }

    #[test]
    fn a_wrong_key_is_named_by_id_and_an_old_key_reads_during_rotation() {
        let a = with_env(&[(vars::KEY, KEY_A)], &settings());
        let sealed = a.seal(b"{}", Content::State).unwrap();
        let b = with_env(&[(vars::KEY, KEY_B)], &settings());
        let wrong = decode(sealed.clone(), Some(&b), Content::State).unwrap_err();
        let id_a = key_id(&BASE64.decode(KEY_A).unwrap().try_into().unwrap());
        assert!(wrong.message.contains(&format!("key id {id_a}")), "{wrong}");
        assert!(
            wrong.message.contains("ZENTRA_STATE_KEY has key id"),
            "{wrong}"
        );
        assert!(!wrong.message.contains(KEY_B) && !wrong.message.contains(KEY_A));
        assert!(wrong.hint.unwrap().contains("ZENTRA_STATE_KEY_OLD"));
        // Rotation: the new key writes, the old one still reads.
        let rotating = with_env(&[(vars::KEY, KEY_B), (vars::KEY_OLD, KEY_A)], &settings());
        assert_eq!(
            decode(sealed, Some(&rotating), Content::State).unwrap(),
            b"{}"
        );
        let rewritten = rotating.seal(b"{}", Content::State).unwrap();
        assert!(decode(rewritten, Some(&a), Content::State).is_err());
    }

    #[test]
    fn a_passphrase_is_stretched_with_the_envelopes_salt() {
        let phrase = "correct horse battery staple";
        let enc = with_env(&[(vars::PASSPHRASE, phrase)], &settings());
        let sealed = enc.seal(b"[1]", Content::Plan).unwrap();
        let envelope: serde_json::Value = serde_json::from_slice(&sealed).unwrap();
        assert_eq!(envelope["kdf"]["name"], KDF_NAME);
        assert_eq!(envelope["kdf"]["iterations"], MIN_ITERATIONS);
        // Another run (no cached key) derives the same key from the stored salt.
        let other_run = with_env(&[(vars::PASSPHRASE, phrase)], &settings());
        assert_eq!(
            decode(sealed.clone(), Some(&other_run), Content::Plan).unwrap(),
            b"[1]"
        );
        let wrong = with_env(
            &[(vars::PASSPHRASE, "incorrect horse battery staple")],
            &settings(),
        );
        assert!(decode(sealed.clone(), Some(&wrong), Content::Plan).is_err());
        let key_instead = with_env(&[(vars::KEY, KEY_A)], &settings());
        let e = decode(sealed, Some(&key_instead), Content::Plan).unwrap_err();
        assert!(e.message.contains("needs a passphrase"), "{e}");
    }

    #[test]
    fn plaintext_and_missing_configuration_are_handled_as_configured() {
        let mut enforced = settings();
        enforced.enforced = true;
        let strict = with_env(&[(vars::KEY, KEY_A)], &enforced);
        let e = decode(b"{}".to_vec(), Some(&strict), Content::State).unwrap_err();
        assert!(e.message.contains("enforces encryption"), "{e}");
        let lenient = with_env(&[(vars::KEY, KEY_A)], &settings());
        assert_eq!(
            decode(b"{}".to_vec(), Some(&lenient), Content::State).unwrap(),
            b"{}"
        );
        let sealed = lenient.seal(b"{}", Content::State).unwrap();
        let e = decode(sealed, None, Content::State).unwrap_err();
        assert!(e.message.contains("no `encryption` block"), "{e}");
    }

    #[test]
    fn keys_are_checked_when_read() {
        let env = Environment::from_pairs([(vars::KEY, "c2hvcnQ=")]);
        let e =
            StateEncryption::from_settings(Some(&settings()), Path::new("."), &env).unwrap_err();
        assert!(e.message.contains("holds 5 bytes"), "{e}");
        let env =
            Environment::from_pairs([(vars::KEY, KEY_A), (vars::PASSPHRASE, &*"x".repeat(20))]);
        let e =
            StateEncryption::from_settings(Some(&settings()), Path::new("."), &env).unwrap_err();
        assert!(e.message.contains("more than one key"), "{e}");
        let env = Environment::from_pairs([(vars::PASSPHRASE, "short")]);
        assert!(StateEncryption::from_settings(Some(&settings()), Path::new("."), &env).is_err());
        let none = Environment::from_pairs(Vec::<(String, String)>::new());
        let e =
            StateEncryption::from_settings(Some(&settings()), Path::new("."), &none).unwrap_err();
        assert!(e.hint.unwrap().contains("openssl rand -base64 32"));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("state.key"), format!("{KEY_A}\n")).unwrap();
        let from_file = EncryptionSettings {
            key_file: Some("state.key".into()),
            ..settings()
        };
        let enc = StateEncryption::from_settings(Some(&from_file), dir.path(), &none)
            .unwrap()
            .unwrap();
        let by_variable = with_env(&[(vars::KEY, KEY_A)], &settings());
        let sealed = enc.seal(b"{}", Content::State).unwrap();
        assert_eq!(
            decode(sealed, Some(&by_variable), Content::State).unwrap(),
            b"{}"
        );
    }
}
