//! What a model file is: `inspect` reads a ggml Whisper file's header and walks its
//! tensor table (without loading weights), or a CTranslate2 directory's index, and
//! says which Whisper it is — or why it is not a usable model.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use crate::model::ct2::{self, Ct2Model};
use crate::model::error::ModelError;
use crate::model::ggml::{self, Hparams};
use crate::model::quantize;

/// The on-disk format of a model.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModelFormat {
    /// whisper.cpp's ggml file, loadable by the transcriber.
    Ggml,
    /// A CTranslate2 directory: import it with `kuulas model import` first.
    Ct2Dir,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ModelInfo {
    pub path: PathBuf,
    pub format: ModelFormat,
    pub hparams: Hparams,
    /// `tiny`, `base`, …, `large-v3`, with `.en` for English-only, or `unknown custom`.
    pub kind: String,
    /// Bytes on disk (all files of a CTranslate2 directory).
    pub size_bytes: u64,
    pub parameters: u64,
    pub tensors: usize,
    /// Names the weight type: `f16`, `q8_0 (quantization v2)`, `float16`, ….
    pub weights: String,
}

impl ModelInfo {
    /// 51865+ tokens: the multilingual vocabulary; 51864: English-only.
    pub fn multilingual(&self) -> bool {
        self.hparams.n_vocab >= 51865
    }

    /// Languages the model can transcribe (large-v3's vocabulary added Cantonese).
    pub fn languages(&self) -> u32 {
        match self.hparams.n_vocab {
            n if n >= 51866 => 100,
            51865 => 99,
            _ => 1,
        }
    }
}

/// Describes the model at `path`: a ggml file or a CTranslate2 directory.
pub fn inspect(path: &Path) -> Result<ModelInfo, ModelError> {
    let meta = std::fs::metadata(path).map_err(|e| ModelError::io(path, e))?;
    if meta.is_dir() {
        return inspect_ct2(path);
    }
    inspect_ggml(path, meta.len())
}

fn inspect_ct2(dir: &Path) -> Result<ModelInfo, ModelError> {
    let files = ct2::model_files(dir)?;
    let model = Ct2Model::open_files(&files)?;
    let hparams = ggml::hparams(&model, 0)?;
    let weights = model
        .var("decoder/embeddings/weight")?
        .dtype
        .name()
        .to_string();
    let floats = model.variables().filter(|v| !v.shape.is_empty());
    let (tensors, parameters) =
        floats.fold((0, 0u64), |(n, p), v| (n + 1, p + v.elements() as u64));
    let mut size_bytes = 0;
    for f in files
        .iter()
        .chain([dir.join("vocabulary.txt"), dir.join("config.json")].iter())
    {
        size_bytes += std::fs::metadata(f).map(|m| m.len()).unwrap_or(0);
    }
    Ok(ModelInfo {
        path: dir.to_path_buf(),
        format: ModelFormat::Ct2Dir,
        kind: kind_of(&hparams),
        hparams,
        size_bytes,
        parameters,
        tensors,
        weights,
    })
}

fn inspect_ggml(path: &Path, size: u64) -> Result<ModelInfo, ModelError> {
    let file = File::open(path).map_err(|e| ModelError::io(path, e))?;
    let mut r = Reader {
        inner: BufReader::new(file),
        path,
        size,
    };
    if size < 4 || r.i32("the magic number")? != 0x6767_6d6c {
        return Err(ModelError::NotAModel {
            path: path.to_path_buf(),
            reason: "no ggml magic number at the start (not a whisper.cpp model file)".into(),
        });
    }
    let mut fields = [0i32; 11];
    for f in &mut fields {
        *f = r.i32("the hyperparameters")?;
    }
    let hparams = Hparams::from_array(fields);
    if fields[..10].iter().any(|&v| v <= 0) {
        return Err(r.bad(format!("impossible hyperparameters {fields:?}")));
    }
    let (n_mel, n_fft) = (r.i32("the mel filters")?, r.i32("the mel filters")?);
    if n_mel != hparams.n_mels || !(1..=4096).contains(&n_fft) {
        return Err(r.bad(format!(
            "mel filter table {n_mel}x{n_fft} does not fit n_mels {}",
            hparams.n_mels
        )));
    }
    r.skip(n_mel as u64 * n_fft as u64 * 4, "the mel filters")?;
    let n_tokens = r.i32("the vocabulary")?;
    if !(0..=1_000_000).contains(&n_tokens) {
        return Err(r.bad(format!("vocabulary of {n_tokens} tokens")));
    }
    for _ in 0..n_tokens {
        let len = r.i32("the vocabulary")?;
        if !(0..=1024).contains(&len) {
            return Err(r.bad(format!("vocabulary token of {len} bytes")));
        }
        r.skip(len as u64, "the vocabulary")?;
    }
    let (tensors, parameters) = r.tensor_table()?;
    if tensors == 0 {
        return Err(r.bad("no tensors after the vocabulary".into()));
    }
    Ok(ModelInfo {
        path: path.to_path_buf(),
        format: ModelFormat::Ggml,
        kind: kind_of(&hparams),
        weights: quantize::describe_ftype(hparams.ftype),
        hparams,
        size_bytes: size,
        parameters,
        tensors,
    })
}

/// Which OpenAI Whisper has these dimensions.
fn kind_of(h: &Hparams) -> String {
    let english = h.n_vocab == 51864;
    let name = match (h.n_audio_state, h.n_audio_layer, h.n_text_layer, h.n_mels) {
        (384, 4, 4, 80) => "tiny",
        (512, 6, 6, 80) => "base",
        (768, 12, 12, 80) => "small",
        (1024, 24, 24, 80) => "medium",
        (1280, 32, 32, 80) if !english => "large-v1 or large-v2",
        (1280, 32, 32, 128) if !english => "large-v3",
        (1280, 32, 4, 128) if !english => "large-v3-turbo",
        _ => return "unknown custom".into(),
    };
    if english {
        format!("{name}.en")
    } else {
        name.into()
    }
}

struct Reader<'a> {
    inner: BufReader<File>,
    path: &'a Path,
    size: u64,
}

impl Reader<'_> {
    fn i32(&mut self, what: &str) -> Result<i32, ModelError> {
        let mut b = [0u8; 4];
        self.inner
            .read_exact(&mut b)
            .map_err(|e| self.read_error(e, what))?;
        Ok(i32::from_le_bytes(b))
    }

    fn pos(&mut self) -> Result<u64, ModelError> {
        self.inner
            .stream_position()
            .map_err(|e| ModelError::io(self.path, e))
    }

    fn skip(&mut self, n: u64, what: &str) -> Result<(), ModelError> {
        let to = self.pos()? + n;
        if to > self.size {
            return Err(self.truncated(what));
        }
        self.inner
            .seek(SeekFrom::Start(to))
            .map_err(|e| ModelError::io(self.path, e))?;
        Ok(())
    }

    /// Walks tensor headers to the end of the file; returns (tensors, parameters).
    fn tensor_table(&mut self) -> Result<(usize, u64), ModelError> {
        let (mut tensors, mut parameters) = (0, 0u64);
        while self.pos()? < self.size {
            let (n_dims, name_len, ttype) = (
                self.i32("a tensor")?,
                self.i32("a tensor")?,
                self.i32("a tensor")?,
            );
            if !(1..=4).contains(&n_dims) || !(1..=1024).contains(&name_len) {
                return Err(self.bad(format!(
                    "tensor header ({n_dims} dims, name of {name_len} bytes)"
                )));
            }
            let mut dims = Vec::with_capacity(n_dims as usize);
            for _ in 0..n_dims {
                let d = self.i32("a tensor")?;
                if d <= 0 {
                    return Err(self.bad(format!("tensor dimension {d}")));
                }
                dims.push(d as u64);
            }
            self.skip(name_len as u64, "a tensor name")?;
            let rows: u64 = dims[1..].iter().product();
            let bytes = quantize::tensor_bytes(ttype, dims[0], rows)
                .ok_or_else(|| self.bad(format!("tensor of unknown type {ttype}")))?;
            self.skip(bytes, "tensor data")?;
            tensors += 1;
            parameters += dims[0] * rows;
        }
        Ok((tensors, parameters))
    }

    fn read_error(&self, e: std::io::Error, what: &str) -> ModelError {
        if e.kind() == std::io::ErrorKind::UnexpectedEof {
            self.truncated(what)
        } else {
            ModelError::io(self.path, e)
        }
    }

    fn truncated(&self, what: &str) -> ModelError {
        ModelError::Truncated {
            path: self.path.to_path_buf(),
            what: what.to_string(),
        }
    }

    fn bad(&self, reason: String) -> ModelError {
        ModelError::NotAModel {
            path: self.path.to_path_buf(),
            reason,
        }
    }
}
