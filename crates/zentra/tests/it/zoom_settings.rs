//! End to end against the emulator: account settings and lock settings with their
//! `meeting_security` blocks, sub accounts of a master account, the domain data sources, and
//! the provider's `plan_tier` and `cloud` settings.

use serde_json::json;
use zentra_sim::Seed;
use zentra_test_support::{Project, code, stderr};

const SECURITY: &str = r#"
provider "zoom" {
  plan_tier = "business"
}

resource "zoom_account_settings" "meetings" {
  meeting_security {
    waiting_room    = true
    encryption_type = "e2ee"
    meeting_password_requirement {
      length   = 10
      have_number = true
    }
    block_user_domain_list = ["Example.org", "spam.test"]
  }
}

resource "zoom_account_lock_settings" "meetings" {
  meeting_security {
    waiting_room = true
  }
}

data "zoom_managed_domains" "this" {}
data "zoom_trusted_domains" "this" {}

output "verified" {
  value = data.zoom_managed_domains.this.verified
}
output "trusted" {
  value = data.zoom_trusted_domains.this.domains
}
"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_security_is_read_and_written_through_its_option_only() {
    let p = Project::new(SECURITY).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("~ encryption_type = \"enhanced_encryption\" -> \"e2ee\""),
        "{text}"
    );
    assert!(text.contains("verified = [\"contoso.com\"]"), "{text}");
    assert!(text.contains("trusted = [\"contoso.com\"]"), "{text}");
    let reads = p.zoom_requests();
    assert!(
        reads.contains(&"GET /accounts/me/settings?option=meeting_security".to_string()),
        "{reads:#?}"
    );
    assert!(
        !reads.contains(&"GET /accounts/me/settings".to_string()),
        "only meeting_security is configured, so the plain GET is skipped: {reads:#?}"
    );
    p.apply_ok();
    let mut writes = p.zoom_writes();
    writes.sort();
    assert_eq!(
        writes,
        [
            "PATCH /accounts/me/lock_settings",
            "PATCH /accounts/me/settings?option=meeting_security",
        ],
        "the lock settings PATCH takes no option: its body names meeting_security"
    );
    let settings = p.sim.zoom_account_settings("me");
    assert_eq!(settings["meeting_security"]["encryption_type"], "e2ee");
    assert_eq!(
        settings["meeting_security"]["meeting_password_requirement"]["length"],
        10
    );
    assert_eq!(
        p.sim.zoom_account_lock_settings("me")["meeting_security"]["waiting_room"],
        true
    );
    p.assert_converged();

    // Zoom's own order of a set does not matter; a change in the portal does.
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/settings",
            json!({"meeting_security": {"block_user_domain_list": ["spam.test", "Example.org"]}}),
        )
        .unwrap();
    p.assert_converged();
    p.sim
        .patch_state(
            "PATCH",
            "zoom/accounts/me/lock_settings",
            json!({"meeting_security": {"waiting_room": false}}),
        )
        .unwrap();
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(text.contains("changed outside zentra"), "{text}");
    assert!(text.contains("~ waiting_room = false -> true"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_security_values_are_validated_before_any_call() {
    let p = Project::new(&SECURITY.replace("\"e2ee\"", "\"aes\"")).await;
    let out = p.run(&["plan"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("main.zen.hcl:9:23"), "{err}");
    assert!(
        err.contains("enhanced_encryption"),
        "lists the allowed values: {err}"
    );
    assert!(p.zoom_requests().is_empty());

    let p = Project::new(&SECURITY.replace("\"spam.test\"", "\"a.io\"")).await;
    let err = stderr(&p.run(&["plan"]));
    assert!(err.contains("main.zen.hcl:14:30"), "{err}");
    assert!(
        err.contains("block_user_domain_list[1]` must be 5 to 30 characters long, not 4"),
        "{err}"
    );

    let p = Project::new(&SECURITY.replace("waiting_room    =", "waiting_rooms =")).await;
    let err = stderr(&p.run(&["plan"]));
    assert!(err.contains("did you mean `waiting_room`?"), "{err}");

    let p =
        Project::new(&SECURITY.replace("plan_tier = \"business\"", "plan_tier = \"gold\"")).await;
    let err = stderr(&p.run(&["plan"]));
    assert!(err.contains("main.zen.hcl:3:15"), "{err}");
    assert!(err.contains("pro"), "{err}");

    let p =
        Project::new(&SECURITY.replace("plan_tier = \"business\"", "cloud = \"zoomgovv\"")).await;
    let err = stderr(&p.run(&["plan"]));
    assert!(
        err.contains("did you mean `zoomgov`?") || err.contains("zoomgov"),
        "{err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn meeting_authentication_switches_go_through_their_option() {
    let config = r#"
provider "zoom" {}
resource "zoom_account_settings" "auth" {
  meeting_authentication {
    enable                         = true
    allow_authentication_exception = true
  }
}
data "zoom_group" "sales" {
  name = "Sales"
}
resource "zoom_group_settings" "auth" {
  group_id = data.zoom_group.sales.id
  meeting_authentication {
    enable = true
  }
}
"#;
    let p = Project::new(config).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(text.contains("~ enable = false -> true"), "{text}");
    p.apply_ok();
    let mut writes = p.zoom_writes();
    writes.sort();
    assert_eq!(
        writes,
        [
            "PATCH /accounts/me/settings?option=meeting_authentication",
            "PATCH /groups/gR7kT2mWq9XbN4vLc1sPzA/settings?option=meeting_authentication",
        ]
    );
    assert_eq!(
        p.sim.zoom_account_settings("me")["authentication"]["allow_authentication_exception"],
        true
    );
    p.assert_converged();
    let reads = p.zoom_requests();
    assert!(
        !reads.contains(&"GET /accounts/me/settings".to_string()),
        "only the option is read: {reads:#?}"
    );

    let locks = "provider \"zoom\" {}\nresource \"zoom_account_lock_settings\" \"x\" {\n  meeting_authentication {\n    enable = true\n  }\n}\n";
    p.write_config(locks);
    let err = stderr(&p.run(&["plan"]));
    assert!(
        err.contains("unknown block `meeting_authentication`"),
        "lock settings have no authentication option: {err}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_master_account_manages_a_sub_accounts_settings() {
    let mut seed = Seed::default_demo();
    let mut sub = seed.zoom.accounts[0].clone();
    sub.id = "subAcctEmea0000000000001".into();
    sub.name = "Contoso EMEA".into();
    sub.apps.clear();
    sub.master_account = Some(seed.zoom.accounts[0].id.clone());
    seed.zoom.accounts.push(sub);
    let config = r#"
provider "zoom" {}
resource "zoom_account_settings" "emea" {
  account_id = "subAcctEmea0000000000001"
  in_meeting {
    chat = false
  }
}
resource "zoom_account_settings" "main" {
  in_meeting {
    chat = true
  }
}
"#;
    let p = Project::seeded(config, seed).await;
    p.apply_ok();
    assert_eq!(
        p.sim.zoom_account_settings("subAcctEmea0000000000001")["in_meeting"]["chat"],
        false
    );
    assert_eq!(
        p.sim.zoom_account_settings("me")["in_meeting"]["chat"],
        true
    );
    assert!(
        p.zoom_writes()
            .contains(&"PATCH /accounts/subAcctEmea0000000000001/settings".to_string())
    );
    p.assert_converged();
}
