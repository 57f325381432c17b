//! Who holds a state lock: what a lock object in remote storage records, so that a lock left by
//! a killed run can be named with its holder and age, and removed by its id.

use serde::{Deserialize, Serialize};

/// The content of a lock object.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockInfo {
    /// What `zentra force-unlock` takes.
    pub id: String,
    /// `zentra apply`, `zentra plan`, ...
    pub operation: String,
    /// The user who ran it.
    pub who: String,
    /// The machine it ran on, and its process id.
    pub host: String,
    pub pid: u32,
    /// When the lock was taken (RFC 3339, UTC).
    pub created: String,
    pub zentra_version: String,
}

impl LockInfo {
    /// A new lock for `operation` by this process.
    pub fn new(operation: &str) -> Self {
        LockInfo {
            id: uuid::Uuid::new_v4().to_string(),
            operation: operation.to_string(),
            who: user_name(),
            host: host_name(),
            pid: std::process::id(),
            created: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
            zentra_version: env!("CARGO_PKG_VERSION").to_string(),
        }
    }

    /// How long ago it was taken, e.g. `3m12s`, when `created` reads.
    pub fn age(&self, now: chrono::DateTime<chrono::Utc>) -> Option<String> {
        let created = chrono::DateTime::parse_from_rfc3339(&self.created).ok()?;
        let seconds = (now - created.with_timezone(&chrono::Utc))
            .num_seconds()
            .max(0);
        let (h, m, s) = (seconds / 3600, seconds / 60 % 60, seconds % 60);
        Some(match (h, m) {
            (0, 0) => format!("{s}s"),
            (0, _) => format!("{m}m{s:02}s"),
            _ => format!("{h}h{m:02}m"),
        })
    }

    /// `zentra apply by alice on runner-7 (pid 4242), taken 3m12s ago (lock id …)`.
    pub fn holder_text(&self) -> String {
        let age = self
            .age(chrono::Utc::now())
            .map_or_else(|| format!("at {}", self.created), |a| format!("{a} ago"));
        format!(
            "{} by {} on {} (pid {}), taken {age} (lock id {})",
            self.operation, self.who, self.host, self.pid, self.id
        )
    }
}

fn user_name() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|v| std::env::var(v).ok().filter(|s| !s.is_empty()))
        .unwrap_or_else(|| "an unknown user".to_string())
}

fn host_name() -> String {
    if let Ok(name) = std::env::var("HOSTNAME")
        && !name.is_empty()
    {
        return name;
    }
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|s| s.trim().to_string())
        .ok()
        .filter(|s| !s.is_empty())
        .unwrap_or_else(|| "an unknown host".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_holder_is_named_with_its_age_and_id() {
        let mut info = LockInfo::new("zentra apply");
        info.created = "2026-01-01T10:00:00Z".into();
        let now = chrono::DateTime::parse_from_rfc3339("2026-01-01T10:03:12Z")
            .unwrap()
            .with_timezone(&chrono::Utc);
        assert_eq!(info.age(now).as_deref(), Some("3m12s"));
        let later = now + chrono::Duration::hours(5);
        assert_eq!(info.age(later).as_deref(), Some("5h03m"));
        let text = info.holder_text();
        assert!(text.starts_with("zentra apply by "), "{text}");
        assert!(text.contains(&format!("(lock id {})", info.id)), "{text}");
        assert!(
            text.contains(&format!("(pid {})", std::process::id())),
            "{text}"
        );
    }
}
