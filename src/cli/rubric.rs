//! `kuulas rubric show | check FILE | test [FILE] | eval DIR`: print, validate,
//! self-test and measure a rubric.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use kuulas::rubric::eval::{self, CORE_BEHAVIOURS, Counts};
use kuulas::rubric::{self, Rubric, RubricError, labelled, selftest};

use crate::cli::score::load_rubric;
use crate::cli::{EXIT_OK, EXIT_SOME_FAILED};

#[derive(clap::Subcommand)]
pub enum RubricCommand {
    /// Print the built-in rubric (TOML).
    Show,
    /// Validate a rubric file; prints `file:line: reason` for each problem.
    Check { file: PathBuf },
    /// Run every rule's examples and counter-examples (built-in rubric by default).
    Test { file: Option<PathBuf> },
    /// Print the rubric's patterns as plain phrases, one per line (used by the
    /// accuracy measurement and the transcriber's domain prompt).
    Phrases { file: Option<PathBuf> },
    /// Precision, recall and F1 per behaviour on a directory of labelled calls.
    Eval {
        dir: PathBuf,
        /// Rubric file to evaluate instead of the built-in one.
        #[arg(long)]
        rubric: Option<PathBuf>,
        /// Behaviour ids to evaluate, comma-separated (default: the core ids).
        #[arg(long, value_delimiter = ',')]
        behaviours: Vec<String>,
        /// Also list each disagreement (call, behaviour).
        #[arg(long)]
        misses: bool,
    },
}

pub fn execute(command: RubricCommand) -> anyhow::Result<ExitCode> {
    match command {
        RubricCommand::Show => {
            print!("{}", rubric::DEFAULT_RUBRIC);
            Ok(ExitCode::from(EXIT_OK))
        }
        RubricCommand::Check { file } => check(&file),
        RubricCommand::Test { file } => test(&load_rubric(file.as_deref())?),
        RubricCommand::Phrases { file } => {
            for phrase in rubric::phrases::phrases(&load_rubric(file.as_deref())?) {
                println!("{phrase}");
            }
            Ok(ExitCode::from(EXIT_OK))
        }
        RubricCommand::Eval {
            dir,
            rubric,
            behaviours,
            misses,
        } => {
            let ids = if behaviours.is_empty() {
                CORE_BEHAVIOURS.iter().map(|s| s.to_string()).collect()
            } else {
                behaviours
            };
            eval(&dir, &load_rubric(rubric.as_deref())?, &ids, misses)
        }
    }
}

fn check(file: &Path) -> anyhow::Result<ExitCode> {
    match rubric::load(file) {
        Ok(r) => {
            println!(
                "{}: ok ({} dimensions, {} behaviours, sha256 {})",
                file.display(),
                r.dimensions.len(),
                r.behaviours.len(),
                r.sha256
            );
            Ok(ExitCode::from(EXIT_OK))
        }
        Err(e @ RubricError::Invalid { .. }) => {
            eprintln!("{e}");
            Ok(ExitCode::from(EXIT_SOME_FAILED))
        }
        Err(e) => Err(e.into()),
    }
}

fn test(rubric: &Rubric) -> anyhow::Result<ExitCode> {
    let (checked, failures) = selftest::run(rubric);
    for f in &failures {
        let what = if f.example {
            "example not matched"
        } else {
            "counter-example matched"
        };
        println!(
            "FAIL {} (line {}): {what}: \"{}\"",
            f.behaviour, f.line, f.text
        );
    }
    println!("{checked} examples checked, {} failed", failures.len());
    Ok(ExitCode::from(if failures.is_empty() {
        EXIT_OK
    } else {
        EXIT_SOME_FAILED
    }))
}

fn eval(
    dir: &Path,
    rubric: &Rubric,
    ids: &[String],
    show_misses: bool,
) -> anyhow::Result<ExitCode> {
    let calls = labelled::load_dir(dir)?;
    let (e, evidence) = eval::evaluate(rubric, ids, &calls);
    println!(
        "{} calls in {}, rubric {} v{}\n",
        e.calls,
        dir.display(),
        rubric.id,
        rubric.version
    );
    println!(
        "{:<22} {:>4} {:>4} {:>4} {:>9} {:>7} {:>6}",
        "behaviour", "tp", "fp", "fn", "precision", "recall", "f1"
    );
    for (b, c) in e.behaviours.iter().zip(&e.counts) {
        println!(
            "{b:<22} {:>4} {:>4} {:>4} {:>9.2} {:>7.2} {:>6.2}",
            c.tp,
            c.fp,
            c.fn_,
            c.precision(),
            c.recall(),
            c.f1()
        );
    }
    let m = e.micro();
    println!(
        "{:<22} {:>4} {:>4} {:>4} {:>9.2} {:>7.2} {:>6.2}",
        "micro-average",
        m.tp,
        m.fp,
        m.fn_,
        m.precision(),
        m.recall(),
        m.f1()
    );
    // Macro: every behaviour counts the same, so a rare one that is never found
    // (a power struggle) weighs as much as the greeting found in every call.
    let macro_of =
        |f: fn(&Counts) -> f64| e.counts.iter().map(f).sum::<f64>() / e.counts.len().max(1) as f64;
    println!(
        "{:<22} {:>4} {:>4} {:>4} {:>9.2} {:>7.2} {:>6.2}",
        "macro-average",
        "",
        "",
        "",
        macro_of(Counts::precision),
        macro_of(Counts::recall),
        macro_of(Counts::f1)
    );
    if show_misses {
        println!();
        for miss in &e.misses {
            if miss.missed {
                println!("{}: {} missed", miss.call, miss.behaviour);
                continue;
            }
            let quotes = evidence
                .iter()
                .filter(|f| f.call == miss.call && f.behaviour == miss.behaviour);
            for found in quotes {
                println!(
                    "{}: {} false alarm: \"{}\"",
                    miss.call, miss.behaviour, found.quote
                );
            }
        }
    }
    Ok(ExitCode::from(EXIT_OK))
}
