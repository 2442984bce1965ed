//! Download of whisper.cpp's official ggml model files, for machines that can reach
//! them. Resumable: bytes go to `ggml-NAME.bin.part` and a rerun continues with an
//! HTTP Range request. The file is renamed into place only after its checksum (the
//! official SHA-1, or a SHA-256 the user gives) matched; a mismatch discards it.

use std::fs::{File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use reqwest::StatusCode;
use reqwest::header::{CONTENT_RANGE, RANGE};
use sha1::Sha1;
use sha2::{Digest, Sha256};

use crate::model::error::ModelError;

/// Where whisper.cpp's download script fetches models from.
pub const OFFICIAL_BASE_URL: &str = "https://huggingface.co/ggerganov/whisper.cpp/resolve/main";

/// SHA-1 of the official files, from whisper.cpp's `models/README.md`.
const OFFICIAL_SHA1: [(&str, &str); 16] = [
    ("tiny", "bd577a113a864445d4c299885e0cb97d4ba92b5f"),
    ("tiny.en", "c78c86eb1a8faa21b369bcd33207cc90d64ae9df"),
    ("base", "465707469ff3a37a2b9b8d8f89f2f99de7299dac"),
    ("base.en", "137c40403d78fd54d454da0f9bd998f78703390c"),
    ("small", "55356645c2b361a969dfd0ef2c5a50d530afd8d5"),
    ("small.en", "db8a495a91d927739e50b3fc1cc4c6b8f6c2d022"),
    ("small.en-tdrz", "b6c6e7e89af1a35c08e6de56b66ca6a02a2fdfa1"),
    ("medium", "fd9727b6e1217c2f614f9b698455c4ffd82463b4"),
    ("medium.en", "8c30f0e44ce9560643ebd10bbe50cd20eafd3723"),
    ("large-v1", "b1caaf735c4cc1429223d5a74f0f4d0b9b59a299"),
    ("large-v2", "0f4c8e34f21cf1a914c59d8b3ce882345ad349d6"),
    ("large-v2-q5_0", "00e39f2196344e901b3a2bd5814807a769bd1630"),
    ("large-v3", "ad82bf6a9043ceed055076d0fd39f5f186ff8062"),
    ("large-v3-q5_0", "e6e2ed78495d403bef4b7cff42ef4aaadcfea8de"),
    ("large-v3-turbo", "4af2b29d7ec73d781377bfd1758ca957a807e941"),
    (
        "large-v3-turbo-q5_0",
        "e050f7970618a659205450ad97eb95a18d69c9ee",
    ),
];

/// The official SHA-1 of `ggml-NAME.bin`, if kuulas knows the model.
pub fn official_sha1(name: &str) -> Option<&'static str> {
    OFFICIAL_SHA1
        .iter()
        .find(|(n, _)| *n == name)
        .map(|(_, h)| *h)
}

#[derive(Debug, Clone)]
pub struct DownloadRequest {
    /// Model name as whisper.cpp spells it: `base`, `small.en`, `large-v3-turbo`, ….
    pub name: String,
    /// Where `ggml-NAME.bin` ends up.
    pub dir: PathBuf,
    /// `{base_url}/ggml-NAME.bin` is fetched.
    pub base_url: String,
    /// Expected hex SHA-256; without it the official SHA-1 is used.
    pub sha256: Option<String>,
}

/// How the caller hears about a download's progress (the CLI draws a bar).
pub trait DownloadProgress {
    /// `total` bytes of the file if the server says, `resumed_from` already on disk.
    fn started(&mut self, total: Option<u64>, resumed_from: u64);
    fn advanced(&mut self, bytes: u64);
    fn finished(&mut self);
}

/// For callers that do not show progress.
impl DownloadProgress for () {
    fn started(&mut self, _: Option<u64>, _: u64) {}
    fn advanced(&mut self, _: u64) {}
    fn finished(&mut self) {}
}

enum Checksum {
    Sha1(String),
    Sha256(String),
}

impl Checksum {
    fn for_request(req: &DownloadRequest) -> Result<Checksum, ModelError> {
        if let Some(h) = &req.sha256 {
            let h = h.trim().to_ascii_lowercase();
            if h.len() != 64 || !h.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(ModelError::Download {
                    url: req.name.clone(),
                    reason: format!("--sha256 {h:?} is not 64 hex digits"),
                });
            }
            return Ok(Checksum::Sha256(h));
        }
        match official_sha1(&req.name) {
            Some(h) => Ok(Checksum::Sha1(h.to_string())),
            None => Err(ModelError::UnknownModelName {
                name: req.name.clone(),
                known: OFFICIAL_SHA1.map(|(n, _)| n).join(", "),
            }),
        }
    }

    fn algorithm(&self) -> &'static str {
        match self {
            Checksum::Sha1(_) => "SHA-1",
            Checksum::Sha256(_) => "SHA-256",
        }
    }

    /// `Ok(None)` when `path` matches, `Ok(Some(found))` when it does not.
    fn mismatch(&self, path: &Path) -> Result<Option<String>, ModelError> {
        let (expected, found) = match self {
            Checksum::Sha1(h) => (h, hash_file::<Sha1>(path)?),
            Checksum::Sha256(h) => (h, hash_file::<Sha256>(path)?),
        };
        Ok((*expected != found).then_some(found))
    }
}

pub(crate) fn hash_file<D: Digest>(path: &Path) -> Result<String, ModelError> {
    let mut file = File::open(path).map_err(|e| ModelError::io(path, e))?;
    let mut hasher = D::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| ModelError::io(path, e))?;
        if n == 0 {
            return Ok(hex::encode(hasher.finalize()));
        }
        hasher.update(&buf[..n]);
    }
}

/// Downloads `ggml-NAME.bin` into `req.dir`, resuming a previous partial download;
/// returns the verified file's path. A verified file already there is kept as is.
pub fn download(
    req: &DownloadRequest,
    progress: &mut dyn DownloadProgress,
) -> Result<PathBuf, ModelError> {
    if req.name.is_empty()
        || !req
            .name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
    {
        return Err(ModelError::Download {
            url: req.name.clone(),
            reason: "a model name has only letters, digits, '.', '_' and '-'".into(),
        });
    }
    let checksum = Checksum::for_request(req)?;
    std::fs::create_dir_all(&req.dir).map_err(|e| ModelError::io(&req.dir, e))?;
    let target = req.dir.join(format!("ggml-{}.bin", req.name));
    if target.is_file() && checksum.mismatch(&target)?.is_none() {
        tracing::info!(path = %target.display(), "model already present and verified");
        return Ok(target);
    }
    let part = req.dir.join(format!("ggml-{}.bin.part", req.name));
    let url = format!(
        "{}/ggml-{}.bin",
        req.base_url.trim_end_matches('/'),
        req.name
    );
    fetch(&url, &part, progress)?;
    if let Some(found) = checksum.mismatch(&part)? {
        // A corrupt partial file cannot be resumed into a good one: start over next time.
        let _ = std::fs::remove_file(&part);
        return Err(ModelError::ChecksumMismatch {
            path: target,
            algorithm: checksum.algorithm(),
            expected: match checksum {
                Checksum::Sha1(h) | Checksum::Sha256(h) => h,
            },
            found,
        });
    }
    std::fs::rename(&part, &target).map_err(|e| ModelError::io(&target, e))?;
    if let Ok(d) = File::open(&req.dir) {
        let _ = d.sync_all();
    }
    Ok(target)
}

/// Brings `part` up to the whole file at `url`, continuing from its current length.
fn fetch(url: &str, part: &Path, progress: &mut dyn DownloadProgress) -> Result<(), ModelError> {
    let fail = |reason: String| ModelError::Download {
        url: url.to_string(),
        reason,
    };
    let client = reqwest::blocking::Client::builder()
        .connect_timeout(Duration::from_secs(30))
        .timeout(None)
        .build()
        .map_err(|e| fail(causes(&e)))?;
    let have = std::fs::metadata(part).map(|m| m.len()).unwrap_or(0);
    let mut request = client.get(url);
    if have > 0 {
        request = request.header(RANGE, format!("bytes={have}-"));
    }
    let mut response = request.send().map_err(|e| fail(causes(&e)))?;
    let status = response.status();
    let resume_at = match status {
        // The partial file already holds everything the server has.
        StatusCode::RANGE_NOT_SATISFIABLE if have > 0 => return Ok(()),
        StatusCode::PARTIAL_CONTENT if content_range_start(&response) == Some(have) => have,
        StatusCode::OK => 0,
        s => return Err(fail(format!("server answered {s}"))),
    };
    let mut file = OpenOptions::new()
        .create(true)
        .write(true)
        .append(resume_at > 0)
        .truncate(resume_at == 0)
        .open(part)
        .map_err(|e| ModelError::io(part, e))?;
    if resume_at > 0 {
        tracing::info!(url, from = resume_at, "resuming download");
    }
    progress.started(response.content_length().map(|n| n + resume_at), resume_at);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = response.read(&mut buf).map_err(|e| fail(causes(&e)))?;
        if n == 0 {
            break;
        }
        file.write_all(&buf[..n])
            .map_err(|e| ModelError::io(part, e))?;
        progress.advanced(n as u64);
    }
    file.sync_all().map_err(|e| ModelError::io(part, e))?;
    progress.finished();
    Ok(())
}

/// The error and its causes on one line: reqwest's own message hides the reason
/// ("error sending request" rather than the DNS or TLS failure behind it).
fn causes(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The first byte of a `Content-Range: bytes START-END/TOTAL` answer.
fn content_range_start(response: &reqwest::blocking::Response) -> Option<u64> {
    let value = response.headers().get(CONTENT_RANGE)?.to_str().ok()?;
    let range = value.strip_prefix("bytes ")?;
    range.split('-').next()?.trim().parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn official_table_knows_base_and_refuses_unknown_names_without_sha256() {
        assert_eq!(
            official_sha1("base"),
            Some("465707469ff3a37a2b9b8d8f89f2f99de7299dac")
        );
        let req = DownloadRequest {
            name: "base-finnish".into(),
            dir: PathBuf::from("unused"),
            base_url: OFFICIAL_BASE_URL.into(),
            sha256: None,
        };
        let err = Checksum::for_request(&req).err().unwrap();
        assert!(err.to_string().contains("--sha256"), "{err}");
    }

    #[test]
    fn names_that_could_escape_the_directory_are_refused() {
        let req = DownloadRequest {
            name: "../../etc/passwd".into(),
            dir: PathBuf::from("unused"),
            base_url: OFFICIAL_BASE_URL.into(),
            sha256: Some("0".repeat(64)),
        };
        assert!(download(&req, &mut ()).is_err());
        assert!(!Path::new("unused").exists());
    }
}
