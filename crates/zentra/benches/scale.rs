//! How plan and apply scale with the number of Zoom accounts and Entra tenants managed from one
//! configuration (the MSP case), measured against the built-in emulator: wall time and the
//! number of API requests per service, with and without network-like latency.
//!
//! Run with `cargo bench --bench scale`; results are recorded in `docs/benchmarks.md`.

// A benchmark's results table goes straight to the terminal.
#![allow(clippy::print_stdout)]

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use zentra_engine::apply::{ApplyOptions, Silent, apply};
use zentra_engine::env::Environment;
use zentra_engine::plan::planner::{ProviderSet, plan};
use zentra_engine::state::{LocalStateStore, StateStore};
use zentra_engine::workspace::{LoadOptions, Workspace};
use zentra_sim::{Seed, SimConfig, SimServer};

struct Scenario {
    zoom_accounts: usize,
    tenants: usize,
    latency: Duration,
}

/// The demo seed, with its account and tenant cloned `n` times under new ids and credentials.
fn seed(zoom_accounts: usize, tenants: usize) -> Seed {
    let demo = Seed::default_demo();
    let mut seed = demo.clone();
    seed.zoom.accounts.clear();
    seed.entra.tenants.clear();
    for i in 0..zoom_accounts {
        let mut a = demo.zoom.accounts[0].clone();
        a.id = format!("zBench{i:016}");
        for app in &mut a.apps {
            app.client_id = format!("{}{i}", app.client_id);
        }
        seed.zoom.accounts.push(a);
    }
    for i in 0..tenants {
        let mut t = demo.entra.tenants[0].clone();
        t.id = format!("00000000-0000-4000-8000-{i:012}");
        for app in &mut t.client_apps {
            let old = std::mem::replace(
                &mut app.client_id,
                format!("10000000-0000-4000-8000-{i:012}"),
            );
            for sp in &mut t.service_principals {
                if sp["appId"] == old.as_str() {
                    sp["appId"] = app.client_id.clone().into();
                }
            }
        }
        seed.entra.tenants.push(t);
    }
    seed
}

fn config(seed: &Seed) -> String {
    let mut c = String::new();
    for (i, a) in seed.zoom.accounts.iter().enumerate() {
        let app = &a.apps[0];
        let _ = write!(
            c,
            r#"
provider "zoom" {{
  alias         = "a{i}"
  account_id    = "{}"
  client_id     = "{}"
  client_secret = "{}"
}}
resource "zoom_account_settings" "a{i}" {{
  provider = zoom.a{i}
  security {{
    signin_with_sso {{
      enable                  = true
      require_sso_for_domains = true
      domains                 = ["contoso.com"]
    }}
  }}
  schedule_meeting {{
    enforce_login = true
  }}
}}
resource "zoom_account_lock_settings" "a{i}" {{
  provider = zoom.a{i}
  schedule_meeting {{
    enforce_login = true
  }}
}}
"#,
            a.id, app.client_id, app.client_secret
        );
    }
    for (i, t) in seed.entra.tenants.iter().enumerate() {
        let app = &t.client_apps[0];
        let _ = write!(
            c,
            r#"
provider "azuread" {{
  alias         = "t{i}"
  tenant_id     = "{}"
  client_id     = "{}"
  client_secret = "{}"
}}
resource "azuread_user_consent_policy" "t{i}" {{
  provider     = azuread.t{i}
  user_consent = "disabled"
}}
resource "azuread_service_principal" "zoom_t{i}" {{
  provider = azuread.t{i}
  app_id   = "a651cfda-cbdd-4a39-bd03-fa829c3c1b29"
}}
resource "azuread_delegated_permission_grant" "zoom_t{i}" {{
  provider                    = azuread.t{i}
  service_principal_object_id = azuread_service_principal.zoom_t{i}.object_id
  resource_app_id             = "00000003-0000-0000-c000-000000000000"
  scopes                      = ["openid", "offline_access", "User.Read", "Calendars.ReadWrite", "Contacts.Read"]
}}
"#,
            t.id, app.client_id, app.secrets[0]
        );
    }
    c
}

#[derive(Default)]
struct Counts {
    zoom: usize,
    zoom_token: usize,
    graph: usize,
    entra_token: usize,
}

fn count(sim: &SimServer) -> Counts {
    let mut c = Counts::default();
    for r in sim.requests() {
        match r.service.as_str() {
            "zoom" => c.zoom += 1,
            "zoom-oauth" => c.zoom_token += 1,
            "graph" => c.graph += 1,
            _ => c.entra_token += 1,
        }
    }
    sim.clear_requests();
    c
}

async fn run(s: &Scenario) -> String {
    let seed = seed(s.zoom_accounts, s.tenants);
    let sim = SimServer::start(SimConfig {
        seed: seed.clone(),
        latency: s.latency,
        ..SimConfig::default()
    })
    .await
    .expect("the emulator starts");
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("main.zen.hcl"), config(&seed)).expect("config written");
    let mut env = Environment::default();
    for (k, v) in sim.env_vars() {
        if k.ends_with("_URL") || k.ends_with("AUTHORITY_HOST") {
            env.set(k, v);
        }
    }
    let opts = LoadOptions {
        dir: dir.path().to_path_buf(),
        env,
        ..LoadOptions::default()
    };
    let ws = Workspace::load(&opts, zentra_providers::provider_types())
        .expect("the configuration loads");
    let store = LocalStateStore::new(dir.path().join("zentra.state.json"));
    let providers = ProviderSet::configure(&ws, None).expect("providers configure");
    let resources = ws.config.resources.len();

    let t = Instant::now();
    let run = plan(&ws, None, &providers).await.expect("plan");
    let plan_time = t.elapsed();
    let plan_counts = count(&sim);
    let changes = run
        .plan
        .changes
        .iter()
        .filter(|c| c.action.is_change())
        .count();

    let t = Instant::now();
    let mut state = zentra_engine::state::StateFile::new();
    let report = apply(
        &ws,
        run,
        &mut state,
        &store,
        &providers,
        &ApplyOptions::default(),
        &Silent,
    )
    .await;
    let apply_time = t.elapsed();
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let apply_counts = count(&sim);

    let state = store.read().expect("state").expect("state written");
    let t = Instant::now();
    let again = plan(&ws, Some(&state), &providers)
        .await
        .expect("second plan");
    let replan_time = t.elapsed();
    let replan_counts = count(&sim);
    assert!(!again.plan.has_changes(), "the second plan is empty");
    sim.shutdown().await;

    let ms = |d: Duration| format!("{:.0}", d.as_secs_f64() * 1000.0);
    let reqs = |c: &Counts| {
        format!(
            "{} Zoom + {} Graph (+{} token)",
            c.zoom,
            c.graph,
            c.zoom_token + c.entra_token
        )
    };
    format!(
        "| {} | {} | {} ms | {} | {} | {} ms, {} | {} ms, {} | {} ms, {} |",
        s.zoom_accounts,
        s.tenants,
        s.latency.as_millis(),
        resources,
        changes,
        ms(plan_time),
        reqs(&plan_counts),
        ms(apply_time),
        reqs(&apply_counts),
        ms(replan_time),
        reqs(&replan_counts),
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let quick = args.iter().any(|a| a == "--quick");
    // `--scenario ACCOUNTS,TENANTS,LATENCY_MS`: one scenario only, e.g. to profile it.
    let only = args
        .iter()
        .position(|a| a == "--scenario")
        .and_then(|i| args.get(i + 1))
        .map(|spec| {
            let n: Vec<u64> = spec
                .split(',')
                .map(|n| n.parse().expect("--scenario ACCOUNTS,TENANTS,LATENCY_MS"))
                .collect();
            Scenario {
                zoom_accounts: n[0] as usize,
                tenants: n[1] as usize,
                latency: Duration::from_millis(n.get(2).copied().unwrap_or(0)),
            }
        });
    let scenarios: Vec<Scenario> = if let Some(only) = only {
        vec![only]
    } else if quick {
        vec![Scenario {
            zoom_accounts: 2,
            tenants: 2,
            latency: Duration::ZERO,
        }]
    } else {
        [(1, 1), (10, 10), (50, 50), (200, 0)]
            .into_iter()
            .flat_map(|(z, t)| {
                [Duration::ZERO, Duration::from_millis(30)].map(|latency| Scenario {
                    zoom_accounts: z,
                    tenants: t,
                    latency,
                })
            })
            .collect()
    };
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("a runtime");
    println!(
        "| Zoom accounts | tenants | latency | resources | changes | plan (cold) | apply | plan again |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    for s in &scenarios {
        println!("{}", rt.block_on(run(s)));
    }
}
