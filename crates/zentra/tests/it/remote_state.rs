//! End-to-end tests of remote state: the `zentra` binary against the emulator, with its state in
//! real storage servers started here — Azurite for the `azurerm` backend, moto's server mode for
//! `s3`. Round trips with encryption and history, two applies at once, a run killed with
//! SIGKILL in the middle of an apply, the serial and lineage checks of `state push`, wrong
//! keys, and migrating local state to a backend and back.

use std::io::BufRead as _;
use std::process::{Child, Output, Stdio};
use std::time::Duration;

use zentra_sim::SimConfig;
use zentra_test_support::storage::{Kind, StorageServer};
use zentra_test_support::{Project, code, stderr, stdout};

const QUICKSTART: &str = include_str!("../../../../examples/quickstart/main.zen.hcl");
/// The quickstart applies these many resources.
const QUICKSTART_RESOURCES: usize = 5;
const KEY: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const OTHER_KEY: &str = "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=";
/// A value of the quickstart's configuration that ends up in state and plans.
const SETTING_VALUE: &str = "contoso.com";
const STATE_KEY: &str = "quickstart/zentra.state.json";

/// The quickstart against the emulator ([`Project`]), with its state in a storage server of
/// its own.
struct RemoteProject {
    project: Project,
    storage: StorageServer,
}

impl std::ops::Deref for RemoteProject {
    type Target = Project;

    fn deref(&self) -> &Project {
        &self.project
    }
}

impl std::ops::DerefMut for RemoteProject {
    fn deref_mut(&mut self) -> &mut Project {
        &mut self.project
    }
}

impl RemoteProject {
    /// The quickstart with its state in a new server of `kind`; `extra` goes inside `zentra`.
    async fn new(kind: Kind, extra: &str, latency: Duration) -> RemoteProject {
        let storage = StorageServer::start(kind).await;
        let mut project = Project::with(
            QUICKSTART,
            SimConfig {
                latency,
                ..SimConfig::default()
            },
        )
        .await;
        project.write("state.zen.hcl", &storage.zentra_block(STATE_KEY, extra));
        for (name, value) in storage.env() {
            project.set_env(&name, &value);
        }
        project.set_env("USER", "ci-runner");
        RemoteProject { project, storage }
    }

    fn spawn(&self, args: &[&str]) -> Child {
        self.command(args)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("zentra starts")
    }

    /// Creating requests to the vendor APIs, by path.
    fn creations(&self, path: &str) -> usize {
        self.sim
            .requests()
            .iter()
            .filter(|r| r.method == "POST" && r.path == path)
            .count()
    }

    fn pull(&self) -> serde_json::Value {
        let pulled = self.run(&["state", "pull"]);
        assert_eq!(code(&pulled), 0, "{}", stderr(&pulled));
        serde_json::from_slice(&pulled.stdout).expect("state pull prints the state")
    }
}

fn encryption_block() -> &'static str {
    "  encryption {\n    enforced = true\n  }\n"
}

async fn round_trip(kind: Kind) {
    let mut p = RemoteProject::new(kind, encryption_block(), Duration::ZERO).await;
    p.set_env("ZENTRA_STATE_KEY", KEY);
    let init = p.run(&["init"]);
    assert_eq!(code(&init), 0, "{}", stderr(&init));
    assert!(
        stderr(&init).contains("which has no state yet"),
        "{}",
        stderr(&init)
    );
    let apply = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    let again = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&again), 0, "{}{}", stdout(&again), stderr(&again));

    // Stored: the state, the versions it overwrote, and no lock left behind.
    let names = p.storage.names().await;
    assert!(names.contains(&STATE_KEY.to_string()), "{names:?}");
    let history: Vec<&String> = names
        .iter()
        .filter(|n| n.starts_with(&format!("{STATE_KEY}.history/")))
        .collect();
    let pulled = p.pull();
    let serial = pulled["serial"].as_u64().unwrap();
    assert_eq!(
        history.len() as u64,
        serial - 1,
        "every write keeps the version it replaced: {names:?}"
    );
    assert!(!names.iter().any(|n| n.ends_with(".lock")), "{names:?}");
    assert_eq!(
        pulled["resources"].as_array().unwrap().len(),
        QUICKSTART_RESOURCES
    );
    assert!(pulled.to_string().contains(SETTING_VALUE), "{pulled}");
    // ... and none of it in plaintext: not the settings, not the ids.
    let service_principal = pulled["resources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["address"] == "azuread_service_principal.zoom")
        .map(|r| r["id"].as_str().unwrap().to_string())
        .unwrap();
    for name in &names {
        let stored = String::from_utf8(p.storage.object(name).await.unwrap()).unwrap();
        assert!(
            stored.contains("\"zentra_encrypted\": 1"),
            "{name}: {stored}"
        );
        assert!(!stored.contains(SETTING_VALUE), "{name}: {stored}");
        assert!(!stored.contains(&service_principal), "{name}: {stored}");
    }

    // A saved plan is sealed with the same key, and reads back.
    let saved = p.run(&["plan", "--out", "p.zplan"]);
    assert_eq!(code(&saved), 0, "{}", stderr(&saved));
    let plan_file = std::fs::read_to_string(p.path().join("p.zplan")).unwrap();
    assert!(plan_file.contains("\"content\": \"plan\""), "{plan_file}");
    assert!(!plan_file.contains(SETTING_VALUE), "{plan_file}");
    let shown = p.run(&["show", "--json", "p.zplan"]);
    assert_eq!(code(&shown), 0, "{}", stderr(&shown));
    assert!(stdout(&shown).contains("\"format_version\""));

    // A wrong key is refused, naming the key ids and never a key.
    p.set_env("ZENTRA_STATE_KEY", OTHER_KEY);
    let wrong = p.run(&["plan"]);
    assert_eq!(code(&wrong), 1);
    let err = stderr(&wrong);
    assert!(err.contains("encrypted with key id"), "{err}");
    assert!(err.contains("no key given matches"), "{err}");
    assert!(err.contains("ZENTRA_STATE_KEY_OLD"), "{err}");
    assert!(!err.contains(KEY) && !err.contains(OTHER_KEY), "{err}");
    let wrong_plan = p.run(&["apply", "p.zplan"]);
    assert_eq!(code(&wrong_plan), 1);
    assert!(stderr(&wrong_plan).contains("no key given matches"));

    // Rotation: the old key reads, the new one writes.
    p.set_env("ZENTRA_STATE_KEY_OLD", KEY);
    let mut edited = p.pull();
    edited["serial"] = serde_json::json!(serial + 1);
    std::fs::write(p.path().join("edited.json"), edited.to_string()).unwrap();
    let pushed = p.run(&["state", "push", "edited.json"]);
    assert_eq!(code(&pushed), 0, "{}", stderr(&pushed));
    p.unset_env("ZENTRA_STATE_KEY_OLD");
    let rotated = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&rotated), 0, "{}", stderr(&rotated));
    assert_eq!(p.pull()["serial"].as_u64(), Some(serial + 2));

    // Pushes that would lose something are refused: another lineage, an older serial.
    let mut foreign = p.pull();
    foreign["lineage"] = serde_json::json!("00000000-0000-4000-8000-000000000000");
    foreign["serial"] = serde_json::json!(serial + 10);
    std::fs::write(p.path().join("foreign.json"), foreign.to_string()).unwrap();
    let refused = p.run(&["state", "push", "foreign.json"]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("has lineage 00000000-"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("--force"), "{}", stderr(&refused));
    let mut older = p.pull();
    older["serial"] = serde_json::json!(serial);
    std::fs::write(p.path().join("older.json"), older.to_string()).unwrap();
    let refused = p.run(&["state", "push", "older.json"]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains(&format!(
            "older than the current state's serial {}",
            serial + 2
        )),
        "{}",
        stderr(&refused)
    );
    let forced = p.run(&["state", "push", "--force", "foreign.json"]);
    assert_eq!(code(&forced), 0, "{}", stderr(&forced));
    assert!(stderr(&forced).contains("replacing the state of lineage"));
    assert_eq!(
        p.pull()["lineage"],
        serde_json::json!("00000000-0000-4000-8000-000000000000")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn azurerm_state_round_trips_encrypted_and_versioned() {
    round_trip(Kind::Azurite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn s3_state_round_trips_encrypted_and_versioned() {
    round_trip(Kind::Moto).await;
}

async fn concurrent_applies(kind: Kind) {
    let p = RemoteProject::new(kind, "", Duration::from_millis(150)).await;
    // Without waiting: exactly one proceeds, the other fails at once, naming the holder.
    let first = p.spawn(&["apply", "--auto-approve"]);
    let second = p.spawn(&["apply", "--auto-approve"]);
    let outputs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    let winners: Vec<&Output> = outputs.iter().filter(|o| code(o) == 0).collect();
    let losers: Vec<&Output> = outputs.iter().filter(|o| code(o) != 0).collect();
    assert_eq!(
        (winners.len(), losers.len()),
        (1, 1),
        "{}\n---\n{}",
        stderr(&outputs[0]),
        stderr(&outputs[1])
    );
    let err = stderr(losers[0]);
    assert!(err.contains("state is locked"), "{err}");
    assert!(
        err.contains("held by zentra apply by ci-runner on "),
        "{err}"
    );
    assert!(err.contains("(lock id "), "{err}");
    let pulled = p.pull();
    assert_eq!(
        pulled["resources"].as_array().unwrap().len(),
        QUICKSTART_RESOURCES
    );
    assert_eq!(p.creations("/v1.0/servicePrincipals"), 1);

    // Waiting: the second run waits for the first, then finds nothing left to do.
    std::fs::write(
        p.path().join("main.zen.hcl"),
        QUICKSTART.replace("\"contoso.com\"", "\"contoso.com\", \"fabrikam.com\""),
    )
    .unwrap();
    let first = p.spawn(&["apply", "--auto-approve", "--lock-timeout", "2m"]);
    let second = p.spawn(&["apply", "--auto-approve", "--lock-timeout", "2m"]);
    let outputs = [
        first.wait_with_output().unwrap(),
        second.wait_with_output().unwrap(),
    ];
    for o in &outputs {
        assert_eq!(code(o), 0, "{}", stderr(o));
    }
    let waited = outputs
        .iter()
        .filter(|o| {
            stderr(o).contains("Waiting for the state lock held by zentra apply by ci-runner")
        })
        .count();
    assert!(
        waited >= 1,
        "{}\n---\n{}",
        stderr(&outputs[0]),
        stderr(&outputs[1])
    );
    let changed = outputs
        .iter()
        .filter(|o| stdout(o).contains("Apply complete!"))
        .count();
    assert_eq!(changed, 1, "the change is made once");
    assert!(p.pull().to_string().contains("fabrikam.com"));
    let clean = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&clean), 0, "{}", stdout(&clean));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applies_against_one_azurerm_backend_never_run_at_once() {
    concurrent_applies(Kind::Azurite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_applies_against_one_s3_backend_never_run_at_once() {
    concurrent_applies(Kind::Moto).await;
}

async fn killed_apply_recovers(kind: Kind) {
    let mut p = RemoteProject::new(kind, encryption_block(), Duration::from_millis(400)).await;
    p.set_env("ZENTRA_STATE_KEY", KEY);
    let mut child = p.spawn(&["apply", "--auto-approve", "--parallelism", "1"]);
    let mut err = String::new();
    let lines = std::io::BufReader::new(child.stderr.take().unwrap()).lines();
    let mut completed = 0;
    for line in lines {
        let line = line.unwrap();
        err.push_str(&line);
        err.push('\n');
        // A resource is recorded before the next one is reported complete: after the second
        // report, kill -9 (no handler, no cleanup) while the apply is half done.
        if line.contains("complete after") {
            completed += 1;
            if completed == 2 {
                child.kill().unwrap();
                break;
            }
        }
    }
    let status = child.wait().unwrap();
    assert_eq!(status.code(), None, "killed by a signal: {err}");

    // The state is whole and readable, and says what completed.
    let pulled = p.pull();
    let recorded = pulled["resources"].as_array().unwrap().len();
    assert!(
        (1..QUICKSTART_RESOURCES).contains(&recorded),
        "{recorded} of {QUICKSTART_RESOURCES}: {err}"
    );
    // The lock stays, and the next run names its holder and age.
    assert!(
        p.storage
            .names()
            .await
            .contains(&format!("{STATE_KEY}.lock"))
    );
    let locked = p.run(&["plan"]);
    assert_eq!(code(&locked), 1);
    let message = stderr(&locked);
    assert!(message.contains("state is locked"), "{message}");
    assert!(
        message.contains("held by zentra apply by ci-runner on "),
        "{message}"
    );
    assert!(message.contains(" ago (lock id "), "{message}");
    assert!(message.contains("zentra force-unlock LOCK_ID"), "{message}");
    let id = message
        .split("(lock id ")
        .nth(1)
        .and_then(|rest| rest.split(')').next())
        .unwrap()
        .to_string();

    let wrong = p.run(&["force-unlock", "--force", "not-the-lock-id"]);
    assert_eq!(code(&wrong), 1);
    assert!(stderr(&wrong).contains("the lock id is not `not-the-lock-id`"));
    let asks = p.run(&["force-unlock", &id]);
    assert_eq!(code(&asks), 1, "without a terminal, --force is needed");
    let unlocked = p.run(&["force-unlock", "--force", &id]);
    assert_eq!(code(&unlocked), 0, "{}", stderr(&unlocked));
    assert!(stderr(&unlocked).contains("Removed the lock"));
    assert!(stderr(&unlocked).contains("zentra apply by ci-runner"));

    // The next apply finishes the job, creating nothing twice.
    let apply = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    let clean = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&clean), 0, "{}", stdout(&clean));
    assert_eq!(
        p.pull()["resources"].as_array().unwrap().len(),
        QUICKSTART_RESOURCES
    );
    assert_eq!(p.creations("/v1.0/servicePrincipals"), 1);
    assert_eq!(p.creations("/v1.0/oauth2PermissionGrants"), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_with_sigkill_leaves_azurerm_state_readable_and_its_lock_removable() {
    killed_apply_recovers(Kind::Azurite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_apply_killed_with_sigkill_leaves_s3_state_readable_and_its_lock_removable() {
    killed_apply_recovers(Kind::Moto).await;
}

async fn migration(kind: Kind) {
    let p = RemoteProject::new(kind, "", Duration::ZERO).await;
    let backend = std::fs::read_to_string(p.path().join("state.zen.hcl")).unwrap();
    std::fs::remove_file(p.path().join("state.zen.hcl")).unwrap();
    let apply = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    let local: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path().join("zentra.state.json")).unwrap())
            .unwrap();

    // A backend added: runs refuse until the state is moved.
    std::fs::write(p.path().join("state.zen.hcl"), &backend).unwrap();
    let refused = p.run(&["plan"]);
    assert_eq!(code(&refused), 1);
    assert!(
        stderr(&refused).contains("the backend changed"),
        "{}",
        stderr(&refused)
    );
    assert!(stderr(&refused).contains("zentra init --migrate-state"));
    assert!(p.storage.names().await.is_empty(), "nothing was written");
    let plain_init = p.run(&["init"]);
    assert_eq!(code(&plain_init), 1, "{}", stderr(&plain_init));
    let migrated = p.run(&["init", "--migrate-state"]);
    assert_eq!(code(&migrated), 0, "{}", stderr(&migrated));
    assert!(
        stderr(&migrated).contains("Copied the state"),
        "{}",
        stderr(&migrated)
    );
    let remote = p.pull();
    assert_eq!(remote["lineage"], local["lineage"]);
    assert_eq!(remote["resources"], local["resources"]);
    let clean = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&clean), 0, "{}", stdout(&clean));

    // And back, with Terraform's spelling.
    std::fs::remove_file(p.path().join("state.zen.hcl")).unwrap();
    let refused = p.run(&["plan"]);
    assert_eq!(code(&refused), 1, "{}", stderr(&refused));
    let back = p.run(&["init", "-migrate-state"]);
    assert_eq!(code(&back), 0, "{}", stderr(&back));
    let local_again: serde_json::Value =
        serde_json::from_slice(&std::fs::read(p.path().join("zentra.state.json")).unwrap())
            .unwrap();
    assert_eq!(local_again["lineage"], local["lineage"]);
    assert!(local_again["serial"].as_u64() > remote["serial"].as_u64());
    let clean = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&clean), 0, "{}", stdout(&clean));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_state_migrates_to_azurerm_and_back() {
    migration(Kind::Azurite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_state_migrates_to_s3_and_back() {
    migration(Kind::Moto).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_storage_credentials_fail_clearly_without_printing_them() {
    let mut p = RemoteProject::new(Kind::Azurite, "", Duration::ZERO).await;
    let wrong_key = "d3Jvbmcta2V5LXdyb25nLWtleS13cm9uZy1rZXktd3Jvbmcta2V5LXdyb25nLWtleQ==";
    p.set_env("ARM_ACCESS_KEY", wrong_key);
    let refused = p.run(&["plan"]);
    assert_eq!(code(&refused), 1);
    let err = stderr(&refused);
    assert!(
        err.contains("403 Forbidden (AuthorizationFailure, request id "),
        "{err}"
    );
    assert!(err.contains("ARM_ACCESS_KEY"), "{err}");
    assert!(!err.contains(wrong_key), "{err}");
    p.unset_env("ARM_ACCESS_KEY");
    p.set_env(
        "ARM_SAS_TOKEN",
        "sv=2021-08-06&ss=b&srt=sco&sp=rwdlac&se=2030-01-01T00:00:00Z&sig=bm90LWEtcmVhbC1zaWduYXR1cmU%3D",
    );
    let refused = p.run(&["plan"]);
    assert_eq!(code(&refused), 1);
    let err = stderr(&refused);
    assert!(err.contains("403 Forbidden"), "{err}");
    assert!(!err.contains("bm90LWEtcmVhbC1zaWduYXR1cmU"), "{err}");
    p.unset_env("ARM_SAS_TOKEN");
    let none = p.run(&["plan"]);
    assert_eq!(code(&none), 1);
    let err = stderr(&none);
    assert!(
        err.contains("no credentials for the azurerm backend"),
        "{err}"
    );
    assert!(err.contains("state.zen.hcl:2:3"), "{err}");
    assert!(p.storage.names().await.is_empty(), "nothing was written");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn init_encrypts_an_existing_local_state_and_enforcement_refuses_plaintext() {
    let mut p = RemoteProject::new(Kind::Moto, "", Duration::ZERO).await;
    std::fs::remove_file(p.path().join("state.zen.hcl")).unwrap();
    let apply = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&apply), 0, "{}", stderr(&apply));
    let state_file = p.path().join("zentra.state.json");
    assert!(
        std::fs::read_to_string(&state_file)
            .unwrap()
            .contains(SETTING_VALUE)
    );

    p.set_env("ZENTRA_STATE_KEY", KEY);
    let settings = |enforced: bool| {
        format!("zentra {{\n  encryption {{\n    enforced = {enforced}\n  }}\n}}\n")
    };
    std::fs::write(p.path().join("state.zen.hcl"), settings(true)).unwrap();
    let refused = p.run(&["plan"]);
    assert_eq!(code(&refused), 1);
    let err = stderr(&refused);
    assert!(
        err.contains("it is not encrypted, and the configuration enforces encryption"),
        "{err}"
    );
    assert!(err.contains("run `zentra init`"), "{err}");

    std::fs::write(p.path().join("state.zen.hcl"), settings(false)).unwrap();
    let init = p.run(&["init"]);
    assert_eq!(code(&init), 0, "{}", stderr(&init));
    assert!(
        stderr(&init).contains("Encrypted the state"),
        "{}",
        stderr(&init)
    );
    assert!(
        stderr(&init).contains("zentra.state.json.backup"),
        "{}",
        stderr(&init)
    );
    let sealed = std::fs::read_to_string(&state_file).unwrap();
    assert!(sealed.contains("\"zentra_encrypted\": 1"), "{sealed}");
    assert!(!sealed.contains(SETTING_VALUE), "{sealed}");

    std::fs::write(p.path().join("state.zen.hcl"), settings(true)).unwrap();
    let clean = p.run(&["plan", "--detailed-exitcode"]);
    assert_eq!(code(&clean), 0, "{}{}", stdout(&clean), stderr(&clean));
    assert!(p.pull().to_string().contains(SETTING_VALUE));
    // Without the key, nothing reads.
    p.unset_env("ZENTRA_STATE_KEY");
    let keyless = p.run(&["plan"]);
    assert_eq!(code(&keyless), 1);
    assert!(
        stderr(&keyless).contains("no key is given"),
        "{}",
        stderr(&keyless)
    );
}
