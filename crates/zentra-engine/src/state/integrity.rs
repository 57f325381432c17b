//! Whether a state file can be trusted: it parses as this format version, and it does not
//! contradict itself. The same checks run when a state is read and before one is written, so
//! zentra never writes a state that its own reader would refuse.

use std::collections::HashMap;

use super::{STATE_FORMAT_VERSION, StateError, StateFile};

/// Parses the text of a state file, checking its format version first and its consistency
/// after. `path` names the file in errors.
pub fn parse_json(path: &str, json: &[u8]) -> Result<StateFile, StateError> {
    let corrupt = |message: String| StateError::Corrupt {
        path: path.to_string(),
        message,
    };
    let probe: serde_json::Value =
        serde_json::from_slice(json).map_err(|e| corrupt(e.to_string()))?;
    let Some(found) = probe.get("version").and_then(serde_json::Value::as_u64) else {
        return Err(corrupt(
            "it has no format `version`: not a zentra state file".into(),
        ));
    };
    if found != u64::from(STATE_FORMAT_VERSION) {
        return Err(StateError::Version {
            path: path.to_string(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
        });
    }
    let state: StateFile = serde_json::from_value(probe).map_err(|e| corrupt(e.to_string()))?;
    check_integrity(&state).map_err(|message| StateError::Inconsistent {
        path: path.to_string(),
        message,
    })?;
    Ok(state)
}

/// What makes a parsed state unusable: one address recorded twice (which entry would apply?),
/// one remote object recorded under two addresses (removing one block would delete what the
/// other still manages), or a serial at its largest value (the next write could not go after
/// it).
pub fn check_integrity(state: &StateFile) -> Result<(), String> {
    if state.serial == u64::MAX {
        return Err(format!(
            "its serial is {}, the largest there is: no later state could follow it",
            state.serial
        ));
    }
    let mut addresses = std::collections::HashSet::new();
    for r in &state.resources {
        if !addresses.insert(&r.address) {
            return Err(format!("it records `{}` twice", r.address));
        }
    }
    let mut holders: HashMap<(String, &str, &str), &crate::addr::ResourceAddr> = HashMap::new();
    for r in &state.resources {
        let key = (
            r.provider.to_string(),
            r.address.type_name.as_str(),
            r.id.as_str(),
        );
        if let Some(first) = holders.insert(key, &r.address) {
            return Err(format!(
                "`{first}` and `{}` record the same {} object (id {})",
                r.address, r.address.type_name, r.id
            ));
        }
    }
    let mut pending = std::collections::HashSet::new();
    for p in &state.pending_creates {
        if !pending.insert(&p.address) {
            return Err(format!(
                "it records a create in flight for `{}` twice",
                p.address
            ));
        }
    }
    let mut deposed = std::collections::HashSet::new();
    for d in &state.deposed {
        if !deposed.insert((&d.address, d.id.as_str())) {
            return Err(format!(
                "it records the deposed object {} of `{}` twice",
                d.id, d.address
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::addr::{ProviderAddr, ResourceAddr};
    use crate::state::ResourceState;

    fn entry(name: &str, id: &str) -> ResourceState {
        ResourceState {
            address: ResourceAddr::managed("zoom_group", name),
            provider: ProviderAddr::default_for("zoom"),
            id: id.into(),
            attributes: serde_json::json!({"name": name}),
            computed: serde_json::Value::Null,
            sensitive_paths: vec![],
            dependencies: vec![],
            confirmation: None,
            origin: None,
            prevent_destroy: false,
        }
    }

    #[test]
    fn contradictions_are_named() {
        let mut state = StateFile::new();
        state.resources = vec![entry("a", "1"), entry("a", "2")];
        assert_eq!(
            check_integrity(&state).unwrap_err(),
            "it records `zoom_group.a` twice"
        );
        state.resources = vec![entry("a", "1"), entry("b", "1")];
        assert_eq!(
            check_integrity(&state).unwrap_err(),
            "`zoom_group.a` and `zoom_group.b` record the same zoom_group object (id 1)"
        );
        // Another type may share an id: a group and its settings.
        let mut settings = entry("s", "1");
        settings.address = ResourceAddr::managed("zoom_group_settings", "s");
        state.resources = vec![entry("a", "1"), settings];
        assert!(check_integrity(&state).is_ok());
        state.serial = u64::MAX;
        assert!(check_integrity(&state).unwrap_err().contains("largest"));
    }

    #[test]
    fn addresses_that_are_not_identifiers_do_not_parse() {
        let mut state = StateFile::new();
        state.resources = vec![entry("a", "1")];
        let text = serde_json::to_string(&state)
            .unwrap()
            .replace("zoom_group.a", "zoom_group.sales.emea");
        assert!(matches!(
            parse_json("s.json", text.as_bytes()),
            Err(StateError::Corrupt { .. })
        ));
    }
}
