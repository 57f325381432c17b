//! Property test: random valid values for random sets of account settings and lock settings
//! fields (every type, enum, range and set of Zoom's schema, `meeting_security` included) go
//! through plan, apply and plan again against the emulator, through the library, and the
//! second plan never shows a change. Every request is checked against Zoom's spec.

use std::time::Duration;

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use serde_json::{Map, Value as Json, json};
use zentra_engine::apply::{ApplyOptions, Silent, apply};
use zentra_engine::env::Environment;
use zentra_engine::plan::planner::{ProviderSet, plan};
use zentra_engine::provider::ProviderType;
use zentra_engine::schema::{Attr, AttrType};
use zentra_engine::state::{LocalStateStore, StateStore};
use zentra_engine::workspace::{LoadOptions, Workspace};
use zentra_providers::client::RetryPolicy;
use zentra_providers::client::zoom::{ZoomClientOptions, ZoomRateLimits};
use zentra_providers::zoom::ZoomProviderType;
use zentra_sim::{Faults, Seed, SimConfig, SimServer};

/// How many random configurations are planned, applied and planned again.
const CASES: u32 = 64;
/// How many fields each resource of a case sets, at most.
const MAX_FIELDS: usize = 12;

const TYPES: [&str; 2] = ["zoom_account_settings", "zoom_account_lock_settings"];

/// One settable field: the resource type, its path, and its schema.
#[derive(Clone, Debug)]
struct Field {
    resource: usize,
    path: Vec<String>,
    attr: Attr,
}

fn fields(resource: usize, attr: &Attr, path: &mut Vec<String>, out: &mut Vec<Field>) {
    for (name, member) in &attr.properties {
        if member.read_only || member.write_only || member.computed || name == "account_id" {
            continue;
        }
        path.push(name.clone());
        if member.ty == AttrType::Object && !member.properties.is_empty() {
            fields(resource, member, path, out);
        } else if member.ty != AttrType::Object {
            out.push(Field {
                resource,
                path: path.clone(),
                attr: member.clone(),
            });
        }
        path.pop();
    }
}

/// A word in mixed case whose length fits the attribute's limits.
fn word(attr: &Attr) -> BoxedStrategy<Json> {
    let shortest = attr.min_length.unwrap_or(1).max(1);
    let longest = attr.max_length.unwrap_or(8).max(shortest);
    proptest::string::string_regex(&format!(
        "[a-zA-Z][a-zA-Z0-9]{{{},{}}}",
        shortest - 1,
        longest - 1
    ))
    .expect("a valid pattern")
    .prop_map(Json::String)
    .boxed()
}

/// Random valid values for one attribute: its enum, its range, its type.
fn value(attr: &Attr, bypass_ids: &[String]) -> BoxedStrategy<Json> {
    if !attr.enum_values.is_empty() && attr.ty != AttrType::Array {
        return proptest::sample::select(attr.enum_values.clone()).boxed();
    }
    match attr.ty {
        AttrType::Boolean => any::<bool>().prop_map(Json::Bool).boxed(),
        AttrType::Integer | AttrType::Number => {
            let low = attr.minimum.unwrap_or(0.0) as i64;
            let high = attr.maximum.unwrap_or(low as f64 + 1000.0) as i64;
            (low..=high.max(low)).prop_map(|n| json!(n)).boxed()
        }
        AttrType::String => word(attr),
        AttrType::Array => {
            let item = attr
                .items
                .as_deref()
                .cloned()
                .unwrap_or_else(|| Attr::new(AttrType::String));
            if !bypass_ids.is_empty() {
                return proptest::sample::subsequence(bypass_ids.to_vec(), 0..=bypass_ids.len())
                    .prop_shuffle()
                    .prop_map(|ids| json!(ids))
                    .boxed();
            }
            if !item.enum_values.is_empty() && attr.set {
                let all = item.enum_values.clone();
                let n = all.len();
                return proptest::sample::subsequence(all, 0..=n)
                    .prop_shuffle()
                    .prop_map(Json::Array)
                    .boxed();
            }
            let element = if item.ty == AttrType::Object {
                object(&item)
            } else {
                value(&item, &[])
            };
            let most = attr.max_items.unwrap_or(2).min(2) as usize;
            proptest::collection::vec(element, 0..=most)
                .prop_map(Json::Array)
                .boxed()
        }
        AttrType::Object => object(attr),
    }
}

/// An object with a random value for each of its scalar members.
fn object(attr: &Attr) -> BoxedStrategy<Json> {
    let members: Vec<(String, BoxedStrategy<Json>)> = attr
        .properties
        .iter()
        .filter(|(_, m)| {
            !m.read_only && !m.write_only && !matches!(m.ty, AttrType::Object | AttrType::Array)
        })
        .map(|(name, m)| (name.clone(), value(m, &[])))
        .collect();
    let names: Vec<String> = members.iter().map(|(n, _)| n.clone()).collect();
    let strategies: Vec<BoxedStrategy<Json>> = members.into_iter().map(|(_, s)| s).collect();
    strategies
        .prop_map(move |values| {
            Json::Object(names.iter().cloned().zip(values).collect::<Map<_, _>>())
        })
        .boxed()
}

fn insert(target: &mut Map<String, Json>, path: &[String], value: Json) {
    let Some((last, leading)) = path.split_last() else {
        return;
    };
    let mut current = target;
    for part in leading {
        let next = current
            .entry(part.clone())
            .or_insert_with(|| Json::Object(Map::new()));
        let Json::Object(map) = next else { return };
        current = map;
    }
    current.insert(last.clone(), value);
}

/// A value as an HCL expression.
fn expression(value: &Json) -> String {
    match value {
        Json::String(s) => format!("{s:?}"),
        Json::Array(items) => {
            let inner: Vec<String> = items.iter().map(expression).collect();
            format!("[{}]", inner.join(", "))
        }
        Json::Object(map) => {
            let inner: Vec<String> = map
                .iter()
                .map(|(k, v)| format!("{k} = {}", expression(v)))
                .collect();
            format!("{{ {} }}", inner.join(", "))
        }
        other => other.to_string(),
    }
}

/// A block body: nested objects of the configuration become nested blocks.
fn body(map: &Map<String, Json>, indent: usize) -> String {
    let pad = " ".repeat(indent);
    let mut out = String::new();
    for (name, value) in map {
        match value {
            Json::Object(inner) => {
                out.push_str(&format!("{pad}{name} {{\n"));
                out.push_str(&body(inner, indent + 2));
                out.push_str(&format!("{pad}}}\n"));
            }
            other => out.push_str(&format!("{pad}{name} = {}\n", expression(other))),
        }
    }
    out
}

fn configuration(chosen: &[(Field, Json)]) -> String {
    let mut out = String::from("provider \"zoom\" {}\n");
    for (index, type_name) in TYPES.iter().enumerate() {
        let mut desired = Map::new();
        for (field, value) in chosen.iter().filter(|(f, _)| f.resource == index) {
            insert(&mut desired, &field.path, value.clone());
        }
        out.push_str(&format!("resource \"{type_name}\" \"random\" {{\n"));
        out.push_str(&body(&desired, 2));
        out.push_str("}\n");
    }
    out
}

async fn round_trip(sim: &SimServer, config: &str) -> Result<(), TestCaseError> {
    sim.patch_state("POST", "reset", json!({}))
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let dir = tempfile::tempdir().map_err(|e| TestCaseError::fail(e.to_string()))?;
    std::fs::write(dir.path().join("main.zen.hcl"), config)
        .map_err(|e| TestCaseError::fail(e.to_string()))?;
    let options = ZoomClientOptions {
        retry: RetryPolicy {
            max_attempts: 3,
            initial_backoff: Duration::from_millis(5),
            max_backoff: Duration::from_millis(20),
            max_retry_after: Duration::from_secs(1),
            ..RetryPolicy::default()
        },
        rate_limits: ZoomRateLimits {
            light: 5000.0,
            medium: 5000.0,
            heavy: 5000.0,
            ..ZoomRateLimits::default()
        },
        settle_wait: Duration::from_millis(300),
        ..ZoomClientOptions::default()
    };
    let types: Vec<Box<dyn ProviderType>> = vec![Box::new(ZoomProviderType::with_options(options))];
    let load = LoadOptions {
        dir: dir.path().to_path_buf(),
        env: Environment::from_pairs(sim.env_vars()),
        ..LoadOptions::default()
    };
    let ws = Workspace::load(&load, types)
        .map_err(|d| TestCaseError::fail(format!("invalid configuration {d:?}\n{config}")))?;
    let store = LocalStateStore::new(dir.path().join("state.json"));
    let providers =
        ProviderSet::configure(&ws, None).map_err(|d| TestCaseError::fail(format!("{d:?}")))?;
    let first = plan(&ws, None, &providers)
        .await
        .map_err(|d| TestCaseError::fail(format!("first plan: {d:?}\n{config}")))?;
    let mut state = store.read().ok().flatten().unwrap_or_default();
    let report = apply(
        &ws,
        first,
        &mut state,
        &store,
        &providers,
        &ApplyOptions::default(),
        &Silent,
    )
    .await;
    prop_assert!(
        report.errors.is_empty(),
        "apply failed: {:?}\n{config}",
        report.errors
    );
    prop_assert!(
        report.warnings.is_empty(),
        "apply did not converge: {:?}\n{config}",
        report.warnings
    );
    let state = store
        .read()
        .map_err(|e| TestCaseError::fail(format!("{e:?}")))?;
    let second = plan(&ws, state.as_ref(), &providers)
        .await
        .map_err(|d| TestCaseError::fail(format!("second plan: {d:?}")))?;
    let residual: Vec<String> = second
        .plan
        .changes
        .iter()
        .filter(|c| c.action.is_change())
        .flat_map(|c| {
            c.attributes
                .iter()
                .map(|a| format!("{}: {}", c.address, a.path))
        })
        .collect();
    prop_assert!(
        residual.is_empty(),
        "a residual change after apply: {residual:?}\n{config}"
    );
    Ok(())
}

#[test]
fn random_settings_and_locks_converge_after_one_apply() {
    let provider = ZoomProviderType::default();
    let schemas = provider.resource_schemas();
    let mut all = Vec::new();
    for (index, type_name) in TYPES.iter().enumerate() {
        let schema = schemas
            .iter()
            .find(|s| s.type_name == *type_name)
            .expect("resource type");
        fields(index, &schema.body, &mut Vec::new(), &mut all);
    }
    assert!(all.len() > 400, "every field is a candidate: {}", all.len());
    let seed = Seed::default_demo();
    let user_ids: Vec<String> = seed.zoom.accounts[0]
        .users
        .iter()
        .map(|u| u.id.clone())
        .collect();
    let strategies: Vec<BoxedStrategy<Json>> = all
        .iter()
        .map(|f| {
            let bypass = f.path.last().is_some_and(|n| n == "sso_bypass_user_ids");
            value(&f.attr, if bypass { &user_ids } else { &[] })
        })
        .collect();
    let indices: Vec<usize> = (0..all.len()).collect();
    let chosen =
        proptest::sample::subsequence(indices, 1..=MAX_FIELDS * 2).prop_flat_map(move |picked| {
            let per_field: Vec<BoxedStrategy<(usize, Json)>> = picked
                .into_iter()
                .map(|i| strategies[i].clone().prop_map(move |v| (i, v)).boxed())
                .collect();
            per_field
        });

    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let sim = runtime
        .block_on(SimServer::start(SimConfig {
            seed,
            faults: Faults {
                // The emulator's per-second limits are not what this test is about.
                zoom_qps_limit: Some(100_000),
                ..Faults::default()
            },
            ..SimConfig::default()
        }))
        .expect("emulator starts");
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let outcome = runner.run(&chosen, |picked| {
        let chosen: Vec<(Field, Json)> = picked
            .into_iter()
            .map(|(i, v)| (all[i].clone(), v))
            .collect();
        let config = configuration(&chosen);
        runtime.block_on(round_trip(&sim, &config))
    });
    if let Err(failure) = outcome {
        panic!("{failure}");
    }
    zentra_test_support::traffic::assert_conformant(&sim.requests());
}
