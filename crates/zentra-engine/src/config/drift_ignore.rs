//! `drift_ignore` blocks: drift that is known and accepted for a while (a setting an admin
//! changed in the portal on purpose, until the configuration catches up). `zentra drift`
//! reports it as suppressed rather than as drift until `expires`; after that date the drift
//! counts again and the report says the suppression expired.
//!
//! ```hcl
//! drift_ignore {
//!   address = "zoom_account_settings.sso"
//!   paths   = ["security.signin_with_sso.domains"]   # leave out for the whole object
//!   reason  = "pilot domains, added by hand until the rollout (CHG-1234)"
//!   expires = "2026-12-31"
//! }
//! ```

use hcl::edit::Span as _;
use hcl::edit::expr::Expression;
use hcl::edit::structure::{Body, Structure};

use super::{Config, literal_string};
use crate::addr::ResourceAddr;
use crate::diag::{Diagnostic, Diagnostics, FileId, Span};

/// One accepted drift.
#[derive(Clone, Debug)]
pub struct DriftIgnore {
    pub address: ResourceAddr,
    pub address_span: Option<Span>,
    /// Dotted attribute paths (with where each is written); empty: the whole object, its
    /// deletion or replacement outside zentra included.
    pub paths: Vec<(String, Option<Span>)>,
    pub reason: String,
    /// The last day the drift is accepted; `None`: no end.
    pub expires: Option<chrono::NaiveDate>,
    /// The block's header, for messages.
    pub span: Option<Span>,
}

impl DriftIgnore {
    /// Whether this suppression covers the attribute at `path` (a path given covers the
    /// attributes inside it too).
    pub fn covers(&self, path: &str) -> bool {
        self.paths.is_empty()
            || self.paths.iter().any(|(p, _)| {
                path == p
                    || path
                        .strip_prefix(p.as_str())
                        .is_some_and(|r| r.starts_with('.'))
            })
    }

    /// Whether the suppression has run out on `today`.
    pub fn expired(&self, today: chrono::NaiveDate) -> bool {
        self.expires.is_some_and(|last| today > last)
    }
}

const ATTRIBUTES: &[&str] = &["address", "paths", "reason", "expires"];

impl Config {
    pub(super) fn add_drift_ignore(
        &mut self,
        file: FileId,
        body: Body,
        span: Option<Span>,
        diags: &mut Diagnostics,
    ) {
        let mut address = None;
        let mut paths = Vec::new();
        let mut reason = None;
        let mut expires = None;
        let error = |range: Option<std::ops::Range<usize>>, message: String| {
            Diagnostic::error(message).at_span(&self.sources, Span::new(file, range).as_ref())
        };
        let mut found = Vec::new();
        for structure in body.iter() {
            let attr = match structure {
                Structure::Attribute(a) => a,
                Structure::Block(b) => {
                    found.push(
                        error(
                            b.ident.span(),
                            format!("unexpected block `{}` in `drift_ignore`", b.ident.as_str()),
                        )
                        .with_hint(format!("`drift_ignore` takes {}", ATTRIBUTES.join(", "))),
                    );
                    continue;
                }
            };
            let value_span = attr.value.span();
            match attr.key.as_str() {
                "address" => match literal_string(&attr.value).map(|s| s.parse::<ResourceAddr>()) {
                    Some(Ok(a)) => address = Some((a, Span::new(file, value_span))),
                    Some(Err(e)) => found.push(error(value_span, e.to_string())),
                    None => found.push(
                        error(value_span, "`address` must be a literal string".into())
                            .with_hint("write the resource's address in quotes: address = \"zoom_account_settings.sso\""),
                    ),
                },
                "paths" => match &attr.value {
                    Expression::Array(items) => {
                        for item in items.iter() {
                            match literal_string(item) {
                                Some(p) if !p.is_empty() => {
                                    paths.push((p, Span::new(file, item.span())))
                                }
                                _ => found.push(error(
                                    item.span(),
                                    "`paths` entries must be literal strings, dotted attribute paths like \"security.signin_with_sso.enable\"".into(),
                                )),
                            }
                        }
                    }
                    _ => found.push(error(
                        value_span,
                        "`paths` must be a list of attribute paths".into(),
                    ).with_hint("paths = [\"security.signin_with_sso.domains\"]")),
                },
                "reason" => match literal_string(&attr.value) {
                    Some(r) if !r.trim().is_empty() => reason = Some(r),
                    _ => found.push(error(
                        value_span,
                        "`reason` must be a literal, non-empty string".into(),
                    )),
                },
                "expires" => match literal_string(&attr.value)
                    .map(|s| chrono::NaiveDate::parse_from_str(&s, "%Y-%m-%d"))
                {
                    Some(Ok(date)) => expires = Some(date),
                    _ => found.push(
                        error(value_span, "`expires` must be a date, YYYY-MM-DD".into())
                            .with_hint("expires = \"2026-12-31\": the last day the drift is accepted"),
                    ),
                },
                other => {
                    let mut d = error(
                        attr.key.span(),
                        format!("unknown attribute `{other}` in `drift_ignore` block"),
                    );
                    d = match crate::diag::did_you_mean(other, ATTRIBUTES.iter().copied()) {
                        Some(s) => d.with_hint(format!("did you mean `{s}`?")),
                        None => d.with_hint(format!("allowed here: {}", ATTRIBUTES.join(", "))),
                    };
                    found.push(d);
                }
            }
        }
        for (name, missing) in [("address", address.is_none()), ("reason", reason.is_none())] {
            if missing
                && !found
                    .iter()
                    .any(|d| d.summary.contains(&format!("`{name}`")))
            {
                found.push(
                    Diagnostic::error(format!("`drift_ignore` needs `{name}`"))
                        .at_span(&self.sources, span.as_ref())
                        .with_hint(
                            "drift_ignore { address = \"TYPE.NAME\", reason = \"why\", expires = \"YYYY-MM-DD\" }",
                        ),
                );
            }
        }
        if !found.is_empty() {
            for d in found {
                diags.push(d);
            }
            return;
        }
        let (address, address_span) = address.expect("checked");
        self.drift_ignores.push(DriftIgnore {
            address,
            address_span,
            paths,
            reason: reason.expect("checked"),
            expires,
            span,
        });
    }
}

#[cfg(test)]
mod tests {
    use crate::config::Config;
    use crate::diag::SourceFile;

    fn load(src: &str) -> Result<Config, crate::diag::Diagnostics> {
        Config::from_files(
            std::path::Path::new("."),
            vec![SourceFile {
                display_path: "main.zen.hcl".into(),
                path: "main.zen.hcl".into(),
                text: src.into(),
            }],
        )
    }

    #[test]
    fn a_drift_ignore_block_reads_its_address_paths_reason_and_date() {
        let c = load("drift_ignore {\n  address = \"zoom_account_settings.sso\"\n  paths = [\"security.signin_with_sso\"]\n  reason = \"pilot\"\n  expires = \"2030-01-31\"\n}\n").unwrap();
        let d = &c.drift_ignores[0];
        assert_eq!(d.address.to_string(), "zoom_account_settings.sso");
        assert!(d.covers("security.signin_with_sso.domains"));
        assert!(d.covers("security.signin_with_sso"));
        assert!(!d.covers("security.signin_with_sso_x"));
        assert!(!d.covers("schedule_meeting.enforce_login"));
        let day = |s| chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap();
        assert!(
            !d.expired(day("2030-01-31")),
            "the date itself is still accepted"
        );
        assert!(d.expired(day("2030-02-01")));
    }

    #[test]
    fn a_wrong_drift_ignore_block_is_an_error_at_its_place() {
        let errors = load("drift_ignore {\n  address = \"zoom_account_settings.sso\"\n  reason  = \"x\"\n  expires = \"31.12.2030\"\n}\n").unwrap_err();
        let d = &errors.0[0];
        assert_eq!(d.summary, "`expires` must be a date, YYYY-MM-DD");
        let at = d.location.as_ref().unwrap();
        assert_eq!((at.line, at.column), (4, 13));
        let errors = load("drift_ignore {\n  adress = \"x.y\"\n}\n").unwrap_err();
        assert_eq!(errors.0[0].hint.as_deref(), Some("did you mean `address`?"));
        assert!(
            errors
                .0
                .iter()
                .any(|d| d.summary == "`drift_ignore` needs `reason`"),
            "{errors:?}"
        );
    }
}
