//! Builds small synthetic CTranslate2 Whisper models (binary version 6) for tests:
//! valid ones of any dimensions, and deliberately broken ones; and where the
//! reference converter that checks kuulas's importer lives.
#![allow(dead_code)] // each test file uses its own part of this module

use std::path::Path;

pub struct Var {
    pub name: String,
    pub shape: Vec<u32>,
    /// CTranslate2 dtype code: 0 float32, 1 int8, 2 int16, 4 float16.
    pub dtype: u8,
    pub data: Vec<u8>,
}

pub struct Dims {
    pub d: usize,
    pub n_mels: usize,
    pub layers: usize,
    pub vocab: usize,
    pub audio_ctx: usize,
    pub text_ctx: usize,
}

impl Dims {
    /// Not any real Whisper: 128 mels like large-v3, tiny everything else.
    pub fn tiny() -> Dims {
        Dims {
            d: 64,
            n_mels: 128,
            layers: 2,
            vocab: 300,
            audio_ctx: 30,
            text_ctx: 16,
        }
    }
}

/// Deterministic pseudo-random float32 values, distinct per tensor.
fn f32_var(name: &str, shape: &[usize], seed: &mut u64) -> Var {
    let n: usize = shape.iter().product();
    let mut data = Vec::with_capacity(n * 4);
    for _ in 0..n {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let v = ((*seed >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 0.2;
        data.extend_from_slice(&v.to_le_bytes());
    }
    Var {
        name: name.into(),
        shape: shape.iter().map(|&d| d as u32).collect(),
        dtype: 0,
        data,
    }
}

/// Every variable a CTranslate2 WhisperSpec has, float32, plus the head-count scalars.
pub fn whisper_vars(dims: &Dims) -> Vec<Var> {
    let Dims {
        d,
        n_mels,
        layers,
        vocab,
        audio_ctx,
        text_ctx,
    } = *dims;
    let mut seed = 7;
    let mut v = Vec::new();
    let mut f = |name: String, shape: &[usize]| v.push(f32_var(&name, shape, &mut seed));
    f("encoder/conv1/weight".into(), &[d, n_mels, 3]);
    f("encoder/conv1/bias".into(), &[d]);
    f("encoder/conv2/weight".into(), &[d, d, 3]);
    f("encoder/conv2/bias".into(), &[d]);
    f(
        "encoder/position_encodings/encodings".into(),
        &[audio_ctx, d],
    );
    f("decoder/embeddings/weight".into(), &[vocab, d]);
    f(
        "decoder/position_encodings/encodings".into(),
        &[text_ctx, d],
    );
    for side in ["encoder", "decoder"] {
        for i in 0..layers {
            let c = format!("{side}/layer_{i}");
            f(format!("{c}/self_attention/linear_0/weight"), &[3 * d, d]);
            f(format!("{c}/self_attention/linear_0/bias"), &[3 * d]);
            f(format!("{c}/self_attention/linear_1/weight"), &[d, d]);
            f(format!("{c}/self_attention/linear_1/bias"), &[d]);
            let mut norms = vec![
                format!("{c}/self_attention/layer_norm"),
                format!("{c}/ffn/layer_norm"),
            ];
            if side == "decoder" {
                f(format!("{c}/attention/linear_0/weight"), &[d, d]);
                f(format!("{c}/attention/linear_0/bias"), &[d]);
                f(format!("{c}/attention/linear_1/weight"), &[2 * d, d]);
                f(format!("{c}/attention/linear_1/bias"), &[2 * d]);
                f(format!("{c}/attention/linear_2/weight"), &[d, d]);
                f(format!("{c}/attention/linear_2/bias"), &[d]);
                norms.push(format!("{c}/attention/layer_norm"));
            }
            f(format!("{c}/ffn/linear_0/weight"), &[4 * d, d]);
            f(format!("{c}/ffn/linear_0/bias"), &[4 * d]);
            f(format!("{c}/ffn/linear_1/weight"), &[d, 4 * d]);
            f(format!("{c}/ffn/linear_1/bias"), &[d]);
            for n in norms {
                f(format!("{n}/gamma"), &[d]);
                f(format!("{n}/beta"), &[d]);
            }
        }
        f(format!("{side}/layer_norm/gamma"), &[d]);
        f(format!("{side}/layer_norm/beta"), &[d]);
    }
    for side in ["encoder", "decoder"] {
        v.push(Var {
            name: format!("{side}/num_heads"),
            shape: vec![],
            dtype: 2,
            data: ((d / 64).max(1) as i16).to_le_bytes().to_vec(),
        });
    }
    v
}

fn string(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&(s.len() as u16 + 1).to_le_bytes());
    out.extend_from_slice(s.as_bytes());
    out.push(0);
}

/// Serializes a CTranslate2 model.bin with `spec` and the projection aliased to the embeddings.
pub fn model_bin(spec: &str, vars: &[Var]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&6u32.to_le_bytes());
    string(&mut out, spec);
    out.extend_from_slice(&3u32.to_le_bytes());
    out.extend_from_slice(&(vars.len() as u32).to_le_bytes());
    for v in vars {
        string(&mut out, &v.name);
        out.push(v.shape.len() as u8);
        for d in &v.shape {
            out.extend_from_slice(&d.to_le_bytes());
        }
        out.push(v.dtype);
        out.extend_from_slice(&(v.data.len() as u32).to_le_bytes());
        out.extend_from_slice(&v.data);
    }
    out.extend_from_slice(&1u32.to_le_bytes());
    string(&mut out, "decoder/projection/weight");
    string(&mut out, "decoder/embeddings/weight");
    out
}

/// A vocabulary.txt of `n` byte-level BPE tokens (printable ASCII and `Ġ`-prefixed words).
pub fn vocabulary(n: usize) -> String {
    (0..n)
        .map(|i| {
            if i % 2 == 0 {
                format!("t{i}\n")
            } else {
                format!("Ġw{i}\n")
            }
        })
        .collect()
}

/// Writes a complete synthetic model directory: model.bin + vocabulary.txt.
pub fn write_model_dir(dir: &Path, dims: &Dims) {
    std::fs::create_dir_all(dir).unwrap();
    std::fs::write(
        dir.join("model.bin"),
        model_bin("WhisperSpec", &whisper_vars(dims)),
    )
    .unwrap();
    std::fs::write(dir.join("vocabulary.txt"), vocabulary(dims.vocab)).unwrap();
}

/// The reference CTranslate2 → ggml converter (`shared/tools/` beside the project
/// root) and a Python that can run it (`KUULAS_REFERENCE_PYTHON`, else `python3`),
/// or `None` with the reason printed. Under `KUULAS_REQUIRE_REFERENCE=1` (the test
/// command sets it) a missing converter or numpy fails the test instead.
pub fn reference_converter() -> Option<(std::path::PathBuf, std::path::PathBuf)> {
    let script =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/tools/ct2_to_ggml_reference.py");
    let python = std::env::var_os("KUULAS_REFERENCE_PYTHON")
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| "python3".into());
    let numpy = std::process::Command::new(&python)
        .args(["-c", "import numpy"])
        .status()
        .is_ok_and(|s| s.success());
    if script.is_file() && numpy {
        return Some((python, script));
    }
    let why = format!(
        "needs {} and numpy in {}",
        script.display(),
        python.display()
    );
    assert!(
        std::env::var_os("KUULAS_REQUIRE_REFERENCE").is_none(),
        "KUULAS_REQUIRE_REFERENCE is set but the reference converter cannot run: {why}"
    );
    eprintln!("SKIPPED: {why}");
    None
}
