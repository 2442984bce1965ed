//! `kuulas run` and `kuulas export` (being built).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct RunArgs {}

#[derive(clap::Args)]
pub struct ExportArgs {}

pub fn execute_run(_args: RunArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("kuulas run is not built yet")
}

pub fn execute_export(_args: ExportArgs) -> anyhow::Result<ExitCode> {
    anyhow::bail!("kuulas export is not built yet")
}
