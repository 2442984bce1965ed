//! Reader for CTranslate2's `model.bin` (binary version 6): the file, or its parts
//! `model.bin.part1`, `model.bin.part2`, … read as one logical file, memory-mapped so
//! that tensors are borrowed from the page cache rather than copied.
//!
//! Layout (little endian): u32 version, string spec, u32 spec revision, u32 count,
//! then per variable: string name, u8 rank, u32 dims…, u8 dtype, u32 byte count,
//! bytes; then u32 alias count and (alias, target) string pairs. Strings are a u16
//! length followed by that many bytes, NUL-terminated.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use memmap2::Mmap;

use crate::model::error::ModelError;

const SUPPORTED_VERSION: u32 = 6;
pub(crate) const WHISPER_SPEC: &str = "WhisperSpec";

/// Element type of a CTranslate2 variable (its on-disk code is the enum index).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Dtype {
    F32,
    I8,
    I16,
    I32,
    F16,
    Bf16,
}

impl Dtype {
    fn from_code(code: u8) -> Option<Dtype> {
        Some(match code {
            0 => Dtype::F32,
            1 => Dtype::I8,
            2 => Dtype::I16,
            3 => Dtype::I32,
            4 => Dtype::F16,
            5 => Dtype::Bf16,
            _ => return None,
        })
    }

    pub(crate) fn size(self) -> usize {
        match self {
            Dtype::I8 => 1,
            Dtype::I16 | Dtype::F16 | Dtype::Bf16 => 2,
            Dtype::F32 | Dtype::I32 => 4,
        }
    }

    pub(crate) fn name(self) -> &'static str {
        match self {
            Dtype::F32 => "float32",
            Dtype::I8 => "int8",
            Dtype::I16 => "int16",
            Dtype::I32 => "int32",
            Dtype::F16 => "float16",
            Dtype::Bf16 => "bfloat16",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Variable {
    pub name: String,
    pub shape: Vec<usize>,
    pub dtype: Dtype,
    offset: usize,
    len: usize,
}

impl Variable {
    pub(crate) fn elements(&self) -> usize {
        self.shape.iter().product()
    }
}

/// One part of the logical file.
struct Part {
    path: PathBuf,
    start: usize,
    map: Mmap,
}

/// A parsed CTranslate2 model; tensor bytes stay in the mapped files.
pub(crate) struct Ct2Model {
    parts: Vec<Part>,
    len: usize,
    pub spec_revision: u32,
    vars: HashMap<String, Variable>,
    aliases: HashMap<String, String>,
}

/// The model file(s) in a CTranslate2 directory, in logical order.
pub(crate) fn model_files(dir: &Path) -> Result<Vec<PathBuf>, ModelError> {
    if !dir.is_dir() {
        let reason = if dir.exists() {
            "not a directory"
        } else {
            "does not exist"
        };
        return Err(ModelError::NotCt2Dir {
            dir: dir.to_path_buf(),
            reason: reason.into(),
        });
    }
    let whole = dir.join("model.bin");
    if whole.is_file() {
        return Ok(vec![whole]);
    }
    let parts: Vec<PathBuf> = (1..)
        .map(|i| dir.join(format!("model.bin.part{i}")))
        .take_while(|p| p.is_file())
        .collect();
    match parts.len() {
        0 => Err(ModelError::NotCt2Dir {
            dir: dir.to_path_buf(),
            reason: "no model.bin and no model.bin.part1".into(),
        }),
        1 => Err(ModelError::NotCt2Dir {
            dir: dir.to_path_buf(),
            reason: "model.bin.part1 is there but model.bin.part2 is missing".into(),
        }),
        _ => Ok(parts),
    }
}

impl Ct2Model {
    /// Maps and parses the model in `dir`.
    pub(crate) fn open_dir(dir: &Path) -> Result<Ct2Model, ModelError> {
        Ct2Model::open_files(&model_files(dir)?)
    }

    /// Maps `files` as one logical file and parses the header and variable index.
    pub(crate) fn open_files(files: &[PathBuf]) -> Result<Ct2Model, ModelError> {
        let mut parts = Vec::with_capacity(files.len());
        let mut start = 0;
        for path in files {
            let file = File::open(path).map_err(|e| ModelError::io(path, e))?;
            let size = file.metadata().map_err(|e| ModelError::io(path, e))?.len();
            if size == 0 {
                return Err(ModelError::Truncated {
                    path: path.clone(),
                    what: "the header (file is empty)".into(),
                });
            }
            // SAFETY: the file is opened read-only; kuulas never writes model inputs, and a
            // file truncated under us by another process is outside what we can defend.
            let map = unsafe { Mmap::map(&file) }.map_err(|e| ModelError::io(path, e))?;
            parts.push(Part {
                path: path.clone(),
                start,
                map,
            });
            start += size as usize;
        }
        check_part_order(&parts)?;
        let mut model = Ct2Model {
            parts,
            len: start,
            spec_revision: 0,
            vars: HashMap::new(),
            aliases: HashMap::new(),
        };
        model.parse_index()?;
        Ok(model)
    }

    fn parse_index(&mut self) -> Result<(), ModelError> {
        let mut c = Cursor {
            model: self,
            pos: 0,
        };
        let version = c.u32("the version")?;
        if version != SUPPORTED_VERSION {
            let path = self.parts[0].path.clone();
            // Small numbers are other CTranslate2 versions; anything else is not CT2 at all.
            return Err(if (1..=20).contains(&version) {
                ModelError::UnsupportedVersion {
                    path,
                    found: version,
                }
            } else {
                ModelError::NotCt2File { path }
            });
        }
        let spec = c.string("the spec name")?;
        if spec != WHISPER_SPEC {
            return Err(ModelError::UnsupportedSpec {
                path: self.parts[0].path.clone(),
                spec,
            });
        }
        let revision = c.u32("the spec revision")?;
        let count = c.u32("the variable count")?;
        let mut vars = HashMap::new();
        for _ in 0..count {
            let var = c.variable()?;
            vars.insert(var.name.clone(), var);
        }
        let alias_count = c.u32("the alias count")?;
        let mut aliases = HashMap::new();
        for _ in 0..alias_count {
            let alias = c.string("an alias name")?;
            let target = c.string("an alias target")?;
            aliases.insert(alias, target);
        }
        if c.pos != self.len {
            let path = self
                .parts
                .last()
                .map(|p| p.path.clone())
                .unwrap_or_default();
            return Err(ModelError::malformed(
                path,
                format!("{} unexpected bytes after the last alias", self.len - c.pos),
            ));
        }
        self.spec_revision = revision;
        self.vars = vars;
        self.aliases = aliases;
        Ok(())
    }

    /// The first file of the model, for error messages.
    pub(crate) fn path(&self) -> &Path {
        &self.parts[0].path
    }

    /// The variable `name`, following aliases (e.g. the projection shares the embeddings).
    pub(crate) fn var(&self, name: &str) -> Result<&Variable, ModelError> {
        self.try_var(name).ok_or_else(|| ModelError::MissingTensor {
            path: self.path().to_path_buf(),
            name: name.to_string(),
        })
    }

    pub(crate) fn try_var(&self, name: &str) -> Option<&Variable> {
        self.vars
            .get(name)
            .or_else(|| self.aliases.get(name).and_then(|t| self.vars.get(t)))
    }

    pub(crate) fn variables(&self) -> impl Iterator<Item = &Variable> {
        self.vars.values()
    }

    /// The raw bytes of `var`; borrowed unless it straddles two parts.
    pub(crate) fn bytes(&self, var: &Variable) -> Cow<'_, [u8]> {
        self.slice(var.offset, var.len)
            .expect("variable ranges are checked against the file length when parsed")
    }

    /// An integer scalar such as `encoder/num_heads`, if the model has it.
    pub(crate) fn scalar(&self, name: &str) -> Option<i64> {
        let var = self.try_var(name)?;
        let b = self.bytes(var);
        match (var.dtype, var.elements()) {
            (Dtype::I8, 1) => Some(b[0] as i8 as i64),
            (Dtype::I16, 1) => Some(i16::from_le_bytes([b[0], b[1]]) as i64),
            (Dtype::I32, 1) => Some(i32::from_le_bytes([b[0], b[1], b[2], b[3]]) as i64),
            _ => None,
        }
    }

    fn slice(&self, offset: usize, len: usize) -> Option<Cow<'_, [u8]>> {
        let end = offset.checked_add(len)?;
        if end > self.len {
            return None;
        }
        let i = self.parts.iter().rposition(|p| p.start <= offset)?;
        let part = &self.parts[i];
        let local = offset - part.start;
        if local + len <= part.map.len() {
            return Some(Cow::Borrowed(&part.map[local..local + len]));
        }
        let mut out = Vec::with_capacity(len);
        for p in &self.parts[i..] {
            let from = offset.saturating_sub(p.start);
            let to = (end - p.start).min(p.map.len());
            if from < to {
                out.extend_from_slice(&p.map[from..to]);
            }
        }
        Some(Cow::Owned(out))
    }

    fn path_at(&self, offset: usize) -> PathBuf {
        let i = self
            .parts
            .iter()
            .rposition(|p| p.start <= offset)
            .unwrap_or(0);
        self.parts[i.min(self.parts.len() - 1)].path.clone()
    }
}

/// A model split in parts must start with the header in the first part; if another
/// part holds the header, the parts were named in the wrong order.
fn check_part_order(parts: &[Part]) -> Result<(), ModelError> {
    let starts_header =
        |p: &Part| p.map.len() >= 4 && p.map[..4] == SUPPORTED_VERSION.to_le_bytes();
    if parts.len() < 2 || starts_header(&parts[0]) {
        return Ok(());
    }
    match parts[1..].iter().find(|p| starts_header(p)) {
        Some(actual) => Err(ModelError::WrongPartOrder {
            first: parts[0].path.clone(),
            actual_first: actual.path.clone(),
        }),
        None => Ok(()),
    }
}

struct Cursor<'a> {
    model: &'a Ct2Model,
    pos: usize,
}

impl Cursor<'_> {
    fn take(&mut self, len: usize, what: &str) -> Result<Cow<'_, [u8]>, ModelError> {
        match self.model.slice(self.pos, len) {
            Some(b) => {
                self.pos += len;
                Ok(b)
            }
            None => Err(ModelError::Truncated {
                path: self.model.path_at(self.model.len.saturating_sub(1)),
                what: what.to_string(),
            }),
        }
    }

    fn u8(&mut self, what: &str) -> Result<u8, ModelError> {
        Ok(self.take(1, what)?[0])
    }

    fn u16(&mut self, what: &str) -> Result<u16, ModelError> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }

    fn u32(&mut self, what: &str) -> Result<u32, ModelError> {
        let b = self.take(4, what)?;
        Ok(u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }

    fn string(&mut self, what: &str) -> Result<String, ModelError> {
        let len = self.u16(what)? as usize;
        let at = self.pos;
        let bytes = self.take(len, what)?.into_owned();
        let trimmed = bytes.strip_suffix(&[0]).unwrap_or(&bytes);
        String::from_utf8(trimmed.to_vec()).map_err(|_| {
            ModelError::malformed(self.model.path_at(at), format!("{what} is not UTF-8 text"))
        })
    }

    fn variable(&mut self) -> Result<Variable, ModelError> {
        let name = self.string("a tensor name")?;
        let what = format!("tensor {name}");
        let rank = self.u8(&what)?;
        if rank > 8 {
            return Err(self.bad(format!("tensor {name} has rank {rank}")));
        }
        let mut shape = Vec::with_capacity(rank as usize);
        for _ in 0..rank {
            shape.push(self.u32(&what)? as usize);
        }
        let code = self.u8(&what)?;
        let dtype = Dtype::from_code(code)
            .ok_or_else(|| self.bad(format!("tensor {name} has unknown type code {code}")))?;
        let len = self.u32(&what)? as usize;
        let expected = shape.iter().product::<usize>() * dtype.size();
        if len != expected {
            return Err(self.bad(format!(
                "tensor {name} holds {len} bytes, its shape {shape:?} needs {expected}"
            )));
        }
        let offset = self.pos;
        self.take(len, &what)?;
        Ok(Variable {
            name,
            shape,
            dtype,
            offset,
            len,
        })
    }

    fn bad(&self, reason: String) -> ModelError {
        ModelError::malformed(self.model.path_at(self.pos), reason)
    }
}
