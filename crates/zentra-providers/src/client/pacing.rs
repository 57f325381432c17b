//! Client-side pacing to a vendor's published limits, close enough to them that a large run
//! takes little longer than the limits allow, and adaptive so that a budget shared with other
//! applications still ends in few 429s.
//!
//! Two shapes of limit, one per vendor:
//!
//! - [`WindowPacer`] (Zoom): at most `n` requests per second per account and category. Zoom
//!   counts them in windows of one second, so the pacer lets no more than `n` requests out in
//!   any interval a little longer than the window. No window the service counts can then hold
//!   more than `n`. Within that, requests go out evenly spaced after a first burst of a tenth
//!   of `n`: a run that starts while the window is still full of another run's requests (an
//!   apply, then a plan) meets a few 429s, not `n`, and a 429 without `Retry-After` holds the
//!   category back for one window, so that the next requests meet a fresh one.
//! - [`BudgetPacer`] (Graph): token buckets with a cost per request, as Graph's identity and
//!   access limits are (ResourceUnits per 10 seconds, and writes per 150 seconds).
//!
//! Both run at a configured share of the limit and slow down on their own when the service
//! throttles anyway (another application using the same budget): a 429 halves the rate, at
//! most once per [`HOLD`], and the rate comes back by a tenth of the configured one each
//! second without a 429 (additive increase, multiplicative decrease).

use std::collections::VecDeque;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The least share of a limit a client may be configured to use.
pub const MIN_SHARE: f64 = 0.1;
/// The least the adaptive rate falls to, as a share of the configured rate.
const MIN_FACTOR: f64 = 0.1;
/// How much a 429 leaves of the rate.
const DECREASE: f64 = 0.5;
/// How much of the configured rate comes back per second without a 429.
const RECOVERY_PER_SECOND: f64 = 0.1;
/// After a decrease, further 429s within this time (answers to requests sent before the
/// decrease) do not decrease again.
pub const HOLD: Duration = Duration::from_secs(1);
/// The interval a [`WindowPacer`] keeps its `n` requests apart by is this much longer than the
/// vendor's window, so that requests that reach the service a little late or early (the
/// network, a busy machine) still fall into windows that hold at most `n`.
const WINDOW_MARGIN: f64 = 0.03;
/// The share of a [`WindowPacer`]'s `n` that may go out at once; the rest are spaced evenly.
const BURST_SHARE: f64 = 0.1;

/// Clamps a configured share of a limit into `MIN_SHARE..=1`.
pub fn clamp_share(share: f64) -> f64 {
    if share.is_finite() {
        share.clamp(MIN_SHARE, 1.0)
    } else {
        1.0
    }
}

/// The adaptive part: a factor of the configured rate, halved by a 429 and recovered
/// additively.
#[derive(Debug)]
struct Adaptive {
    /// The factor right after the last change, and when that was.
    at_change: f64,
    changed_at: Instant,
    /// When the last decrease happened.
    decreased_at: Option<Instant>,
}

impl Adaptive {
    fn new(now: Instant) -> Adaptive {
        Adaptive {
            at_change: 1.0,
            changed_at: now,
            decreased_at: None,
        }
    }

    fn factor(&self, now: Instant) -> f64 {
        let since = now.saturating_duration_since(self.changed_at).as_secs_f64();
        (self.at_change + since * RECOVERY_PER_SECOND).min(1.0)
    }

    /// A 429 came back: halve the rate unless it was just halved.
    fn throttled(&mut self, now: Instant) {
        if self
            .decreased_at
            .is_some_and(|at| now.saturating_duration_since(at) < HOLD)
        {
            return;
        }
        self.at_change = (self.factor(now) * DECREASE).max(MIN_FACTOR);
        self.changed_at = now;
        self.decreased_at = Some(now);
    }
}

/// At most `n` requests in any interval of the (adapted) window: Zoom's per-second limits.
#[derive(Debug)]
pub struct WindowPacer {
    /// Requests let out per window.
    n: usize,
    /// The window at full rate: `n` requests per window is the configured rate, plus the
    /// margin.
    window: Duration,
    state: Mutex<WindowState>,
}

#[derive(Debug)]
struct WindowState {
    /// When the last `n` requests were let out, oldest first.
    sent: VecDeque<Instant>,
    adaptive: Adaptive,
    /// Requests that may go out at once (up to the burst), refilled at the pacer's rate.
    tokens: f64,
    refilled_at: Instant,
    /// After a 429: nothing goes out before this.
    paused_until: Option<Instant>,
}

impl WindowPacer {
    /// `limit` requests per second (the vendor's), of which this client uses `share`.
    pub fn new(limit: f64, share: f64) -> WindowPacer {
        let limit = if limit.is_finite() && limit > 0.0 {
            limit
        } else {
            1.0
        };
        let rate = limit * clamp_share(share);
        // `n` per window: a whole number of requests, at least one; the window stretches so
        // that `n` per window is `rate` per second.
        let n = rate.floor().max(1.0);
        let window = Duration::from_secs_f64(n / rate * (1.0 + WINDOW_MARGIN));
        let now = Instant::now();
        WindowPacer {
            n: n as usize,
            window,
            state: Mutex::new(WindowState {
                sent: VecDeque::with_capacity(n as usize),
                adaptive: Adaptive::new(now),
                tokens: burst(n),
                refilled_at: now,
                paused_until: None,
            }),
        }
    }

    /// Requests per second at full rate.
    pub fn rate(&self) -> f64 {
        self.n as f64 / self.window.as_secs_f64()
    }

    /// Lets one request out now, or says how long to wait before asking again.
    fn try_take(&self, now: Instant) -> Option<Duration> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(until) = state.paused_until.filter(|until| now < *until) {
            return Some(until - now);
        }
        let window = self.window.div_f64(state.adaptive.factor(now));
        // Evenly spaced beyond the burst: one request per `window / n`.
        let rate = self.n as f64 / window.as_secs_f64();
        let since = now.saturating_duration_since(state.refilled_at);
        state.tokens = (state.tokens + since.as_secs_f64() * rate).min(burst(self.n as f64));
        state.refilled_at = state.refilled_at.max(now);
        // (A token short by a rounding error is a whole one: waiting for it would not end.)
        if state.tokens < 1.0 - 1e-9 {
            let wait = Duration::from_secs_f64((1.0 - state.tokens) / rate);
            return Some(wait.max(Duration::from_micros(1)));
        }
        if state.sent.len() >= self.n {
            let oldest = state.sent[0];
            let free_at = oldest + window;
            if now < free_at {
                return Some(free_at - now);
            }
            state.sent.pop_front();
        }
        state.sent.push_back(now);
        state.tokens -= 1.0;
        None
    }

    /// Waits until a request may go out under the budget, and counts it.
    pub async fn acquire(&self) {
        while let Some(wait) = self.try_take(Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }

    /// The service throttled a request anyway: slow down, and let the window the service
    /// counted it in end before anything else goes out.
    pub fn throttled(&self) {
        self.throttled_at(Instant::now());
    }

    fn throttled_at(&self, now: Instant) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let before = state.adaptive.decreased_at;
        state.adaptive.throttled(now);
        if state.adaptive.decreased_at != before {
            state.paused_until = Some(now + self.window);
            state.tokens = 0.0;
            state.refilled_at = now + self.window;
        }
    }
}

/// How many of `n` requests a window may go out at once.
fn burst(n: f64) -> f64 {
    (n * BURST_SHARE).floor().max(1.0)
}

/// One token bucket of a [`BudgetPacer`]: `capacity` units, refilled over `period`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bucket {
    pub capacity: f64,
    pub period: Duration,
}

impl Bucket {
    fn rate(&self) -> f64 {
        self.capacity / self.period.as_secs_f64().max(1e-3)
    }
}

/// Token buckets with a cost per request, at a share of their size: Graph's budgets.
#[derive(Debug)]
pub struct BudgetPacer {
    buckets: Vec<Bucket>,
    state: Mutex<BudgetState>,
}

#[derive(Debug)]
struct BudgetState {
    tokens: Vec<f64>,
    refilled_at: Instant,
    adaptive: Adaptive,
}

impl BudgetPacer {
    /// Full buckets of `share` of each of `buckets`.
    pub fn new(buckets: &[Bucket], share: f64) -> BudgetPacer {
        let share = clamp_share(share);
        let buckets: Vec<Bucket> = buckets
            .iter()
            .map(|b| Bucket {
                capacity: (b.capacity * share).max(1.0),
                period: b.period,
            })
            .collect();
        BudgetPacer {
            state: Mutex::new(BudgetState {
                tokens: buckets.iter().map(|b| b.capacity).collect(),
                refilled_at: Instant::now(),
                adaptive: Adaptive::new(Instant::now()),
            }),
            buckets,
        }
    }

    /// Takes `costs` (one per bucket) now, or says how long to wait before asking again.
    fn try_take(&self, costs: &[f64], now: Instant) -> Option<Duration> {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let factor = state.adaptive.factor(now);
        let elapsed = now
            .saturating_duration_since(state.refilled_at)
            .as_secs_f64();
        state.refilled_at = now;
        let mut wait = Duration::ZERO;
        for (i, bucket) in self.buckets.iter().enumerate() {
            let rate = bucket.rate() * factor;
            let have = (state.tokens[i] + elapsed * rate).min(bucket.capacity);
            state.tokens[i] = have;
            // A request dearer than the whole bucket waits for a full one.
            let need = costs.get(i).copied().unwrap_or(0.0).min(bucket.capacity);
            if have < need {
                wait = wait.max(Duration::from_secs_f64((need - have) / rate));
            }
        }
        if wait > Duration::ZERO {
            return Some(wait);
        }
        for (i, bucket) in self.buckets.iter().enumerate() {
            let need = costs.get(i).copied().unwrap_or(0.0).min(bucket.capacity);
            state.tokens[i] -= need;
        }
        None
    }

    /// Waits until the buckets can pay `costs` (one per bucket), and pays.
    pub async fn acquire(&self, costs: &[f64]) {
        while let Some(wait) = self.try_take(costs, Instant::now()) {
            tokio::time::sleep(wait).await;
        }
    }

    /// The service throttled a request anyway: slow down.
    pub fn throttled(&self) {
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        state.adaptive.throttled(Instant::now());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_are_clamped() {
        assert_eq!(clamp_share(0.0), MIN_SHARE);
        assert_eq!(clamp_share(2.0), 1.0);
        assert_eq!(clamp_share(f64::NAN), 1.0);
        assert_eq!(clamp_share(0.5), 0.5);
    }

    #[test]
    fn no_window_holds_more_than_the_limit() {
        let pacer = WindowPacer::new(10.0, 1.0);
        let start = Instant::now();
        // Requests asked for every millisecond for 5 s: what goes out, and when.
        let mut sent = Vec::new();
        let mut at = start;
        while at < start + Duration::from_secs(5) {
            if pacer.try_take(at).is_none() {
                sent.push(at);
            }
            at += Duration::from_millis(1);
        }
        // One at once (a tenth of 10), then one per 103 ms.
        assert!((45..=50).contains(&sent.len()), "{}", sent.len());
        for (i, first) in sent.iter().enumerate() {
            let in_second = sent[i..]
                .iter()
                .take_while(|t| t.duration_since(*first) < Duration::from_secs(1))
                .count();
            assert!(
                in_second <= 10,
                "{in_second} within a second of request {i}"
            );
        }
    }

    #[test]
    fn a_share_and_a_fraction_stretch_the_window() {
        let half = WindowPacer::new(10.0, 0.5);
        assert!((half.rate() - 5.0 / 1.03).abs() < 1e-9);
        // Half of one request a second: one per 2.06 s.
        let slow = WindowPacer::new(1.0, 0.5);
        assert_eq!(slow.n, 1);
        assert!((slow.window.as_secs_f64() - 2.06).abs() < 1e-9);
    }

    #[test]
    fn a_429_halves_the_rate_once_and_it_comes_back() {
        let start = Instant::now();
        let mut adaptive = Adaptive::new(start);
        adaptive.throttled(start);
        assert_eq!(adaptive.factor(start), 0.5);
        // Answers to requests sent before the decrease do not decrease again.
        adaptive.throttled(start + Duration::from_millis(500));
        assert_eq!(adaptive.factor(start + Duration::from_millis(500)), 0.55);
        adaptive.throttled(start + Duration::from_secs(2));
        assert!((adaptive.factor(start + Duration::from_secs(2)) - 0.35).abs() < 1e-9);
        assert_eq!(adaptive.factor(start + Duration::from_secs(10)), 1.0);
        for i in 0..50 {
            adaptive.throttled(start + Duration::from_secs(20 + 2 * i));
        }
        assert!(adaptive.factor(start + Duration::from_secs(118)) >= MIN_FACTOR);
    }

    #[test]
    fn a_first_burst_is_a_tenth_of_the_window_then_requests_are_spaced() {
        let pacer = WindowPacer::new(60.0, 1.0);
        let start = Instant::now();
        for _ in 0..6 {
            assert!(pacer.try_take(start).is_none());
        }
        // The seventh waits for one spacing: 1.03 s / 60.
        let wait = pacer.try_take(start).unwrap();
        assert!((wait.as_secs_f64() - 1.03 / 60.0).abs() < 1e-3, "{wait:?}");
    }

    #[test]
    fn a_throttled_window_pacer_waits_a_window_then_slows_down() {
        let pacer = WindowPacer::new(10.0, 1.0);
        let start = Instant::now();
        let mut at = start;
        for _ in 0..10 {
            while let Some(wait) = pacer.try_take(at) {
                at += wait;
            }
        }
        pacer.throttled_at(at);
        // Nothing for one window (1.03 s)...
        let wait = pacer.try_take(at).unwrap();
        assert!((wait.as_secs_f64() - 1.03).abs() < 1e-3, "{wait:?}");
        // ... then one request per 206 ms at half rate.
        let resumed = at + wait;
        let wait = pacer.try_take(resumed).unwrap();
        assert!(wait > Duration::from_millis(150), "{wait:?}");
        // Later 429s within the hold (answers to requests sent before) do not hold it back
        // again.
        pacer.throttled_at(at + Duration::from_millis(500));
        let next = resumed + wait;
        assert!(pacer.try_take(next).is_none());
    }

    #[test]
    fn budgets_charge_every_bucket_and_wait_for_the_emptiest() {
        let pacer = BudgetPacer::new(
            &[
                Bucket {
                    capacity: 100.0,
                    period: Duration::from_secs(10),
                },
                Bucket {
                    capacity: 2.0,
                    period: Duration::from_secs(150),
                },
            ],
            1.0,
        );
        let start = Instant::now();
        assert!(pacer.try_take(&[1.0, 1.0], start).is_none());
        assert!(pacer.try_take(&[1.0, 1.0], start).is_none());
        // Reads still go; a third write waits for the write bucket: 75 s for one.
        assert!(pacer.try_take(&[1.0, 0.0], start).is_none());
        let wait = pacer.try_take(&[1.0, 1.0], start).unwrap();
        assert!((wait.as_secs_f64() - 75.0).abs() < 0.1, "{wait:?}");
        // 97 units left of 100; 10 a second come back.
        let wait = pacer.try_take(&[100.0, 0.0], start).unwrap();
        assert!((wait.as_secs_f64() - 0.3).abs() < 0.01, "{wait:?}");
        let half = BudgetPacer::new(
            &[Bucket {
                capacity: 100.0,
                period: Duration::from_secs(10),
            }],
            0.5,
        );
        for _ in 0..50 {
            assert!(half.try_take(&[1.0], start).is_none());
        }
        assert!(half.try_take(&[1.0], start).is_some());
    }

    #[tokio::test]
    async fn the_window_pacer_keeps_its_rate() {
        let pacer = WindowPacer::new(20.0, 1.0);
        let start = Instant::now();
        for _ in 0..30 {
            pacer.acquire().await;
        }
        // 2 at once, then one per 51.5 ms: 28 of them.
        let elapsed = start.elapsed();
        assert!(elapsed >= Duration::from_millis(1400), "{elapsed:?}");
        assert!(elapsed < Duration::from_millis(2500), "{elapsed:?}");
    }
}
