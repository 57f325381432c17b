//! Progress of a long apply: a bar per provider instance on a terminal, plain lines with each
//! instance's count otherwise, nothing with `--quiet` (errors still show), never on stdout.

use std::io::Read;
use std::os::fd::{FromRawFd, OwnedFd};
use std::process::Stdio;

use zentra_test_support::{Project, code, stderr, stdout};

fn config() -> String {
    let mut c = String::from("provider \"zoom\" {}\nprovider \"azuread\" {}\n");
    for i in 0..3 {
        c.push_str(&format!(
            "resource \"zoom_group\" \"g{i}\" {{\n  name = \"Progress {i}\"\n}}\n"
        ));
    }
    c.push_str(
        "resource \"azuread_user_consent_policy\" \"c\" {\n  user_consent = \"disabled\"\n}\n",
    );
    c
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_a_terminal_each_operation_is_a_line_with_its_instances_count() {
    let p = Project::new(&config()).await;
    let out = p.run(&["apply", "--auto-approve"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let err = stderr(&out);
    for i in 0..3 {
        assert!(
            err.contains(&format!("zoom_group.g{i}: Creating...")),
            "{err}"
        );
    }
    let counted: Vec<&str> = err.lines().filter(|l| l.contains(" for zoom)")).collect();
    assert_eq!(counted.len(), 3, "{err}");
    for n in 1..=3 {
        assert!(
            counted
                .iter()
                .any(|l| l.ends_with(&format!("({n} of 3 for zoom)"))),
            "{err}"
        );
    }
    assert!(
        err.contains(
            "azuread_user_consent_policy.c: Modifications complete after 0s (1 of 1 for azuread)"
        ),
        "{err}"
    );
    assert!(
        !stdout(&out).contains("Creating"),
        "progress stays off stdout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn quiet_hides_progress_but_not_errors() {
    let p = Project::new(&config()).await;
    let out = p.run(&["--quiet", "apply", "--auto-approve"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stderr(&out), "", "nothing but errors with --quiet");
    assert!(stdout(&out).contains("Apply complete!"), "{}", stdout(&out));
    p.write_config("provider \"zoom\" {}\nresource \"zoom_group\" \"g\" {\n  nme = \"x\"\n}\n");
    let out = p.run(&["plan", "-q"]);
    assert_eq!(code(&out), 1);
    assert!(stderr(&out).contains("error:"), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("main.zen.hcl:3:3"),
        "{}",
        stderr(&out)
    );
}

/// A pseudo-terminal: (the side zentra writes to, the side this test reads).
fn pty() -> (OwnedFd, OwnedFd) {
    let (mut main, mut sub) = (0, 0);
    let size = libc::winsize {
        ws_row: 24,
        ws_col: 120,
        ws_xpixel: 0,
        ws_ypixel: 0,
    };
    // SAFETY: openpty fills two descriptors this test then owns.
    let rc = unsafe {
        libc::openpty(
            &mut main,
            &mut sub,
            std::ptr::null_mut(),
            std::ptr::null(),
            &size,
        )
    };
    assert_eq!(rc, 0, "openpty");
    // SAFETY: both were just opened and are owned by nobody else.
    unsafe { (OwnedFd::from_raw_fd(sub), OwnedFd::from_raw_fd(main)) }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn on_a_terminal_each_provider_instance_gets_a_bar() {
    let mut p = Project::with(
        &config(),
        zentra_sim::SimConfig {
            latency: std::time::Duration::from_millis(150),
            ..Default::default()
        },
    )
    .await;
    p.set_env("TERM", "xterm");
    let (terminal, reader) = pty();
    let child = p
        .command(&["apply", "--auto-approve"])
        .stdout(Stdio::piped())
        .stderr(Stdio::from(terminal))
        .spawn()
        .expect("zentra runs");
    let mut reader = std::fs::File::from(reader);
    let drawn = std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut buf = [0u8; 4096];
        // The terminal side closes when zentra exits: reading then fails (EIO).
        while let Ok(n) = reader.read(&mut buf) {
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buf[..n]);
        }
        String::from_utf8_lossy(&seen).into_owned()
    });
    let out = child.wait_with_output().unwrap();
    assert_eq!(code(&out), 0);
    let screen = drawn.join().unwrap();
    assert!(
        screen.contains("/3"),
        "a bar counts zoom's 3 operations: {screen:?}"
    );
    assert!(screen.contains("/1"), "and azuread's 1: {screen:?}");
    assert!(
        !screen.contains("of 3 for zoom)"),
        "bars instead of lines: {screen:?}"
    );
    assert!(!stdout(&out).contains("/3"), "bars stay off stdout");
}
