//! `zentra sim`: serve the built-in emulator until interrupted.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;

use crate::output::Printer;
use zentra_sim::{Seed, SimConfig};

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
    /// Once listening, write `export NAME=value` lines pointing zentra at the emulator.
    #[arg(long, value_name = "FILE")]
    pub env_file: Option<PathBuf>,
}

pub async fn sim(args: SimArgs, printer: &Printer) -> Outcome {
    let seed = match &args.seed {
        Some(path) => match Seed::from_file(path) {
            Ok(s) => s,
            Err(e) => {
                printer.error(&format!("{e:#}"));
                return Outcome::Failure;
            }
        },
        None => Seed::default_demo(),
    };
    let cfg = SimConfig {
        host: args.host,
        port: args.port,
        seed,
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

#[cfg(test)]
mod tests {
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
}
