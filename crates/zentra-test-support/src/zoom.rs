//! Helpers for the end-to-end tests of the Zoom resources: a seed with more users, and views of
//! a [`Project`]'s emulator: its Zoom requests, the first account's live state, its groups,
//! their members and role holders.

use serde_json::Value;
use zentra_sim::{Seed, ZoomUserSeed};

use crate::Project;

impl Project {
    /// Zoom API requests (not the token endpoint) as `METHOD /path?query`.
    pub fn zoom_requests(&self) -> Vec<String> {
        self.sim
            .requests()
            .into_iter()
            .filter(|r| r.service == "zoom")
            .map(|r| {
                let path = r.path.trim_start_matches("/v2").to_string();
                if r.query.is_empty() {
                    format!("{} {path}", r.method)
                } else {
                    format!("{} {path}?{}", r.method, r.query)
                }
            })
            .collect()
    }

    /// Zoom API requests that change something.
    pub fn zoom_writes(&self) -> Vec<String> {
        self.zoom_requests()
            .into_iter()
            .filter(|r| !r.starts_with("GET "))
            .collect()
    }

    /// The first account's live state, as the emulator's admin API shows it.
    pub fn account(&self) -> Value {
        self.sim.snapshot()["zoom"]["accounts"][0].clone()
    }

    /// A live group by name.
    pub fn group(&self, name: &str) -> Option<Value> {
        self.account()["groups"]
            .as_array()?
            .iter()
            .find(|g| g["name"] == name)
            .cloned()
    }

    /// The emails of a live group's members.
    pub fn member_emails(&self, group: &str) -> Vec<String> {
        let account = self.account();
        let Some(group) = self.group(group) else {
            return Vec::new();
        };
        let mut emails: Vec<String> = group["members"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|id| {
                account["users"]
                    .as_array()?
                    .iter()
                    .find(|u| &u["id"] == id)?["email"]
                    .as_str()
                    .map(str::to_string)
            })
            .collect();
        emails.sort();
        emails
    }

    /// The emails of the users holding a role.
    pub fn role_members(&self, role: &str) -> Vec<String> {
        let mut emails: Vec<String> = self.account()["users"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|u| u["role_name"] == role)
            .filter_map(|u| u["email"].as_str().map(str::to_string))
            .collect();
        emails.sort();
        emails
    }
}

/// The demo seed with `n` more users, `user00@contoso.com`, ...
pub fn seed_with_users(n: usize) -> Seed {
    let mut seed = Seed::default_demo();
    for i in 0..n {
        seed.zoom.accounts[0].users.push(ZoomUserSeed {
            id: format!("user{i:02}"),
            email: format!("user{i:02}@contoso.com"),
            first_name: "User".into(),
            last_name: format!("{i:02}"),
            user_type: 1,
            role_name: "Member".into(),
            status: "active".into(),
        });
    }
    seed
}
