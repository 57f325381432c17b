//! Rendering plans and apply results for people. The human view is computed from the same
//! [`Plan`] value that `--json` prints, so the two can never disagree.

pub mod drift_text;
mod elements;
pub mod junit;
pub mod markdown;
pub mod sarif;
mod state_text;

pub use state_text::state_entry_text;

use crate::output::{Printer, Tone};
use zentra_engine::plan::{
    Action, AttributeChange, DeposedChange, ObjectDriftKind, Plan, ResourceChange,
};

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
    let drifted: Vec<&ResourceChange> = plan.changes.iter().filter(|c| c.has_drift()).collect();
    if !drifted.is_empty() {
        out.push_str(&p.paint(
            "Drift: changed outside zentra since the last apply\n",
            Tone::Bold,
            false,
        ));
        for c in &drifted {
            for line in drift_lines(c) {
                out.push_str(&format!(
                    "  {} {}: {line}\n",
                    p.paint("!", Tone::Warn, false),
                    c.address,
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
        checks_text(plan, p, &mut out);
        outputs_text(plan, p, &mut out);
        return out;
    }
    out.push_str("zentra will perform these actions (");
    let mut legend: Vec<String> = legend(plan)
        .into_iter()
        .map(|(a, sign, word)| format!("{} {word}", p.paint(sign, tone(a), false)))
        .collect();
    if plan.changes.iter().any(|c| c.adopt.is_some()) {
        legend.insert(0, "adopt existing objects".into());
    }
    if plan.changes.iter().any(|c| c.read_during_apply) {
        legend.push(format!(
            "{} read (data sources)",
            p.paint(Action::Read.symbol(), tone(Action::Read), false)
        ));
    }
    if !plan.moved.is_empty() {
        legend.push("move in state".into());
    }
    out.push_str(&legend.join(", "));
    out.push_str("):\n");
    for m in &plan.moved {
        out.push_str(&format!(
            "\n  # {} has moved to {} (in state only, no API call)\n",
            m.from, m.to
        ));
    }
    for c in visible {
        out.push('\n');
        resource_text(c, p, &mut out);
    }
    for d in &plan.deposed {
        out.push('\n');
        deposed_text(d, p, &mut out);
    }
    out.push('\n');
    out.push_str(&p.paint(&plan.summary.line(), Tone::Bold, false));
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
    checks_text(plan, p, &mut out);
    outputs_text(plan, p, &mut out);
    out
}

/// `check` blocks that failed, a warning line per problem, and those that could not be
/// decided yet.
fn checks_text(plan: &Plan, p: &Printer, out: &mut String) {
    use zentra_engine::plan::checks::CheckStatus;
    for c in &plan.checks {
        match c.status {
            CheckStatus::Fail => {
                for problem in &c.problems {
                    out.push_str(&format!(
                        "\n{} {} failed: {problem}\n",
                        p.paint("Warning:", Tone::Warn, false),
                        c.address()
                    ));
                }
            }
            CheckStatus::Unknown => out.push_str(&format!(
                "\nNote: {} is decided after apply: it depends on values not known yet\n",
                c.address()
            )),
            CheckStatus::Pass => {}
        }
    }
}

/// What changed outside zentra about one resource, a line each: the object, then each
/// attribute with its live value and the configured one.
fn drift_lines(c: &ResourceChange) -> Vec<String> {
    let mut lines = Vec::new();
    if let Some(d) = &c.object_drift {
        lines.push(match (d.kind, &c.id) {
            (ObjectDriftKind::Replaced, Some(id)) => format!(
                "replaced outside zentra ({} is gone, {id} took its place)",
                d.previous_id
            ),
            _ => format!("deleted outside zentra (it was {})", d.previous_id),
        });
    }
    for a in c.attributes.iter().filter(|a| a.drift) {
        lines.push(if a.sensitive {
            format!("{} changed outside zentra (sensitive value)", a.path)
        } else {
            format!(
                "{} is {} outside zentra (configuration says {})",
                a.path,
                value_text(&a.before, false, false),
                value_text(&a.after, false, a.after_unknown)
            )
        });
    }
    lines
}

/// The signs the plan uses, with what each means.
fn legend(plan: &Plan) -> Vec<(Action, &'static str, &'static str)> {
    let mut out = Vec::new();
    for (a, word) in [
        (Action::Create, "create"),
        (Action::Update, "update in place"),
        (Action::Replace, "replace"),
        (Action::Delete, "delete"),
        (Action::Forget, "stop managing"),
        (Action::Manual, "manual step"),
    ] {
        let deposed = plan.deposed.iter().any(|d| d.action == a);
        if a == Action::Replace {
            for (first, sign, word) in [
                (false, "-/+", "replace"),
                (true, "+/-", "create replacement and then delete"),
            ] {
                if plan
                    .changes
                    .iter()
                    .any(|c| c.action == a && c.create_before_destroy == first)
                {
                    out.push((a, sign, word));
                }
            }
        } else if deposed || plan.changes.iter().any(|c| c.action == a) {
            out.push((a, a.symbol(), word));
        }
    }
    out
}

/// An object replaced under `create_before_destroy` and still to be deleted.
fn deposed_text(d: &DeposedChange, p: &Printer, out: &mut String) {
    let what = match d.action {
        Action::Delete => "will be deleted",
        _ => "will be forgotten, not deleted",
    };
    out.push_str(&p.paint(
        &format!("  # {} (deposed object {}) {what}", d.address, d.id),
        Tone::Bold,
        false,
    ));
    out.push('\n');
    out.push_str(&format!("  # ({})\n", d.reason));
    out.push_str(&format!(
        "  {} resource \"{}\" \"{}\" {{\n        id = \"{}\"\n    }}\n",
        p.paint(d.action.symbol(), tone(d.action), false),
        d.address.type_name,
        d.address.name,
        d.id
    ));
}

fn tone(a: Action) -> Tone {
    match a {
        Action::Create => Tone::Add,
        Action::Update | Action::Replace | Action::Manual => Tone::Change,
        Action::Delete => Tone::Remove,
        Action::Forget | Action::NoOp | Action::Read => Tone::Dim,
    }
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
        (Action::NoOp, Some(a)) if a.created_by_zentra => {
            format!(
                "will be recorded as created by zentra (id {}), no write",
                a.id
            )
        }
        (Action::Update, Some(a)) if a.created_by_zentra => format!(
            "will be recorded as created by zentra (id {}) and updated in place",
            a.id
        ),
        (Action::NoOp, Some(a)) if a.imported => {
            format!("will be imported (id {}), no write", a.id)
        }
        (Action::Update, Some(a)) if a.imported => {
            format!("will be imported (id {}) and updated in place", a.id)
        }
        (Action::NoOp, Some(a)) => format!("will be adopted (id {}), no write", a.id),
        (Action::Update, Some(a)) => format!("will be adopted (id {}) and updated in place", a.id),
        (Action::Read, _) if c.read_during_apply => "will be read during apply".to_string(),
        (Action::Replace, _) if c.keep_existing => {
            "must be replaced (the existing object is kept, not deleted)".to_string()
        }
        (Action::Replace, _) if c.create_before_destroy => {
            "must be replaced (the new object is created before the old one is deleted)".to_string()
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
    let symbol = p.paint(c.symbol(), tone(c.action), false);
    let kind = if c.address.mode == zentra_engine::addr::Mode::Data {
        "data"
    } else {
        "resource"
    };
    out.push_str(&format!(
        "  {symbol} {kind} \"{}\" \"{}\" {{",
        c.address.type_name, c.address.name
    ));
    // The object state recorded, and the one that took its place outside zentra.
    let replaced = match (&c.object_drift, &c.id) {
        (Some(d), Some(id)) if d.kind == ObjectDriftKind::Replaced => {
            Some((d.previous_id.as_str(), id.as_str()))
        }
        _ => None,
    };
    if c.attributes.is_empty() && replaced.is_none() {
        if let Some(id) = &c.id {
            out.push_str(&format!("\n        id = \"{id}\""));
        }
        out.push_str("\n    }\n");
        return;
    }
    out.push('\n');
    // Align `=` among the attributes of one block, as `zentra fmt`-style output does.
    let mut widths: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    if replaced.is_some() {
        widths.insert("", 2);
    }
    for a in &c.attributes {
        let (parent, leaf) = a.path.rsplit_once('.').unwrap_or(("", a.path.as_str()));
        let w = widths.entry(parent).or_default();
        *w = (*w).max(leaf.chars().count());
    }
    if let Some((previous, now)) = replaced {
        out.push_str(&format!(
            "{}{} {:<width$} = \"{previous}\" -> \"{now}\"  # {}\n",
            indent(1),
            p.paint("~", Tone::Change, false),
            "id",
            p.paint("replaced outside zentra", Tone::Warn, false),
            width = widths.get("").copied().unwrap_or(2)
        ));
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
    let created = action == Action::Create || (a.before.is_null() && !a.sensitive);
    let mut notes: Vec<String> = Vec::new();
    if !a.sensitive
        && !a.before.is_array()
        && !a.after.is_array()
        && let Some(label) = scalar_label(a, created)
    {
        notes.push(label);
    }
    if a.forces_replacement && action == Action::Replace {
        notes.push(p.paint("forces replacement", Tone::Remove, false));
    }
    if a.drift {
        notes.push(p.paint("changed outside zentra", Tone::Warn, false));
    }
    let note = if notes.is_empty() {
        String::new()
    } else {
        format!("  # {}", notes.join("; "))
    };
    if let Some(lines) = elements::lines(action, a) {
        elements::write(&pad, &format!("{symbol} {name}"), &note, a, &lines, p, out);
        return;
    }
    if created {
        out.push_str(&format!("{pad}{symbol} {name} = {after}{note}\n"));
        return;
    }
    if let (Some(old), Some(new)) = (a.before.as_str(), a.after.as_str())
        && !a.sensitive
        && zentra_providers::cert::describe(old).is_none()
        && zentra_providers::cert::describe(new).is_none()
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

/// The names of a scalar's values, when the provider gave any: the new one's for a create,
/// `old -> new` (or one side) for a change.
fn scalar_label(a: &AttributeChange, created: bool) -> Option<String> {
    let label = |v: &serde_json::Value| v.as_str().and_then(|s| a.labels.get(s));
    let after = label(&a.after).filter(|_| !a.after_unknown);
    if created {
        return after.cloned();
    }
    match (label(&a.before), after) {
        (Some(old), Some(new)) => Some(format!("{old} -> {new}")),
        (None, Some(new)) => Some(format!("now {new}")),
        (Some(old), None) => Some(format!("was {old}")),
        (None, None) => None,
    }
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
        serde_json::Value::String(s) => {
            zentra_providers::cert::describe(s).unwrap_or_else(|| v.to_string())
        }
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
    use serde_json::json;
    use zentra_engine::addr::{ProviderAddr, ResourceAddr};
    use zentra_engine::plan::{PLAN_FORMAT_VERSION, StateRef};

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
            live_fingerprints: Default::default(),
            summary: Plan::summarize(&changes),
            changes,
            outputs: Default::default(),
            warnings: vec![],
            destroy: false,
            objects: vec![],
            moved: vec![],
            deposed: vec![],
            checks: vec![],
        }
    }

    fn attr(path: &str, before: serde_json::Value, after: serde_json::Value) -> AttributeChange {
        AttributeChange::new(path, before, after)
    }

    fn printer() -> Printer {
        Printer::plain(Box::new(std::io::sink()), Box::new(std::io::sink()))
    }

    fn resource(
        type_name: &str,
        action: Action,
        id: Option<&str>,
        attributes: Vec<AttributeChange>,
    ) -> ResourceChange {
        ResourceChange {
            address: ResourceAddr::managed(type_name, "x"),
            provider: ProviderAddr::default_for(type_name.split('_').next().unwrap_or("zoom")),
            action,
            id: id.map(str::to_string),
            reason: None,
            attributes,
            object_drift: None,
            adopt: None,
            keep_existing: false,
            read_during_apply: false,
            create_before_destroy: false,
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
                object_drift: None,
                adopt: None,
                keep_existing: false,
                read_during_apply: false,
                create_before_destroy: false,
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
            "zentra will perform these actions (~ update in place):\n\n  # zoom_account_settings.sso will be updated in place\n  ~ resource \"zoom_account_settings\" \"sso\" {\n      ~ security {\n          ~ signin_with_sso {\n              ~ enable  = false -> true\n              ~ domains = [\n                  + \"contoso.com\",\n                ]\n            }\n          ~ secret = (sensitive value) -> (sensitive value)\n        }\n    }\n\nPlan: 0 to add, 1 to change, 0 to destroy.\n"
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
                object_drift: None,
                adopt: None,
                keep_existing: false,
                read_during_apply: false,
                create_before_destroy: false,
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
        let old = zentra_providers::cert::canonical(include_str!(
            "../../../zentra-test-support/fixtures/certs/okta-current.pem"
        ))
        .unwrap();
        let new = zentra_providers::cert::canonical(include_str!(
            "../../../zentra-test-support/fixtures/certs/okta-next.pem"
        ))
        .unwrap();
        let text = plan_text(
            &plan(vec![ResourceChange {
                address: ResourceAddr::managed("azuread_domain_federation", "okta"),
                provider: ProviderAddr::default_for("azuread"),
                action: Action::Update,
                id: None,
                reason: None,
                object_drift: None,
                adopt: None,
                keep_existing: false,
                read_during_apply: false,
                create_before_destroy: false,
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
    fn changed_sets_show_element_by_element_with_a_count_of_the_unchanged() {
        let scopes = AttributeChange {
            set: true,
            ..attr(
                "scopes",
                json!([
                    "openid",
                    "profile",
                    "email",
                    "offline_access",
                    "User.Read",
                    "Calendars.ReadWrite",
                    "Contacts.Read"
                ]),
                json!([
                    "openid",
                    "profile",
                    "email",
                    "offline_access",
                    "User.Read",
                    "Calendars.ReadWrite",
                    "Mail.Read"
                ]),
            )
        };
        let text = plan_text(
            &plan(vec![resource(
                "azuread_delegated_permission_grant",
                Action::Update,
                Some("g1"),
                vec![scopes],
            )]),
            &printer(),
        );
        assert!(
            text.contains(
                "  ~ resource \"azuread_delegated_permission_grant\" \"x\" {\n      ~ scopes = [\n          + \"Mail.Read\",\n          - \"Contacts.Read\",\n            # (6 unchanged elements hidden)\n        ]\n    }\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn creates_list_what_they_set_one_element_a_line() {
        let text = plan_text(
            &plan(vec![resource(
                "zoom_group_members",
                Action::Create,
                None,
                vec![
                    AttributeChange {
                        set: true,
                        ..attr("emails", json!(null), json!(["b@x.com", "a@x.com"]))
                    },
                    attr("group_id", json!(null), json!("g1")),
                    attr("empty", json!(null), json!([])),
                ],
            )]),
            &printer(),
        );
        assert!(
            text.contains(
                "      + emails   = [\n          + \"b@x.com\",\n          + \"a@x.com\",\n        ]\n      + group_id = \"g1\"\n      + empty    = []\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn ids_show_with_the_names_the_provider_gave_them() {
        let global_admin = "62e90394-69f5-4237-9190-012177145e10";
        let cloud_admin = "158c047a-c907-4556-b7ef-446551a6b5f7";
        let roles = AttributeChange {
            set: true,
            labels: [
                (global_admin.to_string(), "Global Administrator".to_string()),
                (
                    cloud_admin.to_string(),
                    "Cloud Application Administrator".to_string(),
                ),
            ]
            .into(),
            ..attr(
                "reviewer_roles",
                json!([cloud_admin]),
                json!([global_admin]),
            )
        };
        let group = AttributeChange {
            labels: [
                ("g1".to_string(), "Sales".to_string()),
                ("g2".to_string(), "Pilot".to_string()),
            ]
            .into(),
            ..attr("group_id", json!("g1"), json!("g2"))
        };
        let text = plan_text(
            &plan(vec![resource(
                "azuread_admin_consent_request_policy",
                Action::Update,
                Some("p"),
                vec![roles, group],
            )]),
            &printer(),
        );
        assert!(
            text.contains(&format!(
                "          + \"{global_admin}\", # Global Administrator\n          - \"{cloud_admin}\", # Cloud Application Administrator\n"
            )),
            "{text}"
        );
        assert!(
            text.contains("~ group_id       = \"g1\" -> \"g2\"  # Sales -> Pilot\n"),
            "{text}"
        );
    }

    #[test]
    fn drift_shows_the_live_value_beside_the_configured_one() {
        let text = plan_text(
            &plan(vec![resource(
                "zoom_account_settings",
                Action::Update,
                Some("me"),
                vec![
                    AttributeChange {
                        drift: true,
                        ..attr("security.signin_with_sso.enable", json!(false), json!(true))
                    },
                    AttributeChange {
                        drift: true,
                        sensitive: true,
                        ..attr(
                            "schedule_meeting.enforce_login_domains",
                            json!(null),
                            json!(null),
                        )
                    },
                ],
            )]),
            &printer(),
        );
        assert!(
            text.starts_with(
                "Drift: changed outside zentra since the last apply\n  ! zoom_account_settings.x: security.signin_with_sso.enable is false outside zentra (configuration says true)\n  ! zoom_account_settings.x: schedule_meeting.enforce_login_domains changed outside zentra (sensitive value)\n\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("~ enable = false -> true  # changed outside zentra\n"),
            "{text}"
        );
    }

    #[test]
    fn objects_deleted_or_replaced_outside_zentra_are_drift() {
        let deleted = ResourceChange {
            object_drift: Some(zentra_engine::plan::ObjectDrift {
                kind: ObjectDriftKind::Deleted,
                previous_id: "old-sp".into(),
            }),
            ..resource(
                "azuread_service_principal",
                Action::Create,
                None,
                vec![attr("app_id", json!(null), json!("a651cfda"))],
            )
        };
        let replaced = ResourceChange {
            address: ResourceAddr::managed("zoom_group", "pilot"),
            object_drift: Some(zentra_engine::plan::ObjectDrift {
                kind: ObjectDriftKind::Replaced,
                previous_id: "g-old".into(),
            }),
            ..resource("zoom_group", Action::Update, Some("g-new"), vec![])
        };
        let plan = plan(vec![deleted, replaced]);
        assert_eq!(plan.summary.drift, 2);
        let text = plan_text(&plan, &printer());
        assert!(
            text.starts_with(
                "Drift: changed outside zentra since the last apply\n  ! azuread_service_principal.x: deleted outside zentra (it was old-sp)\n  ! zoom_group.pilot: replaced outside zentra (g-old is gone, g-new took its place)\n\n"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "  ~ resource \"zoom_group\" \"pilot\" {\n      ~ id = \"g-old\" -> \"g-new\"  # replaced outside zentra\n    }\n"
            ),
            "{text}"
        );
    }

    #[test]
    fn replacements_that_create_first_and_deposed_objects_say_so() {
        let p = Printer::plain(Box::new(std::io::sink()), Box::new(std::io::sink()));
        let replaced = ResourceChange {
            address: ResourceAddr::managed("zoom_rooms_calendar_resource", "board"),
            create_before_destroy: true,
            ..resource(
                "zoom_rooms_calendar_resource",
                Action::Replace,
                Some("r-1"),
                vec![],
            )
        };
        let mut plan = plan(vec![replaced]);
        plan.deposed.push(DeposedChange {
            address: ResourceAddr::managed("zoom_rooms_calendar_resource", "lobby"),
            provider: ProviderAddr::default_for("zoom"),
            id: "r-0".into(),
            action: Action::Delete,
            reason: "its delete did not complete".into(),
        });
        plan.recount();
        let text = plan_text(&plan, &p);
        assert!(
            text.starts_with(
                "zentra will perform these actions (+/- create replacement and then delete, - delete):"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "  # zoom_rooms_calendar_resource.board must be replaced (the new object is created \
                 before the old one is deleted)\n  +/- resource \"zoom_rooms_calendar_resource\" \"board\" {"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                "  # zoom_rooms_calendar_resource.lobby (deposed object r-0) will be deleted\n  \
                 # (its delete did not complete)\n  - resource \"zoom_rooms_calendar_resource\" \
                 \"lobby\" {\n        id = \"r-0\"\n    }\n"
            ),
            "{text}"
        );
        assert!(
            text.contains("Plan: 1 to add, 0 to change, 2 to destroy."),
            "{text}"
        );
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
            object_drift: None,
            adopt: None,
            keep_existing: false,
            read_during_apply: false,
            create_before_destroy: false,
        };
        let adopted = ResourceChange {
            adopt: Some(zentra_engine::plan::Adoption {
                id: "id-sales".into(),
                created_by_zentra: false,
                imported: false,
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
