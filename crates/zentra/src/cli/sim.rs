//! `zentra sim`: serve the built-in emulator until interrupted.

use std::net::IpAddr;
use std::path::{Path, PathBuf};

use clap::Args;

use crate::output::Printer;
use zentra_engine::files::{self, FileKind};
use zentra_sim::{Faults, Seed, SimConfig};

use super::Outcome;

#[derive(Debug, Args)]
pub struct SimArgs {
    /// Port to listen on (0: any free port).
    #[arg(long, default_value_t = 8787)]
    pub port: u16,
    /// Address to listen on (loopback by default).
    #[arg(long, default_value = "127.0.0.1")]
    pub host: IpAddr,
    /// A seed file describing the account and tenant to serve (default: a demo tenant).
    #[arg(long, value_name = "FILE")]
    pub seed: Option<PathBuf>,
    /// Faults to inject from the start (JSON, the shape of `GET /_sim/faults`): latency and
    /// jitter, 429s, server errors, resets, slow and silent answers, replication lag, with a
    /// seed so that a run can be repeated.
    #[arg(long, value_name = "FILE")]
    pub faults: Option<PathBuf>,
    /// Once listening, write `export NAME=value` lines pointing zentra at the emulator.
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
}

pub async fn sim(args: SimArgs, printer: &Printer) -> Outcome {
    let seed = match &args.seed {
        Some(path) => match read_seed(path) {
            Ok(s) => s,
            Err(e) => {
                printer.error(&e);
                return Outcome::Failure;
            }
        },
        None => Seed::default_demo(),
    };
    let faults = match &args.faults {
        Some(path) => match read_faults(path) {
            Ok(f) => f,
            Err(e) => {
                printer.error(&e);
                return Outcome::Failure;
            }
        },
        None => Faults::default(),
    };
    let cfg = SimConfig {
        host: args.host,
        port: args.port,
        seed,
        faults,
        ..SimConfig::default()
    };
    match zentra_sim::run_foreground(cfg, args.env_file, |line| printer.status(line)).await {
        Ok(()) => Outcome::Success,
        Err(e) => {
            printer.error(&format!("{e:#}"));
            Outcome::Failure
        }
    }
}

/// Reads a seed file as zentra reads every file (a regular file of bounded size), and checks
/// it; the error names the file.
fn read_seed(path: &Path) -> Result<Seed, String> {
    let text = files::read_text(path, FileKind::Seed)
        .map_err(|e| format!("cannot read seed file {}: {e}", path.display()))?;
    Seed::from_json(&text, path).map_err(|e| format!("{e:#}"))
}

/// Reads a faults file as zentra reads every file; the error names the file.
fn read_faults(path: &Path) -> Result<Faults, String> {
    let text = files::read_text(path, FileKind::Seed)
        .map_err(|e| format!("cannot read faults file {}: {e}", path.display()))?;
    Faults::from_json(&text).map_err(|e| format!("faults file {}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::{read_faults, read_seed};
    use zentra_engine::env::vars as read;
    use zentra_sim::vars as written;

    /// The emulator's env file names each variable as zentra reads it, so `. ./sim.env` points
    /// zentra at the emulator.
    #[test]
    fn the_env_file_names_the_variables_zentra_reads() {
        let pairs = [
            (written::ZOOM_ACCOUNT_ID, read::ZOOM_ACCOUNT_ID),
            (written::ZOOM_CLIENT_ID, read::ZOOM_CLIENT_ID),
            (written::ZOOM_CLIENT_SECRET, read::ZOOM_CLIENT_SECRET),
            (written::ZOOM_API_URL, read::ZOOM_API_URL),
            (written::ZOOM_OAUTH_URL, read::ZOOM_OAUTH_URL),
            (written::AZURE_TENANT_ID, read::AZURE_TENANT_ID),
            (written::AZURE_CLIENT_ID, read::AZURE_CLIENT_ID),
            (written::AZURE_CLIENT_SECRET, read::AZURE_CLIENT_SECRET),
            (written::AZURE_GRAPH_URL, read::AZURE_GRAPH_URL),
            (written::AZURE_AUTHORITY_HOST, read::AZURE_AUTHORITY_HOST),
        ];
        for (written, read) in pairs {
            assert_eq!(written, read);
        }
    }

    #[test]
    fn a_seed_file_that_cannot_be_read_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let missing = dir.path().join("missing.json");
        let err = read_seed(&missing).expect_err("missing");
        assert!(err.contains("missing.json"), "{err}");
        let err = read_seed(dir.path()).expect_err("a directory");
        assert!(err.contains("not a regular file"), "{err}");
        let seed = dir.path().join("seed.json");
        std::fs::write(&seed, r#"{"zoom": {"acounts": []}}"#).expect("write");
        let err = read_seed(&seed).expect_err("unknown key");
        assert!(
            err.contains("seed.json") && err.contains("acounts"),
            "{err}"
        );
    }

    #[test]
    fn a_faults_file_is_read_and_a_wrong_one_is_named() {
        let dir = tempfile::tempdir().expect("tempdir");
        let path = dir.path().join("faults.json");
        std::fs::write(
            &path,
            r#"{"seed": 7, "throttle_rate": 0.1, "server_error_rate": 0.02, "reset_rate": 0.01}"#,
        )
        .expect("write");
        let faults = read_faults(&path).expect("faults");
        assert_eq!(faults.seed, 7);
        assert_eq!(faults.throttle_rate, 0.1);
        std::fs::write(&path, r#"{"throttle_rate": 10}"#).expect("write");
        let err = read_faults(&path).expect_err("not a share");
        assert!(
            err.contains("faults.json") && err.contains("throttle_rate"),
            "{err}"
        );
        std::fs::write(&path, r#"{"throtle_rate": 0.1}"#).expect("write");
        let err = read_faults(&path).expect_err("unknown field");
        assert!(err.contains("throtle_rate"), "{err}");
    }
}
