//! `kuulas model` (being built).

use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum ModelCommand {}

pub fn execute(command: ModelCommand) -> anyhow::Result<ExitCode> {
    match command {}
}
