//! `kuulas rubric` (being built).

use std::process::ExitCode;

#[derive(clap::Subcommand)]
pub enum RubricCommand {}

pub fn execute(command: RubricCommand) -> anyhow::Result<ExitCode> {
    match command {}
}
