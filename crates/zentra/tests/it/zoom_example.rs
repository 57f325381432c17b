//! The `examples/zoom-sso-calendar` configuration, planned and applied against the emulator:
//! resources converge, the web-portal-only steps wait for `zentra confirm`, and the steps with
//! API evidence follow the evidence.

use serde_json::json;
use zentra_test_support::{Project, code, stderr, stdout};

const EXAMPLE: &str = include_str!("../../../../examples/zoom-sso-calendar/main.zen.hcl");

/// The steps no API can do or check.
const PORTAL_ONLY: [&str; 4] = [
    "manual_step.o365_prompt",
    "manual_step.o365_consent",
    "manual_step.o365_prompt_pilot",
    "manual_step.o365_admin_approval",
];

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_example_plans_applies_and_waits_only_for_people() {
    let mut p = Project::new(EXAMPLE).await;
    p.env.push(("USER".into(), "megan".into()));
    let validate = p.run(&["validate"]);
    assert_eq!(code(&validate), 0, "{}", stderr(&validate));

    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2);
    assert!(
        text.contains("Plan: 1 to adopt, 6 to add, 2 to change, 0 to destroy, 4 manual."),
        "{text}"
    );
    for step in PORTAL_ONLY {
        assert!(
            text.contains(&format!("zentra confirm {step}")),
            "{step}: {text}"
        );
    }
    assert!(
        text.contains("manual_step.zoom_saml is unchanged")
            && text.contains("manual_step.calendar_service is unchanged"),
        "the steps with API evidence are verified: {text}"
    );
    assert!(
        text.contains("zoom_rooms_calendar_resource.board_room will be adopted (id "),
        "the existing room mailbox is adopted: {text}"
    );

    let out = p.apply_ok();
    assert!(
        out.contains("Apply complete! Resources: 1 adopted, 6 added, 2 changed"),
        "{out}"
    );
    let settings = p.sim.zoom_account_settings("me");
    assert_eq!(settings["security"]["signin_with_sso"]["enable"], true);
    assert_eq!(settings["zoom_rooms"]["list_meetings_with_calendar"], true);
    assert_eq!(p.role_members("Office 365 calendar integration").len(), 2);
    assert_eq!(p.member_emails("Office 365 calendar pilot").len(), 3);
    let pilot = p.group("Office 365 calendar pilot").expect("pilot group");
    assert_eq!(
        pilot["lock_settings"]["meeting_security"]["waiting_room"],
        true
    );

    let (exit, text) = p.plan_ok();
    assert_eq!(exit, 2, "the manual steps keep the plan open");
    assert!(
        text.contains("Plan: 0 to add, 0 to change, 0 to destroy, 4 manual."),
        "{text}"
    );
    for step in PORTAL_ONLY {
        let out = p.run(&["confirm", step]);
        assert_eq!(code(&out), 0, "{}", stderr(&out));
    }
    p.assert_converged();
    let (_, text) = p.plan_ok();
    assert!(text.contains("confirmed by megan"), "{text}");

    // The calendar service disappears: its step is pending again, and the room mailboxes
    // cannot be added until someone adds the service back.
    p.sim
        .patch_state(
            "DELETE",
            "zoom/accounts/me/calendar_services/cS4nQ8wE2rT6yU0iO3pA7d",
            json!({}),
        )
        .unwrap();
    // The room mailboxes then have no service: refused when planning, at their `service_id`,
    // before anything is written.
    p.sim.clear_requests();
    for args in [&["plan"][..], &["apply", "--auto-approve"]] {
        let out = p.run(args);
        assert_eq!(code(&out), 1, "{}", stdout(&out));
        let err = stderr(&out);
        assert!(
            err.contains("zoom_rooms_calendar_resource.board_room: `service_id`: is empty")
                && err.contains("main.zen.hcl:"),
            "{err}"
        );
        assert!(
            err.contains("add the calendar service in the Zoom web portal first"),
            "{err}"
        );
    }
    assert!(p.zoom_writes().is_empty());
    // Added again with the account the example names: found by that email.
    p.sim
        .patch_state(
            "POST",
            "zoom/accounts/me/calendar_services",
            json!({"email": "Rooms.Admin@contoso.com", "type": "office365"}),
        )
        .unwrap();
    p.apply_ok();
    p.assert_converged();
}
