//! Progress events from deep inside a run — a client waiting out a rate limit, the state store
//! waiting for another run's lock — handed to whatever the command line chose to tell. Clients
//! and stores never print: they emit [`Event`]s into a [`Progress`] handle, which
//! `output.rs` shows on stderr and tests record.

use std::fmt;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Something a run waits for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Event {
    /// Waiting `wait` before sending a request again.
    Waiting { wait: Duration, reason: WaitReason },
    /// Waiting, up to `timeout`, for the state lock that `holder` has.
    WaitingForLock { holder: String, timeout: Duration },
}

/// Why a client waits before trying a request again.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WaitReason {
    /// The service asked zentra to slow down (HTTP 429).
    RateLimit {
        /// `Zoom`, `Microsoft Graph`.
        service: &'static str,
        /// The rate-limit category, where the service has them (Zoom's Light, Medium, Heavy).
        category: Option<String>,
        /// Whose budget it is: `account abc…`, `tenant 72f9…`.
        scope: String,
    },
    /// The service answered with a server error that is worth another try.
    ServiceError {
        service: &'static str,
        status: u16,
        request: String,
    },
    /// Entra ID does not show an object created moments ago yet.
    Replication { request: String },
}

/// A long identifier cut to its first characters, enough to tell accounts or tenants apart.
pub fn short_id(id: &str) -> String {
    const SHOWN: usize = 8;
    if id.chars().count() > SHOWN {
        format!("{}…", id.chars().take(SHOWN).collect::<String>())
    } else {
        id.to_string()
    }
}

/// `12s`, `2m30s`, `500ms`: how long, as a person reads it.
pub fn duration_text(d: Duration) -> String {
    if d < Duration::from_secs(1) {
        return format!("{}ms", d.as_millis());
    }
    let secs = (d.as_millis() + 500) / 1000;
    match (secs / 60, secs % 60) {
        (0, s) => format!("{s}s"),
        (m, 0) => format!("{m}m"),
        (m, s) => format!("{m}m{s}s"),
    }
}

impl fmt::Display for Event {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Event::Waiting { wait, reason } => {
                write!(f, "Waiting {}: ", duration_text(*wait))?;
                match reason {
                    WaitReason::RateLimit {
                        service,
                        category,
                        scope,
                    } => {
                        write!(f, "{service} rate limit")?;
                        if let Some(category) = category {
                            write!(f, " ({category})")?;
                        }
                        write!(f, " for {scope}")
                    }
                    WaitReason::ServiceError {
                        service,
                        status,
                        request,
                    } => write!(f, "{service} answered {status} to {request}; trying again"),
                    WaitReason::Replication { request } => write!(
                        f,
                        "Entra ID has not replicated a new object yet ({request}); trying again"
                    ),
                }
            }
            Event::WaitingForLock { holder, timeout } => write!(
                f,
                "Waiting for the state lock held by {holder} (up to {})",
                duration_text(*timeout)
            ),
        }
    }
}

/// Receives progress events.
pub trait ProgressSink: Send + Sync {
    fn event(&self, event: &Event);
}

/// A cheap, cloneable handle to a [`ProgressSink`]; the default tells no one.
#[derive(Clone, Default)]
pub struct Progress {
    sink: Option<Arc<dyn ProgressSink>>,
}

impl Progress {
    pub fn new(sink: Arc<dyn ProgressSink>) -> Self {
        Progress { sink: Some(sink) }
    }

    /// Hands `event` to the sink, if there is one.
    pub fn emit(&self, event: Event) {
        if let Some(sink) = &self.sink {
            sink.event(&event);
        }
    }
}

impl fmt::Debug for Progress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.sink.is_some() {
            "Progress(sink)"
        } else {
            "Progress(silent)"
        })
    }
}

/// A sink that keeps every event, for tests and for embedding.
#[derive(Debug, Default)]
pub struct RecordedEvents {
    events: Mutex<Vec<Event>>,
}

impl RecordedEvents {
    pub fn events(&self) -> Vec<Event> {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }
}

impl ProgressSink for RecordedEvents {
    fn event(&self, event: &Event) {
        self.events
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .push(event.clone());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_read_as_what_is_awaited_and_for_how_long() {
        let zoom = Event::Waiting {
            wait: Duration::from_millis(11_600),
            reason: WaitReason::RateLimit {
                service: "Zoom",
                category: Some("Medium".into()),
                scope: format!("account {}", short_id("abcdefghijklmnop")),
            },
        };
        assert_eq!(
            zoom.to_string(),
            "Waiting 12s: Zoom rate limit (Medium) for account abcdefgh…"
        );
        let lock = Event::WaitingForLock {
            holder: "zentra apply (pid 7)".into(),
            timeout: Duration::from_secs(150),
        };
        assert_eq!(
            lock.to_string(),
            "Waiting for the state lock held by zentra apply (pid 7) (up to 2m30s)"
        );
        assert_eq!(duration_text(Duration::from_millis(500)), "500ms");
        assert_eq!(duration_text(Duration::from_secs(120)), "2m");
    }

    #[test]
    fn a_handle_without_a_sink_is_silent_and_one_with_a_sink_delivers() {
        Progress::default().emit(Event::WaitingForLock {
            holder: String::new(),
            timeout: Duration::ZERO,
        });
        let recorded = Arc::new(RecordedEvents::default());
        let progress = Progress::new(recorded.clone());
        let event = Event::Waiting {
            wait: Duration::from_secs(1),
            reason: WaitReason::Replication {
                request: "GET /x".into(),
            },
        };
        progress.clone().emit(event.clone());
        assert_eq!(recorded.events(), vec![event]);
    }
}
