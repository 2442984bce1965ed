//! ggml tensor types and quantization through ggml's own quantizer
//! (`ggml_quantize_chunk`), so a quantized file is what whisper.cpp's `quantize`
//! tool would write. The only place in `model` that calls into ggml.

use std::str::FromStr;

use crate::model::error::ModelError;

/// GGML_QNT_VERSION and GGML_QNT_VERSION_FACTOR: whisper.cpp's quantize tool writes
/// `ftype = version * factor + GGML_FTYPE_*` into a quantized file's header.
const QNT_VERSION: i32 = whisper_rs_sys::GGML_QNT_VERSION as i32;
const QNT_VERSION_FACTOR: i32 = whisper_rs_sys::GGML_QNT_VERSION_FACTOR as i32;

pub(crate) const GGML_TYPE_F32: i32 = 0;
pub(crate) const GGML_TYPE_F16: i32 = 1;

/// The integer quantizations whisper.cpp's quantize tool offers for Whisper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantization {
    Q8_0,
    Q5_0,
    Q5_1,
    Q4_0,
    Q4_1,
}

impl Quantization {
    pub const ALL: [Quantization; 5] = [
        Quantization::Q8_0,
        Quantization::Q5_0,
        Quantization::Q5_1,
        Quantization::Q4_0,
        Quantization::Q4_1,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Quantization::Q8_0 => "q8_0",
            Quantization::Q5_0 => "q5_0",
            Quantization::Q5_1 => "q5_1",
            Quantization::Q4_0 => "q4_0",
            Quantization::Q4_1 => "q4_1",
        }
    }

    /// The `ggml_type` of quantized tensors.
    pub(crate) fn ggml_type(self) -> i32 {
        (match self {
            Quantization::Q8_0 => whisper_rs_sys::ggml_type_GGML_TYPE_Q8_0,
            Quantization::Q5_0 => whisper_rs_sys::ggml_type_GGML_TYPE_Q5_0,
            Quantization::Q5_1 => whisper_rs_sys::ggml_type_GGML_TYPE_Q5_1,
            Quantization::Q4_0 => whisper_rs_sys::ggml_type_GGML_TYPE_Q4_0,
            Quantization::Q4_1 => whisper_rs_sys::ggml_type_GGML_TYPE_Q4_1,
        }) as i32
    }

    /// The `ftype` header field, versioned as whisper.cpp's quantize tool writes it.
    pub(crate) fn header_ftype(self) -> i32 {
        let ggml_ftype = match self {
            Quantization::Q4_0 => 2,
            Quantization::Q4_1 => 3,
            Quantization::Q8_0 => 7,
            Quantization::Q5_0 => 8,
            Quantization::Q5_1 => 9,
        };
        QNT_VERSION * QNT_VERSION_FACTOR + ggml_ftype
    }
}

impl FromStr for Quantization {
    type Err = ModelError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Quantization::ALL
            .into_iter()
            .find(|q| q.name().eq_ignore_ascii_case(s))
            .ok_or_else(|| ModelError::UnknownQuantization(s.to_string()))
    }
}

/// Names the `ftype` header field: `f16`, `q8_0 (quantization v2)`, ….
pub(crate) fn describe_ftype(ftype: i32) -> String {
    let (version, base) = (ftype / QNT_VERSION_FACTOR, ftype % QNT_VERSION_FACTOR);
    let name = match base {
        0 => "f32",
        1 => "f16",
        2 => "q4_0",
        3 => "q4_1",
        4 => "q4_1 (some f16)",
        7 => "q8_0",
        8 => "q5_0",
        9 => "q5_1",
        10 => "q2_k",
        11 => "q3_k",
        12 => "q4_k",
        13 => "q5_k",
        14 => "q6_k",
        _ => return format!("unknown ftype {ftype}"),
    };
    if version > 0 {
        format!("{name} (quantization v{version})")
    } else {
        name.to_string()
    }
}

/// Bytes of `rows` rows of `n_per_row` elements of tensor type `ttype`, or `None` for a
/// type kuulas does not know or a row that does not fill whole blocks.
pub(crate) fn tensor_bytes(ttype: i32, n_per_row: u64, rows: u64) -> Option<u64> {
    let (block, block_bytes) = match ttype {
        0 => (1, 4),
        1 => (1, 2),
        2 => (32, 18),
        3 => (32, 20),
        6 => (32, 22),
        7 => (32, 24),
        8 => (32, 34),
        _ => return None,
    };
    n_per_row
        .is_multiple_of(block)
        .then(|| n_per_row / block * block_bytes * rows)
}

/// Quantizes `data` (rows of `n_per_row` values) to `q` with ggml's quantizer.
pub(crate) fn quantize(
    q: Quantization,
    name: &str,
    data: &[f32],
    n_per_row: usize,
) -> Result<Vec<u8>, ModelError> {
    let fail = |reason: String| ModelError::Quantize {
        name: name.to_string(),
        qtype: q.name().to_string(),
        reason,
    };
    if n_per_row == 0 || !data.len().is_multiple_of(n_per_row) {
        return Err(fail(format!(
            "{} values do not form rows of {n_per_row}",
            data.len()
        )));
    }
    let rows = data.len() / n_per_row;
    let size = tensor_bytes(q.ggml_type(), n_per_row as u64, rows as u64).ok_or_else(|| {
        fail(format!(
            "rows of {n_per_row} values do not fill 32-value blocks"
        ))
    })?;
    let mut out = vec![0u8; size as usize];
    // SAFETY: `data` holds rows * n_per_row floats and `out` the exact quantized size
    // (checked above); these types need no importance matrix, so null is allowed.
    let written = unsafe {
        whisper_rs_sys::ggml_quantize_chunk(
            q.ggml_type() as whisper_rs_sys::ggml_type,
            data.as_ptr(),
            out.as_mut_ptr().cast(),
            0,
            rows as i64,
            n_per_row as i64,
            std::ptr::null(),
        )
    };
    if written != out.len() {
        return Err(fail(format!(
            "ggml wrote {written} bytes, expected {}",
            out.len()
        )));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftype_is_versioned_like_whisper_cpp_quantize() {
        assert_eq!(Quantization::Q8_0.header_ftype(), 2007);
        assert_eq!(Quantization::Q5_0.header_ftype(), 2008);
        assert_eq!(describe_ftype(2007), "q8_0 (quantization v2)");
        assert_eq!(describe_ftype(1), "f16");
    }

    #[test]
    fn names_parse_back() {
        for q in Quantization::ALL {
            assert_eq!(q.name().parse::<Quantization>().unwrap(), q);
        }
        assert!("q3_0".parse::<Quantization>().is_err());
    }

    #[test]
    fn q8_0_round_trips_within_its_step() {
        let data: Vec<f32> = (0..64).map(|i| (i as f32 - 31.5) / 10.0).collect();
        let out = quantize(Quantization::Q8_0, "t", &data, 64).unwrap();
        assert_eq!(out.len(), 2 * 34);
        // Block 0: f16 scale then 32 signed bytes.
        let d = half::f16::from_le_bytes([out[0], out[1]]).to_f32();
        for (i, &x) in data[..32].iter().enumerate() {
            let q = out[2 + i] as i8 as f32;
            // Half a step of rounding plus the scale's own f16 rounding: within one step.
            assert!((q * d - x).abs() <= d, "{i}: {} vs {x}", q * d);
        }
    }

    #[test]
    fn rows_that_do_not_fill_blocks_are_refused() {
        assert!(quantize(Quantization::Q4_0, "t", &[0.0; 40], 20).is_err());
    }
}
