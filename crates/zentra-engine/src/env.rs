//! The process environment as an explicit value, so every variable zentra reads is named in
//! one place and tests can run with an environment of their own. It also carries where a run's
//! progress events go ([`Progress`]), as everything configured from the environment (providers,
//! their clients) is handed it.

use std::collections::BTreeMap;

use crate::progress::Progress;
use crate::redact::Secrets;

/// Names of the environment variables zentra reads.
pub mod vars {
    pub const ZOOM_ACCOUNT_ID: &str = "ZOOM_ACCOUNT_ID";
    pub const ZOOM_CLIENT_ID: &str = "ZOOM_CLIENT_ID";
    pub const ZOOM_CLIENT_SECRET: &str = "ZOOM_CLIENT_SECRET";
    pub const ZOOM_API_URL: &str = "ZOOM_API_URL";
    pub const ZOOM_OAUTH_URL: &str = "ZOOM_OAUTH_URL";
    pub const AZURE_TENANT_ID: &str = "AZURE_TENANT_ID";
    pub const AZURE_CLIENT_ID: &str = "AZURE_CLIENT_ID";
    pub const AZURE_CLIENT_SECRET: &str = "AZURE_CLIENT_SECRET";
    pub const AZURE_GRAPH_URL: &str = "AZURE_GRAPH_URL";
    pub const AZURE_AUTHORITY_HOST: &str = "AZURE_AUTHORITY_HOST";
    /// The Microsoft cloud: `public`, `usgovernment` or `china`.
    pub const AZURE_ENVIRONMENT: &str = "AZURE_ENVIRONMENT";
    /// A PEM file with the certificate and private key of zentra's app registration.
    pub const AZURE_CLIENT_CERTIFICATE_PATH: &str = "AZURE_CLIENT_CERTIFICATE_PATH";
    /// A file with a federated token (workload identity federation), read on each use.
    pub const AZURE_FEDERATED_TOKEN_FILE: &str = "AZURE_FEDERATED_TOKEN_FILE";
    /// Set by GitHub Actions in jobs with `permissions: id-token: write`.
    pub const ACTIONS_ID_TOKEN_REQUEST_URL: &str = "ACTIONS_ID_TOKEN_REQUEST_URL";
    pub const ACTIONS_ID_TOKEN_REQUEST_TOKEN: &str = "ACTIONS_ID_TOKEN_REQUEST_TOKEN";
    /// The Azure CLI executable (`az` by default).
    pub const ZENTRA_AZURE_CLI: &str = "ZENTRA_AZURE_CLI";
    /// Prefix of variables that set configuration variables: `ZENTRA_VAR_<name>`.
    pub const ZENTRA_VAR_PREFIX: &str = "ZENTRA_VAR_";
    pub const NO_COLOR: &str = "NO_COLOR";

    /// Whether a variable of this name holds a credential (the client secrets, tokens, storage
    /// and state keys, passphrases, passwords, private keys): `env()` in configuration marks
    /// its value sensitive.
    pub fn holds_secret(name: &str) -> bool {
        let upper = name.to_ascii_uppercase();
        [
            "SECRET",
            "TOKEN",
            "PASSWORD",
            "PRIVATE_KEY",
            "PASSPHRASE",
            "ACCESS_KEY",
            "STORAGE_KEY",
            "STATE_KEY",
        ]
        .iter()
        .any(|word| upper.contains(word))
    }
}

/// A snapshot of environment variables, the run's progress handle, and the secrets it learns
/// (which every message is cleared of before it is shown).
#[derive(Clone, Debug, Default)]
pub struct Environment {
    vars: BTreeMap<String, String>,
    progress: Progress,
    secrets: Secrets,
}

impl Environment {
    /// The current process environment.
    pub fn from_process() -> Self {
        Environment {
            vars: std::env::vars().collect(),
            progress: Progress::default(),
            secrets: Secrets::default(),
        }
    }

    pub fn from_pairs<K: Into<String>, V: Into<String>>(
        pairs: impl IntoIterator<Item = (K, V)>,
    ) -> Self {
        Environment {
            vars: pairs
                .into_iter()
                .map(|(k, v)| (k.into(), v.into()))
                .collect(),
            progress: Progress::default(),
            secrets: Secrets::default(),
        }
    }

    /// The same environment, with progress events (rate-limit and lock waits) going to
    /// `progress`.
    pub fn with_progress(mut self, progress: Progress) -> Self {
        self.progress = progress;
        self
    }

    /// Where progress events go.
    pub fn progress(&self) -> &Progress {
        &self.progress
    }

    /// The same environment, with the secrets evaluation learns going to `secrets` (the
    /// printer's, so that no message shows them).
    pub fn with_secrets(mut self, secrets: Secrets) -> Self {
        self.secrets = secrets;
        self
    }

    /// The run's secrets: evaluation adds what it finds sensitive.
    pub fn secrets(&self) -> &Secrets {
        &self.secrets
    }

    /// The values of the variables that hold credentials (client secrets, tokens).
    pub fn secret_values(&self) -> impl Iterator<Item = &str> {
        self.vars
            .iter()
            .filter(|(k, _)| vars::holds_secret(k))
            .map(|(_, v)| v.as_str())
    }

    /// The variable's value, treating an empty value as unset.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.vars
            .get(name)
            .map(String::as_str)
            .filter(|v| !v.is_empty())
    }

    pub fn set(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.vars.insert(name.into(), value.into());
    }

    /// All variables whose names start with `prefix`, with the prefix removed.
    pub fn with_prefix<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> {
        self.vars
            .iter()
            .filter_map(move |(k, v)| Some((k.strip_prefix(prefix)?, v.as_str())))
    }
}
