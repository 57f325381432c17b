//! What a name (a Zoom group's or role's, a federation's display name) may hold, checked before
//! any API call: no control characters (a line break, a tab, a NUL) and no invisible
//! direction or formatting marks (U+202E turns text around on screen, so a name could read as
//! another one). Lengths come from the vendors' specs, as `max_length` on the attribute.

use zentra_engine::provider::InvalidAttribute;
use zentra_engine::value::Value;

/// The longest Zoom group name, in characters: Zoom's spec says a group name "must be unique to
/// one account and less than 128 characters" (`PATCH /groups/{groupId}`, `name`).
pub(crate) const ZOOM_GROUP_NAME_MAX: u64 = 127;

/// Refuses a name attribute of `desired` holding a character no name should; unknown and
/// absent values pass.
pub(crate) fn check_names(desired: &Value, attributes: &[&str]) -> Vec<InvalidAttribute> {
    attributes
        .iter()
        .filter_map(|attribute| {
            let text = desired.get(attribute)?.as_str()?;
            let (position, c) = text.chars().enumerate().find(|(_, c)| is_forbidden(*c))?;
            Some(InvalidAttribute {
                path: (*attribute).to_string(),
                message: format!(
                    "holds {} (U+{:04X}, character {}), which a name cannot",
                    describe(c),
                    u32::from(c),
                    position + 1
                ),
                hint: Some(
                    "write the name with visible characters only (no line breaks, tabs or \
                     direction marks)"
                        .into(),
                ),
            })
        })
        .collect()
}

/// Control characters, and the marks that change how text around them is shown.
fn is_forbidden(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}'
        )
}

fn describe(c: char) -> &'static str {
    match c {
        '\n' | '\r' | '\u{2028}' | '\u{2029}' => "a line break",
        '\t' => "a tab",
        '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}' => {
            "a text direction mark"
        }
        c if c.is_control() => "a control character",
        _ => "an invisible formatting character",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn named(name: &str) -> Value {
        Value::Object(
            [("name".to_string(), Value::str(name))]
                .into_iter()
                .collect(),
        )
    }

    #[test]
    fn names_with_control_or_direction_characters_are_refused() {
        assert!(check_names(&named("Field sales – EMEA"), &["name"]).is_empty());
        assert!(check_names(&named("Ünïcödé 東京"), &["name"]).is_empty());
        let refused = check_names(&named("Sales\nEMEA"), &["name"]);
        assert_eq!(
            refused[0].message,
            "holds a line break (U+000A, character 6), which a name cannot"
        );
        let refused = check_names(&named("\u{202e}selas"), &["name"]);
        assert!(refused[0].message.contains("a text direction mark (U+202E"));
        assert!(!check_names(&named("a\u{0}b"), &["name"]).is_empty());
        assert!(check_names(&Value::object(), &["name"]).is_empty());
    }
}
