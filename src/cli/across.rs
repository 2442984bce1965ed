//! `kuulas across`: first-contact resolution and callback promises across the
//! store's calls (`kuulas::across`), as text or JSON. Reads the store's metadata
//! and score moments only — never audio or transcripts — so the figures follow
//! changed metadata without re-transcribing. Reasons are named by the labels of
//! `--taxonomy` (the built-in one by default), with a warning when the stored
//! tags came from another taxonomy.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use kuulas::across::working::WorkingHours;
use kuulas::across::{self, Settings, report, rows};
use kuulas::reasons::Labels;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use super::EXIT_OK;
use super::run::{DEFAULT_OUT, open_for_reading};

#[derive(Clone, Copy, clap::ValueEnum)]
enum Format {
    Text,
    Json,
}

#[derive(clap::Args)]
pub struct AcrossArgs {
    /// The store: a SQLite file or a PostgreSQL URL [default: <out>/kuulas.sqlite].
    #[arg(long)]
    store: Option<PathBuf>,
    /// The output directory of `kuulas run`.
    #[arg(long, default_value = DEFAULT_OUT, conflicts_with = "store")]
    out: PathBuf,
    #[command(flatten)]
    figures: FiguresArgs,
    /// The taxonomy the calls were tagged with (TOML), for the reasons' names; a
    /// warning says when the stored tags came from another [default: the built-in one].
    #[arg(long)]
    taxonomy: Option<PathBuf>,
    #[arg(long, value_enum, default_value = "text")]
    format: Format,
}

/// How the figures across calls are computed: the flags `across`, `packet` and
/// `export` share.
#[derive(clap::Args)]
pub struct FiguresArgs {
    /// A repeat contact within this many days means the first was not resolved.
    #[arg(long, default_value_t = 7, value_parser = clap::value_parser!(u32).range(1..=365))]
    days: u32,
    /// Compute as of this time (RFC 3339, e.g. 2026-11-27T12:00:00+02:00) instead
    /// of now: deadlines and repeat windows after it are still open.
    #[arg(long)]
    as_of: Option<String>,
    /// The days the service works, for promise deadlines ("huomenna" on a
    /// Friday is Monday): days and ranges, e.g. `mon-fri` or `ma-pe,la`.
    #[arg(long, default_value = "mon-fri")]
    working_days: String,
    /// The service's working hours: a promise for a day is due at their end.
    #[arg(long, default_value = "8-16")]
    working_hours: String,
}

impl FiguresArgs {
    /// The figures' settings (as of now when `--as-of` is not given); a bad time
    /// or working week is an error naming the flag.
    pub fn settings(&self) -> anyhow::Result<Settings> {
        let as_of = match &self.as_of {
            Some(text) => OffsetDateTime::parse(text, &Rfc3339).with_context(|| {
                format!("--as-of {text}: not an RFC 3339 time such as 2026-11-27T12:00:00+02:00")
            })?,
            None => OffsetDateTime::now_utc(),
        };
        let hours = WorkingHours::parse(&self.working_days, &self.working_hours).map_err(|e| {
            anyhow::anyhow!(
                "--working-days {} --working-hours {}: {e}",
                self.working_days,
                self.working_hours
            )
        })?;
        Ok(Settings {
            repeat_days: self.days,
            hours,
            ..Settings::new(as_of)
        })
    }
}

pub fn execute(args: AcrossArgs) -> anyhow::Result<ExitCode> {
    let settings = args.figures.settings()?;
    let taxonomy = super::reasons::load_taxonomy(args.taxonomy.as_deref())?;
    let store = open_for_reading(args.store, &args.out)?;
    super::reasons::warn_if_tagged_otherwise(store.as_ref(), &taxonomy)?;
    let labels = Labels::of(&taxonomy);
    let contacts: Vec<_> = store.contacts()?.iter().map(rows::contact).collect();
    let figures = across::compute(&contacts, &settings);
    match args.format {
        Format::Text => print!("{}", report::text(&figures, &settings, &labels)),
        Format::Json => println!("{}", report::json(&figures, &settings, &labels)),
    }
    Ok(ExitCode::from(EXIT_OK))
}
