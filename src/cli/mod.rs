//! Command-line parsing and dispatch. Each subcommand lives in its own file and
//! only turns arguments into library calls and results into output.
//!
//! Exit codes: 0 all ok, 1 some calls (or checks) failed, 2 fatal / usage error.

mod across;
mod calibrate;
mod examples;
mod model;
mod packet;
mod reasons;
mod rubric;
mod run;
mod score;
mod status;
mod transcribe;

use std::ffi::OsString;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use kuulas::escape;

#[derive(Parser)]
#[command(
    name = "kuulas",
    version,
    about = "Transcribe, score and review customer-service calls, locally."
)]
struct Cli {
    /// More detail in the log (repeat for even more).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Import, download or inspect Whisper models.
    #[command(subcommand)]
    Model(model::ModelCommand),
    /// Transcribe recordings into a two-party, timestamped transcript.
    Transcribe(transcribe::TranscribeArgs),
    /// Score one call (a recording or a transcript JSON) against the rubric.
    Score(score::ScoreArgs),
    /// Show, check or self-test a rubric.
    #[command(subcommand)]
    Rubric(rubric::RubricCommand),
    /// Show, check or self-test the contact-reason taxonomy; tag stored calls again.
    #[command(subcommand)]
    Reasons(reasons::ReasonsCommand),
    /// Process a directory of recordings: the nightly batch.
    Run(run::RunArgs),
    /// Export per-call results for BI tools.
    Export(run::ExportArgs),
    /// Show each run's progress: calls queued, running, done and failed (per worker).
    Status(status::StatusArgs),
    /// Build the review packet of a run: a static site that opens from disk.
    Packet(packet::PacketArgs),
    /// List the rubric moments of one behaviour, best (or worst) first.
    Examples(examples::ExamplesArgs),
    /// Measure the rubric against reviewers' labels: precision, recall, Cohen's κ.
    Calibrate(calibrate::CalibrateArgs),
    /// Across calls: first-contact resolution and callback promises kept.
    Across(across::AcrossArgs),
}

/// Process exit codes, documented in the README.
pub const EXIT_OK: u8 = 0;
pub const EXIT_SOME_FAILED: u8 = 1;
pub const EXIT_FATAL: u8 = 2;

pub fn main() -> ExitCode {
    restore_default_sigpipe();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_FATAL)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    init_logging(cli.verbose);
    match dispatch(cli.command) {
        Ok(code) => code,
        Err(e) => {
            // Paths and call ids in the message must not forge lines or drive the
            // terminal; deliberate line breaks (one rubric problem a line) stay.
            let message = format!("{e:#}");
            eprintln!("kuulas: error: {}", escape::controls(&message, &['\n']));
            ExitCode::from(EXIT_FATAL)
        }
    }
}

fn dispatch(command: Command) -> anyhow::Result<ExitCode> {
    match command {
        Command::Model(c) => model::execute(c),
        Command::Transcribe(a) => transcribe::execute(a),
        Command::Score(a) => score::execute(a),
        Command::Rubric(c) => rubric::execute(c),
        Command::Reasons(c) => reasons::execute(c),
        Command::Run(a) => run::execute_run(a),
        Command::Export(a) => run::execute_export(a),
        Command::Status(a) => status::execute(a),
        Command::Packet(a) => packet::execute(a),
        Command::Examples(a) => examples::execute(a),
        Command::Calibrate(a) => calibrate::execute(a),
        Command::Across(a) => across::execute(a),
    }
}

/// `kuulas ... | head` should end quietly like any Unix tool, not panic on a
/// closed pipe (Rust ignores SIGPIPE by default).
fn restore_default_sigpipe() {
    #[cfg(unix)]
    // SAFETY: called first thing in main, before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "kuulas=info",
        1 => "kuulas=debug",
        _ => "kuulas=trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("KUULAS_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let colour = use_colour(
        std::io::stderr().is_terminal(),
        std::env::var_os("NO_COLOR"),
    );
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(OneLineStderr { colour })
        .with_ansi(colour)
        .with_target(false)
        .init();
}

/// Colour only on a terminal, and not when `NO_COLOR` is set to anything but the
/// empty string (<https://no-color.org>): a log file under cron gets plain text.
fn use_colour(terminal: bool, no_color: Option<OsString>) -> bool {
    terminal && no_color.is_none_or(|v| v.is_empty())
}

/// Writes each log event to stderr as exactly one line: control characters
/// inside it (a newline in a file name or call id) are written out, so no input
/// can forge a log line. The formatter writes an event with one `write_all`.
struct OneLineStderr {
    colour: bool,
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for OneLineStderr {
    type Writer = EventWriter;

    fn make_writer(&'a self) -> EventWriter {
        EventWriter {
            colour: self.colour,
        }
    }
}

struct EventWriter {
    colour: bool,
}

impl Write for EventWriter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        std::io::stderr()
            .lock()
            .write_all(one_line(&text, self.colour).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

/// A formatted event as one line ending in a newline; with `colour`, the
/// formatter's own escape sequences stay (it escapes those in field values).
fn one_line(event: &str, colour: bool) -> String {
    let body = event.strip_suffix('\n').unwrap_or(event);
    let keep: &[char] = if colour { &['\x1b'] } else { &[] };
    format!("{}\n", escape::controls(body, keep))
}

#[cfg(test)]
mod tests {
    use super::{one_line, use_colour};

    #[test]
    fn colour_only_on_a_terminal_without_no_color() {
        assert!(use_colour(true, None));
        assert!(use_colour(true, Some("".into())));
        assert!(!use_colour(true, Some("1".into())));
        assert!(!use_colour(false, None));
    }

    #[test]
    fn a_log_event_is_one_line_whatever_its_fields_hold() {
        let forged =
            "2026-11-21T01:00:00Z  WARN a\n2026-11-21T01:00:01Z  INFO all calls scored\r\n";
        assert_eq!(
            one_line(forged, false),
            "2026-11-21T01:00:00Z  WARN a\\n2026-11-21T01:00:01Z  INFO all calls scored\\r\n"
        );
        assert_eq!(
            one_line("\x1b[33mWARN\x1b[0m x\n", false),
            "\\u{1b}[33mWARN\\u{1b}[0m x\n"
        );
        assert_eq!(
            one_line("\x1b[33mWARN\x1b[0m x\n", true),
            "\x1b[33mWARN\x1b[0m x\n"
        );
    }
}
