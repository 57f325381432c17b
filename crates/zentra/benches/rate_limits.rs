//! How close a large apply comes to the least time the vendors' rate limits allow, against the
//! emulator with its limits on: Zoom's per-account, per-category limits (one-second windows at
//! the plan's figures) and Graph's per-application, per-tenant budget (token buckets of
//! ResourceUnits and writes).
//!
//! Two scenarios, each on its own emulator so that their budgets do not mix:
//!
//! - **Zoom**: one Business account, `GROUPS` groups each with its settings, applied at a
//!   `rate_limit_share` of 1 (the default) and of 0.5.
//! - **Graph**: one tenant, `APPS` service principals each with a delegated permission grant
//!   (two writes per application). Microsoft's budget for a small tenant (3,500 ResourceUnits
//!   per 10 seconds, 3,000 writes per 150 seconds) starts full and holds every request of a
//!   few hundred writes, so it would never be reached; the emulator's and the client's
//!   ResourceUnit budget are both set to [`GRAPH_UNITS`] per 10 seconds so that the pacing is.
//!
//! For each: the requests per rate-limit category (Zoom) or the ResourceUnits and writes spent
//! (Graph), the floor (the least time the limits allow for them), the apply's wall time, their
//! ratio, the 429s the vendor answered, and the requests per resource of the plan that follows.
//! Zoom's floor is the largest over categories of requests divided by the per-second limit
//! (categories are counted apart, so they run side by side); Graph's is the largest over its
//! two buckets of what the run spent beyond a full bucket, divided by the bucket's refill rate.
//!
//! Run with `cargo bench --bench rate_limits` (a few minutes); `-- --quick` runs small sizes,
//! `-- --zoom-only` skips Graph, `-- --parallelism N` sets apply's parallelism (4).
//! Results are recorded in `docs/benchmarks.md`.

// A benchmark prints its results table, and a broken measurement should stop it loudly.
#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::Value as Json;
use zentra_engine::apply::{ApplyOptions, Silent, apply};
use zentra_engine::env::Environment;
use zentra_engine::plan::planner::{ProviderSet, plan};
use zentra_engine::provider::ProviderType;
use zentra_engine::state::{LocalStateStore, StateStore};
use zentra_engine::workspace::{LoadOptions, Workspace};
use zentra_providers::azuread::AzureAdProviderType;
use zentra_providers::client::graph::{GraphBudget, GraphClientOptions, GraphCost};
use zentra_providers::client::zoom::{PlanTier, RateCategory, ZoomRateLimits};
use zentra_providers::zoom::ZoomProviderType;
use zentra_sim::{Faults, KnownApplication, RequestRecord, Seed, SimConfig, SimServer, ZoomPlan};

/// The Graph scenario's ResourceUnits per 10 seconds, on both sides.
const GRAPH_UNITS: u32 = 300;

/// What one apply spent and how long it took.
struct Measured {
    resources: usize,
    wall: Duration,
    /// (what, count, the limit per second, the floor in seconds).
    budgets: Vec<(String, f64, f64, f64)>,
    throttled: usize,
    requests: usize,
    replan_requests: usize,
}

impl Measured {
    /// The budgets side by side: the largest of their floors.
    fn floor(&self) -> f64 {
        self.budgets.iter().map(|b| b.3).fold(0.0, f64::max)
    }

    /// The budgets one after another (as when each is spent by its own wave of operations):
    /// the sum of their floors.
    fn floor_in_turn(&self) -> f64 {
        self.budgets.iter().map(|b| b.3).sum()
    }
}

fn workspace(
    dir: &std::path::Path,
    sim: &SimServer,
    types: Vec<Box<dyn ProviderType>>,
) -> Workspace {
    let mut env = Environment::default();
    for (k, v) in sim.env_vars() {
        if k.ends_with("_URL") || k.ends_with("AUTHORITY_HOST") {
            env.set(k, v);
        }
    }
    let opts = LoadOptions {
        dir: dir.to_path_buf(),
        env,
        ..LoadOptions::default()
    };
    Workspace::load(&opts, types).expect("the configuration loads")
}

/// Plans and applies, then plans again; returns the apply's wall time and requests, and the
/// requests of the plan after it.
/// `rest` is waited between the plan and the apply, for budgets the plan spent from to fill
/// up again.
async fn plan_apply_replan(
    sim: &SimServer,
    dir: &std::path::Path,
    types: Vec<Box<dyn ProviderType>>,
    rest: Duration,
) -> (Duration, Vec<RequestRecord>, usize, usize) {
    let options = ApplyOptions {
        parallelism: parallelism(),
        ..ApplyOptions::default()
    };
    let ws = workspace(dir, sim, types);
    let store = LocalStateStore::new(dir.join("zentra.state.json"));
    let providers = ProviderSet::configure(&ws, None).expect("providers configure");
    let resources = ws.config.resources.len();
    let run = plan(&ws, None, &providers).await.expect("plan");
    tokio::time::sleep(rest).await;
    sim.clear_requests();
    let started = Instant::now();
    let mut state = zentra_engine::state::StateFile::new();
    let report = apply(&ws, run, &mut state, &store, &providers, &options, &Silent).await;
    let wall = started.elapsed();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let requests = sim.requests();
    sim.clear_requests();
    let state = store.read().expect("state").expect("state written");
    let again = plan(&ws, Some(&state), &providers)
        .await
        .expect("second plan");
    assert!(!again.plan.has_changes(), "the plan after apply is empty");
    let replan = sim
        .requests()
        .iter()
        .filter(|r| r.service == "zoom" || r.service == "graph")
        .count();
    (wall, requests, resources, replan)
}

fn zoom_config(seed: &Seed, groups: usize, share: f64) -> String {
    let a = &seed.zoom.accounts[0];
    let app = &a.apps[0];
    let mut c = format!(
        "provider \"zoom\" {{\n  account_id       = \"{}\"\n  client_id        = \"{}\"\n  \
         client_secret    = \"{}\"\n  plan_tier        = \"business\"\n  rate_limit_share = {share}\n}}\n",
        a.id, app.client_id, app.client_secret
    );
    for g in 0..groups {
        let _ = write!(
            c,
            r#"
resource "zoom_group" "g{g}" {{
  name = "Team {g}"
}}
resource "zoom_group_settings" "g{g}" {{
  group_id = zoom_group.g{g}.id
  in_meeting {{
    chat = {chat}
  }}
}}
"#,
            chat = g % 2 == 0,
        );
    }
    c
}

async fn zoom(groups: usize, share: f64) -> Measured {
    let demo = Seed::default_demo();
    let mut seed = demo.clone();
    seed.zoom.accounts.truncate(1);
    seed.zoom.accounts[0].plan = ZoomPlan::Business;
    seed.zoom.accounts[0].groups.clear();
    seed.entra.tenants.truncate(1);
    let sim = SimServer::start(SimConfig {
        seed: seed.clone(),
        ..SimConfig::default()
    })
    .await
    .expect("the emulator starts");
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(
        dir.path().join("main.zen.hcl"),
        zoom_config(&seed, groups, share),
    )
    .expect("config written");
    let (wall, requests, resources, replan) = plan_apply_replan(
        &sim,
        dir.path(),
        zentra_providers::provider_types(),
        Duration::from_secs(2),
    )
    .await;
    sim.shutdown().await;

    let limits = ZoomRateLimits::for_tier(PlanTier::Business);
    let mut per_category: BTreeMap<String, (f64, f64)> = BTreeMap::new();
    let mut throttled = 0;
    let mut sent = 0;
    for r in requests.iter().filter(|r| r.service == "zoom") {
        sent += 1;
        if r.status == 429 {
            throttled += 1;
            continue;
        }
        let method = Method::from_bytes(r.method.as_bytes()).unwrap();
        let path = r.path.strip_prefix("/v2").unwrap_or(&r.path);
        let category = RateCategory::of(&method, path);
        per_category
            .entry(format!("Zoom {category:?}"))
            .or_insert((0.0, limits.per_second(category)))
            .0 += 1.0;
    }
    Measured {
        resources,
        wall,
        budgets: per_category
            .into_iter()
            .map(|(what, (count, limit))| (what, count, limit, count / limit))
            .collect(),
        throttled,
        requests: sent,
        replan_requests: replan,
    }
}

fn graph_seed(apps: usize) -> Seed {
    let demo = Seed::default_demo();
    let mut seed = demo.clone();
    seed.zoom.accounts.truncate(1);
    seed.entra.tenants.truncate(1);
    let tenant = &mut seed.entra.tenants[0];
    let template: KnownApplication = tenant
        .applications
        .iter()
        .find(|a| a.app_id == "a651cfda-cbdd-4a39-bd03-fa829c3c1b29")
        .or(tenant.applications.first())
        .cloned()
        .expect("the demo tenant knows an application");
    for i in 0..apps {
        let mut app = template.clone();
        app.app_id = format!("7a000000-0000-4000-8000-{i:012}");
        app.display_name = format!("Bench app {i}");
        tenant.applications.push(app);
    }
    seed
}

fn graph_config(seed: &Seed, apps: usize) -> String {
    let t = &seed.entra.tenants[0];
    let app = &t.client_apps[0];
    let mut c = format!(
        "provider \"azuread\" {{\n  tenant_id     = \"{}\"\n  client_id     = \"{}\"\n  \
         client_secret = \"{}\"\n}}\n",
        t.id, app.client_id, app.secrets[0]
    );
    for i in 0..apps {
        let _ = write!(
            c,
            r#"
resource "azuread_service_principal" "app{i}" {{
  app_id = "7a000000-0000-4000-8000-{i:012}"
}}
resource "azuread_delegated_permission_grant" "app{i}" {{
  service_principal_object_id = azuread_service_principal.app{i}.object_id
  resource_app_id             = "00000003-0000-0000-c000-000000000000"
  scopes                      = ["openid", "User.Read"]
}}
"#
        );
    }
    c
}

/// The cost of a Graph request as the emulator charged it, and the 429s it answered: each
/// request inside a `$batch` on its own.
fn graph_spent(r: &RequestRecord) -> (GraphCost, usize) {
    let method = Method::from_bytes(r.method.as_bytes()).unwrap();
    let path = r.path.strip_prefix("/v1.0").unwrap_or(&r.path);
    let zero = GraphCost {
        resource_units: 0,
        writes: 0,
    };
    if path != "/$batch" {
        if r.status == 429 {
            return (zero, 1);
        }
        let url = if r.query.is_empty() {
            path.to_string()
        } else {
            format!("{path}?{}", r.query)
        };
        return (GraphCost::of(&method, &url), 0);
    }
    let requests = r
        .body
        .as_ref()
        .and_then(|b| b.get("requests"))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let responses = r
        .response
        .as_ref()
        .and_then(|b| b.get("responses"))
        .and_then(Json::as_array)
        .cloned()
        .unwrap_or_default();
    let mut spent = zero;
    let mut throttled = 0;
    for inner in &requests {
        let id = inner.get("id");
        let status = responses
            .iter()
            .find(|a| a.get("id") == id)
            .and_then(|a| a.get("status"))
            .and_then(Json::as_u64);
        if status == Some(429) {
            throttled += 1;
            continue;
        }
        let method = inner
            .get("method")
            .and_then(Json::as_str)
            .and_then(|m| Method::from_bytes(m.as_bytes()).ok())
            .unwrap_or(Method::GET);
        let cost = GraphCost::of(
            &method,
            inner.get("url").and_then(Json::as_str).unwrap_or(""),
        );
        spent.resource_units += cost.resource_units;
        spent.writes += cost.writes;
    }
    (spent, throttled)
}

async fn graph(apps: usize) -> Measured {
    let seed = graph_seed(apps);
    let sim = SimServer::start(SimConfig {
        seed: seed.clone(),
        faults: Faults {
            graph_resource_unit_limit: Some(GRAPH_UNITS),
            ..Faults::default()
        },
        ..SimConfig::default()
    })
    .await
    .expect("the emulator starts");
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("main.zen.hcl"), graph_config(&seed, apps))
        .expect("config written");
    let budget = GraphBudget {
        resource_units_per_10s: f64::from(GRAPH_UNITS),
        ..GraphBudget::default()
    };
    let types: Vec<Box<dyn ProviderType>> = vec![
        Box::new(ZoomProviderType::default()),
        Box::new(AzureAdProviderType::with_options(GraphClientOptions {
            budget,
            ..GraphClientOptions::default()
        })),
    ];
    // The plan before apply spends from the same buckets: 11 s fill them up again.
    let (wall, requests, resources, replan) =
        plan_apply_replan(&sim, dir.path(), types, Duration::from_secs(11)).await;
    sim.shutdown().await;

    let mut units = 0.0;
    let mut writes = 0.0;
    let mut throttled = 0;
    let mut sent = 0;
    for r in requests.iter().filter(|r| r.service == "graph") {
        sent += 1;
        let (cost, refused) = graph_spent(r);
        units += f64::from(cost.resource_units);
        writes += f64::from(cost.writes);
        throttled += refused;
    }
    let unit_rate = budget.resource_units_per_10s / 10.0;
    let write_rate = budget.writes_per_150s / 150.0;
    Measured {
        resources,
        wall,
        budgets: vec![
            (
                "Graph ResourceUnits".into(),
                units,
                unit_rate,
                ((units - budget.resource_units_per_10s) / unit_rate).max(0.0),
            ),
            (
                "Graph writes".into(),
                writes,
                write_rate,
                ((writes - budget.writes_per_150s) / write_rate).max(0.0),
            ),
        ],
        throttled,
        requests: sent,
        replan_requests: replan,
    }
}

fn print(scenario: &str, m: &Measured) {
    let floor = m.floor();
    let budgets: Vec<String> = m
        .budgets
        .iter()
        .map(|(what, count, rate, floor)| {
            format!("{what}: {count:.0} at {rate:.1}/s, floor {floor:.1} s")
        })
        .collect();
    println!(
        "| {scenario} | {} | {} | {} | {:.1} s | {:.1} s | {:.1} s | {:.2} | {:.2} | {} | {:.2} |",
        m.resources,
        m.requests,
        budgets.join("; "),
        floor,
        m.floor_in_turn(),
        m.wall.as_secs_f64(),
        m.wall.as_secs_f64() / floor,
        m.wall.as_secs_f64() / m.floor_in_turn(),
        m.throttled,
        m.replan_requests as f64 / m.resources as f64,
    );
}

/// `--parallelism N` (as `zentra apply --parallelism`), 4 by default.
fn parallelism() -> usize {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == "--parallelism")
        .and_then(|i| args.get(i + 1))
        .map_or(4, |n| n.parse().expect("--parallelism N"))
}

fn main() {
    let quick = std::env::args().any(|a| a == "--quick");
    let (groups, apps) = if quick { (60, 40) } else { (300, 200) };
    let graph_too = !std::env::args().any(|a| a == "--zoom-only");
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    println!(
        "| scenario | resources | apply requests | spent per budget | floor, budgets side by side | floor, budgets in turn | apply wall | wall / floor side by side | wall / floor in turn | 429s | plan again: requests per resource |"
    );
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for share in [1.0, 0.5] {
        let m = rt.block_on(zoom(groups, share));
        print(
            &format!("Zoom, {groups} groups + settings, Business, share {share}"),
            &m,
        );
    }
    if !graph_too {
        return;
    }
    let m = rt.block_on(graph(apps));
    print(
        &format!("Graph, {apps} service principals + grants, {GRAPH_UNITS} RU / 10 s"),
        &m,
    );
}
