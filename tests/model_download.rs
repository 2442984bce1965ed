//! `model::download` against a small HTTP server the test runs on 127.0.0.1: an
//! interrupted download resumes with a Range request, a server that ignores Range
//! restarts cleanly, a checksum mismatch leaves no file, a verified file is kept.

use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

use kuulas::model::{self, DownloadRequest, ModelError};
use sha2::{Digest, Sha256};

/// Serves one file at any path; records each request's Range header.
struct Server {
    url: String,
    ranges: Arc<Mutex<Vec<Option<String>>>>,
}

struct Behaviour {
    /// Close the first response after this many body bytes.
    cut_first_after: Option<usize>,
    honour_range: bool,
}

impl Server {
    fn start(body: Vec<u8>, behaviour: Behaviour) -> Server {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let ranges = Arc::new(Mutex::new(Vec::new()));
        let seen = Arc::clone(&ranges);
        std::thread::spawn(move || {
            for (i, stream) in listener.incoming().enumerate() {
                let Ok(stream) = stream else { return };
                let cut = if i == 0 {
                    behaviour.cut_first_after
                } else {
                    None
                };
                serve(stream, &body, cut, behaviour.honour_range, &seen);
            }
        });
        Server { url, ranges }
    }

    fn ranges(&self) -> Vec<Option<String>> {
        self.ranges.lock().unwrap().clone()
    }
}

fn serve(
    mut stream: TcpStream,
    body: &[u8],
    cut: Option<usize>,
    honour_range: bool,
    seen: &Mutex<Vec<Option<String>>>,
) {
    let mut range = None;
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            break;
        }
        if let Some(v) = line.to_ascii_lowercase().strip_prefix("range: bytes=") {
            range = v.trim().trim_end_matches('-').parse::<usize>().ok();
        }
    }
    seen.lock()
        .unwrap()
        .push(range.map(|r| format!("bytes={r}-")));
    let start = if honour_range { range.unwrap_or(0) } else { 0 };
    let head = if start > 0 {
        format!(
            "HTTP/1.1 206 Partial Content\r\nContent-Range: bytes {start}-{}/{}\r\n",
            body.len() - 1,
            body.len()
        )
    } else {
        "HTTP/1.1 200 OK\r\n".to_string()
    };
    let rest = &body[start..];
    let _ = write!(
        stream,
        "{head}Content-Length: {}\r\nConnection: close\r\n\r\n",
        rest.len()
    );
    let _ = stream.write_all(&rest[..cut.unwrap_or(rest.len()).min(rest.len())]);
}

fn body() -> Vec<u8> {
    (0..300_000u32)
        .map(|i| (i.wrapping_mul(2654435761) >> 13) as u8)
        .collect()
}

fn request(server: &Server, dir: &std::path::Path, body: &[u8]) -> DownloadRequest {
    DownloadRequest {
        name: "tiny-test".into(),
        dir: dir.to_path_buf(),
        base_url: server.url.clone(),
        sha256: Some(hex::encode(Sha256::digest(body))),
    }
}

#[test]
fn an_interrupted_download_resumes_where_it_stopped() {
    let body = body();
    let server = Server::start(
        body.clone(),
        Behaviour {
            cut_first_after: Some(120_000),
            honour_range: true,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let req = request(&server, dir.path(), &body);
    let part = dir.path().join("ggml-tiny-test.bin.part");
    let target = dir.path().join("ggml-tiny-test.bin");

    let err = model::download(&req, &mut ()).unwrap_err();
    assert!(matches!(err, ModelError::Download { .. }), "{err}");
    assert!(!target.exists());
    let have = std::fs::metadata(&part).unwrap().len();
    assert!(have > 0 && have <= 120_000, "{have} bytes kept");

    assert_eq!(model::download(&req, &mut ()).unwrap(), target);
    assert_eq!(std::fs::read(&target).unwrap(), body);
    assert!(!part.exists());
    assert_eq!(server.ranges(), vec![None, Some(format!("bytes={have}-"))]);

    // Already there and verified: no request at all.
    model::download(&req, &mut ()).unwrap();
    assert_eq!(server.ranges().len(), 2);
}

#[test]
fn a_server_that_ignores_range_gets_a_fresh_download() {
    let body = body();
    let server = Server::start(
        body.clone(),
        Behaviour {
            cut_first_after: None,
            honour_range: false,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ggml-tiny-test.bin.part"), b"stale bytes").unwrap();
    let path = model::download(&request(&server, dir.path(), &body), &mut ()).unwrap();
    assert_eq!(std::fs::read(path).unwrap(), body);
    assert_eq!(server.ranges(), vec![Some("bytes=11-".to_string())]);
}

#[test]
fn a_checksum_mismatch_leaves_no_file_behind() {
    let body = body();
    let server = Server::start(
        body.clone(),
        Behaviour {
            cut_first_after: None,
            honour_range: true,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let mut req = request(&server, dir.path(), &body);
    req.sha256 = Some(hex::encode(Sha256::digest(b"something else")));
    let err = model::download(&req, &mut ()).unwrap_err();
    assert!(matches!(err, ModelError::ChecksumMismatch { .. }), "{err}");
    assert!(err.to_string().contains("ggml-tiny-test.bin"), "{err}");
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn the_cli_downloads_and_reports_the_verified_file() {
    let body = body();
    let server = Server::start(
        body.clone(),
        Behaviour {
            cut_first_after: None,
            honour_range: true,
        },
    );
    let dir = tempfile::tempdir().unwrap();
    let sha = hex::encode(Sha256::digest(&body));
    assert_cmd::Command::cargo_bin("kuulas")
        .unwrap()
        .args([
            "model",
            "download",
            "tiny-test",
            "--base-url",
            &server.url,
            "--sha256",
            &sha,
            "--dir",
        ])
        .arg(dir.path())
        .assert()
        .success()
        .stdout(predicates::str::contains("checksum verified"));
    assert_eq!(
        std::fs::read(dir.path().join("ggml-tiny-test.bin")).unwrap(),
        body
    );
}
