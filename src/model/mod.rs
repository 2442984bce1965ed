//! Whisper model files. `import_ct2` converts a CTranslate2 Whisper model (the form
//! the model reaches us through PyPI) into whisper.cpp's ggml file, optionally
//! quantized; `download` fetches an official ggml file where the network allows;
//! `inspect` says what a model file is; `default_model_path` finds the model the
//! other stages use.
//!
//! Architecture invariant: this stage never loads a model for inference; only
//! `quantize.rs` calls into ggml.

mod ct2;
mod download;
mod error;
mod ggml;
mod info;
mod mel;
mod quantize;
mod tensors;
mod vocab;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

pub use download::{DownloadProgress, DownloadRequest, OFFICIAL_BASE_URL, download, official_sha1};
pub use error::ModelError;
pub use ggml::Hparams;
pub use info::{ModelFormat, ModelInfo, inspect};
pub use quantize::Quantization;

use ct2::Ct2Model;

/// The model file the pipeline uses unless told otherwise.
pub const DEFAULT_MODEL_FILE: &str = "models/ggml-base-q8_0.bin";

/// What to import and where to.
#[derive(Debug, Clone)]
pub struct ImportOptions {
    /// Directory with `model.bin` (or `model.bin.part1`, `model.bin.part2`, …) and
    /// `vocabulary.txt`.
    pub ct2_dir: PathBuf,
    pub out: PathBuf,
    /// Quantize the weight matrices; `None` writes f16.
    pub quantize: Option<Quantization>,
}

/// What an import wrote.
#[derive(Debug, Clone)]
pub struct ImportReport {
    pub out: PathBuf,
    pub hparams: Hparams,
    pub tensors: usize,
    pub parameters: u64,
    pub bytes: u64,
    /// Hex SHA-256 of the written file.
    pub sha256: String,
}

/// Converts the CTranslate2 model in `opts.ct2_dir` to a ggml file at `opts.out`.
///
/// The output appears atomically: on any error nothing is left at `opts.out` (an
/// existing file there stays untouched).
pub fn import_ct2(opts: &ImportOptions) -> Result<ImportReport, ModelError> {
    let model = Ct2Model::open_dir(&opts.ct2_dir)?;
    let vocab = vocab::read_base_vocab(&opts.ct2_dir.join("vocabulary.txt"))?;
    let ftype = opts.quantize.map_or(1, Quantization::header_ftype);
    let hparams = ggml::hparams(&model, ftype)?;
    tracing::info!(
        dir = %opts.ct2_dir.display(),
        layers = hparams.n_audio_layer,
        state = hparams.n_audio_state,
        n_mels = hparams.n_mels,
        n_vocab = hparams.n_vocab,
        "importing CTranslate2 Whisper model"
    );
    let mut model_error = None;
    let mut written = None;
    let result = crate::atomic::write_with(&opts.out, |file| {
        readable_by_all(file)?;
        let mut out = HashingWriter::new(BufWriter::with_capacity(1 << 20, file));
        match ggml::write(&model, &hparams, &vocab, opts.quantize, &mut out) {
            Ok(w) => {
                out.flush()?;
                written = Some((w, out.bytes, hex::encode(out.hasher.finalize())));
                Ok(())
            }
            Err(ggml::WriteError::Io(e)) => Err(e),
            Err(ggml::WriteError::Model(e)) => {
                model_error = Some(e);
                Err(std::io::Error::other("import failed"))
            }
        }
    });
    if let Some(e) = model_error {
        return Err(e);
    }
    result.map_err(|e| ModelError::io(&opts.out, e))?;
    let (w, bytes, sha256) =
        written.ok_or_else(|| ModelError::malformed(&opts.out, "nothing was written"))?;
    Ok(ImportReport {
        out: opts.out.clone(),
        hparams,
        tensors: w.tensors,
        parameters: w.parameters,
        bytes,
        sha256,
    })
}

/// Temporary files are created private (0600); a model is read by other users
/// (a service account running the nightly batch), like a file `cp` would create.
fn readable_by_all(file: &std::fs::File) -> std::io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(std::fs::Permissions::from_mode(0o644))?;
    }
    #[cfg(not(unix))]
    let _ = file;
    Ok(())
}

/// The model to use: `$KUULAS_MODEL`, else `models/ggml-base-q8_0.bin` under the current
/// directory, else under the repository the running binary was built in (found by
/// walking up from the executable), else the relative default (which the loader
/// will report as missing, pointing at `scripts/fetch-model.sh`).
pub fn default_model_path() -> PathBuf {
    if let Some(p) = std::env::var_os("KUULAS_MODEL").filter(|p| !p.is_empty()) {
        return PathBuf::from(p);
    }
    let relative = PathBuf::from(DEFAULT_MODEL_FILE);
    if relative.is_file() {
        return relative;
    }
    let beside_exe = std::env::current_exe().ok().and_then(|exe| {
        exe.ancestors()
            .skip(1)
            .map(|dir| dir.join(DEFAULT_MODEL_FILE))
            .find(|p| p.is_file())
    });
    beside_exe.unwrap_or(relative)
}

/// Hex SHA-256 of a file, streamed.
pub fn sha256_file(path: &Path) -> Result<String, ModelError> {
    download::hash_file::<Sha256>(path)
}

/// Hashes and counts what passes through, so the report needs no second read.
struct HashingWriter<W> {
    inner: W,
    hasher: Sha256,
    bytes: u64,
}

impl<W> HashingWriter<W> {
    fn new(inner: W) -> Self {
        HashingWriter {
            inner,
            hasher: Sha256::new(),
            bytes: 0,
        }
    }
}

impl<W: Write> Write for HashingWriter<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hasher.update(&buf[..n]);
        self.bytes += n as u64;
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}
