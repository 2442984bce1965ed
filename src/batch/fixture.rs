//! Test hook: a deterministic [`CallProcessor`] that needs no model. "Transcribing"
//! `NAME.wav` reads `NAME.transcript.json` next to it (after a header sniff that
//! rejects the bad inputs the real audio stage rejects, and an optional sleep that
//! stands in for Whisper's time); "scoring" applies a tiny keyword rubric. The
//! binary uses it only when `KUULAS_TEST_FIXTURE_PROCESSOR=1` is set (see
//! docs/operations.md, "Test hooks"). It is not a product feature.

use std::path::{Path, PathBuf};
use std::time::Duration;

use super::processor::{
    CallInput, CallProcessor, ProcessError, ProcessorIdentity, ScoredCall, Transcribed,
};
use crate::store::{DimensionScore, MetricSummary};
use crate::transcript::{Party, Segment, Transcript};

pub struct FixtureProcessor {
    delay: Duration,
    rubric_sha256: Option<String>,
}

impl FixtureProcessor {
    /// `delay` is slept per transcription; `rubric_sha256` is reported as the rubric.
    pub fn new(delay: Duration, rubric_sha256: Option<String>) -> FixtureProcessor {
        FixtureProcessor {
            delay,
            rubric_sha256,
        }
    }
}

/// `call.wav` → `call.transcript.json`.
fn fixture_path(recording: &Path) -> PathBuf {
    let mut name = recording.file_stem().unwrap_or_default().to_os_string();
    name.push(".transcript.json");
    recording.with_file_name(name)
}

impl CallProcessor for FixtureProcessor {
    fn transcribe(&self, call: &CallInput) -> Result<Transcribed, ProcessError> {
        let path = &call.path;
        let bytes = std::fs::read(path)
            .map_err(|e| ProcessError::new(format!("cannot read {}: {e}", path.display())))?;
        sniff(path, &bytes).map_err(ProcessError::new)?;
        std::thread::sleep(self.delay);
        let fixture = fixture_path(path);
        let text = std::fs::read_to_string(&fixture).map_err(|e| {
            ProcessError::new(format!("no fixture transcript {}: {e}", fixture.display()))
        })?;
        let transcript = Transcript::from_json(&text, &fixture.display().to_string())
            .map_err(|e| ProcessError::from_error(&e))?;
        let duration_s = transcript.duration;
        let transcript =
            serde_json::to_value(&transcript).map_err(|e| ProcessError::new(e.to_string()))?;
        Ok(Transcribed {
            transcript,
            duration_s,
        })
    }

    fn score(
        &self,
        call: &CallInput,
        transcript: &serde_json::Value,
    ) -> Result<ScoredCall, ProcessError> {
        let t = Transcript::from_value(transcript, &call.path.display().to_string())
            .map_err(|e| ProcessError::from_error(&e))?;
        let agent: Vec<&Segment> = t.party_segments(Party::Agent).collect();
        let said = |seg: Option<&&Segment>, words: &[&str]| {
            let text = seg.map(|s| s.text.to_lowercase()).unwrap_or_default();
            if words.iter().any(|w| text.contains(w)) {
                1.0
            } else {
                0.0
            }
        };
        let greeting = said(agent.first(), &["hyvää päivää", "moi", "hei", "tervetuloa"]);
        let closing = said(agent.last(), &["kiitos", "päivänjatkoa", "moikka"]);
        let dimensions = vec![
            DimensionScore {
                dimension: "greeting".into(),
                score: (!agent.is_empty()).then_some(greeting),
            },
            DimensionScore {
                dimension: "closing".into(),
                score: (!agent.is_empty()).then_some(closing),
            },
        ];
        let given: Vec<f64> = dimensions.iter().filter_map(|d| d.score).collect();
        let overall = (!given.is_empty()).then(|| given.iter().sum::<f64>() / given.len() as f64);
        let summary = summarise(&t);
        let metrics = serde_json::json!({
            "talk_ratio_agent": summary.talk_ratio_agent,
            "longest_silence_s": summary.longest_silence_s,
            "interruptions": summary.interruptions,
        });
        let moments = serde_json::json!(agent.first().map(|s| serde_json::json!({
            "dimension": "greeting", "start": s.start, "end": s.end, "text": s.text,
        })));
        let scored = ScoredCall {
            dimensions,
            overall,
            summary,
            metrics,
            moments,
        };
        Ok(if t.has_speech() {
            scored
        } else {
            scored.no_speech()
        })
    }

    fn identity(&self) -> ProcessorIdentity {
        ProcessorIdentity {
            model_sha256: None,
            rubric_sha256: self.rubric_sha256.clone(),
        }
    }
}

fn summarise(t: &Transcript) -> MetricSummary {
    let talk = |p: Party| t.party_segments(p).map(|s| s.end - s.start).sum::<f64>();
    let (agent, customer) = (talk(Party::Agent), talk(Party::Customer));
    let mut segments: Vec<&Segment> = t.segments.iter().collect();
    segments.sort_by(|a, b| a.start.total_cmp(&b.start));
    let (mut heard_until, mut longest, mut interruptions) = (0.0f64, 0.0f64, 0u32);
    let mut last: Option<&Segment> = None;
    for s in segments {
        longest = longest.max(s.start - heard_until);
        if last.is_some_and(|l| l.party != s.party && s.start < l.end) {
            interruptions += 1;
        }
        heard_until = heard_until.max(s.end);
        last = Some(s);
    }
    MetricSummary {
        talk_ratio_agent: (agent + customer > 0.0).then(|| agent / (agent + customer)),
        longest_silence_s: Some(longest),
        interruptions: Some(interruptions),
        customer_sentiment_start: None,
        customer_sentiment_end: None,
    }
}

/// Rejects what the audio stage would reject, from the first bytes alone.
fn sniff(path: &Path, bytes: &[u8]) -> Result<(), String> {
    if bytes.is_empty() {
        return Err("empty file (0 bytes); not a recording".into());
    }
    let is_mp3 = bytes.starts_with(b"ID3")
        || (bytes.len() > 1 && bytes[0] == 0xFF && bytes[1] & 0xE0 == 0xE0);
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    match ext.as_str() {
        "wav" if is_mp3 => {
            Err("the content is MP3 but the name ends in .wav; rename it to .mp3".into())
        }
        "wav" => sniff_wav(bytes),
        "mp3" if is_mp3 => Ok(()),
        "flac" if bytes.starts_with(b"fLaC") => Ok(()),
        "ogg" | "oga" if bytes.starts_with(b"OggS") => Ok(()),
        _ => Err(format!("the content does not look like .{ext} audio")),
    }
}

fn sniff_wav(bytes: &[u8]) -> Result<(), String> {
    if bytes.len() < 12 || &bytes[0..4] != b"RIFF" || &bytes[8..12] != b"WAVE" {
        return Err("not a WAV file (no RIFF/WAVE header)".into());
    }
    let mut at = 12;
    while at + 8 <= bytes.len() {
        let id = &bytes[at..at + 4];
        let size = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]])
            as usize;
        let body = at + 8;
        if id == b"fmt " && body + 2 <= bytes.len() {
            let code = u16::from_le_bytes([bytes[body], bytes[body + 1]]);
            if ![1, 3, 0xFFFE].contains(&code) {
                return Err(format!(
                    "unsupported codec (WAV format code {code:#06x}); convert it to PCM WAV, FLAC or MP3"
                ));
            }
        }
        if id == b"data" {
            let present = bytes.len() - body;
            return if size > present {
                Err(format!(
                    "truncated WAV: the data chunk declares {size} bytes but only {present} are present"
                ))
            } else {
                Ok(())
            };
        }
        at = body + size + (size & 1);
    }
    Err("truncated WAV: no data chunk".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wav(format: u16, declared: u32, actual: usize) -> Vec<u8> {
        let mut b = b"RIFF\0\0\0\0WAVEfmt \x10\0\0\0".to_vec();
        b.extend(format.to_le_bytes());
        b.extend([1, 0, 0x80, 0x3E, 0, 0, 0, 0x7D, 0, 0, 2, 0, 16, 0]);
        b.extend(b"data");
        b.extend(declared.to_le_bytes());
        b.extend(vec![0u8; actual]);
        b
    }

    #[test]
    fn sniff_accepts_good_audio_and_names_what_is_wrong_with_bad() {
        let p = Path::new("c.wav");
        assert_eq!(sniff(p, &wav(1, 8, 8)), Ok(()));
        assert!(sniff(p, &[]).unwrap_err().contains("0 bytes"));
        assert!(sniff(p, &wav(1, 800, 8)).unwrap_err().contains("truncated"));
        assert!(
            sniff(p, &wav(0x55, 8, 8))
                .unwrap_err()
                .contains("unsupported codec")
        );
        assert!(sniff(p, b"ID3\x04rest").unwrap_err().contains("MP3"));
        assert_eq!(sniff(Path::new("c.mp3"), b"ID3\x04rest"), Ok(()));
    }
}
