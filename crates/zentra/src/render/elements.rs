//! Lists and sets in a plan, element by element as Terraform shows them: each element added
//! or removed on a line of its own, and a count of the elements that stay as they are, so a
//! reviewer sees that one scope of eight changed rather than two long lists to compare.
//!
//! Sets (and lists compared as sets) show what is added in configuration order, then what is
//! removed in sorted order; ordered lists show a sequence diff. Elements compare by the
//! attribute's rules as the plan records them (`set`, `case_insensitive`).

use std::collections::HashSet;

use serde_json::Value as Json;

use super::value_text;
use crate::output::{Printer, Tone};
use zentra_engine::plan::{Action, AttributeChange};

/// An element (an object or a list) whose one-line form is wider than this is spread over
/// several lines. A string is never split: it is shown whole, as it will be written.
const WIDE_ELEMENT: usize = 72;

/// One line of a list's change.
#[derive(Clone, Debug, PartialEq)]
pub(super) enum Line {
    Added(Json),
    Removed(Json),
    /// This many elements in a row (for sets: in all) that do not change.
    Unchanged(usize),
}

/// The lines of a list attribute's change, or `None` when it is not shown element by element:
/// a sensitive or not yet known value, or not a list before and after.
pub(super) fn lines(action: Action, a: &AttributeChange) -> Option<Vec<Line>> {
    if a.sensitive || a.after_unknown {
        return None;
    }
    let none: Vec<Json> = Vec::new();
    let (before, after) = match (&a.before, &a.after) {
        (_, Json::Array(after)) if action == Action::Create || a.before.is_null() => (&none, after),
        (Json::Array(before), Json::Array(after)) => (before, after),
        (Json::Array(before), Json::Null) if action == Action::Delete => (before, &none),
        _ => return None,
    };
    let key = |v: &Json| match v {
        Json::String(s) if a.case_insensitive => Json::String(s.to_lowercase()).to_string(),
        other => other.to_string(),
    };
    Some(if a.set {
        set_lines(before, after, key)
    } else {
        sequence_lines(before, after, key)
    })
}

/// Added elements in configuration order, removed ones sorted, then how many stay.
fn set_lines(before: &[Json], after: &[Json], key: impl Fn(&Json) -> String) -> Vec<Line> {
    let before_keys: HashSet<String> = before.iter().map(&key).collect();
    let after_keys: HashSet<String> = after.iter().map(&key).collect();
    let mut out = Vec::new();
    let mut seen = HashSet::new();
    let mut unchanged = 0;
    for element in after {
        let k = key(element);
        if !seen.insert(k.clone()) {
            continue;
        }
        if before_keys.contains(&k) {
            unchanged += 1;
        } else {
            out.push(Line::Added(element.clone()));
        }
    }
    let mut removed: Vec<&Json> = Vec::new();
    for element in before {
        let k = key(element);
        if !after_keys.contains(&k) && seen.insert(k) {
            removed.push(element);
        }
    }
    removed.sort_by_key(|e| e.to_string());
    out.extend(removed.into_iter().cloned().map(Line::Removed));
    if unchanged > 0 {
        out.push(Line::Unchanged(unchanged));
    }
    out
}

/// A sequence diff: runs of unchanged elements in place, removals before additions.
fn sequence_lines(before: &[Json], after: &[Json], key: impl Fn(&Json) -> String) -> Vec<Line> {
    let ops = similar::capture_diff_slices_by_key(similar::Algorithm::Myers, before, after, key);
    let mut out = Vec::new();
    for op in ops {
        let (tag, old, new) = op.as_tag_tuple();
        match tag {
            similar::DiffTag::Equal => out.push(Line::Unchanged(old.len())),
            similar::DiffTag::Delete => {
                out.extend(before[old].iter().cloned().map(Line::Removed));
            }
            similar::DiffTag::Insert => out.extend(after[new].iter().cloned().map(Line::Added)),
            similar::DiffTag::Replace => {
                out.extend(before[old].iter().cloned().map(Line::Removed));
                out.extend(after[new].iter().cloned().map(Line::Added));
            }
        }
    }
    out
}

/// Writes `head = [ ... ]` (`head` is the attribute's sign and name) with one element a
/// line, each element with its label if the provider named it.
pub(super) fn write(
    pad: &str,
    head: &str,
    note: &str,
    a: &AttributeChange,
    lines: &[Line],
    p: &Printer,
    out: &mut String,
) {
    if lines.is_empty() {
        out.push_str(&format!("{pad}{head} = []{note}\n"));
        return;
    }
    out.push_str(&format!("{pad}{head} = [{note}\n"));
    for line in lines {
        let (sign, tone, element) = match line {
            Line::Added(e) => ("+", Tone::Add, e),
            Line::Removed(e) => ("-", Tone::Remove, e),
            Line::Unchanged(n) => {
                let noun = if *n == 1 { "element" } else { "elements" };
                out.push_str(&format!("{pad}      # ({n} unchanged {noun} hidden)\n"));
                continue;
            }
        };
        let label = element
            .as_str()
            .and_then(|s| a.labels.get(s))
            .map(|l| format!(" # {l}"))
            .unwrap_or_default();
        let sign = p.paint(sign, tone, false);
        let text = element_lines(element);
        let last = text.len() - 1;
        for (i, part) in text.iter().enumerate() {
            let comma = if i == last { "," } else { "" };
            if i == 0 {
                out.push_str(&format!("{pad}    {sign} {part}{comma}"));
            } else {
                out.push_str(&format!("{pad}      {part}{comma}"));
            }
            out.push_str(if i == last { &label } else { "" });
            out.push('\n');
        }
    }
    out.push_str(&format!("{pad}  ]\n"));
}

/// An element as one line, or as indented JSON over several when it is a wide object or list.
fn element_lines(element: &Json) -> Vec<String> {
    let one_line = value_text(element, false, false);
    if one_line.chars().count() <= WIDE_ELEMENT || !(element.is_object() || element.is_array()) {
        return vec![one_line];
    }
    serde_json::to_string_pretty(element)
        .unwrap_or(one_line)
        .lines()
        .map(str::to_string)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn change(before: Json, after: Json, set: bool) -> AttributeChange {
        AttributeChange {
            set,
            ..AttributeChange::new("scopes", before, after)
        }
    }

    #[test]
    fn sets_show_additions_in_configuration_order_then_sorted_removals_then_a_count() {
        let a = change(
            json!(["openid", "Contacts.Read", "email", "Calendars.Read"]),
            json!(["openid", "Mail.Send", "email", "Mail.Read", "openid"]),
            true,
        );
        assert_eq!(
            lines(Action::Update, &a).unwrap(),
            [
                Line::Added(json!("Mail.Send")),
                Line::Added(json!("Mail.Read")),
                Line::Removed(json!("Calendars.Read")),
                Line::Removed(json!("Contacts.Read")),
                Line::Unchanged(2),
            ]
        );
    }

    #[test]
    fn a_set_whose_live_order_differs_shows_only_real_changes() {
        let a = change(json!(["c", "b", "a"]), json!(["a", "b", "c", "d"]), true);
        assert_eq!(
            lines(Action::Update, &a).unwrap(),
            [Line::Added(json!("d")), Line::Unchanged(3)]
        );
        let as_list = change(json!(["c", "b", "a"]), json!(["a", "b", "c", "d"]), false);
        assert!(
            lines(Action::Update, &as_list)
                .unwrap()
                .contains(&Line::Removed(json!("c"))),
            "an ordered list shows the order change"
        );
    }

    #[test]
    fn case_insensitive_elements_match_across_case() {
        let a = AttributeChange {
            case_insensitive: true,
            ..change(
                json!(["Contoso.com"]),
                json!(["contoso.com", "fabrikam.com"]),
                true,
            )
        };
        assert_eq!(
            lines(Action::Update, &a).unwrap(),
            [Line::Added(json!("fabrikam.com")), Line::Unchanged(1)]
        );
        let strict = change(json!(["Contoso.com"]), json!(["contoso.com"]), true);
        assert_eq!(
            lines(Action::Update, &strict).unwrap(),
            [
                Line::Added(json!("contoso.com")),
                Line::Removed(json!("Contoso.com"))
            ]
        );
    }

    #[test]
    fn lists_show_a_sequence_diff_with_unchanged_runs_in_place() {
        let a = change(json!([1, 2, 3, 4, 5]), json!([1, 2, 9, 4, 5, 6]), false);
        assert_eq!(
            lines(Action::Update, &a).unwrap(),
            [
                Line::Unchanged(2),
                Line::Removed(json!(3)),
                Line::Added(json!(9)),
                Line::Unchanged(2),
                Line::Added(json!(6)),
            ]
        );
    }

    #[test]
    fn creates_add_every_element_and_deletes_remove_every_element() {
        let created = change(json!(null), json!(["b", "a"]), true);
        assert_eq!(
            lines(Action::Create, &created).unwrap(),
            [Line::Added(json!("b")), Line::Added(json!("a"))]
        );
        let deleted = change(json!(["a"]), json!(null), true);
        assert_eq!(
            lines(Action::Delete, &deleted).unwrap(),
            [Line::Removed(json!("a"))]
        );
    }

    #[test]
    fn unknown_sensitive_and_scalar_values_are_not_lists() {
        let unknown = AttributeChange {
            after_unknown: true,
            ..change(json!(["a"]), json!(null), true)
        };
        assert!(lines(Action::Update, &unknown).is_none());
        let sensitive = AttributeChange {
            sensitive: true,
            ..change(json!(null), json!(null), true)
        };
        assert!(lines(Action::Update, &sensitive).is_none());
        assert!(lines(Action::Update, &change(json!("a"), json!("b"), false)).is_none());
        assert!(
            lines(Action::Update, &change(json!(["a"]), json!(null), false)).is_none(),
            "a list set to null shows as a value"
        );
    }

    #[test]
    fn wide_objects_spread_over_lines_and_strings_stay_whole() {
        let wide = json!({"query": "/beta/roleManagement/directory/roleAssignments?$filter=roleDefinitionId eq 'x'", "queryType": "MicrosoftGraph"});
        let parts = element_lines(&wide);
        assert!(parts.len() > 2, "{parts:?}");
        assert_eq!(parts[0], "{");
        assert!(parts.iter().all(|l| l.chars().count() <= 100), "{parts:?}");
        let long = json!("x".repeat(200));
        assert_eq!(element_lines(&long).len(), 1);
        assert_eq!(element_lines(&json!({"a": 1})), ["{\"a\":1}"]);
    }
}
