//! The tensor map from CTranslate2's Whisper variable names to whisper.cpp's
//! (OpenAI checkpoint) names, in the order whisper.cpp's converters write them.
//!
//! CTranslate2 fuses attention projections: self-attention Q, K, V into
//! `self_attention/linear_0` and cross-attention K, V into `attention/linear_1`.
//! whisper.cpp wants them apart, and has no key bias (Whisper's K has none).

use crate::model::ct2::{Ct2Model, Variable};
use crate::model::error::ModelError;
use crate::model::ggml::Hparams;

/// One output tensor: rows block `index` of `of` equal blocks of a CTranslate2 variable
/// (`of == 1`: the whole variable).
pub(crate) struct Planned<'a> {
    pub name: String,
    pub var: &'a Variable,
    pub index: usize,
    pub of: usize,
}

/// Every tensor of the ggml file, in file order.
pub(crate) fn plan<'a>(model: &'a Ct2Model, h: &Hparams) -> Result<Vec<Planned<'a>>, ModelError> {
    let mut p = Planner {
        model,
        out: Vec::new(),
    };
    for conv in ["conv1", "conv2"] {
        p.whole(
            format!("encoder.{conv}.weight"),
            &format!("encoder/{conv}/weight"),
        )?;
        p.whole(
            format!("encoder.{conv}.bias"),
            &format!("encoder/{conv}/bias"),
        )?;
    }
    p.whole(
        "encoder.positional_embedding".into(),
        "encoder/position_encodings/encodings",
    )?;
    for i in 0..h.n_audio_layer {
        let (o, c) = (format!("encoder.blocks.{i}"), format!("encoder/layer_{i}"));
        p.self_attention(&o, &c)?;
        p.mlp(&o, &c)?;
    }
    p.layer_norm("encoder.ln_post", "encoder/layer_norm")?;
    p.whole(
        "decoder.positional_embedding".into(),
        "decoder/position_encodings/encodings",
    )?;
    p.whole(
        "decoder.token_embedding.weight".into(),
        "decoder/embeddings/weight",
    )?;
    for i in 0..h.n_text_layer {
        let (o, c) = (format!("decoder.blocks.{i}"), format!("decoder/layer_{i}"));
        p.self_attention(&o, &c)?;
        p.cross_attention(&o, &c)?;
        p.mlp(&o, &c)?;
    }
    p.layer_norm("decoder.ln", "decoder/layer_norm")?;
    Ok(p.out)
}

struct Planner<'a> {
    model: &'a Ct2Model,
    out: Vec<Planned<'a>>,
}

impl<'a> Planner<'a> {
    fn part(&mut self, name: String, ct: &str, index: usize, of: usize) -> Result<(), ModelError> {
        let var = self.model.var(ct)?;
        if var.shape.first().is_none_or(|rows| rows % of != 0) {
            return Err(ModelError::malformed(
                self.model.path(),
                format!(
                    "tensor {ct} with shape {:?} cannot be split in {of}",
                    var.shape
                ),
            ));
        }
        self.out.push(Planned {
            name,
            var,
            index,
            of,
        });
        Ok(())
    }

    fn whole(&mut self, name: String, ct: &str) -> Result<(), ModelError> {
        self.part(name, ct, 0, 1)
    }

    /// Q, K, V, then the output projection; then the attention's layer norm.
    fn self_attention(&mut self, o: &str, c: &str) -> Result<(), ModelError> {
        let (w, b) = (
            format!("{c}/self_attention/linear_0/weight"),
            format!("{c}/self_attention/linear_0/bias"),
        );
        self.part(format!("{o}.attn.query.weight"), &w, 0, 3)?;
        self.part(format!("{o}.attn.query.bias"), &b, 0, 3)?;
        self.part(format!("{o}.attn.key.weight"), &w, 1, 3)?;
        self.part(format!("{o}.attn.value.weight"), &w, 2, 3)?;
        self.part(format!("{o}.attn.value.bias"), &b, 2, 3)?;
        self.whole(
            format!("{o}.attn.out.weight"),
            &format!("{c}/self_attention/linear_1/weight"),
        )?;
        self.whole(
            format!("{o}.attn.out.bias"),
            &format!("{c}/self_attention/linear_1/bias"),
        )?;
        self.layer_norm(
            &format!("{o}.attn_ln"),
            &format!("{c}/self_attention/layer_norm"),
        )
    }

    /// Q alone in `linear_0`, K and V fused in `linear_1`, output in `linear_2`.
    fn cross_attention(&mut self, o: &str, c: &str) -> Result<(), ModelError> {
        let a = format!("{c}/attention");
        self.whole(
            format!("{o}.cross_attn.query.weight"),
            &format!("{a}/linear_0/weight"),
        )?;
        self.whole(
            format!("{o}.cross_attn.query.bias"),
            &format!("{a}/linear_0/bias"),
        )?;
        self.part(
            format!("{o}.cross_attn.key.weight"),
            &format!("{a}/linear_1/weight"),
            0,
            2,
        )?;
        self.part(
            format!("{o}.cross_attn.value.weight"),
            &format!("{a}/linear_1/weight"),
            1,
            2,
        )?;
        self.part(
            format!("{o}.cross_attn.value.bias"),
            &format!("{a}/linear_1/bias"),
            1,
            2,
        )?;
        self.whole(
            format!("{o}.cross_attn.out.weight"),
            &format!("{a}/linear_2/weight"),
        )?;
        self.whole(
            format!("{o}.cross_attn.out.bias"),
            &format!("{a}/linear_2/bias"),
        )?;
        self.layer_norm(&format!("{o}.cross_attn_ln"), &format!("{a}/layer_norm"))
    }

    fn mlp(&mut self, o: &str, c: &str) -> Result<(), ModelError> {
        for (out, ct) in [("0", "linear_0"), ("2", "linear_1")] {
            self.whole(
                format!("{o}.mlp.{out}.weight"),
                &format!("{c}/ffn/{ct}/weight"),
            )?;
            self.whole(format!("{o}.mlp.{out}.bias"), &format!("{c}/ffn/{ct}/bias"))?;
        }
        self.layer_norm(&format!("{o}.mlp_ln"), &format!("{c}/ffn/layer_norm"))
    }

    fn layer_norm(&mut self, o: &str, c: &str) -> Result<(), ModelError> {
        self.whole(format!("{o}.weight"), &format!("{c}/gamma"))?;
        self.whole(format!("{o}.bias"), &format!("{c}/beta"))
    }
}
