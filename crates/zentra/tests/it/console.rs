//! End-to-end tests of `zentra console`: expressions on stdin evaluated against the
//! configuration and state, errors reported line by line, and nothing called or written.

use std::io::Write as _;
use std::process::{Output, Stdio};

use zentra_test_support::{Project, code, stderr, stdout};

const QUICKSTART: &str = include_str!("../../../../examples/quickstart/main.zen.hcl");

fn console(p: &Project, input: &str) -> Output {
    let mut child = p
        .command(&["console"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn evaluates_each_line_against_configuration_and_state() {
    let config = format!(
        "{QUICKSTART}\nvariable \"token\" {{\n  type      = string\n  sensitive = true\n  default   = \"hunter2-token\"\n}}\n"
    );
    let p = Project::new(&config).await;
    p.apply_ok();
    let state_path = p.path().join("zentra.state.json");
    let state_before = std::fs::read(&state_path).unwrap();
    let requests_before = p.api_requests().len();

    let input = "var.sso_domains\n\
                 local.microsoft_graph_app_id\n\
                 \n\
                 upper(\"abc\") == \"ABC\"\n\
                 var.token\n\
                 no_such_function(1)\n\
                 1 +\n\
                 azuread_service_principal.zoom.app_id\n\
                 length(azuread_service_principal.zoom.id) > 0\n\
                 { n = 1 + 2, s = [] }\n";
    let out = console(&p, input);
    assert_eq!(code(&out), 1, "a line failed: {}", stderr(&out));
    assert_eq!(
        stdout(&out),
        "[\n  \"contoso.com\",\n]\n\
         \"00000003-0000-0000-c000-000000000000\"\n\
         true\n\
         (sensitive value)\n\
         \"a651cfda-cbdd-4a39-bd03-fa829c3c1b29\"\n\
         true\n\
         {\n  \"n\" = 3\n  \"s\" = []\n}\n"
    );
    let err = stderr(&out);
    assert!(err.contains("no_such_function"), "{err}");
    assert!(err.contains("--> <console-input>:1:"), "{err}");
    assert!(err.contains("error: syntax error"), "{err}");
    assert!(!err.contains("hunter2"), "{err}");

    assert_eq!(
        p.api_requests().len(),
        requests_before,
        "the console calls no API"
    );
    assert_eq!(std::fs::read(&state_path).unwrap(), state_before);
    assert!(
        !p.path().join(".zentra.state.json.lock").exists(),
        "no lock is left"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_state_resources_are_known_after_apply() {
    let p = Project::new(QUICKSTART).await;
    let out = console(
        &p,
        "azuread_service_principal.zoom.id\nlength(var.sso_domains)\n",
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "(known after apply)\n1\n");
    assert!(p.api_requests().is_empty(), "the console calls no API");
    assert!(
        !p.path().join("zentra.state.json").exists(),
        "nothing written"
    );
}
