//! `kuulas score` (being built).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct ScoreArgs {}

pub fn execute(_args: ScoreArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("kuulas score is not built yet")
}
