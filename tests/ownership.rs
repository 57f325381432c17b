//! Ownership end to end against the emulator: `lifecycle` and `removed` blocks are read with
//! their locations, and their mistakes are clear errors before any request.

mod azure_support;
#[path = "support/conformance/mod.rs"]
mod conformance;
#[path = "support/traffic.rs"]
mod traffic;

use azure_support::{Project, code, stderr};

const NOTHING: &str = "provider \"azuread\" {}\n";

fn api_requests(p: &Project) -> usize {
    p.sim
        .requests()
        .iter()
        .filter(|r| r.service == "graph" || r.service == "zoom")
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn lifecycle_and_removed_blocks_of_the_wrong_shape_are_clear_errors() {
    let cases: &[(&str, &[&str])] = &[
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n  lifecycle {\n    ignore_changes = [tags]\n  }\n}\n",
            &[
                "main.zen.hcl:5:5",
                "`lifecycle` argument `ignore_changes` is not supported",
            ],
        ),
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n  lifecycle {\n    prevent_destroy = \"yes\"\n  }\n}\n",
            &[
                "main.zen.hcl:5:23",
                "`prevent_destroy` must be `true` or `false`",
            ],
        ),
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n  lifecycle {\n    prevent_destroi = true\n  }\n}\n",
            &["main.zen.hcl:5:5", "did you mean `prevent_destroy`?"],
        ),
        (
            "resource \"azuread_service_principal\" \"zoom\" {\n  app_id = \"a\"\n}\nremoved {\n  from = azuread_service_principal.zoom\n  lifecycle {\n    destroy = false\n  }\n}\n",
            &[
                "main.zen.hcl:5:1",
                "`removed` names `azuread_service_principal.zoom`, which is still declared as a resource",
                "`azuread_service_principal.zoom` is declared at main.zen.hcl:2:1",
            ],
        ),
        (
            "removed {\n  from = azuread_service_principal.zoom\n}\n",
            &[
                "main.zen.hcl:2:1",
                "`removed` does not say whether to delete the object",
                "lifecycle { destroy = false }",
            ],
        ),
        (
            "removed {\n  from = \"azuread_service_principal.zoom\"\n  lifecycle {\n    destroy = true\n  }\n}\n",
            &["main.zen.hcl:3:10", "`from` must be a resource address"],
        ),
        (
            "removed {\n  from = azuread_servic_principal.zoom\n  lifecycle {\n    destroy = true\n  }\n}\n",
            &[
                "`removed` names `azuread_servic_principal.zoom`, of an unknown resource type",
                "did you mean `azuread_service_principal`?",
            ],
        ),
    ];
    let p = Project::new(NOTHING).await;
    for (config, expected) in cases {
        p.write("main.zen.hcl", &format!("{NOTHING}{config}"));
        let out = p.run(&["validate"]);
        assert_eq!(code(&out), 1, "{config}");
        let err = stderr(&out);
        for e in *expected {
            assert!(err.contains(e), "{config}\nexpected {e}:\n{err}");
        }
    }
    assert_eq!(api_requests(&p), 0);
}
