//! Tests of the engine as a whole (workspace, plan, apply, state) against an in-memory
//! provider, independent of any vendor API.

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use crate::addr::{ProviderAddr, ResourceAddr};
use crate::apply::{ApplyOptions, Silent, apply};
use crate::config::Config;
use crate::diag::SourceFile;
use crate::env::Environment;
use crate::plan::Action;
use crate::plan::planner::{ProviderSet, plan};
use crate::provider::{
    ErrorKind, Provider, ProviderError, ProviderResult, ProviderType, ReadRequest, RemoteObject,
    WriteRequest,
};
use crate::schema::{Attr, ResourceKind, ResourceSchema};
use crate::state::{LocalStateStore, StateStore};
use crate::value::Value;
use crate::workspace::{LoadOptions, Workspace};

#[derive(Default)]
struct World {
    setting: serde_json::Value,
    objects: HashMap<String, serde_json::Value>,
    next_id: u32,
    reads: usize,
    writes: usize,
    fail_create_label: Option<String>,
    fail_delete: bool,
    /// Every create and delete, in order: `create ID`, `delete ID`.
    log: Vec<String>,
    /// Each read request's type and whether it asked only for what it configures.
    read_requests: Vec<(String, bool)>,
    /// Deletes under way now, and the most there were at once.
    deletes_in_flight: usize,
    most_deletes_in_flight: usize,
}

#[derive(Clone, Default)]
struct MemProvider {
    world: Arc<Mutex<World>>,
    held_create: Arc<Mutex<Option<HeldCreate>>>,
}

/// The create of an object labelled `held` waits until an object labelled `releaser` is created.
#[derive(Clone)]
struct HeldCreate {
    held: String,
    releaser: String,
    notify: Arc<tokio::sync::Notify>,
}

struct MemType(MemProvider);

fn schemas() -> Vec<ResourceSchema> {
    vec![
        ResourceSchema::new(
            "mem_setting",
            ResourceKind::Singleton,
            "a singleton",
            Attr::object([
                ("name", Attr::string()),
                ("enabled", Attr::bool()),
                ("tags", Attr::string_set()),
                ("limits", Attr::object([("level", Attr::int())])),
            ]),
        ),
        ResourceSchema::new(
            "mem_object",
            ResourceKind::Object,
            "an object",
            Attr::object([
                ("label", Attr::string().required().force_new()),
                ("peer", Attr::string()),
                ("uid", Attr::string().computed()),
            ]),
        ),
    ]
}

impl ProviderType for MemType {
    fn name(&self) -> &'static str {
        "mem"
    }
    fn config_schema(&self) -> Attr {
        Attr::object([])
    }
    fn resource_schemas(&self) -> Vec<ResourceSchema> {
        schemas()
    }
    fn configure(&self, _: &Value, _: &Environment) -> ProviderResult<Box<dyn Provider>> {
        Ok(Box::new(self.0.clone()))
    }
    fn natural_key(&self, type_name: &str, desired: &Value) -> Option<String> {
        match type_name {
            "mem_object" => desired
                .get("label")
                .and_then(Value::as_str)
                .map(|l| format!("label {}", l.to_lowercase())),
            "mem_setting" => Some("of the world".into()),
            _ => None,
        }
    }
    fn vendor_owned(&self, type_name: &str, attributes: &Value) -> Option<String> {
        let label = attributes.get("label").and_then(Value::as_str)?;
        (type_name == "mem_object" && label.starts_with("vendor-"))
            .then(|| "the vendor made it".to_string())
    }
}

/// The members of `value` that the object schema `schema` describes, recursively.
fn keep(value: &Value, schema: &Attr) -> Value {
    match value {
        Value::Object(map) if !schema.properties.is_empty() => Value::Object(
            map.iter()
                .filter_map(|(k, v)| Some((k.clone(), keep(v, schema.properties.get(k)?))))
                .collect(),
        ),
        other => other.clone(),
    }
}

fn with_uid(id: &str, attrs: &serde_json::Value) -> Value {
    let mut v = attrs.clone();
    v["uid"] = serde_json::json!(format!("uid-{id}"));
    Value::from_json(&v)
}

#[async_trait]
impl Provider for MemProvider {
    fn name(&self) -> &'static str {
        "mem"
    }

    async fn read(&self, batch: &[ReadRequest]) -> Vec<ProviderResult<Option<RemoteObject>>> {
        let mut w = self.world.lock().unwrap();
        w.reads += 1;
        w.read_requests.extend(
            batch
                .iter()
                .map(|r| (r.type_name.clone(), r.only_configured)),
        );
        let trimmed = |r: &ReadRequest, object: RemoteObject| {
            // As real providers may: only what the request needs.
            match schemas().into_iter().find(|s| s.type_name == r.type_name) {
                Some(schema) => RemoteObject {
                    attributes: keep(&object.attributes, &r.schema_to_read(&schema.body)),
                    ..object
                },
                None => object,
            }
        };
        batch
            .iter()
            .map(|r| {
                Ok(match r.type_name.as_str() {
                    "mem_setting" => Some(RemoteObject {
                        id: "singleton".into(),
                        attributes: Value::from_json(&w.setting),
                        ownership: Default::default(),
                    }),
                    _ => {
                        // By the id in state, else by the natural key, as real providers do.
                        let by_id =
                            r.id.as_ref()
                                .and_then(|id| w.objects.get(id).map(|o| (id.clone(), o.clone())));
                        let found = by_id.or_else(|| {
                            let label = r.config.get("label").and_then(Value::as_str);
                            w.objects
                                .iter()
                                .find(|(_, o)| label.is_some() && o["label"].as_str() == label)
                                .map(|(k, o)| (k.clone(), o.clone()))
                        });
                        found.map(|(id, o)| RemoteObject {
                            attributes: with_uid(&id, &o),
                            id,
                            ownership: Default::default(),
                        })
                    }
                }
                .map(|object| trimmed(r, object)))
            })
            .collect()
    }

    async fn create(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        let label = req.config.get("label").and_then(Value::as_str);
        let hold = self.held_create.lock().unwrap().clone();
        if let Some(HeldCreate {
            held,
            releaser,
            notify,
        }) = hold
        {
            if label == Some(held.as_str()) {
                notify.notified().await;
            } else if label == Some(releaser.as_str()) {
                notify.notify_one();
            }
        }
        let mut w = self.world.lock().unwrap();
        w.writes += 1;
        let json = req.config.to_json().expect("known at apply");
        if req.type_name == "mem_setting" {
            merge(&mut w.setting, &json);
            return Ok(RemoteObject {
                id: "singleton".into(),
                attributes: Value::from_json(&w.setting),
                ownership: Default::default(),
            });
        }
        if w.fail_create_label.as_deref() == json["label"].as_str() {
            return Err(ProviderError::new(
                ErrorKind::Invalid,
                "the service refused this label",
            ));
        }
        // Like the real providers: an object that appeared since planning is taken over.
        if let Some((id, existing)) = w
            .objects
            .iter()
            .find(|(_, o)| o["label"] == json["label"])
            .map(|(k, o)| (k.clone(), o.clone()))
        {
            let mut object = RemoteObject::new(id.clone(), with_uid(&id, &existing));
            object.ownership.found_existing = true;
            return Ok(object);
        }
        w.next_id += 1;
        let id = format!("obj-{}", w.next_id);
        w.log.push(format!("create {id}"));
        w.objects.insert(id.clone(), json.clone());
        Ok(RemoteObject {
            attributes: with_uid(&id, &json),
            id,
            ownership: Default::default(),
        })
    }

    async fn update(&self, req: &WriteRequest) -> ProviderResult<RemoteObject> {
        let mut w = self.world.lock().unwrap();
        w.writes += 1;
        let json = req.config.to_json().expect("known at apply");
        if req.type_name == "mem_setting" {
            merge(&mut w.setting, &json);
            return Ok(RemoteObject {
                id: "singleton".into(),
                attributes: Value::from_json(&w.setting),
                ownership: Default::default(),
            });
        }
        let id = req.id.clone().expect("updates have ids");
        let obj = w.objects.get_mut(&id).expect("exists");
        merge(obj, &json);
        let obj = obj.clone();
        Ok(RemoteObject {
            attributes: with_uid(&id, &obj),
            id,
            ownership: Default::default(),
        })
    }

    async fn delete(&self, req: &WriteRequest) -> ProviderResult<()> {
        {
            let mut w = self.world.lock().unwrap();
            w.deletes_in_flight += 1;
            w.most_deletes_in_flight = w.most_deletes_in_flight.max(w.deletes_in_flight);
        }
        // A request takes a while: others may start meanwhile.
        for _ in 0..4 {
            tokio::task::yield_now().await;
        }
        let mut w = self.world.lock().unwrap();
        w.deletes_in_flight -= 1;
        w.writes += 1;
        if w.fail_delete {
            return Err(ProviderError::new(
                ErrorKind::Permission,
                "the service refused this delete",
            ));
        }
        let id = req.id.clone().unwrap_or_default();
        w.log.push(format!("delete {id}"));
        w.objects.remove(&id);
        Ok(())
    }
}

fn merge(target: &mut serde_json::Value, patch: &serde_json::Value) {
    match (target, patch) {
        (serde_json::Value::Object(t), serde_json::Value::Object(p)) => {
            for (k, v) in p {
                merge(t.entry(k.clone()).or_insert(serde_json::Value::Null), v);
            }
        }
        (t, p) => *t = p.clone(),
    }
}

struct Harness {
    provider: MemProvider,
    dir: tempfile::TempDir,
}

impl Harness {
    fn new(setting: serde_json::Value) -> Harness {
        let provider = MemProvider::default();
        provider.world.lock().unwrap().setting = setting;
        Harness {
            provider,
            dir: tempfile::tempdir().unwrap(),
        }
    }

    fn workspace(&self, src: &str) -> Workspace {
        let config = Config::from_files(
            self.dir.path(),
            vec![SourceFile {
                display_path: "main.zen.hcl".into(),
                path: "main.zen.hcl".into(),
                text: src.into(),
            }],
        )
        .unwrap();
        let opts = LoadOptions {
            dir: self.dir.path().to_path_buf(),
            ..LoadOptions::default()
        };
        Workspace::from_config(
            config,
            &opts,
            vec![Box::new(MemType(self.provider.clone()))],
        )
        .unwrap()
    }

    fn store(&self) -> LocalStateStore {
        LocalStateStore::new(self.dir.path().join("state.json"))
    }

    fn providers(&self) -> ProviderSet {
        let mut set = ProviderSet::default();
        set.insert(
            ProviderAddr::default_for("mem"),
            Box::new(self.provider.clone()),
        );
        set
    }

    async fn plan(&self, src: &str) -> crate::plan::Plan {
        let ws = self.workspace(src);
        let state = self.store().read().unwrap();
        plan(&ws, state.as_ref(), &self.providers())
            .await
            .unwrap()
            .plan
    }

    /// The id state records for `addr`.
    fn state_id(&self, addr: &ResourceAddr) -> String {
        self.store()
            .read()
            .unwrap()
            .unwrap()
            .resource(addr)
            .unwrap()
            .id
            .clone()
    }

    /// The labels of the objects that exist.
    fn labels(&self) -> Vec<String> {
        self.provider
            .world
            .lock()
            .unwrap()
            .objects
            .values()
            .map(|o| o["label"].as_str().unwrap_or_default().to_string())
            .collect()
    }

    async fn apply(&self, src: &str) -> crate::apply::ApplyReport {
        self.apply_with(src, &ApplyOptions::default()).await
    }

    async fn apply_with(&self, src: &str, options: &ApplyOptions) -> crate::apply::ApplyReport {
        let ws = self.workspace(src);
        let store = self.store();
        let state = store.read().unwrap();
        let run = plan(&ws, state.as_ref(), &self.providers()).await.unwrap();
        let mut state = state.unwrap_or_default();
        apply(
            &ws,
            run,
            &mut state,
            &store,
            &self.providers(),
            options,
            &Silent,
        )
        .await
    }
}

const CONFIG: &str = r#"
resource "mem_setting" "main" {
  enabled = true
  tags    = ["b", "a"]
  limits {
    level = 3
  }
}
resource "mem_object" "first" {
  label = "one"
}
resource "mem_object" "second" {
  label = "two"
  peer  = mem_object.first.uid
}
"#;

#[tokio::test]
async fn plan_apply_then_plan_again_shows_no_changes() {
    let h = Harness::new(
        serde_json::json!({"name": "kept", "enabled": false, "tags": ["a"], "limits": {"level": 1}}),
    );
    let p = h.plan(CONFIG).await;
    let actions: Vec<(String, Action)> = p
        .changes
        .iter()
        .map(|c| (c.address.to_string(), c.action))
        .collect();
    assert_eq!(
        actions,
        vec![
            ("mem_setting.main".into(), Action::Update),
            ("mem_object.first".into(), Action::Create),
            ("mem_object.second".into(), Action::Create),
        ]
    );
    let second = p
        .change(&ResourceAddr::managed("mem_object", "second"))
        .unwrap();
    let peer = second.attributes.iter().find(|a| a.path == "peer").unwrap();
    assert!(
        peer.after_unknown,
        "a reference to an uncreated object is unknown at plan time"
    );
    assert_eq!(p.summary.add, 2);
    assert_eq!(p.summary.change, 1);

    let report = h.apply(CONFIG).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(report.warnings.is_empty(), "{:?}", report.warnings);
    let world = h.provider.world.lock().unwrap().objects.clone();
    let second = world.values().find(|o| o["label"] == "two").unwrap();
    assert_eq!(
        second["peer"], "uid-obj-1",
        "the reference was resolved at apply time"
    );
    assert_eq!(
        h.provider.world.lock().unwrap().setting["name"],
        "kept",
        "unmanaged attributes are left alone"
    );

    let again = h.plan(CONFIG).await;
    assert!(!again.has_changes(), "{:#?}", again.changes);
    let state = h.store().read().unwrap().unwrap();
    assert_eq!(state.resources.len(), 3);
}

#[tokio::test]
async fn drift_is_detected_and_marked() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(CONFIG).await.errors.is_empty());
    h.provider.world.lock().unwrap().setting["enabled"] = serde_json::json!(false);
    let p = h.plan(CONFIG).await;
    let c = p
        .change(&ResourceAddr::managed("mem_setting", "main"))
        .unwrap();
    assert_eq!(c.action, Action::Update);
    assert_eq!(c.attributes.len(), 1);
    assert!(c.attributes[0].drift);
    assert_eq!(
        c.reason.as_deref(),
        Some("changed outside zentra since the last apply")
    );
}

/// Five objects; `e` refers to `a`.
const FIVE: &str = r#"
resource "mem_object" "a" { label = "a" }
resource "mem_object" "b" { label = "b" }
resource "mem_object" "c" { label = "c" }
resource "mem_object" "d" { label = "d" }
resource "mem_object" "e" {
  label = "e"
  peer  = mem_object.a.uid
}
"#;

#[tokio::test]
async fn deletes_run_side_by_side_and_a_dependent_goes_before_what_it_depends_on() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(FIVE).await.errors.is_empty());
    let (a, e) = {
        let w = h.provider.world.lock().unwrap();
        (object_id(&w, "a"), object_id(&w, "e"))
    };
    let report = h.apply("").await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let w = h.provider.world.lock().unwrap();
    assert!(w.objects.is_empty());
    assert!(
        w.most_deletes_in_flight > 1,
        "independent deletes overlap: {}",
        w.most_deletes_in_flight
    );
    let at = |entry: String| w.log.iter().position(|l| *l == entry).unwrap();
    assert!(
        at(format!("delete {e}")) < at(format!("delete {a}")),
        "{:?}",
        w.log
    );
    drop(w);
    assert!(h.store().read().unwrap().unwrap().resources.is_empty());
}

#[tokio::test]
async fn a_failed_delete_stops_the_deletes_not_yet_started_and_keeps_them_in_state() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(FIVE).await.errors.is_empty());
    h.provider.world.lock().unwrap().fail_delete = true;
    let writes_before = h.provider.world.lock().unwrap().writes;
    let one_at_a_time = ApplyOptions {
        parallelism: 1,
        ..ApplyOptions::default()
    };
    let report = h.apply_with("", &one_at_a_time).await;
    assert_eq!(report.errors.0.len(), 1, "{:?}", report.errors);
    assert_eq!(
        h.provider.world.lock().unwrap().writes - writes_before,
        1,
        "no delete started after the failure"
    );
    let state = h.store().read().unwrap().unwrap();
    assert_eq!(state.resources.len(), 5, "nothing left state unrecorded");
}

#[tokio::test]
async fn removed_objects_are_deleted_and_removed_singletons_forgotten() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(CONFIG).await.errors.is_empty());
    let only_first = "resource \"mem_object\" \"first\" {\n  label = \"one\"\n}\n";
    let p = h.plan(only_first).await;
    let actions: HashMap<String, Action> = p
        .changes
        .iter()
        .map(|c| (c.address.to_string(), c.action))
        .collect();
    assert_eq!(actions["mem_object.second"], Action::Delete);
    assert_eq!(actions["mem_setting.main"], Action::Forget);
    assert_eq!(actions["mem_object.first"], Action::NoOp);
    let report = h.apply(only_first).await;
    assert!(report.errors.is_empty());
    let w = h.provider.world.lock().unwrap();
    assert_eq!(w.objects.len(), 1);
    assert_eq!(
        w.setting["enabled"], true,
        "a forgotten singleton keeps its settings"
    );
    drop(w);
    let state = h.store().read().unwrap().unwrap();
    assert_eq!(state.resources.len(), 1);
}

#[tokio::test]
async fn changing_a_force_new_attribute_plans_a_replacement() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(CONFIG).await.errors.is_empty());
    let p = h.plan(&CONFIG.replace("\"one\"", "\"uno\"")).await;
    let c = p
        .change(&ResourceAddr::managed("mem_object", "first"))
        .unwrap();
    assert_eq!(c.action, Action::Replace);
    let report = h.apply(&CONFIG.replace("\"one\"", "\"uno\"")).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(
        !h.plan(&CONFIG.replace("\"one\"", "\"uno\""))
            .await
            .has_changes()
    );
}

#[tokio::test]
async fn a_failed_create_keeps_everything_that_completed_in_state() {
    let h = Harness::new(serde_json::json!({}));
    h.provider.world.lock().unwrap().fail_create_label = Some("two".into());
    let report = h.apply(CONFIG).await;
    assert_eq!(report.errors.0.len(), 1);
    assert!(
        report.errors.0[0]
            .summary
            .contains("mem_object.second: create failed"),
        "{}",
        report.errors.0[0].summary
    );
    let state = h.store().read().unwrap().unwrap();
    let names: Vec<String> = state
        .resources
        .iter()
        .map(|r| r.address.to_string())
        .collect();
    assert_eq!(names, vec!["mem_object.first", "mem_setting.main"]);
    h.provider.world.lock().unwrap().fail_create_label = None;
    let p = h.plan(CONFIG).await;
    let pending: Vec<String> = p
        .changes
        .iter()
        .filter(|c| c.action.is_change())
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(pending, vec!["mem_object.second"]);
}

#[tokio::test]
async fn a_resource_starts_when_its_dependencies_are_applied_not_when_unrelated_ones_are() {
    let h = Harness::new(serde_json::json!({}));
    // `second` depends on `first`; `slow`, unrelated, is created only once `second` is: an
    // apply that waited for every resource of one dependency level before the next would
    // never finish.
    *h.provider.held_create.lock().unwrap() = Some(HeldCreate {
        held: "slow".into(),
        releaser: "two".into(),
        notify: Arc::new(tokio::sync::Notify::new()),
    });
    let config = format!("{CONFIG}resource \"mem_object\" \"slow\" {{\n  label = \"slow\"\n}}\n");
    let report = tokio::time::timeout(std::time::Duration::from_secs(20), h.apply(&config))
        .await
        .expect("the dependent create started while the unrelated one was in flight");
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(h.provider.world.lock().unwrap().objects.len(), 3);
}

#[tokio::test]
async fn a_failed_resource_holds_back_only_what_depends_on_it() {
    let h = Harness::new(serde_json::json!({}));
    h.provider.world.lock().unwrap().fail_create_label = Some("bad".into());
    let config = format!(
        "{CONFIG}resource \"mem_object\" \"bad\" {{\n  label = \"bad\"\n}}\n\
         resource \"mem_object\" \"after_bad\" {{\n  label = \"after\"\n  peer  = mem_object.bad.uid\n}}\n"
    );
    let report = h.apply(&config).await;
    assert_eq!(report.errors.0.len(), 1, "{:?}", report.errors);
    assert!(
        report.errors.0[0]
            .summary
            .contains("mem_object.bad: create failed")
    );
    let state = h.store().read().unwrap().unwrap();
    let mut names: Vec<String> = state
        .resources
        .iter()
        .map(|r| r.address.to_string())
        .collect();
    names.sort();
    // `second` depends on `first` only, and is applied; `after_bad` never starts.
    assert_eq!(
        names,
        vec!["mem_object.first", "mem_object.second", "mem_setting.main"]
    );
    let labels: Vec<String> = h.labels();
    assert!(!labels.contains(&"after".to_string()), "{labels:?}");
}

#[tokio::test]
async fn existing_objects_are_adopted_not_duplicated() {
    let h = Harness::new(serde_json::json!({}));
    h.provider
        .world
        .lock()
        .unwrap()
        .objects
        .insert("pre-1".into(), serde_json::json!({"label": "one"}));
    let p = h.plan(CONFIG).await;
    let c = p
        .change(&ResourceAddr::managed("mem_object", "first"))
        .unwrap();
    assert_eq!(c.action, Action::NoOp);
    assert!(c.reason.as_deref().unwrap().contains("adopted"));
    assert!(h.apply(CONFIG).await.errors.is_empty());
    assert_eq!(h.provider.world.lock().unwrap().objects.len(), 2);
    let state = h.store().read().unwrap().unwrap();
    assert_eq!(
        state
            .resource(&ResourceAddr::managed("mem_object", "first"))
            .unwrap()
            .id,
        "pre-1"
    );
}

#[tokio::test]
async fn reads_ask_for_the_whole_object_only_where_an_expression_refers_to_it() {
    let h = Harness::new(serde_json::json!({"name": "kept", "enabled": false}));
    // `second` refers to `first`; nothing refers to the others.
    assert!(h.apply(CONFIG).await.errors.is_empty());
    let asked = std::mem::take(&mut h.provider.world.lock().unwrap().read_requests);
    assert!(asked.contains(&("mem_object".into(), false)), "{asked:?}");
    assert!(asked.contains(&("mem_object".into(), true)), "{asked:?}");
    assert!(asked.contains(&("mem_setting".into(), true)), "{asked:?}");
    // What was left out of the reads (the setting's `name`) is neither written nor shown as
    // a change, and the next plan finds nothing to do.
    assert_eq!(h.provider.world.lock().unwrap().setting["name"], "kept");
    let again = h.plan(CONFIG).await;
    assert!(!again.has_changes(), "{:#?}", again.changes);
    let state = h.store().read().unwrap().unwrap();
    let object = state
        .resource(&ResourceAddr::managed("mem_object", "second"))
        .unwrap();
    assert!(
        object.computed.get("uid").is_some(),
        "computed attributes are still read and recorded: {:?}",
        object.computed
    );
}

#[tokio::test]
async fn each_wave_reads_with_one_call_per_provider() {
    let h = Harness::new(serde_json::json!({}));
    h.plan(CONFIG).await;
    // Two waves (first + setting, then second): two batched reads.
    assert_eq!(h.provider.world.lock().unwrap().reads, 2);
    assert_eq!(
        h.provider.world.lock().unwrap().writes,
        0,
        "planning never writes"
    );
    let _ = Path::new("");
}

#[tokio::test]
async fn an_object_deleted_outside_zentra_only_leaves_state_when_removed_from_configuration() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(CONFIG).await.errors.is_empty());
    let second = h
        .store()
        .read()
        .unwrap()
        .unwrap()
        .resource(&ResourceAddr::managed("mem_object", "second"))
        .unwrap()
        .id
        .clone();
    h.provider.world.lock().unwrap().objects.remove(&second);
    let only_first = "resource \"mem_object\" \"first\" {\n  label = \"one\"\n}\n";
    let p = h.plan(only_first).await;
    let c = p
        .change(&ResourceAddr::managed("mem_object", "second"))
        .unwrap();
    assert_eq!(c.action, Action::Forget);
    assert!(
        c.reason
            .as_deref()
            .unwrap()
            .contains("already deleted outside zentra")
    );
    assert_eq!(p.summary.destroy, 0);
    let writes_before = h.provider.world.lock().unwrap().writes;
    assert!(h.apply(only_first).await.errors.is_empty());
    assert_eq!(
        h.provider.world.lock().unwrap().writes,
        writes_before,
        "nothing to delete"
    );
    let state = h.store().read().unwrap().unwrap();
    assert!(
        state
            .resource(&ResourceAddr::managed("mem_object", "second"))
            .is_none()
    );
}

const OBJECT: &str = r#"
resource "mem_object" "first" {
  label = "one"
}
"#;

fn object_id(world: &World, label: &str) -> String {
    world
        .objects
        .iter()
        .find(|(_, o)| o["label"] == label)
        .map(|(id, _)| id.clone())
        .expect("the object exists")
}

#[tokio::test]
async fn an_object_deleted_outside_zentra_is_drift_unless_the_configuration_moved_on() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(OBJECT).await.errors.is_empty());
    let id = object_id(&h.provider.world.lock().unwrap(), "one");
    h.provider.world.lock().unwrap().objects.clear();
    let plan = h.plan(OBJECT).await;
    let first = &plan.changes[0];
    assert_eq!(first.action, Action::Create);
    assert_eq!(
        first.object_drift,
        Some(crate::plan::ObjectDrift {
            kind: crate::plan::ObjectDriftKind::Deleted,
            previous_id: id,
        })
    );
    assert_eq!(plan.summary.drift, 1);
    // A new label (which forces replacement) selects another object: not drift.
    let plan = h.plan(&OBJECT.replace("\"one\"", "\"uno\"")).await;
    assert_eq!(plan.changes[0].action, Action::Create);
    assert_eq!(plan.changes[0].object_drift, None);
    assert_eq!(plan.summary.drift, 0);
}

#[tokio::test]
async fn an_object_replaced_outside_zentra_is_drift_and_state_takes_the_new_id() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(OBJECT).await.errors.is_empty());
    let old = object_id(&h.provider.world.lock().unwrap(), "one");
    {
        let mut world = h.provider.world.lock().unwrap();
        let object = world.objects.remove(&old).unwrap();
        world.objects.insert("obj-recreated".into(), object);
    }
    let plan = h.plan(OBJECT).await;
    let first = &plan.changes[0];
    assert_eq!(first.action, Action::NoOp, "nothing to write");
    assert!(first.is_change(), "not a no-op: the new object is adopted");
    assert_eq!(
        first.adopt.as_ref().map(|a| a.id.as_str()),
        Some("obj-recreated")
    );
    assert_eq!(first.id.as_deref(), Some("obj-recreated"));
    assert_eq!(
        first
            .object_drift
            .as_ref()
            .map(|d| (d.kind, d.previous_id.as_str())),
        Some((crate::plan::ObjectDriftKind::Replaced, old.as_str()))
    );
    assert!(first.attributes.is_empty(), "attributes match: {first:?}");
    let writes = h.provider.world.lock().unwrap().writes;
    assert!(h.apply(OBJECT).await.errors.is_empty());
    assert_eq!(
        h.provider.world.lock().unwrap().writes,
        writes,
        "nothing to write remotely"
    );
    let state = h.store().read().unwrap().unwrap();
    assert_eq!(state.resources[0].id, "obj-recreated");
    assert_eq!(
        state.resources[0].origin,
        Some(crate::state::Origin::Adopted),
        "zentra did not create the object that took the old one's place"
    );
    let again = h.plan(OBJECT).await;
    assert_eq!(again.changes[0].action, Action::NoOp);
    assert_eq!(again.summary.drift, 0);
}

fn origin_of(h: &Harness, name: &str) -> Option<crate::state::Origin> {
    h.store()
        .read()
        .unwrap()
        .unwrap()
        .resource(&ResourceAddr::managed("mem_object", name))
        .and_then(|r| r.origin)
}

#[tokio::test]
async fn adoption_is_a_change_and_removing_an_adopted_object_only_forgets_it() {
    let h = Harness::new(serde_json::json!({}));
    h.provider
        .world
        .lock()
        .unwrap()
        .objects
        .insert("pre-1".into(), serde_json::json!({"label": "one"}));
    let only_first = "resource \"mem_object\" \"first\" {\n  label = \"one\"\n}\n";
    let p = h.plan(only_first).await;
    let c = &p.changes[0];
    assert_eq!(c.action, Action::NoOp);
    assert_eq!(c.adopt.as_ref().map(|a| a.id.as_str()), Some("pre-1"));
    assert!(p.has_changes(), "a pending adoption is a change");
    assert_eq!(p.summary.adopt, 1);
    assert!(h.apply(only_first).await.errors.is_empty());
    assert_eq!(
        h.provider.world.lock().unwrap().writes,
        0,
        "adopting writes nothing"
    );
    assert_eq!(origin_of(&h, "first"), Some(crate::state::Origin::Adopted));
    assert!(!h.plan(only_first).await.has_changes());

    let p = h.plan("").await;
    assert_eq!(p.changes[0].action, Action::Forget);
    assert!(h.apply("").await.errors.is_empty());
    let w = h.provider.world.lock().unwrap();
    assert_eq!((w.writes, w.objects.len()), (0, 1), "nothing deleted");
}

#[tokio::test]
async fn removed_blocks_decide_and_vendor_objects_are_never_deleted() {
    let h = Harness::new(serde_json::json!({}));
    let config = "resource \"mem_object\" \"mine\" {\n  label = \"one\"\n}\nresource \"mem_object\" \"theirs\" {\n  label = \"vendor-two\"\n}\n";
    assert!(h.apply(config).await.errors.is_empty());
    assert_eq!(origin_of(&h, "mine"), Some(crate::state::Origin::Created));
    assert_eq!(origin_of(&h, "theirs"), Some(crate::state::Origin::Created));
    let removed = "removed {\n  from = mem_object.mine\n  lifecycle {\n    destroy = false\n  }\n}\nremoved {\n  from = mem_object.theirs\n  lifecycle {\n    destroy = true\n  }\n}\n";
    let p = h.plan(removed).await;
    let actions: HashMap<String, (Action, String)> = p
        .changes
        .iter()
        .map(|c| {
            (
                c.address.to_string(),
                (c.action, c.reason.clone().unwrap_or_default()),
            )
        })
        .collect();
    assert_eq!(actions["mem_object.mine"].0, Action::Forget);
    assert_eq!(actions["mem_object.theirs"].0, Action::Forget);
    assert!(
        actions["mem_object.theirs"]
            .1
            .contains("the vendor made it"),
        "{:?}",
        actions["mem_object.theirs"]
    );
    let writes = h.provider.world.lock().unwrap().writes;
    assert!(h.apply(removed).await.errors.is_empty());
    let w = h.provider.world.lock().unwrap();
    assert_eq!((w.writes, w.objects.len()), (writes, 2));
}

#[tokio::test]
async fn an_object_found_while_creating_is_recorded_as_adopted() {
    let h = Harness::new(serde_json::json!({}));
    let config = "resource \"mem_object\" \"first\" {\n  label = \"one\"\n}\n";
    let ws = h.workspace(config);
    let run = plan(&ws, None, &h.providers()).await.unwrap();
    assert_eq!(run.plan.changes[0].action, Action::Create);
    // Someone creates it between plan and apply.
    h.provider
        .world
        .lock()
        .unwrap()
        .objects
        .insert("theirs".into(), serde_json::json!({"label": "one"}));
    let mut state = crate::state::StateFile::new();
    let report = apply(
        &ws,
        run,
        &mut state,
        &h.store(),
        &h.providers(),
        &ApplyOptions::default(),
        &Silent,
    )
    .await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert_eq!(origin_of(&h, "first"), Some(crate::state::Origin::Adopted));
}

#[tokio::test]
async fn two_resources_with_one_natural_key_are_refused_before_any_read() {
    let h = Harness::new(serde_json::json!({}));
    let ws = h.workspace(
        "resource \"mem_object\" \"a\" {\n  label = \"Same\"\n}\nresource \"mem_object\" \"b\" {\n  label = \"same\"\n}\n",
    );
    let errors = plan(&ws, None, &h.providers()).await.err().unwrap();
    let text = errors.0[0].to_string();
    assert!(
        text.contains("`mem_object.a` and `mem_object.b` manage the same remote object (mem_object label same)"),
        "{text}"
    );
    assert!(
        errors.0[0]
            .detail
            .as_deref()
            .unwrap_or_default()
            .contains("main.zen.hcl:1:1"),
        "{:?}",
        errors.0[0].detail
    );
    assert_eq!(h.provider.world.lock().unwrap().reads, 0);
}

#[tokio::test]
async fn destroy_plans_delete_what_was_created_and_honour_prevent_destroy() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(CONFIG).await.errors.is_empty());
    let ws = h.workspace(CONFIG);
    let state = h.store().read().unwrap();
    let options = crate::plan::planner::PlanOptions { destroy: true };
    let run = crate::plan::planner::plan_with(&ws, state.as_ref(), &h.providers(), &options)
        .await
        .unwrap();
    assert!(run.plan.destroy);
    let actions: HashMap<String, Action> = run
        .plan
        .changes
        .iter()
        .map(|c| (c.address.to_string(), c.action))
        .collect();
    assert_eq!(actions["mem_object.first"], Action::Delete);
    assert_eq!(actions["mem_object.second"], Action::Delete);
    assert_eq!(actions["mem_setting.main"], Action::Forget);

    let protected = CONFIG.replace(
        "label = \"one\"\n",
        "label = \"one\"\n  lifecycle {\n    prevent_destroy = true\n  }\n",
    );
    let ws = h.workspace(&protected);
    let errors = crate::plan::planner::plan_with(&ws, state.as_ref(), &h.providers(), &options)
        .await
        .err()
        .unwrap();
    assert!(
        errors.0[0].to_string().contains("main.zen.hcl:11:3"),
        "{}",
        errors.0[0]
    );
}

/// `CONFIG` with `mem_object.first` replaced under `create_before_destroy`, labelled `label`.
fn create_first(label: &str) -> String {
    CONFIG.replace(
        "label = \"one\"\n}",
        &format!("label = \"{label}\"\n  lifecycle {{\n    create_before_destroy = true\n  }}\n}}"),
    )
}

#[tokio::test]
async fn a_replacement_that_an_interruption_keeps_from_starting_leaves_the_old_object_current() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(&create_first("one")).await.errors.is_empty());
    let first = ResourceAddr::managed("mem_object", "first");
    let old = h.state_id(&first);
    // One operation at a time: `slow` goes first and is held; meanwhile the replacement of
    // `first` (its create recorded, the old object deposed) waits for its turn, and the run is
    // interrupted.
    let notify = Arc::new(tokio::sync::Notify::new());
    *h.provider.held_create.lock().unwrap() = Some(HeldCreate {
        held: "slow".into(),
        releaser: "never".into(),
        notify: notify.clone(),
    });
    let options = ApplyOptions {
        parallelism: 1,
        ..ApplyOptions::default()
    };
    let config = format!(
        "resource \"mem_object\" \"slow\" {{\n  label = \"slow\"\n}}\n{}",
        create_first("uno")
    );
    let interrupt = async {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        options
            .interrupted
            .store(true, std::sync::atomic::Ordering::SeqCst);
        notify.notify_one();
    };
    let (report, ()) = tokio::join!(h.apply_with(&config, &options), interrupt);
    assert!(report.interrupted);
    let state = h.store().read().unwrap().unwrap();
    assert_eq!(
        state.resource(&first).map(|r| r.id.as_str()),
        Some(old.as_str())
    );
    assert!(state.deposed.is_empty(), "{:?}", state.deposed);
    assert!(state.pending_creates.iter().all(|p| p.address != first));
    let labels: Vec<String> = h.labels();
    assert!(labels.contains(&"one".to_string()) && !labels.contains(&"uno".to_string()));
}

#[tokio::test]
async fn create_before_destroy_creates_the_new_object_before_deleting_the_old_one() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(&create_first("one")).await.errors.is_empty());
    let first = ResourceAddr::managed("mem_object", "first");
    let old = h.state_id(&first);
    let p = h.plan(&create_first("uno")).await;
    let c = p.change(&first).unwrap();
    assert_eq!(c.action, Action::Replace);
    assert!(c.create_before_destroy);
    assert_eq!(c.symbol(), "+/-");
    h.provider.world.lock().unwrap().log.clear();
    let report = h.apply(&create_first("uno")).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    let state = h.store().read().unwrap().unwrap();
    let new = state.resource(&first).unwrap().id.clone();
    // The new object first, then (after `second`, which refers to it, is updated) the old one.
    assert_eq!(
        h.provider.world.lock().unwrap().log,
        [format!("create {new}"), format!("delete {old}")]
    );
    assert!(state.deposed.is_empty());
    assert!(state.pending_creates.is_empty());
    assert!(!h.plan(&create_first("uno")).await.has_changes());
}

#[tokio::test]
async fn create_before_destroy_is_refused_when_both_objects_would_share_a_natural_key() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(&create_first("one")).await.errors.is_empty());
    let ws = h.workspace(&create_first("ONE"));
    let state = h.store().read().unwrap();
    let Err(errors) = plan(&ws, state.as_ref(), &h.providers()).await else {
        panic!("a replacement with the same natural key was planned");
    };
    let summary = &errors.0[0].summary;
    assert!(
        summary.starts_with(
            "`create_before_destroy` cannot create `mem_object.first` while the object it replaces"
        ) && summary.contains("they share its natural key (mem_object label one)"),
        "{summary}"
    );
}

#[tokio::test]
async fn a_failed_delete_after_create_leaves_the_old_object_deposed_for_the_next_apply() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(&create_first("one")).await.errors.is_empty());
    let first = ResourceAddr::managed("mem_object", "first");
    let old = h.state_id(&first);
    h.provider.world.lock().unwrap().fail_delete = true;
    let report = h.apply(&create_first("uno")).await;
    assert_eq!(report.errors.0.len(), 1, "{:?}", report.errors);
    assert!(
        report.errors.0[0]
            .summary
            .contains(&format!("delete of the object it replaced ({old}) failed")),
        "{}",
        report.errors.0[0].summary
    );
    let state = h.store().read().unwrap().unwrap();
    assert_ne!(state.resource(&first).unwrap().id, old);
    assert_eq!(state.deposed.len(), 1);
    assert_eq!(state.deposed[0].id, old);
    assert!(state.pending_creates.is_empty());

    h.provider.world.lock().unwrap().fail_delete = false;
    let p = h.plan(&create_first("uno")).await;
    assert!(p.has_changes());
    assert_eq!(p.deposed.len(), 1);
    assert_eq!(
        (p.deposed[0].id.as_str(), p.deposed[0].action),
        (old.as_str(), Action::Delete)
    );
    assert_eq!(p.summary.destroy, 1);
    assert!(p.changes.iter().all(|c| !c.action.is_change()));
    let report = h.apply(&create_first("uno")).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(!h.provider.world.lock().unwrap().objects.contains_key(&old));
    assert!(h.store().read().unwrap().unwrap().deposed.is_empty());
    assert!(!h.plan(&create_first("uno")).await.has_changes());
}

#[tokio::test]
async fn a_refused_create_leaves_the_old_object_current() {
    let h = Harness::new(serde_json::json!({}));
    assert!(h.apply(&create_first("one")).await.errors.is_empty());
    let first = ResourceAddr::managed("mem_object", "first");
    let old = h.state_id(&first);
    h.provider.world.lock().unwrap().fail_create_label = Some("uno".into());
    let report = h.apply(&create_first("uno")).await;
    assert_eq!(report.errors.0.len(), 1, "{:?}", report.errors);
    let state = h.store().read().unwrap().unwrap();
    assert_eq!(state.resource(&first).unwrap().id, old);
    assert!(state.deposed.is_empty());
    assert!(state.pending_creates.is_empty());
    assert!(h.provider.world.lock().unwrap().objects.contains_key(&old));
    h.provider.world.lock().unwrap().fail_create_label = None;
    let report = h.apply(&create_first("uno")).await;
    assert!(report.errors.is_empty(), "{:?}", report.errors);
    assert!(!h.provider.world.lock().unwrap().objects.contains_key(&old));
}
