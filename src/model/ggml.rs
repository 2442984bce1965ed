//! Writer of whisper.cpp's ggml model format from a CTranslate2 Whisper model.
//!
//! Layout (little endian i32s): magic `ggml`, eleven hparams, the mel filterbank
//! (`n_mels`, `n_fft/2+1`, f32 weights), the base vocabulary (count, then length +
//! bytes per token), then every tensor: dims, name length, type, dims innermost
//! first, name, data. Names, order, shapes and types follow OpenAI's checkpoint as
//! whisper.cpp's converters write it: CTranslate2's fused Q/K/V are split back,
//! conv biases become `[n, 1]`, 1-D tensors and positional embeddings stay f32.
//! Tensors are streamed one at a time from the mapped input.

use std::borrow::Cow;
use std::io::Write;

use crate::model::ct2::{Ct2Model, Dtype};
use crate::model::error::ModelError;
use crate::model::mel;
use crate::model::quantize::{self, GGML_TYPE_F16, GGML_TYPE_F32, Quantization};
use crate::model::tensors::{self, Planned};

const GGML_MAGIC: i32 = 0x6767_6d6c;
/// Tensors whisper.cpp keeps in f32 whatever the file type (and never quantizes).
const KEEP_F32: [&str; 4] = [
    "encoder.conv1.bias",
    "encoder.conv2.bias",
    "encoder.positional_embedding",
    "decoder.positional_embedding",
];

/// A ggml Whisper file's hyperparameters, in header order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Hparams {
    pub n_vocab: i32,
    pub n_audio_ctx: i32,
    pub n_audio_state: i32,
    pub n_audio_head: i32,
    pub n_audio_layer: i32,
    pub n_text_ctx: i32,
    pub n_text_state: i32,
    pub n_text_head: i32,
    pub n_text_layer: i32,
    pub n_mels: i32,
    pub ftype: i32,
}

impl Hparams {
    pub(crate) fn to_array(self) -> [i32; 11] {
        [
            self.n_vocab,
            self.n_audio_ctx,
            self.n_audio_state,
            self.n_audio_head,
            self.n_audio_layer,
            self.n_text_ctx,
            self.n_text_state,
            self.n_text_head,
            self.n_text_layer,
            self.n_mels,
            self.ftype,
        ]
    }

    pub(crate) fn from_array(a: [i32; 11]) -> Hparams {
        let [
            n_vocab,
            n_audio_ctx,
            n_audio_state,
            n_audio_head,
            n_audio_layer,
            n_text_ctx,
            n_text_state,
            n_text_head,
            n_text_layer,
            n_mels,
            ftype,
        ] = a;
        Hparams {
            n_vocab,
            n_audio_ctx,
            n_audio_state,
            n_audio_head,
            n_audio_layer,
            n_text_ctx,
            n_text_state,
            n_text_head,
            n_text_layer,
            n_mels,
            ftype,
        }
    }
}

/// Reads the dimensions off the model's tensors: nothing is assumed about its size.
pub(crate) fn hparams(model: &Ct2Model, ftype: i32) -> Result<Hparams, ModelError> {
    let dims = |name: &str, rank: usize| -> Result<Vec<usize>, ModelError> {
        let var = model.var(name)?;
        if var.shape.len() != rank {
            return Err(ModelError::malformed(
                model.path(),
                format!(
                    "tensor {name} has shape {:?}, expected rank {rank}",
                    var.shape
                ),
            ));
        }
        Ok(var.shape.clone())
    };
    let conv1 = dims("encoder/conv1/weight", 3)?;
    let embed = dims("decoder/embeddings/weight", 2)?;
    let audio_ctx = dims("encoder/position_encodings/encodings", 2)?[0];
    let text_ctx = dims("decoder/position_encodings/encodings", 2)?[0];
    let (n_audio_state, n_text_state) = (conv1[0], embed[1]);
    // Whisper's heads are 64 wide; the model's own head count wins when it has one.
    let heads = |side: &str, state: usize| {
        model
            .scalar(&format!("{side}/num_heads"))
            .map_or(state / 64, |h| h as usize)
    };
    let to_i32 = |v: usize| {
        i32::try_from(v)
            .map_err(|_| ModelError::malformed(model.path(), format!("dimension {v} is too large")))
    };
    Ok(Hparams {
        n_vocab: to_i32(embed[0])?,
        n_audio_ctx: to_i32(audio_ctx)?,
        n_audio_state: to_i32(n_audio_state)?,
        n_audio_head: to_i32(heads("encoder", n_audio_state))?,
        n_audio_layer: to_i32(layer_count(model, "encoder"))?,
        n_text_ctx: to_i32(text_ctx)?,
        n_text_state: to_i32(n_text_state)?,
        n_text_head: to_i32(heads("decoder", n_text_state))?,
        n_text_layer: to_i32(layer_count(model, "decoder"))?,
        n_mels: to_i32(conv1[1])?,
        ftype,
    })
}

/// Distinct `{side}/layer_N/` prefixes.
fn layer_count(model: &Ct2Model, side: &str) -> usize {
    let prefix = format!("{side}/layer_");
    let mut layers: Vec<&str> = model
        .variables()
        .filter_map(|v| v.name.strip_prefix(&prefix))
        .filter_map(|rest| rest.split_once('/').map(|(n, _)| n))
        .filter(|n| !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    layers.sort_unstable();
    layers.dedup();
    layers.len()
}

/// Counts of what `write` put in the file.
pub(crate) struct Written {
    pub tensors: usize,
    pub parameters: u64,
}

/// Writes the whole ggml file for `model` to `out`; `quant` quantizes the matrices.
pub(crate) fn write(
    model: &Ct2Model,
    h: &Hparams,
    vocab: &[Vec<u8>],
    quant: Option<Quantization>,
    out: &mut dyn Write,
) -> Result<Written, WriteError> {
    let plan = tensors::plan(model, h)?;
    write_i32s(out, &[GGML_MAGIC])?;
    write_i32s(out, &h.to_array())?;
    let n_bins = mel::N_FFT / 2 + 1;
    let filters = mel::slaney_filterbank(h.n_mels as usize, mel::N_FFT, mel::SAMPLE_RATE);
    write_i32s(out, &[h.n_mels, n_bins as i32])?;
    out.write_all(&f32_bytes(&filters))?;
    write_i32s(out, &[vocab.len() as i32])?;
    for token in vocab {
        write_i32s(out, &[token.len() as i32])?;
        out.write_all(token)?;
    }
    let mut parameters = 0;
    for t in &plan {
        parameters += write_tensor(model, t, quant, out)?;
    }
    Ok(Written {
        tensors: plan.len(),
        parameters,
    })
}

/// A failure while writing: a bad model, or the output could not be written.
pub(crate) enum WriteError {
    Model(ModelError),
    Io(std::io::Error),
}

impl From<ModelError> for WriteError {
    fn from(e: ModelError) -> Self {
        WriteError::Model(e)
    }
}

impl From<std::io::Error> for WriteError {
    fn from(e: std::io::Error) -> Self {
        WriteError::Io(e)
    }
}

/// Writes one tensor's header and data; returns its element count.
fn write_tensor(
    model: &Ct2Model,
    t: &Planned,
    quant: Option<Quantization>,
    out: &mut dyn Write,
) -> Result<u64, WriteError> {
    let var = t.var;
    if !matches!(var.dtype, Dtype::F16 | Dtype::F32 | Dtype::Bf16) {
        return Err(ModelError::UnsupportedDtype {
            path: model.path().to_path_buf(),
            name: var.name.clone(),
            dtype: var.dtype.name().to_string(),
        }
        .into());
    }
    let all = model.bytes(var);
    let block = all.len() / t.of;
    let bytes = &all[t.index * block..(t.index + 1) * block];
    let mut shape = var.shape.clone();
    shape[0] /= t.of;
    let elements: usize = shape.iter().product();
    // numpy's reshape(-1, 1) for conv biases, squeeze() for everything else.
    let shape: Vec<usize> = if t.name.starts_with("encoder.conv") && t.name.ends_with(".bias") {
        vec![elements, 1]
    } else {
        shape.into_iter().filter(|&d| d != 1).collect()
    };
    let keep_f32 = shape.len() < 2 || KEEP_F32.contains(&t.name.as_str());
    let (ttype, data): (i32, Cow<[u8]>) = match quant {
        _ if keep_f32 => (
            GGML_TYPE_F32,
            Cow::Owned(f32_bytes(&to_f32(bytes, var.dtype))),
        ),
        Some(q) if shape.len() == 2 => {
            let values = to_f32(bytes, var.dtype);
            (
                q.ggml_type(),
                Cow::Owned(quantize::quantize(q, &t.name, &values, shape[1])?),
            )
        }
        _ if var.dtype == Dtype::F16 => (GGML_TYPE_F16, Cow::Borrowed(bytes)),
        _ => (
            GGML_TYPE_F16,
            Cow::Owned(f16_bytes(&to_f32(bytes, var.dtype))),
        ),
    };
    write_i32s(out, &[shape.len() as i32, t.name.len() as i32, ttype])?;
    let dims: Vec<i32> = shape.iter().rev().map(|&d| d as i32).collect();
    write_i32s(out, &dims)?;
    out.write_all(t.name.as_bytes())?;
    out.write_all(&data)?;
    Ok(elements as u64)
}

fn to_f32(bytes: &[u8], dtype: Dtype) -> Vec<f32> {
    match dtype {
        Dtype::F32 => bytes
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
        Dtype::Bf16 => bytes
            .chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        _ => bytes
            .chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
    }
}

fn f32_bytes(values: &[f32]) -> Vec<u8> {
    values.iter().flat_map(|v| v.to_le_bytes()).collect()
}

/// Round-to-nearest-even, as numpy's `astype(float16)`.
fn f16_bytes(values: &[f32]) -> Vec<u8> {
    values
        .iter()
        .flat_map(|&v| half::f16::from_f32(v).to_le_bytes())
        .collect()
}

fn write_i32s(out: &mut dyn Write, values: &[i32]) -> std::io::Result<()> {
    let bytes: Vec<u8> = values.iter().flat_map(|v| v.to_le_bytes()).collect();
    out.write_all(&bytes)
}
