//! Rendering plans and apply results for people. The human view is computed from the same
//! [`Plan`] value that `--json` prints, so the two can never disagree.

use crate::output::{Printer, Tone};
use crate::plan::{Action, AttributeChange, Plan, ResourceChange, Summary};

/// Strings longer than this (or spanning lines) are shown as a line diff.
const LONG_STRING: usize = 80;

/// The human rendering of a plan.
pub fn plan_text(plan: &Plan, p: &Printer) -> String {
    let mut out = String::new();
    let visible: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.is_change() || c.reason.is_some())
        .collect();
    let drifted: Vec<&ResourceChange> = plan
        .changes
        .iter()
        .filter(|c| c.attributes.iter().any(|a| a.drift))
        .collect();
    if !drifted.is_empty() {
        out.push_str(&p.paint(
            "Drift: changed outside zentra since the last apply\n",
            Tone::Bold,
            false,
        ));
        for c in &drifted {
            for a in c.attributes.iter().filter(|a| a.drift) {
                out.push_str(&format!(
                    "  {} {}: {} (configuration says {})\n",
                    p.paint("!", Tone::Warn, false),
                    c.address,
                    a.path,
                    value_text(&a.after, a.sensitive, a.after_unknown)
                ));
            }
        }
        out.push('\n');
    }
    if !plan.has_changes() {
        for c in &visible {
            out.push_str(&format!(
                "  # {} {}\n",
                c.address,
                c.reason.as_deref().unwrap_or("")
            ));
        }
        out.push_str(&p.paint("No changes.", Tone::Bold, false));
        out.push_str(" Live settings match the configuration.\n");
        outputs_text(plan, p, &mut out);
        return out;
    }
    out.push_str("zentra will perform these actions (");
    let mut legend: Vec<String> = legend(plan)
        .into_iter()
        .map(|(a, word)| format!("{} {word}", p.paint(a.symbol(), tone(a), false)))
        .collect();
    if plan.changes.iter().any(|c| c.adopt.is_some()) {
        legend.insert(0, "adopt existing objects".into());
    }
    out.push_str(&legend.join(", "));
    out.push_str("):\n");
    for c in visible {
        out.push('\n');
        resource_text(c, p, &mut out);
    }
    out.push('\n');
    out.push_str(&p.paint(&summary_line(&plan.summary), Tone::Bold, false));
    out.push('\n');
    for w in &plan.warnings {
        let who = w
            .address
            .as_ref()
            .map(|a| format!("{a}: "))
            .unwrap_or_default();
        out.push_str(&format!(
            "\n{} {who}{}\n",
            p.paint("Warning:", Tone::Warn, false),
            w.message
        ));
    }
    outputs_text(plan, p, &mut out);
    out
}

fn legend(plan: &Plan) -> Vec<(Action, &'static str)> {
    let mut out = Vec::new();
    for (a, word) in [
        (Action::Create, "create"),
        (Action::Update, "update in place"),
        (Action::Replace, "replace"),
        (Action::Delete, "delete"),
        (Action::Forget, "stop managing"),
        (Action::Manual, "manual step"),
    ] {
        if plan.changes.iter().any(|c| c.action == a) {
            out.push((a, word));
        }
    }
    out
}

fn tone(a: Action) -> Tone {
    match a {
        Action::Create => Tone::Add,
        Action::Update | Action::Replace | Action::Manual => Tone::Change,
        Action::Delete => Tone::Remove,
        Action::Forget | Action::NoOp | Action::Read => Tone::Dim,
    }
}

/// `Plan: 1 to add, 2 to change, 0 to destroy.`
pub fn summary_line(s: &Summary) -> String {
    let mut line = String::from("Plan: ");
    if s.adopt > 0 {
        line.push_str(&format!("{} to adopt, ", s.adopt));
    }
    line.push_str(&format!(
        "{} to add, {} to change, {} to destroy",
        s.add, s.change, s.destroy
    ));
    if s.forget > 0 {
        line.push_str(&format!(", {} to stop managing", s.forget));
    }
    if s.manual > 0 {
        line.push_str(&format!(", {} manual", s.manual));
    }
    line.push('.');
    line
}

fn resource_text(c: &ResourceChange, p: &Printer, out: &mut String) {
    let what = match c.action {
        Action::Create => "will be created".to_string(),
        Action::Update => "will be updated in place".to_string(),
        Action::Replace => "must be replaced".to_string(),
        Action::Delete => "will be deleted".to_string(),
        Action::Forget => "will be forgotten, not deleted".to_string(),
        Action::Manual => "needs a manual step".to_string(),
        Action::NoOp | Action::Read => "is unchanged".to_string(),
    };
    let what = match (c.action, &c.adopt) {
        (Action::NoOp, Some(a)) => format!("will be adopted (id {}), no write", a.id),
        (Action::Update, Some(a)) => format!("will be adopted (id {}) and updated in place", a.id),
        (Action::Replace, _) if c.keep_existing => {
            "must be replaced (the existing object is kept, not deleted)".to_string()
        }
        _ => what,
    };
    out.push_str(&p.paint(&format!("  # {} {what}", c.address), Tone::Bold, false));
    out.push('\n');
    if let Some(reason) = &c.reason {
        out.push_str(&format!("  # ({reason})\n"));
    }
    if c.action == Action::Manual {
        manual_text(c, p, out);
        return;
    }
    let symbol = p.paint(c.action.symbol(), tone(c.action), false);
    let kind = if c.address.mode == crate::addr::Mode::Data {
        "data"
    } else {
        "resource"
    };
    out.push_str(&format!(
        "  {symbol} {kind} \"{}\" \"{}\" {{",
        c.address.type_name, c.address.name
    ));
    if c.attributes.is_empty() {
        if let Some(id) = &c.id {
            out.push_str(&format!("\n        id = \"{id}\""));
        }
        out.push_str("\n    }\n");
        return;
    }
    out.push('\n');
    // Align `=` among the attributes of one block, as `zentra fmt`-style output does.
    let mut widths: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for a in &c.attributes {
        let (parent, leaf) = a.path.rsplit_once('.').unwrap_or(("", a.path.as_str()));
        let w = widths.entry(parent).or_default();
        *w = (*w).max(leaf.chars().count());
    }
    let mut open: Vec<String> = Vec::new();
    for a in &c.attributes {
        let parts: Vec<&str> = a.path.split('.').collect();
        let (blocks, leaf) = parts.split_at(parts.len() - 1);
        let common = open.iter().zip(blocks).take_while(|(x, y)| x == y).count();
        while open.len() > common {
            open.pop();
            out.push_str(&format!("{}  }}\n", indent(open.len() + 1)));
        }
        for b in &blocks[common..] {
            out.push_str(&format!(
                "{}{} {b} {{\n",
                indent(open.len() + 1),
                p.paint(attr_symbol(c.action, a), tone_for(c.action, a), false)
            ));
            open.push((*b).to_string());
        }
        let parent = a.path.rsplit_once('.').map_or("", |(p, _)| p);
        let name = format!(
            "{:<width$}",
            leaf[0],
            width = widths.get(parent).copied().unwrap_or(0)
        );
        attribute_text(c.action, a, &name, open.len() + 1, p, out);
    }
    while !open.is_empty() {
        open.pop();
        out.push_str(&format!("{}  }}\n", indent(open.len() + 1)));
    }
    out.push_str("    }\n");
}

/// A pending manual step: what to do, where, and how to record that it is done.
fn manual_text(c: &ResourceChange, p: &Printer, out: &mut String) {
    let get = |name: &str| {
        c.attributes
            .iter()
            .find(|a| a.path == name)
            .and_then(|a| a.after.as_str())
            .map(str::to_string)
    };
    let symbol = p.paint(c.action.symbol(), tone(c.action), false);
    out.push_str(&format!(
        "  {symbol} {}\n",
        get("title").unwrap_or_else(|| c.address.to_string())
    ));
    if let Some(instructions) = get("instructions") {
        for line in instructions.trim_end().lines() {
            out.push_str(&format!("      {line}\n"));
        }
    }
    if let Some(url) = get("url") {
        out.push_str(&format!("      {url}\n"));
    }
    out.push_str(&format!(
        "      When it is done: zentra confirm {}\n",
        c.address
    ));
}

fn indent(level: usize) -> String {
    "    ".repeat(level) + "  "
}

fn attr_symbol(action: Action, a: &AttributeChange) -> &'static str {
    match action {
        Action::Create => "+",
        Action::Delete => "-",
        _ if a.forces_replacement => "-/+",
        _ if a.before.is_null() && !a.sensitive => "+",
        _ => "~",
    }
}

fn tone_for(action: Action, a: &AttributeChange) -> Tone {
    match attr_symbol(action, a) {
        "+" => Tone::Add,
        "-" => Tone::Remove,
        _ => Tone::Change,
    }
}

fn attribute_text(
    action: Action,
    a: &AttributeChange,
    name: &str,
    level: usize,
    p: &Printer,
    out: &mut String,
) {
    let pad = indent(level);
    let symbol = p.paint(attr_symbol(action, a), tone_for(action, a), false);
    let after = value_text(&a.after, a.sensitive, a.after_unknown);
    let mut note = String::new();
    if a.forces_replacement && action == Action::Replace {
        note.push_str(&p.paint("  # forces replacement", Tone::Remove, false));
    }
    if a.drift {
        note.push_str(&p.paint("  # changed outside zentra", Tone::Warn, false));
    }
    if action == Action::Create || (a.before.is_null() && !a.sensitive) {
        out.push_str(&format!("{pad}{symbol} {name} = {after}{note}\n"));
        return;
    }
    if let (Some(old), Some(new)) = (a.before.as_str(), a.after.as_str())
        && !a.sensitive
        && crate::cert::describe(old).is_none()
        && crate::cert::describe(new).is_none()
        && (old.contains('\n')
            || new.contains('\n')
            || old.len() > LONG_STRING
            || new.len() > LONG_STRING)
    {
        {
            out.push_str(&format!("{pad}{symbol} {name} = <<-EOT{note}\n"));
            let diff = similar::TextDiff::from_lines(old, new);
            for change in diff.iter_all_changes() {
                let (sign, tone) = match change.tag() {
                    similar::ChangeTag::Delete => ("-", Tone::Remove),
                    similar::ChangeTag::Insert => ("+", Tone::Add),
                    similar::ChangeTag::Equal => (" ", Tone::Plain),
                };
                let line = change.value().trim_end_matches('\n');
                out.push_str(&format!(
                    "{pad}    {}\n",
                    p.paint(&format!("{sign} {line}"), tone, false)
                ));
            }
            out.push_str(&format!("{pad}  EOT\n"));
            return;
        }
    }
    let before = value_text(&a.before, a.sensitive, false);
    out.push_str(&format!(
        "{pad}{symbol} {name} = {before} -> {after}{note}\n"
    ));
}

/// A value as shown in a plan. A certificate (base64 DER, as Graph stores it) is shown by
/// subject, thumbprint and expiry instead of its base64.
pub fn value_text(v: &serde_json::Value, sensitive: bool, unknown: bool) -> String {
    if sensitive {
        return "(sensitive value)".into();
    }
    if unknown {
        return "(known after apply)".into();
    }
    match v {
        serde_json::Value::Null => "null".into(),
        serde_json::Value::String(s) => crate::cert::describe(s).unwrap_or_else(|| v.to_string()),
        other => other.to_string(),
    }
}

fn outputs_text(plan: &Plan, p: &Printer, out: &mut String) {
    if plan.outputs.is_empty() {
        return;
    }
    out.push_str(&format!("\n{}\n", p.paint("Outputs:", Tone::Bold, false)));
    for (name, o) in &plan.outputs {
        out.push_str(&format!(
            "  {name} = {}\n",
            value_text(&o.value, o.sensitive, o.unknown)
        ));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::{ProviderAddr, ResourceAddr};
    use crate::plan::{PLAN_FORMAT_VERSION, StateRef};
    use serde_json::json;

    fn plan(changes: Vec<ResourceChange>) -> Plan {
        Plan {
            format_version: PLAN_FORMAT_VERSION,
            zentra_version: "0".into(),
            created_at: "now".into(),
            prior_state: StateRef {
                lineage: None,
                serial: 0,
            },
            config_fingerprint: String::new(),
            live_fingerprint: String::new(),
            summary: Plan::summarize(&changes),
            changes,
            outputs: Default::default(),
            warnings: vec![],
            destroy: false,
        }
    }

    fn attr(path: &str, before: serde_json::Value, after: serde_json::Value) -> AttributeChange {
        AttributeChange {
            path: path.into(),
            before,
            after,
            after_unknown: false,
            sensitive: false,
            drift: false,
            forces_replacement: false,
        }
    }

    #[test]
    fn updates_render_nested_blocks_with_old_and_new_values() {
        let p = Printer::plain(Box::new(std::io::sink()), Box::new(std::io::sink()));
        let text = plan_text(
            &plan(vec![ResourceChange {
                address: ResourceAddr::managed("zoom_account_settings", "sso"),
                provider: ProviderAddr::default_for("zoom"),
                action: Action::Update,
                id: Some("me".into()),
                reason: None,
                adopt: None,
                keep_existing: false,
                attributes: vec![
                    attr("security.signin_with_sso.enable", json!(false), json!(true)),
                    attr(
                        "security.signin_with_sso.domains",
                        json!([]),
                        json!(["contoso.com"]),
                    ),
                    AttributeChange {
                        sensitive: true,
                        ..attr("security.secret", json!(null), json!(null))
                    },
                ],
            }]),
            &p,
        );
        assert_eq!(
            text,
            "zentra will perform these actions (~ update in place):\n\n  # zoom_account_settings.sso will be updated in place\n  ~ resource \"zoom_account_settings\" \"sso\" {\n      ~ security {\n          ~ signin_with_sso {\n              ~ enable  = false -> true\n              ~ domains = [] -> [\"contoso.com\"]\n            }\n          ~ secret = (sensitive value) -> (sensitive value)\n        }\n    }\n\nPlan: 0 to add, 1 to change, 0 to destroy.\n"
        );
    }

    #[test]
    fn long_strings_render_as_a_line_diff() {
        let p = Printer::plain(Box::new(std::io::sink()), Box::new(std::io::sink()));
        let text = plan_text(
            &plan(vec![ResourceChange {
                address: ResourceAddr::managed("azuread_domain_federation", "okta"),
                provider: ProviderAddr::default_for("azuread"),
                action: Action::Update,
                id: None,
                reason: None,
                adopt: None,
                keep_existing: false,
                attributes: vec![attr("note", json!("a\nb\nc\n"), json!("a\nB\nc\n"))],
            }]),
            &p,
        );
        assert!(
            text.contains("    - b\n") && text.contains("    + B\n"),
            "{text}"
        );
    }

    #[test]
    fn certificates_render_by_subject_thumbprint_and_expiry() {
        let p = Printer::plain(Box::new(std::io::sink()), Box::new(std::io::sink()));
        let old =
            crate::cert::canonical(include_str!("../../tests/fixtures/certs/okta-current.pem"))
                .unwrap();
        let new = crate::cert::canonical(include_str!("../../tests/fixtures/certs/okta-next.pem"))
            .unwrap();
        let text = plan_text(
            &plan(vec![ResourceChange {
                address: ResourceAddr::managed("azuread_domain_federation", "okta"),
                provider: ProviderAddr::default_for("azuread"),
                action: Action::Update,
                id: None,
                reason: None,
                adopt: None,
                keep_existing: false,
                attributes: vec![attr("signing_certificate", json!(old), json!(new))],
            }]),
            &p,
        );
        let line = text
            .lines()
            .find(|l| l.contains("signing_certificate"))
            .unwrap();
        assert!(
            line.contains("(certificate CN=contoso-sample.okta.example, OU=SSOProvider")
                && line.contains("expires 2027-06-30) -> (certificate CN=contoso-sample")
                && line.ends_with("expires 2029-06-30)"),
            "{text}"
        );
        assert!(!text.contains("MII"), "no base64 in the plan: {text}");
    }

    #[test]
    fn adoptions_and_kept_replacements_say_so() {
        let p = Printer::plain(Box::new(std::io::sink()), Box::new(std::io::sink()));
        let change = |name: &str, action: Action| ResourceChange {
            address: ResourceAddr::managed("zoom_group", name),
            provider: ProviderAddr::default_for("zoom"),
            action,
            id: Some(format!("id-{name}")),
            reason: None,
            attributes: vec![],
            adopt: None,
            keep_existing: false,
        };
        let adopted = ResourceChange {
            adopt: Some(crate::plan::Adoption {
                id: "id-sales".into(),
            }),
            ..change("sales", Action::NoOp)
        };
        let kept = ResourceChange {
            keep_existing: true,
            ..change("pilot", Action::Replace)
        };
        let text = plan_text(&plan(vec![adopted, kept]), &p);
        assert!(
            text.starts_with(
                "zentra will perform these actions (adopt existing objects, -/+ replace):"
            ),
            "{text}"
        );
        assert!(
            text.contains("# zoom_group.sales will be adopted (id id-sales), no write"),
            "{text}"
        );
        assert!(
            text.contains(
                "# zoom_group.pilot must be replaced (the existing object is kept, not deleted)"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "Plan: 1 to adopt, 1 to add, 0 to change, 0 to destroy, 1 to stop managing."
            ),
            "{text}"
        );
    }

    #[test]
    fn empty_plans_say_no_changes() {
        let p = Printer::plain(Box::new(std::io::sink()), Box::new(std::io::sink()));
        assert!(plan_text(&plan(vec![]), &p).starts_with("No changes."));
    }
}
