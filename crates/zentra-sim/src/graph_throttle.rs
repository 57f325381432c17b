//! Graph's identity and access throttling, per application and tenant pair, as Microsoft
//! documents it ("Microsoft Graph service-specific throttling limits", identity and access
//! service limits): two token buckets per pair, one of ResourceUnits (3,500, 5,000 or 8,000
//! per 10 seconds for a tenant of under 50, up to 500, or more than 500 users) and one of
//! writes (3,000 per 2 minutes 30 seconds). Each request costs ResourceUnits by its method and
//! path (most cost 1, some listings 2 or more; `$select` takes 1 off, `$expand` adds 1, `$top`
//! under 20 takes 1 off; never less than 1), and a POST, PATCH, PUT or DELETE also costs one
//! write. A request the buckets cannot pay for is answered 429 with `Retry-After` seconds (the
//! time until they can), inside a `$batch` too, where each request is counted on its own.
//! Throttled requests cost nothing. The limits of an application across tenants and of a
//! tenant across applications are not emulated.

use std::time::{Duration, Instant};

use http::Method;

/// ResourceUnits per 10 seconds of a tenant of `users` users (S, M, L).
pub(crate) fn resource_units_per_10s(users: usize) -> u32 {
    match users {
        0..50 => 3_500,
        50..=500 => 5_000,
        _ => 8_000,
    }
}

/// Writes per 150 seconds per application and tenant.
pub(crate) const WRITES_PER_150S: u32 = 3_000;

/// What one request costs: ResourceUnits and writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Cost {
    pub resource_units: u32,
    pub writes: u32,
}

/// The cost of `method path` (the path after `/v1.0`, without its query) with `query`.
pub(crate) fn cost(method: &Method, path: &str, query: &[(String, String)]) -> Cost {
    let (resource_units, writes) = zentra_schema::data::graph_request_cost(
        method.as_str(),
        path,
        query.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    );
    Cost {
        resource_units,
        writes,
    }
}

/// The two buckets of one application and tenant pair.
#[derive(Debug)]
pub(crate) struct Budget {
    resource_units: f64,
    writes: f64,
    refilled_at: Instant,
}

/// Why a request was throttled, and for how long.
#[derive(Debug, PartialEq)]
pub(crate) struct Throttled {
    /// `ReadWrite` (ResourceUnits) or `Write` (the write quota), as `x-ms-throttle-scope`
    /// names the limit.
    pub limit: &'static str,
    /// `ResourceUnitLimitExceeded` or `WriteLimitExceeded` (`x-ms-throttle-information`).
    pub information: &'static str,
    /// Whole seconds until the buckets can pay (at least 1).
    pub retry_after: u64,
}

impl Budget {
    /// Full buckets.
    pub(crate) fn new(units_per_10s: u32, writes_per_150s: u32, now: Instant) -> Budget {
        Budget {
            resource_units: f64::from(units_per_10s),
            writes: f64::from(writes_per_150s),
            refilled_at: now,
        }
    }

    /// Pays for `cost` from buckets of these sizes, or says how long to wait.
    pub(crate) fn spend(
        &mut self,
        cost: Cost,
        units_per_10s: u32,
        writes_per_150s: u32,
        now: Instant,
    ) -> Result<(), Throttled> {
        let units_capacity = f64::from(units_per_10s.max(1));
        let writes_capacity = f64::from(writes_per_150s.max(1));
        let units_rate = units_capacity / 10.0;
        let writes_rate = writes_capacity / 150.0;
        let elapsed = now
            .saturating_duration_since(self.refilled_at)
            .as_secs_f64();
        self.resource_units = (self.resource_units + elapsed * units_rate).min(units_capacity);
        self.writes = (self.writes + elapsed * writes_rate).min(writes_capacity);
        self.refilled_at = now;
        // A request dearer than a whole bucket is paid for by a full one.
        let units = f64::from(cost.resource_units).min(units_capacity);
        let writes = f64::from(cost.writes).min(writes_capacity);
        let wait = |have: f64, need: f64, rate: f64| {
            (have < need).then(|| Duration::from_secs_f64((need - have) / rate))
        };
        if let Some(wait) = wait(self.writes, writes, writes_rate) {
            return Err(Throttled {
                limit: "Write",
                information: "WriteLimitExceeded",
                retry_after: seconds(wait),
            });
        }
        if let Some(wait) = wait(self.resource_units, units, units_rate) {
            return Err(Throttled {
                limit: "ReadWrite",
                information: "ResourceUnitLimitExceeded",
                retry_after: seconds(wait),
            });
        }
        self.resource_units -= units;
        self.writes -= writes;
        Ok(())
    }
}

/// A wait in whole seconds, rounded up, at least 1.
fn seconds(wait: Duration) -> u64 {
    (wait.as_secs_f64().ceil() as u64).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn costs_follow_microsofts_table() {
        let get = |path: &str, query: &[(&str, &str)]| cost(&Method::GET, path, &q(query));
        assert_eq!(get("/servicePrincipals", &[]).resource_units, 1);
        assert_eq!(get("/oauth2PermissionGrants", &[]).resource_units, 2);
        assert_eq!(
            get("/oauth2PermissionGrants", &[("$select", "id")]).resource_units,
            1
        );
        assert_eq!(
            get(
                "/servicePrincipals/abc/appRoleAssignments",
                &[("$expand", "x")]
            )
            .resource_units,
            3
        );
        assert_eq!(
            get("/servicePrincipals", &[("$select", "id"), ("$top", "5")]).resource_units,
            1,
            "never under 1"
        );
        assert_eq!(get("/servicePrincipals", &[]).writes, 0);
        let post = cost(&Method::POST, "/servicePrincipals", &[]);
        assert_eq!(
            post,
            Cost {
                resource_units: 1,
                writes: 1
            }
        );
        let patch = cost(&Method::PATCH, "/policies/authorizationPolicy", &[]);
        assert_eq!(patch.writes, 1);
        assert_eq!(cost(&Method::POST, "/getObjectsById", &[]).writes, 0);
    }

    #[test]
    fn tenant_size_sets_the_resource_units() {
        assert_eq!(resource_units_per_10s(3), 3_500);
        assert_eq!(resource_units_per_10s(50), 5_000);
        assert_eq!(resource_units_per_10s(501), 8_000);
    }

    #[test]
    fn buckets_refill_and_say_how_long_to_wait() {
        let start = Instant::now();
        let mut budget = Budget::new(20, 3_000, start);
        let get = Cost {
            resource_units: 1,
            writes: 0,
        };
        for _ in 0..20 {
            assert!(budget.spend(get, 20, 3_000, start).is_ok());
        }
        let throttled = budget.spend(get, 20, 3_000, start).unwrap_err();
        assert_eq!(throttled.limit, "ReadWrite");
        assert_eq!(
            throttled.retry_after, 1,
            "2 units a second: half a second, rounded up"
        );
        // Half a second later one unit has come back.
        assert!(
            budget
                .spend(get, 20, 3_000, start + Duration::from_millis(500))
                .is_ok()
        );
        let mut writes = Budget::new(3_500, 2, start);
        let post = Cost {
            resource_units: 1,
            writes: 1,
        };
        assert!(writes.spend(post, 3_500, 2, start).is_ok());
        assert!(writes.spend(post, 3_500, 2, start).is_ok());
        let throttled = writes.spend(post, 3_500, 2, start).unwrap_err();
        assert_eq!(throttled.information, "WriteLimitExceeded");
        assert_eq!(
            throttled.retry_after, 75,
            "2 writes per 150 s: 75 s for the next"
        );
    }
}
