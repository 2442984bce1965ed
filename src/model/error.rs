//! Everything that can go wrong while importing, downloading or inspecting a model.
//! Each message is one line that names the file (or URL) and the cause, and where
//! there is one, the fix.

use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{dir}: not a CTranslate2 model directory: {reason} (expected model.bin, or model.bin.part1 + model.bin.part2, and vocabulary.txt)"
    )]
    NotCt2Dir { dir: PathBuf, reason: String },
    #[error(
        "{first}: does not start a CTranslate2 model but {actual_first} does: the parts are in the wrong order (rename them so part1 is the file that starts with the header)"
    )]
    WrongPartOrder {
        first: PathBuf,
        actual_first: PathBuf,
    },
    #[error("{path}: file ends early while reading {what} (truncated download or missing part?)")]
    Truncated { path: PathBuf, what: String },
    #[error("{path}: not a CTranslate2 model file (does not start with a CTranslate2 header)")]
    NotCt2File { path: PathBuf },
    #[error(
        "{path}: CTranslate2 binary version {found} is not supported (kuulas reads version 6; reconvert with a current ct2-transformers-converter)"
    )]
    UnsupportedVersion { path: PathBuf, found: u32 },
    #[error("{path}: model spec is {spec}, not WhisperSpec: this is not a Whisper model")]
    UnsupportedSpec { path: PathBuf, spec: String },
    #[error("{path}: malformed model: {reason}")]
    Malformed { path: PathBuf, reason: String },
    #[error("{path}: tensor {name} is missing (not a complete Whisper model)")]
    MissingTensor { path: PathBuf, name: String },
    #[error(
        "{path}: tensor {name} has type {dtype}; only float16/float32 models can be imported (convert with --quantization float16)"
    )]
    UnsupportedDtype {
        path: PathBuf,
        name: String,
        dtype: String,
    },
    #[error("{path}:{line}: bad vocabulary entry: {reason}")]
    Vocabulary {
        path: PathBuf,
        line: usize,
        reason: String,
    },
    #[error("{path}: not a valid model: {reason}")]
    NotAModel { path: PathBuf, reason: String },
    #[error("tensor {name}: cannot quantize to {qtype}: {reason}")]
    Quantize {
        name: String,
        qtype: String,
        reason: String,
    },
    #[error("unknown quantization '{0}' (use one of q8_0, q5_0, q5_1, q4_0, q4_1)")]
    UnknownQuantization(String),
    #[error("model '{name}' has no known checksum: pass --sha256 to verify it (known: {known})")]
    UnknownModelName { name: String, known: String },
    #[error("{url}: download failed: {reason} (run the command again to resume)")]
    Download { url: String, reason: String },
    #[error(
        "{path}: checksum mismatch ({algorithm} expected {expected}, got {found}); the download was discarded"
    )]
    ChecksumMismatch {
        path: PathBuf,
        algorithm: &'static str,
        expected: String,
        found: String,
    },
}

impl ModelError {
    pub(crate) fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        ModelError::Io {
            path: path.into(),
            source,
        }
    }

    pub(crate) fn malformed(path: impl Into<PathBuf>, reason: impl Into<String>) -> Self {
        ModelError::Malformed {
            path: path.into(),
            reason: reason.into(),
        }
    }
}
