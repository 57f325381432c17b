//! Applies that survive a hostile network: twenty applies of a changing configuration against
//! an emulator that throttles 10% of the requests, fails 2% with a server error and resets 1%
//! mid-body. Every run ends converged or with an error naming the request; at the end the plan
//! is empty, the emulator holds no duplicate, and every object zentra created is in state.

use std::collections::HashSet;

use serde_json::Value;
use zentra_sim::{Faults, SimConfig};
use zentra_test_support::zoom::seed_with_users;
use zentra_test_support::{Project, code, stderr};

/// Run `run`'s configuration: groups, members, roles and settings that change between runs.
fn config(run: usize) -> String {
    let mut out = String::from("provider \"zoom\" {}\n");
    let chat = run.is_multiple_of(2);
    out.push_str(&format!(
        "resource \"zoom_account_settings\" \"soak\" {{\n  in_meeting {{\n    chat = {chat}\n  }}\n}}\n"
    ));
    for g in 0..(2 + run % 3) {
        let members: Vec<String> = (0..(1 + (run + g) % 3))
            .map(|m| format!("\"user{:02}@contoso.com\"", (g * 3 + m) % 10))
            .collect();
        out.push_str(&format!(
            "resource \"zoom_group\" \"g{g}\" {{\n  name = \"Soak team {g}\"\n}}\n\
             resource \"zoom_group_members\" \"g{g}\" {{\n  group_id = zoom_group.g{g}.id\n  emails   = [{}]\n}}\n",
            members.join(", ")
        ));
    }
    for r in 0..(1 + run % 2) {
        out.push_str(&format!(
            "resource \"zoom_role\" \"r{r}\" {{\n  name        = \"Soak role {r}\"\n  description = \"run {run}\"\n  privileges  = [\"AccountSetting:Read\"]\n}}\n"
        ));
    }
    out
}

fn names(p: &Project, what: &str) -> Vec<String> {
    p.sim.snapshot()["zoom"]["accounts"][0][what]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .iter()
        .filter_map(|o| o["name"].as_str().map(str::to_string))
        .filter(|n| n.starts_with("Soak "))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn twenty_applies_through_throttling_errors_and_resets_converge_without_duplicates() {
    let faults = Faults {
        seed: 20,
        throttle_rate: 0.10,
        server_error_rate: 0.02,
        reset_rate: 0.01,
        retry_after_seconds: 1,
        ..Faults::default()
    };
    let mut seed = seed_with_users(10);
    seed.zoom.accounts[0].plan = zentra_sim::ZoomPlan::Business;
    let p = Project::with(
        &config(0),
        SimConfig {
            seed,
            faults: faults.clone(),
            ..SimConfig::default()
        },
    )
    .await;
    let mut failed = 0;
    for run in 0..20 {
        p.write_config(&config(run));
        let out = p.run(&["apply", "--auto-approve"]);
        if code(&out) != 0 {
            failed += 1;
            let err = stderr(&out);
            assert!(
                ["GET /", "POST /", "PATCH /", "PUT /", "DELETE /"]
                    .iter()
                    .any(|m| err.contains(m)),
                "run {run} failed without naming the request:\n{err}"
            );
        }
        // Nothing that exists is lost: no duplicates, whatever the run's outcome.
        for what in ["groups", "roles"] {
            let listed = names(&p, what);
            let unique: HashSet<&String> = listed.iter().collect();
            assert_eq!(
                unique.len(),
                listed.len(),
                "run {run}: duplicate {what}: {listed:?}"
            );
        }
    }
    assert!(failed < 20, "every run failed");
    // One more apply after the last change ends converged even under the same faults.
    let last = config(19);
    p.write_config(&last);
    let mut settled = false;
    for _ in 0..3 {
        if code(&p.run(&["apply", "--auto-approve"])) == 0 {
            settled = true;
            break;
        }
    }
    assert!(settled, "the last configuration never applied");
    p.sim.set_faults(Faults::default());
    p.assert_converged();
    // Every object zentra created is in state.
    let state: Value = serde_json::from_str(
        &std::fs::read_to_string(p.path().join("zentra.state.json")).expect("state"),
    )
    .expect("json");
    let recorded: HashSet<String> = state["resources"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|r| r["attributes"]["name"].as_str().map(str::to_string))
        .collect();
    for what in ["groups", "roles"] {
        for name in names(&p, what) {
            assert!(
                recorded.contains(&name),
                "{name} exists but is not in state"
            );
        }
    }
}
