//! `kuulas transcribe` (being built).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct TranscribeArgs {}

pub fn execute(_args: TranscribeArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("kuulas transcribe is not built yet")
}
