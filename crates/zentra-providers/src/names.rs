//! Names a provider saw beside ids while reading (a group's name, a service principal's
//! display name), remembered for the life of the provider so that a plan can show an id with
//! the name it stands for ([`zentra_engine::provider::Provider::value_label`]).

use std::collections::HashMap;
use std::sync::Mutex;

/// Names by kind of object and id.
#[derive(Debug, Default)]
pub(crate) struct SeenNames {
    names: Mutex<HashMap<(&'static str, String), String>>,
}

impl SeenNames {
    /// Remembers that the `kind` object `id` is called `name` (a blank name is not a name).
    pub(crate) fn remember(&self, kind: &'static str, id: &str, name: &str) {
        if id.is_empty() || name.trim().is_empty() {
            return;
        }
        if let Ok(mut names) = self.names.lock() {
            names.insert((kind, id.to_string()), name.to_string());
        }
    }

    /// The name of the `kind` object `id`, if one was seen.
    pub(crate) fn get(&self, kind: &'static str, id: &str) -> Option<String> {
        self.names
            .lock()
            .ok()?
            .get(&(kind, id.to_string()))
            .cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kept_per_kind_and_id() {
        let seen = SeenNames::default();
        seen.remember("group", "g1", "Sales");
        seen.remember("group", "g2", " ");
        assert_eq!(seen.get("group", "g1").as_deref(), Some("Sales"));
        assert_eq!(seen.get("role", "g1"), None, "another kind");
        assert_eq!(seen.get("group", "g2"), None, "a blank name is not kept");
    }
}
