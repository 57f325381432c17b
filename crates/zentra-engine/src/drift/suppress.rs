//! Checks of `drift_ignore` blocks against the configuration: the address names a managed
//! resource, and each path an attribute its type has, so a typo never silently suppresses
//! nothing.

use crate::addr::Mode;
use crate::diag::{Diagnostic, Diagnostics, did_you_mean};
use crate::schema::Attr;
use crate::workspace::Workspace;

/// Every problem with the workspace's `drift_ignore` blocks, at its file:line:column.
pub fn check(ws: &Workspace) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let sources = &ws.config.sources;
    for s in &ws.config.drift_ignores {
        let at = s.address_span.as_ref().or(s.span.as_ref());
        if s.address.mode == Mode::Data || !ws.config.resources.contains_key(&s.address) {
            let managed = ws
                .config
                .resources
                .keys()
                .filter(|a| a.mode == Mode::Managed)
                .map(|a| a.to_string())
                .collect::<Vec<_>>();
            let mut d = Diagnostic::error(format!(
                "drift_ignore: `{}` is no managed resource of this configuration",
                s.address
            ))
            .at_span(sources, at);
            d = match did_you_mean(&s.address.to_string(), managed.iter().map(String::as_str)) {
                Some(close) => d.with_hint(format!("did you mean `{close}`?")),
                None => d.with_hint("name a `resource` block of this configuration, as TYPE.NAME"),
            };
            diags.push(d);
            continue;
        }
        let Some(schema) = ws.schema_for(&s.address) else {
            continue;
        };
        for (path, span) in &s.paths {
            if let Err((part, known)) = find_path(&schema.body, path) {
                let mut d = Diagnostic::error(format!(
                    "drift_ignore: `{}` has no attribute `{path}`",
                    s.address.type_name
                ))
                .at_span(sources, span.as_ref().or(at));
                d = match did_you_mean(&part, known.iter().map(String::as_str)) {
                    Some(close) => d.with_hint(format!("`{part}`: did you mean `{close}`?")),
                    None => d.with_hint(format!(
                        "see `zentra schema {}` for its attributes",
                        s.address.type_name
                    )),
                };
                diags.push(d);
            }
        }
    }
    diags
}

/// Walks a dotted path through nested blocks; on failure, the part not found and the names
/// that were possible there.
pub(crate) fn find_path(schema: &Attr, path: &str) -> Result<(), (String, Vec<String>)> {
    let mut cur = schema;
    for part in path.split('.') {
        match cur.properties.get(part) {
            Some(next) => cur = next,
            None => return Err((part.to_string(), cur.properties.keys().cloned().collect())),
        }
    }
    Ok(())
}
