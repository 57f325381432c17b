//! End to end against the emulator: `zoom_role` — create with privileges and members, update,
//! adopt an existing role, drift and delete.

use serde_json::json;
use zentra_test_support::zoom::seed_with_users;
use zentra_test_support::{Project, code, stderr};

const ROLE: &str = r#"
provider "zoom" {}

resource "zoom_role" "calendar" {
  name        = "Calendar integration admins"
  description = "Set up the Office 365 calendar integration"
  privileges  = ["AccountSetting:Read", "AccountSetting:Edit", "ZoomRooms:Edit", "CalendarIntegration:Edit"]
  members     = MEMBERS
}
"#;

fn role(members: &[&str]) -> String {
    ROLE.replace("MEMBERS", &format!("{members:?}"))
}

fn role_id(p: &Project, name: &str) -> String {
    p.account()["roles"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == name)
        .and_then(|r| r["id"].as_str())
        .expect("role exists")
        .to_string()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_role_with_privileges_and_members_is_created_updated_and_deleted() {
    let many: Vec<String> = (0..32).map(|i| format!("user{i:02}@contoso.com")).collect();
    let mut members: Vec<&str> = many.iter().map(String::as_str).collect();
    members.push("Adele.Vance@contoso.com");
    let p = Project::seeded(&role(&members), seed_with_users(32)).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("+ resource \"zoom_role\" \"calendar\""),
        "{text}"
    );
    p.apply_ok();
    let id = role_id(&p, "Calendar integration admins");
    assert_eq!(p.role_members("Calendar integration admins").len(), 33);
    let writes = p.zoom_writes();
    assert_eq!(
        writes
            .iter()
            .filter(|w| **w == format!("POST /roles/{id}/members"))
            .count(),
        2,
        "33 members in batches of 30: {writes:#?}"
    );
    p.assert_converged();

    // Fewer members and one privilege less.
    let p2 = role(&["adele.vance@contoso.com", "breakglass@contoso.com"])
        .replace("\"ZoomRooms:Edit\", ", "");
    p.write_config(&p2);
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(text.contains("~ privileges"), "{text}");
    assert!(text.contains("~ members"), "{text}");
    p.apply_ok();
    assert_eq!(
        p.role_members("Calendar integration admins"),
        ["adele.vance@contoso.com", "breakglass@contoso.com"]
    );
    assert_eq!(
        p.role_members("Admin"),
        Vec::<String>::new(),
        "the break-glass admin moved roles"
    );
    assert_eq!(
        p.role_members("Member").len(),
        34,
        "users removed from the role are Members again"
    );
    p.assert_converged();

    // Privileges changed in the portal: drift.
    p.sim
        .patch_state(
            "PATCH",
            &format!("zoom/accounts/me/roles/{id}"),
            json!({"privileges": ["AccountSetting:Read"]}),
        )
        .unwrap();
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(text.contains("changed outside zentra"), "{text}");
    p.apply_ok();
    p.assert_converged();

    p.write_config("provider \"zoom\" {}\n");
    p.apply_ok();
    assert!(
        !p.account()["roles"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id.as_str())
    );
    assert_eq!(
        p.role_members("Member").len(),
        36,
        "its members fall back to Member"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_builtin_admin_role_is_adopted_by_name() {
    let config = r#"
provider "zoom" {}
resource "zoom_role" "admin" {
  name    = "Admin"
  members = ["breakglass@contoso.com", "adele.vance@contoso.com"]
}
"#;
    let p = Project::new(config).await;
    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("will be adopted (id 1) and updated in place"),
        "{text}"
    );
    p.apply_ok();
    assert_eq!(
        p.zoom_writes(),
        ["POST /roles/1/members"],
        "adopted: only the missing member is assigned"
    );
    assert_eq!(
        p.role_members("Admin"),
        ["adele.vance@contoso.com", "breakglass@contoso.com"]
    );
    p.assert_converged();

    // A role name taken by another role is explained.
    p.write_config(
        "provider \"zoom\" {}\nresource \"zoom_role\" \"admin\" {\n  name = \"Member\"\n}\n",
    );
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("Role name Member has already been used"),
        "{err}"
    );
    assert!(err.contains("code 1224"), "{err}");
    assert!(err.contains("choose another name"), "{err}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn privileges_must_have_zooms_form() {
    let bad = ROLE
        .replace("MEMBERS", "[]")
        .replace("\"ZoomRooms:Edit\"", "\"everything\"");
    let p = Project::new(&bad).await;
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("Validation Failed"), "{err}");
    assert!(err.contains("code 300"), "{err}");
    assert!(
        err.contains("request id"),
        "Zoom's tracking id is shown: {err}"
    );
}
