//! `zentra { backend "TYPE" { ... } encryption { ... } }`: where state lives and how it is
//! sealed. Only literal, non-secret settings are accepted here; credentials and keys come from
//! the clouds' usual environment variables, and writing one in configuration is an error that
//! names the variable to use instead.

use hcl::edit::Span as _;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Attribute, Block, Body, Structure};
use serde::{Deserialize, Serialize};

use super::{Config, literal_bool, literal_string, unknown_attr};
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};

/// Where state is kept.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "lowercase")]
pub enum Backend {
    /// A file on the local disk (the default, `zentra.state.json`).
    Local {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        path: Option<String>,
    },
    /// A blob in an Azure Storage container.
    Azurerm(AzurermBackend),
    /// An object in an S3 bucket, or in S3-compatible storage.
    S3(S3Backend),
}

/// `backend "azurerm" { ... }`, named as Terraform's azurerm backend names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AzurermBackend {
    pub storage_account_name: String,
    pub container_name: String,
    pub key: String,
    /// Sign in with Entra ID (a role such as Storage Blob Data Contributor) instead of the
    /// account key or a SAS token.
    #[serde(default)]
    pub use_azuread_auth: bool,
    /// The blob service URL, for sovereign clouds and emulators (default
    /// `https://{storage_account_name}.blob.core.windows.net`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
}

/// `backend "s3" { ... }`, named as Terraform's s3 backend names them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct S3Backend {
    pub bucket: String,
    pub key: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// An S3-compatible service's URL (also `AWS_ENDPOINT_URL_S3`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<String>,
    /// `https://endpoint/bucket/key` instead of `https://bucket.endpoint/key`.
    #[serde(default)]
    pub use_path_style: bool,
}

impl Backend {
    /// The backend's type name, as written in `backend "TYPE"`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Backend::Local { .. } => "local",
            Backend::Azurerm(_) => "azurerm",
            Backend::S3(_) => "s3",
        }
    }

    /// Where the state is, for messages: `azurerm: account/container/key`.
    pub fn describe(&self) -> String {
        match self {
            Backend::Local { path } => format!(
                "local: {}",
                path.as_deref().unwrap_or(super::DEFAULT_STATE_FILE)
            ),
            Backend::Azurerm(a) => format!(
                "azurerm: {}/{}/{}",
                a.storage_account_name, a.container_name, a.key
            ),
            Backend::S3(s) => format!("s3: {}/{}", s.bucket, s.key),
        }
    }
}

/// `encryption { ... }`: client-side encryption of state and saved plans.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EncryptionSettings {
    /// Refuse to read or write anything unencrypted.
    pub enforced: bool,
    /// A file holding the key (32 bytes, base64), relative to the configuration directory.
    pub key_file: Option<String>,
    /// The previous key's file, read (never written) while keys are rotated.
    pub old_key_file: Option<String>,
    /// PBKDF2-SHA256 iterations for a passphrase (default
    /// [`crate::state::encryption::DEFAULT_ITERATIONS`]).
    pub iterations: Option<u32>,
    pub span: Option<Span>,
}

/// A secret someone may write in configuration, and the environment variables that carry it.
struct SecretArgument {
    name: &'static str,
    variables: &'static str,
}

const AZURERM_SECRETS: &[SecretArgument] = &[
    SecretArgument {
        name: "access_key",
        variables: "ARM_ACCESS_KEY (or AZURE_STORAGE_KEY)",
    },
    SecretArgument {
        name: "sas_token",
        variables: "ARM_SAS_TOKEN (or AZURE_STORAGE_SAS_TOKEN)",
    },
    SecretArgument {
        name: "client_secret",
        variables: "ARM_CLIENT_SECRET (or AZURE_CLIENT_SECRET)",
    },
    SecretArgument {
        name: "oidc_token",
        variables: "a file named by AZURE_FEDERATED_TOKEN_FILE (or ARM_OIDC_TOKEN_FILE_PATH)",
    },
    SecretArgument {
        name: "client_certificate_password",
        variables: "ARM_CLIENT_SECRET with a client secret (the backend takes no certificate)",
    },
];

const S3_SECRETS: &[SecretArgument] = &[
    SecretArgument {
        name: "access_key",
        variables: "AWS_ACCESS_KEY_ID",
    },
    SecretArgument {
        name: "secret_key",
        variables: "AWS_SECRET_ACCESS_KEY",
    },
    SecretArgument {
        name: "token",
        variables: "AWS_SESSION_TOKEN",
    },
];

const ENCRYPTION_SECRETS: &[SecretArgument] = &[
    SecretArgument {
        name: "passphrase",
        variables: "ZENTRA_STATE_PASSPHRASE",
    },
    SecretArgument {
        name: "key",
        variables: "ZENTRA_STATE_KEY (base64 of 32 bytes), or `key_file = \"PATH\"`",
    },
];

const AZURERM_ARGUMENTS: &[&str] = &[
    "storage_account_name",
    "container_name",
    "key",
    "use_azuread_auth",
    "endpoint",
];
const S3_ARGUMENTS: &[&str] = &["bucket", "key", "region", "endpoint", "use_path_style"];
const LOCAL_ARGUMENTS: &[&str] = &["path"];
const ENCRYPTION_ARGUMENTS: &[&str] = &["enforced", "key_file", "old_key_file", "iterations"];

/// The literal attributes of a settings block, each with its span.
struct Literals {
    strings: Vec<(String, String, Option<std::ops::Range<usize>>)>,
    bools: Vec<(String, bool)>,
    numbers: Vec<(String, u64, Option<std::ops::Range<usize>>)>,
}

impl Literals {
    fn string(&self, name: &str) -> Option<String> {
        self.strings
            .iter()
            .find(|(n, _, _)| n == name)
            .map(|(_, v, _)| v.clone())
    }

    fn bool(&self, name: &str) -> bool {
        self.bools.iter().any(|(n, v)| n == name && *v)
    }
}

impl Config {
    /// `backend "TYPE" { ... }` inside `zentra`.
    pub(super) fn add_backend(&mut self, file: FileId, block: Block, diags: &mut Diagnostics) {
        let ident_span = block.ident.span();
        let labels: Vec<String> = block
            .labels
            .iter()
            .map(|l| l.as_str().to_string())
            .collect();
        if self.settings.backend.is_some() {
            diags.push(
                self.err_at(file, ident_span, "`backend` is configured twice".into())
                    .with_hint("state lives in one place: keep one `backend` block"),
            );
            return;
        }
        let [kind] = labels.as_slice() else {
            diags.push(
                self.err_at(
                    file,
                    ident_span,
                    format!(
                        "`backend` block needs one label, the backend type, found {}",
                        labels.len()
                    ),
                )
                .with_hint("write `backend \"azurerm\" { ... }`, `backend \"s3\" { ... }` or `backend \"local\" { ... }`"),
            );
            return;
        };
        let header = Span::new(file, block.span());
        let (known, secrets): (&[&str], &[SecretArgument]) = match kind.as_str() {
            "azurerm" => (AZURERM_ARGUMENTS, AZURERM_SECRETS),
            "s3" => (S3_ARGUMENTS, S3_SECRETS),
            "local" => (LOCAL_ARGUMENTS, &[]),
            other => {
                let d = self.err_at(
                    file,
                    block.labels.first().and_then(|l| l.span()),
                    format!("unknown backend type `{other}`"),
                );
                diags.push(d.with_hint("backends available: azurerm, s3, local"));
                return;
            }
        };
        let block_name = format!("backend \"{kind}\"");
        let Some(literals) = self.literals(file, block.body, &block_name, known, secrets, diags)
        else {
            return;
        };
        let mut missing = Vec::new();
        let mut required = |name: &'static str| {
            literals.string(name).unwrap_or_else(|| {
                missing.push(name);
                String::new()
            })
        };
        let backend = match kind.as_str() {
            "azurerm" => Backend::Azurerm(AzurermBackend {
                storage_account_name: required("storage_account_name"),
                container_name: required("container_name"),
                key: required("key"),
                use_azuread_auth: literals.bool("use_azuread_auth"),
                endpoint: literals.string("endpoint"),
            }),
            "s3" => Backend::S3(S3Backend {
                bucket: required("bucket"),
                key: required("key"),
                region: literals.string("region"),
                endpoint: literals.string("endpoint"),
                use_path_style: literals.bool("use_path_style"),
            }),
            _ => Backend::Local {
                path: literals.string("path"),
            },
        };
        if !missing.is_empty() {
            diags.push(
                Diagnostic::error(format!(
                    "`{block_name}` needs {}",
                    missing
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .at_span(&self.sources, header.as_ref()),
            );
            return;
        }
        for (name, value, span) in &literals.strings {
            if name == "key" && (value.is_empty() || value.ends_with('/')) {
                diags.push(
                    self.err_at(file, span.clone(), format!("`key` `{value}` names no object"))
                        .with_hint("write the state's name within the container or bucket, e.g. `key = \"zoom-sso/zentra.state.json\"`"),
                );
            }
            if name == "endpoint" && url::Url::parse(value).is_err() {
                diags.push(
                    self.err_at(
                        file,
                        span.clone(),
                        format!("`endpoint` `{value}` is not a URL"),
                    )
                    .with_hint("write it with its scheme, e.g. `https://storage.example.com`"),
                );
            }
        }
        self.settings.backend = Some(backend);
        self.settings.backend_span = header;
    }

    /// `encryption { ... }` inside `zentra`.
    pub(super) fn add_encryption(&mut self, file: FileId, block: Block, diags: &mut Diagnostics) {
        let ident_span = block.ident.span();
        if self.settings.encryption.is_some() {
            diags.push(self.err_at(file, ident_span, "`encryption` is configured twice".into()));
            return;
        }
        if !block.labels.is_empty() {
            diags.push(self.err_at(file, ident_span, "`encryption` takes no labels".into()));
            return;
        }
        let span = Span::new(file, block.span());
        let Some(literals) = self.literals(
            file,
            block.body,
            "encryption",
            ENCRYPTION_ARGUMENTS,
            ENCRYPTION_SECRETS,
            diags,
        ) else {
            return;
        };
        let iterations = match literals.numbers.iter().find(|(n, _, _)| n == "iterations") {
            Some((_, n, span)) => match u32::try_from(*n) {
                Ok(n) if n >= crate::state::encryption::MIN_ITERATIONS => Some(n),
                _ => {
                    diags.push(self.err_at(
                        file,
                        span.clone(),
                        format!(
                            "`iterations` must be at least {} (PBKDF2-SHA256 below that is too quick to guess passphrases)",
                            crate::state::encryption::MIN_ITERATIONS
                        ),
                    ));
                    return;
                }
            },
            None => None,
        };
        self.settings.encryption = Some(EncryptionSettings {
            enforced: literals.bool("enforced"),
            key_file: literals.string("key_file"),
            old_key_file: literals.string("old_key_file"),
            iterations,
            span,
        });
    }

    /// Reads a block of literal settings: strings, bools and whole numbers, no expressions.
    /// A secret argument is refused with the environment variable to use.
    fn literals(
        &self,
        file: FileId,
        body: Body,
        block_name: &str,
        known: &[&str],
        secrets: &[SecretArgument],
        diags: &mut Diagnostics,
    ) -> Option<Literals> {
        let before = diags.errors().count();
        let mut out = Literals {
            strings: Vec::new(),
            bools: Vec::new(),
            numbers: Vec::new(),
        };
        for structure in body.into_iter() {
            let attr: Attribute = match structure {
                Structure::Attribute(attr) => attr,
                Structure::Block(b) => {
                    diags.push(self.err_at(
                        file,
                        b.ident.span(),
                        format!("unexpected block `{}` in `{block_name}`", b.ident.as_str()),
                    ));
                    continue;
                }
            };
            let name = attr.key.as_str().to_string();
            if let Some(secret) = secrets.iter().find(|s| s.name == name) {
                // The value is never echoed: it is a secret.
                diags.push(
                    self.err_at(
                        file,
                        attr.key.span(),
                        format!("`{name}` is a secret and is not accepted in configuration"),
                    )
                    .with_hint(format!(
                        "remove it from the file (and from its history) and set {} in the environment instead",
                        secret.variables
                    )),
                );
                continue;
            }
            if !known.contains(&name.as_str()) {
                diags.push(unknown_attr(self, file, &attr, known, block_name));
                continue;
            }
            let span = attr.value.span();
            let want = match name.as_str() {
                "use_azuread_auth" | "use_path_style" | "enforced" => "bool",
                "iterations" => "whole number",
                _ => "string",
            };
            let number = match &attr.value {
                Expression::Number(n) => n.value().as_u64(),
                _ => None,
            };
            match (want, literal_string(&attr.value), literal_bool(&attr.value), number) {
                ("string", Some(s), _, _) => out.strings.push((name, s, span)),
                ("bool", _, Some(b), _) => out.bools.push((name, b)),
                ("whole number", _, _, Some(n)) => out.numbers.push((name, n, span)),
                _ => diags.push(
                    self.err_at(
                        file,
                        span,
                        format!("`{name}` in `{block_name}` must be a literal {want}"),
                    )
                    .with_hint("state settings are read before variables exist: write the value itself (\"...\", true, 600000)"),
                ),
            }
        }
        (diags.errors().count() == before).then_some(out)
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::diag::SourceFile;

    fn load(src: &str) -> Result<Config, Diagnostics> {
        Config::from_files(
            Path::new("."),
            vec![SourceFile {
                display_path: "state.zen.hcl".into(),
                path: "state.zen.hcl".into(),
                text: src.into(),
            }],
        )
    }

    fn only_error(src: &str) -> Diagnostic {
        let diags = load(src).unwrap_err();
        let errors: Vec<&Diagnostic> = diags.errors().collect();
        assert_eq!(errors.len(), 1, "{diags}");
        errors[0].clone()
    }

    #[test]
    fn both_clouds_backends_and_encryption_are_read() {
        let config = load(
            r#"
zentra {
  backend "azurerm" {
    storage_account_name = "contosostate"
    container_name       = "zentra"
    key                  = "sso/zentra.state.json"
    use_azuread_auth     = true
  }
  encryption {
    enforced   = true
    key_file   = "state.key"
    iterations = 700000
  }
}
"#,
        )
        .unwrap();
        let Some(Backend::Azurerm(a)) = &config.settings.backend else {
            panic!("{:?}", config.settings.backend)
        };
        assert_eq!(a.storage_account_name, "contosostate");
        assert!(a.use_azuread_auth);
        assert_eq!(a.endpoint, None);
        let e = config.settings.encryption.unwrap();
        assert!(e.enforced);
        assert_eq!(e.key_file.as_deref(), Some("state.key"));
        assert_eq!(e.iterations, Some(700_000));

        let config = load(
            r#"zentra {
  backend "s3" {
    bucket = "state"
    key = "zentra.state.json"
    region = "eu-west-1"
    endpoint = "http://127.0.0.1:9000"
    use_path_style = true
  }
}"#,
        )
        .unwrap();
        assert_eq!(
            config.settings.backend,
            Some(Backend::S3(S3Backend {
                bucket: "state".into(),
                key: "zentra.state.json".into(),
                region: Some("eu-west-1".into()),
                endpoint: Some("http://127.0.0.1:9000".into()),
                use_path_style: true,
            }))
        );
    }

    #[test]
    fn a_secret_in_configuration_is_refused_with_its_variable_and_never_echoed() {
        let cases = [
            (
                "backend \"azurerm\" {\n    storage_account_name = \"a\"\n    container_name = \"c\"\n    key = \"k\"\n    access_key = \"c2VjcmV0LWtleQ==\"\n  }",
                "access_key",
                "ARM_ACCESS_KEY",
            ),
            (
                "backend \"azurerm\" {\n    sas_token = \"c2VjcmV0LWtleQ==\"\n    storage_account_name = \"a\"\n    container_name = \"c\"\n    key = \"k\"\n  }",
                "sas_token",
                "ARM_SAS_TOKEN",
            ),
            (
                "backend \"s3\" {\n    bucket = \"b\"\n    key = \"k\"\n    secret_key = \"c2VjcmV0LWtleQ==\"\n  }",
                "secret_key",
                "AWS_SECRET_ACCESS_KEY",
            ),
            (
                "encryption {\n    passphrase = \"c2VjcmV0LWtleQ==\"\n  }",
                "passphrase",
                "ZENTRA_STATE_PASSPHRASE",
            ),
        ];
        for (block, name, variable) in cases {
            let src = format!("zentra {{\n  {block}\n}}\n");
            let d = only_error(&src);
            let line = src
                .lines()
                .position(|l| l.trim_start().starts_with(name))
                .unwrap()
                + 1;
            let location = d.location.as_ref().expect("located");
            assert_eq!(
                (location.file.as_str(), location.line),
                ("state.zen.hcl", line)
            );
            assert!(
                d.summary.contains(&format!("`{name}` is a secret")),
                "{d:?}"
            );
            assert!(d.hint.as_ref().unwrap().contains(variable), "{d:?}");
            let shown = format!("{} {}", d.summary, d.hint.unwrap_or_default());
            assert!(!shown.contains("c2VjcmV0LWtleQ=="), "{shown}");
        }
    }

    #[test]
    fn wrong_backend_settings_are_located_and_explained() {
        let d = only_error(
            "zentra {\n  backend \"s3\" {\n    bucket = \"b\"\n    key = \"k\"\n    regoin = \"x\"\n  }\n}\n",
        );
        assert!(d.summary.contains("unknown attribute `regoin`"), "{d:?}");
        assert_eq!(d.hint.as_deref(), Some("did you mean `region`?"));
        assert_eq!(d.location.unwrap().line, 5);

        let d = only_error("zentra {\n  backend \"gcs\" {}\n}\n");
        assert!(d.summary.contains("unknown backend type `gcs`"), "{d:?}");

        let d = only_error("zentra {\n  backend \"azurerm\" {\n    key = \"k\"\n  }\n}\n");
        assert!(
            d.summary
                .contains("needs `storage_account_name`, `container_name`"),
            "{d:?}"
        );

        let d = only_error(
            "zentra {\n  backend \"s3\" {\n    bucket = var.bucket\n    key = \"k\"\n  }\n}\n",
        );
        assert!(d.summary.contains("must be a literal string"), "{d:?}");

        let d = only_error(
            "zentra {\n  backend \"s3\" {\n    bucket = \"b\"\n    key = \"k\"\n    endpoint = \"not a url\"\n  }\n}\n",
        );
        assert!(d.summary.contains("is not a URL"), "{d:?}");

        let d = only_error(
            "zentra {\n  state_path = \"s.json\"\n  backend \"s3\" {\n    bucket = \"b\"\n    key = \"k\"\n  }\n}\n",
        );
        assert!(d.summary.contains("`state_path` is a local file"), "{d:?}");

        let d = only_error("zentra {\n  encryption {\n    iterations = 1000\n  }\n}\n");
        assert!(d.summary.contains("at least 100000"), "{d:?}");
    }
}
