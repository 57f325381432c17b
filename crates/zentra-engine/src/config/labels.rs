//! Block labels that name something — a resource's type and name, a variable, an output, a
//! provider — must be identifiers as in Terraform: they become addresses (`zoom_group.sales`)
//! in plans and state, which must read back. A label such as `"sales.emea"` is refused where
//! it is written, with a name that works.

use hcl::edit::Span as _;

use super::{Config, FileId};
use crate::diag::Diagnostic;

impl Config {
    /// Labels that name something (a resource's type and name, a variable, an output, a
    /// provider) must be identifiers: they become addresses (`zoom_group.sales`) in plans and
    /// state, which must read back.
    pub(super) fn check_labels(
        &self,
        file: FileId,
        kind: &str,
        labels: &[hcl::edit::structure::BlockLabel],
    ) -> Option<Diagnostic> {
        let names: &[&str] = match kind {
            "resource" | "data" => &["type", "name"],
            "variable" => &["name"],
            "output" => &["name"],
            "provider" => &["type"],
            "module" => &["name"],
            _ => return None,
        };
        let (label, what) = labels
            .iter()
            .zip(names)
            .find(|(label, _)| !crate::addr::is_identifier(label.as_str()))?;
        let d = self.err_at(
            file,
            label.span(),
            format!(
                "{kind} {what} {:?} is not a valid name: it must start with a letter or \
                     underscore, and hold only letters, digits, underscores and dashes",
                label.as_str()
            ),
        );
        Some(match identifier_like(label.as_str()) {
            Some(suggestion) => d.with_hint(format!("rename it, e.g. \"{suggestion}\"")),
            None => d.with_hint("give it a name such as \"main\""),
        })
    }
}

/// `text` made into an identifier (what is not a letter, digit, `_` or `-` becomes `_`), for a
/// suggestion; `None` when nothing of it is left.
fn identifier_like(text: &str) -> Option<String> {
    let mut out: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if !out.chars().any(|c| c.is_ascii_alphanumeric()) {
        return None;
    }
    if !out.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_') {
        out.insert(0, '_');
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions_are_names_that_read_back() {
        assert_eq!(identifier_like("sales.emea").as_deref(), Some("sales_emea"));
        assert_eq!(identifier_like("9lives").as_deref(), Some("_9lives"));
        assert_eq!(identifier_like("a b").as_deref(), Some("a_b"));
        assert_eq!(identifier_like(""), None);
        assert_eq!(identifier_like("\u{202e}"), None);
        for name in ["sales_emea", "_9lives", "a_b"] {
            assert!(crate::addr::is_identifier(name), "{name}");
        }
    }
}
