//! End-to-end tests of `zentra fmt`: files rewritten in canonical style with their comments,
//! `--check` and `--diff` writing nothing, `--recursive`, and files that do not parse left as
//! they are.

use std::path::Path;
use std::process::{Command, Output};

use zentra_test_support::{code, root, stderr, stdout, zentra_binary};

const MESSY: &str = "# the pilot group\nresource \"zoom_group\" \"pilot\"{\nname=\"Pilot\" # shown in Zoom\n      total_members   =  3\n\n\n\n   tags=[ \"a\" ,\"b\" ]   \n}";
const TIDY: &str = "# the pilot group\nresource \"zoom_group\" \"pilot\" {\n  name          = \"Pilot\" # shown in Zoom\n  total_members = 3\n\n  tags = [\"a\", \"b\"]\n}\n";

fn zentra(dir: &Path, args: &[&str]) -> Output {
    Command::new(zentra_binary())
        .args(args)
        .current_dir(dir)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .output()
        .expect("zentra runs")
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap()
}

#[test]
fn rewrites_files_in_canonical_style_and_names_them() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.zen.hcl"), MESSY).unwrap();
    std::fs::write(dir.path().join("tidy.zen.hcl"), TIDY).unwrap();
    std::fs::write(dir.path().join("notes.hcl"), MESSY).unwrap();

    let out = zentra(dir.path(), &["fmt"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "main.zen.hcl\n");
    assert_eq!(read(dir.path(), "main.zen.hcl"), TIDY);
    assert_eq!(read(dir.path(), "notes.hcl"), MESSY, "only *.zen.hcl files");

    let again = zentra(dir.path(), &["fmt"]);
    assert_eq!(code(&again), 0);
    assert_eq!(stdout(&again), "", "nothing left to change");

    let named = zentra(dir.path(), &["fmt", "notes.hcl"]);
    assert_eq!(code(&named), 0, "{}", stderr(&named));
    assert_eq!(
        read(dir.path(), "notes.hcl"),
        TIDY,
        "a file named is formatted"
    );
}

#[test]
fn check_and_diff_write_nothing_and_exit_2_when_a_file_would_change() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("main.zen.hcl"), MESSY).unwrap();

    let check = zentra(dir.path(), &["fmt", "--check", "--diff"]);
    assert_eq!(code(&check), 2, "{}", stderr(&check));
    let text = stdout(&check);
    assert!(
        text.starts_with("main.zen.hcl\n--- old/main.zen.hcl\n+++ new/main.zen.hcl\n"),
        "{text}"
    );
    assert!(text.contains("\n-   tags=[ \"a\" ,\"b\" ]   \n"), "{text}");
    assert!(text.contains("\n+  tags = [\"a\", \"b\"]\n"), "{text}");
    assert_eq!(
        read(dir.path(), "main.zen.hcl"),
        MESSY,
        "--check writes nothing"
    );

    let terraform_spelling = zentra(dir.path(), &["fmt", "-check"]);
    assert_eq!(code(&terraform_spelling), 2);
    assert_eq!(stdout(&terraform_spelling), "main.zen.hcl\n");

    let diff = zentra(dir.path(), &["fmt", "--diff"]);
    assert_eq!(code(&diff), 0, "{}", stderr(&diff));
    assert!(stdout(&diff).contains("+++ new/main.zen.hcl"));
    assert_eq!(read(dir.path(), "main.zen.hcl"), TIDY);

    let clean = zentra(dir.path(), &["fmt", "--check"]);
    assert_eq!(code(&clean), 0);
    assert_eq!(stdout(&clean), "");
}

#[test]
fn recursive_descends_into_subdirectories_but_not_state_or_git_ones() {
    let dir = tempfile::tempdir().unwrap();
    for sub in ["team/emea", ".zentra", ".git", "target"] {
        std::fs::create_dir_all(dir.path().join(sub)).unwrap();
        std::fs::write(dir.path().join(sub).join("x.zen.hcl"), MESSY).unwrap();
    }
    std::fs::write(dir.path().join("main.zen.hcl"), MESSY).unwrap();

    let flat = zentra(dir.path(), &["fmt", "--check"]);
    assert_eq!(stdout(&flat), "main.zen.hcl\n");

    let out = zentra(dir.path(), &["fmt", "--recursive"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout(&out), "main.zen.hcl\nteam/emea/x.zen.hcl\n");
    assert_eq!(read(dir.path(), "team/emea/x.zen.hcl"), TIDY);
    for skipped in [".zentra", ".git", "target"] {
        assert_eq!(
            read(&dir.path().join(skipped), "x.zen.hcl"),
            MESSY,
            "{skipped}"
        );
    }
}

#[test]
fn a_file_that_does_not_parse_is_reported_where_and_left_as_it_is() {
    let dir = tempfile::tempdir().unwrap();
    let broken = "locals {\n  a = 1\n  b = = 2\n}\n";
    std::fs::write(dir.path().join("broken.zen.hcl"), broken).unwrap();
    std::fs::write(dir.path().join("main.zen.hcl"), MESSY).unwrap();

    let out = zentra(dir.path(), &["fmt"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(err.contains("error: syntax error"), "{err}");
    assert!(err.contains("--> broken.zen.hcl:3:"), "{err}");
    assert_eq!(read(dir.path(), "broken.zen.hcl"), broken);
    assert_eq!(
        read(dir.path(), "main.zen.hcl"),
        TIDY,
        "the other files are formatted"
    );

    let missing = zentra(dir.path(), &["fmt", "nowhere.zen.hcl"]);
    assert_eq!(code(&missing), 1);
    assert!(stderr(&missing).contains("`nowhere.zen.hcl` does not exist"));
}

#[test]
fn every_example_is_in_canonical_style() {
    let examples = root().join("examples");
    let out = zentra(&examples, &["fmt", "--check", "--recursive"]);
    assert_eq!(code(&out), 0, "{}{}", stdout(&out), stderr(&out));
}
