//! `kuulas examples`: the trainer catalogue on the command line — the moments of
//! one behaviour ranked by points × confidence, as text or JSON.

use std::process::ExitCode;

use clap::Args;
use kuulas::packet::Lang;
use kuulas::packet::catalogue::{self, Rank};
use kuulas::redact;

use super::EXIT_OK;
use super::packet::SourceArgs;

#[derive(Args)]
pub struct ExamplesArgs {
    #[command(flatten)]
    source: SourceArgs,
    /// Behaviour id, e.g. `ownership` or `bare_refusal`; all behaviours if omitted.
    #[arg(long)]
    behaviour: Option<String>,
    /// How many to list.
    #[arg(long, default_value_t = 10)]
    top: usize,
    /// The worst (most negative) first instead of the best.
    #[arg(long)]
    cautionary: bool,
    /// Print JSON instead of text.
    #[arg(long)]
    json: bool,
    /// Keep personal data in the quotes.
    #[arg(long)]
    no_redact: bool,
}

pub fn execute(args: ExamplesArgs) -> anyhow::Result<ExitCode> {
    let loaded = args.source.load()?;
    let calls = loaded.calls;
    let rank = if args.cautionary {
        Rank::Cautionary
    } else {
        Rank::Exemplary
    };
    let mut found = catalogue::examples(&calls, args.behaviour.as_deref(), rank, args.top);
    if !args.no_redact {
        for e in &mut found {
            e.moment.quote = redact::text(&e.moment.quote);
        }
    }
    if args.json {
        println!("{}", serde_json::to_string_pretty(&found)?);
        return Ok(ExitCode::from(EXIT_OK));
    }
    for e in &found {
        println!(
            "{:>7.2}  {}  {:>6.1}s  {}  {}  {}  \"{}\"",
            e.weight,
            e.call_id,
            e.moment.start,
            e.moment.behaviour,
            e.agent.as_deref().unwrap_or("-"),
            e.date.as_deref().unwrap_or("-"),
            e.moment.quote
        );
    }
    if found.is_empty() {
        eprintln!(
            "kuulas examples: no moments found ({})",
            args.source.run_label(Lang::En, loaded.run.as_ref())
        );
    }
    Ok(ExitCode::from(EXIT_OK))
}
