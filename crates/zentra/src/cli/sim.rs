//! `zentra sim`: serve the built-in emulator until interrupted.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::Args;

use crate::output::Printer;
use crate::sim::{Seed, SimConfig};

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
    match crate::sim::run_foreground(cfg, args.env_file, |line| printer.status(line)).await {
        Ok(()) => Outcome::Success,
        Err(e) => {
            printer.error(&format!("{e:#}"));
            Outcome::Failure
        }
    }
}
