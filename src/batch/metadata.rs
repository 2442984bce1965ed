//! Per-call metadata: a CSV manifest at the input root (or given with
//! `--manifest`) and/or a JSON sidecar `NAME.meta.json` next to `NAME.wav`. The
//! sidecar wins field by field. Both formats are documented in docs/operations.md.
//! A broken manifest stops the run before any work (it is configuration); a broken
//! sidecar fails only its call.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use serde::Deserialize;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;

use crate::batch::customer;
use crate::escape;
use crate::store::CallMetadata;

/// The name of the manifest looked for at the input root.
pub const MANIFEST_NAME: &str = "manifest.csv";
const MANIFEST_COLUMNS: &[&str] = &[
    "path",
    "call_id",
    "agent",
    "team",
    "queue",
    "started_at",
    "agent_channel",
    "language",
    "customer_id",
    "customer_phone",
    "direction",
];

#[derive(Debug, thiserror::Error)]
pub enum MetadataError {
    #[error("manifest {}{}: {message}", escape::path(path), line.map(|l| format!(":{l}")).unwrap_or_default())]
    Manifest {
        path: PathBuf,
        /// The line at fault, where one is.
        line: Option<usize>,
        message: String,
    },
    #[error("metadata sidecar {}: {message}", escape::path(path))]
    Sidecar { path: PathBuf, message: String },
    #[error("metadata for {}: {message}", escape::path(path))]
    Invalid { path: PathBuf, message: String },
}

/// The fields either source may give; all optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct Fields {
    call_id: Option<String>,
    agent: Option<String>,
    team: Option<String>,
    queue: Option<String>,
    started_at: Option<String>,
    agent_channel: Option<String>,
    language: Option<String>,
    customer_id: Option<String>,
    customer_phone: Option<String>,
    direction: Option<String>,
}

impl Fields {
    /// `self` with every field `other` sets replaced.
    fn overlay(self, other: Fields) -> Fields {
        Fields {
            call_id: other.call_id.or(self.call_id),
            agent: other.agent.or(self.agent),
            team: other.team.or(self.team),
            queue: other.queue.or(self.queue),
            started_at: other.started_at.or(self.started_at),
            agent_channel: other.agent_channel.or(self.agent_channel),
            language: other.language.or(self.language),
            customer_id: other.customer_id.or(self.customer_id),
            customer_phone: other.customer_phone.or(self.customer_phone),
            direction: other.direction.or(self.direction),
        }
    }
}

/// A manifest row: its fields and the line it was read from.
#[derive(Debug, Clone, Default)]
struct Row {
    fields: Fields,
    line: Option<usize>,
}

/// Manifest rows keyed by recording path relative to the input root.
#[derive(Debug, Default)]
pub struct Manifest {
    rows: HashMap<PathBuf, Row>,
}

impl Manifest {
    pub fn load(path: &Path) -> Result<Manifest, MetadataError> {
        let at = |line: Option<usize>, message: String| MetadataError::Manifest {
            path: path.to_path_buf(),
            line,
            message,
        };
        let fail = |message: String| at(None, message);
        let text = std::fs::read(path).map_err(|e| fail(e.to_string()))?;
        if let Some(line) = unclosed_quote(&text) {
            return Err(at(
                Some(line),
                "a quote opened here is never closed, so every later row would be read as one \
                 value; close it, or double a quote inside a quoted value (`\"\"`)"
                    .into(),
            ));
        }
        let mut reader = csv::ReaderBuilder::new()
            .trim(csv::Trim::All)
            .from_reader(text.as_slice());
        let headers = reader.headers().map_err(|e| fail(e.to_string()))?.clone();
        if let Some(bad) = headers.iter().find(|h| !MANIFEST_COLUMNS.contains(h)) {
            return Err(fail(format!(
                "unknown column `{bad}`; known columns: {}",
                MANIFEST_COLUMNS.join(", ")
            )));
        }
        if !headers.iter().any(|h| h == "path") {
            return Err(fail(
                "no `path` column; it names each recording relative to the input directory".into(),
            ));
        }
        let column = |name: &str| headers.iter().position(|h| h == name);
        let columns: Vec<Option<usize>> = MANIFEST_COLUMNS.iter().map(|c| column(c)).collect();
        let mut rows = HashMap::new();
        for record in reader.records() {
            let record = record.map_err(|e| {
                let line = e.position().map(|p| p.line() as usize);
                at(line, e.to_string())
            })?;
            let line = record.position().map(|p| p.line() as usize);
            let get = |i: usize| columns[i].and_then(|c| record.get(c)).map(str::to_string);
            let path = get(0).unwrap_or_default();
            let fields = Fields {
                call_id: get(1),
                agent: get(2),
                team: get(3),
                queue: get(4),
                started_at: get(5),
                agent_channel: get(6),
                language: get(7),
                customer_id: get(8),
                customer_phone: get(9),
                direction: get(10),
            };
            if rows
                .insert(normalise(Path::new(&path)), Row { fields, line })
                .is_some()
            {
                return Err(at(line, format!("`{path}` is listed twice")));
            }
        }
        Ok(Manifest { rows })
    }
}

impl Manifest {
    /// Manifest paths naming none of the `found` recordings (likely typos), sorted.
    pub fn unmatched<'a>(&self, found: impl Iterator<Item = &'a Path>) -> Vec<&Path> {
        let found: std::collections::HashSet<PathBuf> = found.map(normalise).collect();
        let mut missing: Vec<&Path> = self
            .rows
            .keys()
            .filter(|p| !found.contains(*p))
            .map(PathBuf::as_path)
            .collect();
        missing.sort();
        missing
    }
}

/// The line of a quote that opens a quoted value and is never closed (RFC 4180: a
/// quote opens a value only at its start; `""` inside one is a literal quote).
/// The csv reader would silently read the rest of the file as that one value.
fn unclosed_quote(text: &[u8]) -> Option<usize> {
    let mut line = 1;
    let mut opened_at = None;
    let mut field_start = true;
    let mut bytes = text.iter().peekable();
    while let Some(&b) = bytes.next() {
        if b == b'\n' {
            line += 1;
        }
        match (opened_at, b) {
            (None, b'"') if field_start => opened_at = Some(line),
            (Some(_), b'"') if bytes.peek() == Some(&&b'"') => {
                bytes.next();
            }
            (Some(_), b'"') => opened_at = None,
            _ => {}
        }
        field_start = opened_at.is_none() && matches!(b, b',' | b'\n' | b'\r');
    }
    opened_at
}

/// `a/./b.wav` and `./a/b.wav` name the same recording.
fn normalise(path: &Path) -> PathBuf {
    path.components()
        .filter(|c| matches!(c, Component::Normal(_)))
        .collect()
}

/// The sidecar file for a recording: `call.wav` → `call.meta.json`.
pub fn sidecar_path(recording: &Path) -> PathBuf {
    let mut name = recording.file_stem().unwrap_or_default().to_os_string();
    name.push(".meta.json");
    recording.with_file_name(name)
}

/// Metadata for the recording at `path` (`relative` to the input root): the
/// manifest row if any, overlaid by the sidecar if any, validated.
pub fn call_metadata(
    path: &Path,
    relative: &Path,
    manifest: &Manifest,
) -> Result<(Option<String>, CallMetadata), MetadataError> {
    let row = manifest
        .rows
        .get(&normalise(relative))
        .cloned()
        .unwrap_or_default();
    let mut fields = row.fields.clone();
    let sidecar = sidecar_path(path);
    match std::fs::read(&sidecar) {
        Ok(bytes) => {
            let side: Fields =
                serde_json::from_slice(&bytes).map_err(|e| MetadataError::Sidecar {
                    path: sidecar.clone(),
                    message: e.to_string(),
                })?;
            if let Some(message) = contradiction(&row, &side) {
                return Err(MetadataError::Sidecar {
                    path: sidecar,
                    message,
                });
            }
            fields = fields.overlay(side);
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => {
            return Err(MetadataError::Sidecar {
                path: sidecar,
                message: e.to_string(),
            });
        }
    }
    validate(fields).map_err(|message| MetadataError::Invalid {
        path: path.to_path_buf(),
        message,
    })
}

/// A direction the sidecar and the manifest row disagree on. Other fields the
/// sidecar simply overrides, but a call has one direction: one of the two is wrong.
fn contradiction(row: &Row, side: &Fields) -> Option<String> {
    let said = |f: &Fields| {
        f.direction
            .as_deref()
            .map(|d| d.trim().to_lowercase())
            .filter(|d| !d.is_empty())
    };
    let (Some(listed), Some(sidecar)) = (said(&row.fields), said(side)) else {
        return None;
    };
    (listed != sidecar).then(|| {
        let line = row.line.map(|l| format!(" (line {l})")).unwrap_or_default();
        format!(
            "direction `{sidecar}` contradicts the manifest{line}, which says `{listed}`; \
             a call has one direction: correct the one that is wrong"
        )
    })
}

fn validate(f: Fields) -> Result<(Option<String>, CallMetadata), String> {
    let clean = |v: Option<String>| v.map(|s| s.trim().to_string()).filter(|s| !s.is_empty());
    let call_id = clean(f.call_id);
    if let Some(id) = &call_id
        && (id.chars().count() > 200 || id.chars().any(char::is_control))
    {
        return Err(format!(
            "call_id `{}` must be at most 200 characters without control characters",
            escape::escape(id)
        ));
    }
    let started_at = clean(f.started_at);
    if let Some(t) = &started_at {
        OffsetDateTime::parse(t, &Rfc3339).map_err(|e| {
            format!(
                "started_at `{t}` is not an RFC 3339 time such as 2026-11-21T09:30:00+02:00 ({e})"
            )
        })?;
    }
    let agent_channel = clean(f.agent_channel).map(|c| c.to_lowercase());
    if let Some(c) = &agent_channel
        && c != "left"
        && c != "right"
    {
        return Err(format!("agent_channel `{c}` must be `left` or `right`"));
    }
    let language = clean(f.language).map(|l| l.to_lowercase());
    if let Some(l) = &language
        && (l.len() != 2 || !l.chars().all(|c| c.is_ascii_lowercase()))
    {
        return Err(format!(
            "language `{l}` must be a two-letter ISO 639-1 code such as `fi`"
        ));
    }
    let direction = clean(f.direction).map(|d| d.to_lowercase());
    if let Some(d) = &direction
        && d != "inbound"
        && d != "outbound"
    {
        return Err(format!(
            "direction `{}` must be `inbound` (the customer called) or `outbound` (the agent called)",
            escape::escape(d)
        ));
    }
    let customer_key = match (clean(f.customer_id), clean(f.customer_phone)) {
        (Some(id), _) => Some(customer_id_key(id)?),
        (None, Some(phone)) => Some(customer::phone_key(&phone)?),
        (None, None) => None,
    };
    let metadata = CallMetadata {
        agent: clean(f.agent),
        team: clean(f.team),
        queue: clean(f.queue),
        started_at,
        agent_channel,
        language,
        customer_key,
        direction,
    };
    Ok((call_id, metadata))
}

/// A customer id is kept as it is given; `tel:` is reserved for hashed numbers.
fn customer_id_key(id: String) -> Result<String, String> {
    if id.chars().count() > 200 || id.chars().any(char::is_control) {
        return Err(format!(
            "customer_id `{}` must be at most 200 characters without control characters",
            escape::escape(&id)
        ));
    }
    if id.starts_with(customer::PHONE_PREFIX) {
        return Err(format!(
            "customer_id `{}` must not start with `{}`, which marks hashed phone numbers; \
             give the number as customer_phone instead",
            escape::escape(&id),
            customer::PHONE_PREFIX
        ));
    }
    Ok(id)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::fs;

    #[test]
    fn sidecar_overrides_manifest_field_by_field() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join(MANIFEST_NAME);
        fs::write(
            &manifest,
            "path,call_id,agent,team\n./day/c1.wav,C-1,Aino,Myynti\n",
        )
        .unwrap();
        fs::create_dir(dir.path().join("day")).unwrap();
        let rec = dir.path().join("day/c1.wav");
        fs::write(
            sidecar_path(&rec),
            r#"{"agent": "Eero", "agent_channel": "Right"}"#,
        )
        .unwrap();
        let m = Manifest::load(&manifest).unwrap();
        let (id, meta) = call_metadata(&rec, Path::new("day/c1.wav"), &m).unwrap();
        assert_eq!(id.as_deref(), Some("C-1"));
        assert_eq!(meta.agent.as_deref(), Some("Eero"));
        assert_eq!(meta.team.as_deref(), Some("Myynti"));
        assert_eq!(meta.agent_channel.as_deref(), Some("right"));
    }

    #[test]
    fn manifest_rows_without_a_recording_are_listed() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join(MANIFEST_NAME);
        fs::write(&manifest, "path,agent\na.wav,Aino\nb.wav,Eero\n").unwrap();
        let m = Manifest::load(&manifest).unwrap();
        let found = [Path::new("./a.wav")];
        assert_eq!(m.unmatched(found.into_iter()), [Path::new("b.wav")]);
    }

    #[test]
    fn manifest_with_unknown_column_is_refused_with_the_known_ones() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join(MANIFEST_NAME);
        fs::write(&manifest, "path,agnet\nc1.wav,Aino\n").unwrap();
        let err = Manifest::load(&manifest).unwrap_err().to_string();
        assert!(
            err.contains("agnet") && err.contains("agent_channel"),
            "{err}"
        );
    }

    #[test]
    fn manifest_with_an_unclosed_quote_is_refused_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join(MANIFEST_NAME);
        fs::write(
            &manifest,
            "path,agent\na.wav,\"Aino \"\"A\"\"\nb.wav,Eero\nc.wav,Ville\n",
        )
        .unwrap();
        let err = Manifest::load(&manifest).unwrap_err().to_string();
        let at = format!("manifest {}:2: ", manifest.display());
        assert!(
            err.starts_with(&at) && err.contains("never closed"),
            "{err}"
        );
    }

    #[test]
    fn quoted_values_with_commas_newlines_and_doubled_quotes_load() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join(MANIFEST_NAME);
        fs::write(
            &manifest,
            "path,agent,team\r\n\"a,1.wav\",\"Aino \"\"A\"\"\",\"Myynti\r\nja tuki\"\r\nb.wav,Ee\"ro,\"\"\r\n",
        )
        .unwrap();
        let m = Manifest::load(&manifest).unwrap();
        assert_eq!(
            m.rows[Path::new("a,1.wav")].fields.agent.as_deref(),
            Some("Aino \"A\"")
        );
        assert_eq!(
            m.rows[Path::new("b.wav")].fields.agent.as_deref(),
            Some("Ee\"ro")
        );
    }

    #[test]
    fn a_duplicate_row_is_refused_at_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join(MANIFEST_NAME);
        fs::write(
            &manifest,
            "path,agent\na.wav,Aino\nb.wav,Eero\n./a.wav,Ville\n",
        )
        .unwrap();
        let err = Manifest::load(&manifest).unwrap_err().to_string();
        let at = format!("manifest {}:4: ", manifest.display());
        assert!(
            err.starts_with(&at) && err.contains("listed twice"),
            "{err}"
        );
    }

    #[test]
    fn invalid_values_name_the_field() {
        let dir = tempfile::tempdir().unwrap();
        let rec = dir.path().join("c.wav");
        let none = Manifest::default();
        for (json, field) in [
            (r#"{"started_at": "eilen"}"#, "started_at"),
            (r#"{"agent_channel": "middle"}"#, "agent_channel"),
            (r#"{"language": "finnish"}"#, "language"),
            (r#"{"direction": "sideways"}"#, "direction"),
            (r#"{"customer_id": "tel:abc"}"#, "customer_id"),
            (r#"{"customer_phone": "soita"}"#, "customer_phone"),
            (r#"{"agnet": "x"}"#, "agnet"),
        ] {
            fs::write(sidecar_path(&rec), json).unwrap();
            let err = call_metadata(&rec, Path::new("c.wav"), &none)
                .unwrap_err()
                .to_string();
            assert!(err.contains(field), "{json}: {err}");
        }
    }

    #[test]
    fn customer_and_direction_come_from_either_source_and_the_phone_is_hashed() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join(MANIFEST_NAME);
        fs::write(
            &manifest,
            "path,customer_phone,direction\na.wav,040 123 4567,Inbound\nb.wav,,\n",
        )
        .unwrap();
        let m = Manifest::load(&manifest).unwrap();
        let a = dir.path().join("a.wav");
        let (_, meta) = call_metadata(&a, Path::new("a.wav"), &m).unwrap();
        assert_eq!(meta.direction.as_deref(), Some("inbound"));
        let key = meta.customer_key.unwrap();
        assert!(key.starts_with("tel:") && !key.contains("1234567"), "{key}");

        let b = dir.path().join("b.wav");
        fs::write(
            sidecar_path(&b),
            r#"{"customer_id": "A-17", "customer_phone": "0401234567", "direction": "outbound"}"#,
        )
        .unwrap();
        let (_, meta) = call_metadata(&b, Path::new("b.wav"), &m).unwrap();
        assert_eq!(meta.customer_key.as_deref(), Some("A-17"));
        assert_eq!(meta.direction.as_deref(), Some("outbound"));
    }

    #[test]
    fn a_sidecar_contradicting_the_manifest_direction_names_both() {
        let dir = tempfile::tempdir().unwrap();
        let manifest = dir.path().join(MANIFEST_NAME);
        fs::write(&manifest, "path,direction\na.wav,inbound\nb.wav,outbound\n").unwrap();
        let m = Manifest::load(&manifest).unwrap();
        let b = dir.path().join("b.wav");
        fs::write(sidecar_path(&b), r#"{"direction": "Outbound"}"#).unwrap();
        assert!(call_metadata(&b, Path::new("b.wav"), &m).is_ok());
        let a = dir.path().join("a.wav");
        fs::write(sidecar_path(&a), r#"{"direction": "outbound"}"#).unwrap();
        let err = call_metadata(&a, Path::new("a.wav"), &m)
            .unwrap_err()
            .to_string();
        let sidecar = format!("metadata sidecar {}: ", sidecar_path(&a).display());
        assert!(
            err.starts_with(&sidecar) && err.contains("(line 2)") && err.contains("`inbound`"),
            "{err}"
        );
    }
}
