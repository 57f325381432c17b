//! Values that were sensitive when last applied: the live value is still the secret it was set
//! to, so a plan withholds it on both sides even after the configuration stops marking it
//! sensitive, until the change is applied.

use crate::plan::AttributeChange;

/// Withholds both sides of every change to an attribute that was sensitive when it was last
/// applied: the live value is still the secret it was set to, even when the configuration no
/// longer marks it sensitive.
pub(crate) fn withhold(attributes: &mut [AttributeChange], sensitive_paths: &[String]) {
    for change in attributes
        .iter_mut()
        .filter(|c| under_any(&c.path, sensitive_paths))
    {
        change.sensitive = true;
        change.before = serde_json::Value::Null;
        change.after = serde_json::Value::Null;
        change.labels.clear();
    }
}

/// Whether `path` is one of `paths`, inside one, or holds one (`a.b` and `a`, `a` and `a.b`).
pub(crate) fn under_any(path: &str, paths: &[String]) -> bool {
    let nested = |outer: &str, inner: &str| {
        inner == outer
            || inner
                .strip_prefix(outer)
                .is_some_and(|rest| rest.starts_with('.') || rest.starts_with('['))
    };
    paths.iter().any(|p| nested(p, path) || nested(path, p))
}
