//! `kuulas model import | download | info`: turns arguments into `kuulas::model`
//! calls, prints the results, and draws the download progress bar.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use indicatif::{ProgressBar, ProgressStyle};
use kuulas::model::{
    self, DownloadProgress, DownloadRequest, ImportOptions, ModelFormat, ModelInfo, Quantization,
};

use crate::cli::{EXIT_OK, EXIT_SOME_FAILED};

#[derive(clap::Subcommand)]
pub enum ModelCommand {
    /// Convert a CTranslate2 Whisper model to a whisper.cpp ggml file.
    Import(ImportArgs),
    /// Download an official whisper.cpp model (needs access to huggingface.co).
    Download(DownloadArgs),
    /// Describe a model file or CTranslate2 directory, or say why it is not a model.
    Info(InfoArgs),
}

#[derive(clap::Args)]
pub struct ImportArgs {
    /// Directory with model.bin (or model.bin.part1 + model.bin.part2) and vocabulary.txt.
    #[arg(long, value_name = "DIR")]
    ct2: PathBuf,
    /// The ggml file to write (replaced atomically).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    /// Quantize the weight matrices: q8_0, q5_0, q5_1, q4_0 or q4_1.
    #[arg(long, value_name = "TYPE")]
    quantize: Option<String>,
}

#[derive(clap::Args)]
pub struct DownloadArgs {
    /// Model name as whisper.cpp spells it: tiny, base, small, medium, large-v3, base.en, …
    name: String,
    /// Directory to put ggml-NAME.bin in.
    #[arg(long, default_value = "models")]
    dir: PathBuf,
    /// Where ggml-NAME.bin is fetched from.
    #[arg(long, value_name = "URL", default_value = model::OFFICIAL_BASE_URL)]
    base_url: String,
    /// Expected SHA-256 of the file (needed for models without an official SHA-1).
    #[arg(long, value_name = "HEX")]
    sha256: Option<String>,
}

#[derive(clap::Args)]
pub struct InfoArgs {
    /// A ggml model file or a CTranslate2 model directory.
    path: PathBuf,
}

pub fn execute(command: ModelCommand) -> anyhow::Result<ExitCode> {
    match command {
        ModelCommand::Import(a) => import(a),
        ModelCommand::Download(a) => download(a),
        ModelCommand::Info(a) => Ok(info(a)),
    }
}

fn import(args: ImportArgs) -> anyhow::Result<ExitCode> {
    let quantize = args
        .quantize
        .as_deref()
        .map(str::parse::<Quantization>)
        .transpose()?;
    let report = model::import_ct2(&ImportOptions {
        ct2_dir: args.ct2,
        out: args.out,
        quantize,
    })?;
    emit(&format!(
        "wrote {}: {} tensors, {} parameters, {}, sha256 {}\n",
        report.out.display(),
        report.tensors,
        report.parameters,
        human_bytes(report.bytes),
        report.sha256
    ));
    Ok(ExitCode::from(EXIT_OK))
}

fn download(args: DownloadArgs) -> anyhow::Result<ExitCode> {
    let request = DownloadRequest {
        name: args.name,
        dir: args.dir,
        base_url: args.base_url,
        sha256: args.sha256,
    };
    let mut bar = Bar(None);
    let path =
        model::download(&request, &mut bar).with_context(|| format!("model {}", request.name))?;
    emit(&format!("{} ready (checksum verified)\n", path.display()));
    Ok(ExitCode::from(EXIT_OK))
}

fn info(args: InfoArgs) -> ExitCode {
    match model::inspect(&args.path) {
        Ok(info) => {
            print_info(&info);
            ExitCode::from(EXIT_OK)
        }
        Err(e) => {
            eprintln!("kuulas: {e}");
            ExitCode::from(EXIT_SOME_FAILED)
        }
    }
}

fn print_info(i: &ModelInfo) {
    let mut t = String::new();
    let h = &i.hparams;
    let format = match i.format {
        ModelFormat::Ggml => "ggml (whisper.cpp)",
        ModelFormat::Ct2Dir => "CTranslate2 directory (import it with `kuulas model import`)",
    };
    let languages = if i.multilingual() {
        format!("multilingual ({} languages)", i.languages())
    } else {
        "English only".to_string()
    };
    let _ = writeln!(t, "file:       {}", i.path.display());
    let _ = writeln!(t, "format:     {format}");
    let _ = writeln!(t, "model:      {}", i.kind);
    let _ = writeln!(t, "size:       {}", human_bytes(i.size_bytes));
    let _ = writeln!(
        t,
        "parameters: {} ({:.1} M) in {} tensors",
        i.parameters,
        i.parameters as f64 / 1e6,
        i.tensors
    );
    let _ = writeln!(t, "languages:  {languages}");
    let _ = writeln!(t, "weights:    {}", i.weights);
    let _ = writeln!(t, "n_mels:     {}", h.n_mels);
    let _ = writeln!(
        t,
        "dims:       audio {}x{} layers, {} heads, ctx {}; text {}x{} layers, {} heads, ctx {}; vocab {}",
        h.n_audio_state,
        h.n_audio_layer,
        h.n_audio_head,
        h.n_audio_ctx,
        h.n_text_state,
        h.n_text_layer,
        h.n_text_head,
        h.n_text_ctx,
        h.n_vocab
    );
    emit(&t);
}

/// Writes to stdout; a closed pipe (`kuulas model info … | head`) is not an error.
fn emit(text: &str) {
    let _ = std::io::stdout().lock().write_all(text.as_bytes());
}

fn human_bytes(n: u64) -> String {
    format!("{:.1} MiB ({n} bytes)", n as f64 / (1024.0 * 1024.0))
}

/// indicatif bar behind the library's progress trait; created when the size is known.
struct Bar(Option<ProgressBar>);

impl DownloadProgress for Bar {
    fn started(&mut self, total: Option<u64>, resumed_from: u64) {
        let bar = match total {
            Some(t) => ProgressBar::new(t),
            None => ProgressBar::no_length(),
        };
        if let Ok(style) =
            ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} eta {eta}")
        {
            bar.set_style(style);
        }
        bar.set_position(resumed_from);
        self.0 = Some(bar);
    }

    fn advanced(&mut self, bytes: u64) {
        if let Some(bar) = &self.0 {
            bar.inc(bytes);
        }
    }

    fn finished(&mut self) {
        if let Some(bar) = self.0.take() {
            bar.finish_and_clear();
        }
    }
}
