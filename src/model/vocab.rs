//! The token table written into a ggml Whisper file, from CTranslate2's
//! `vocabulary.txt`.
//!
//! Whisper's tokenizer is GPT-2 style byte-level BPE: every byte is shown as a
//! printable character (`Ġ` for a space, `Ã¤` for the two bytes of `ä`). ggml files
//! hold the raw bytes instead, and only the first 50257 tokens (the GPT-2 base
//! vocabulary): whisper.cpp generates the special and timestamp tokens itself.

use std::collections::HashMap;
use std::path::Path;

use crate::model::error::ModelError;

/// How many tokens the ggml file lists (`<|endoftext|>` is the last of them).
pub(crate) const BASE_VOCAB: usize = 50257;

/// GPT-2's byte → printable character table, inverted: printable character → byte.
fn byte_decoder() -> HashMap<char, u8> {
    let printable = |b: u8| (b'!'..=b'~').contains(&b) || (0xA1..=0xAC).contains(&b) || b >= 0xAE;
    let mut map = HashMap::with_capacity(256);
    let mut shifted = 0u32;
    for b in 0..=255u8 {
        let code = if printable(b) {
            b as u32
        } else {
            shifted += 1;
            255 + shifted
        };
        if let Some(c) = char::from_u32(code) {
            map.insert(c, b);
        }
    }
    map
}

/// Reads `vocabulary.txt` (one token a line) and decodes the base tokens to bytes.
pub(crate) fn read_base_vocab(path: &Path) -> Result<Vec<Vec<u8>>, ModelError> {
    let text = std::fs::read_to_string(path).map_err(|e| ModelError::io(path, e))?;
    decode_tokens(&text, path)
}

fn decode_tokens(text: &str, path: &Path) -> Result<Vec<Vec<u8>>, ModelError> {
    let decoder = byte_decoder();
    let mut tokens = Vec::with_capacity(BASE_VOCAB);
    for (i, line) in text.lines().take(BASE_VOCAB).enumerate() {
        let bytes = line
            .chars()
            .map(|c| decoder.get(&c).copied())
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(|| ModelError::Vocabulary {
                path: path.to_path_buf(),
                line: i + 1,
                reason: format!("{line:?} is not a byte-level BPE token"),
            })?;
        tokens.push(bytes);
    }
    if tokens.is_empty() {
        return Err(ModelError::Vocabulary {
            path: path.to_path_buf(),
            line: 1,
            reason: "the file is empty".into(),
        });
    }
    Ok(tokens)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decoder_covers_every_byte_once() {
        let d = byte_decoder();
        assert_eq!(d.len(), 256);
        let mut bytes: Vec<u8> = d.values().copied().collect();
        bytes.sort_unstable();
        bytes.dedup();
        assert_eq!(bytes.len(), 256);
    }

    #[test]
    fn tokens_decode_to_utf8_bytes_of_finnish_text() {
        // " päivää" as byte-level BPE: Ġ is the space, Ã¤ the two bytes of ä.
        let tokens = decode_tokens("Ġp\nÃ¤ivÃ¤Ã¤\n<|endoftext|>\n", Path::new("v.txt")).unwrap();
        let joined: Vec<u8> = tokens[..2].concat();
        assert_eq!(String::from_utf8(joined).unwrap(), " päivää");
        assert_eq!(tokens[2], b"<|endoftext|>");
    }

    #[test]
    fn a_character_outside_the_table_names_the_line() {
        let err = decode_tokens("ok\nbad token\n", Path::new("v.txt")).unwrap_err();
        assert!(err.to_string().starts_with("v.txt:2:"), "{err}");
    }

    #[test]
    fn only_the_base_vocabulary_is_kept() {
        let text = "a\n".repeat(BASE_VOCAB + 5);
        assert_eq!(
            decode_tokens(&text, Path::new("v.txt")).unwrap().len(),
            BASE_VOCAB
        );
    }
}
