//! Renderings of a transcript: the versioned JSON other tools read, WebVTT with
//! speaker voices (plays as subtitles in any player), and readable text.

use std::fmt::Write;

use crate::transcript::{Attribution, Party, Transcript};

pub fn to_json(transcript: &Transcript) -> String {
    // Plain data of owned strings and numbers: serialising it cannot fail.
    serde_json::to_string_pretty(transcript).unwrap_or_default() + "\n"
}

pub fn to_vtt(transcript: &Transcript) -> String {
    let mut out = String::from("WEBVTT\n");
    if transcript.attribution == Attribution::Estimated {
        out.push_str(
            "\nNOTE Mono recording: speakers were told apart by voice and may be wrong.\n",
        );
    }
    for (i, segment) in transcript.segments.iter().enumerate() {
        let _ = write!(
            out,
            "\n{}\n{} --> {}\n<v {}>{}\n",
            i + 1,
            vtt_time(segment.start),
            vtt_time(segment.end.max(segment.start + 0.001)),
            voice(segment.party),
            escape_vtt(&segment.text)
        );
    }
    out
}

pub fn to_text(transcript: &Transcript) -> String {
    let mut out = String::new();
    if transcript.attribution == Attribution::Estimated {
        out.push_str("(mono recording: speakers are estimated)\n");
    }
    for segment in &transcript.segments {
        let _ = writeln!(
            out,
            "[{} - {}] {:<9} {}",
            clock(segment.start),
            clock(segment.end),
            format!("{}:", voice(segment.party)),
            segment.text
        );
    }
    out
}

fn voice(party: Party) -> &'static str {
    match party {
        Party::Agent => "Agent",
        Party::Customer => "Customer",
        Party::Unknown => "Unknown",
    }
}

fn vtt_time(t: f64) -> String {
    let ms = (t.max(0.0) * 1000.0).round() as u64;
    format!(
        "{:02}:{:02}:{:02}.{:03}",
        ms / 3_600_000,
        ms / 60_000 % 60,
        ms / 1000 % 60,
        ms % 1000
    )
}

fn clock(t: f64) -> String {
    let s = t.max(0.0) as u64;
    format!("{:02}:{:02}", s / 60, s % 60)
}

/// Cue text may not hold `<`, `&` or `-->` unescaped.
fn escape_vtt(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Segment, TRANSCRIPT_SCHEMA_VERSION};

    fn transcript() -> Transcript {
        let segment = |party, start, end, text: &str| Segment {
            party,
            start,
            end,
            text: text.into(),
            words: vec![],
        };
        Transcript {
            schema_version: TRANSCRIPT_SCHEMA_VERSION,
            duration: 75.0,
            language: "fi".into(),
            attribution: Attribution::Channels,
            segments: vec![
                segment(Party::Agent, 0.5, 2.25, "Hyvää päivää, Maija täällä."),
                segment(Party::Customer, 62.0, 64.5, "<b>Moi</b> & kiitos -->"),
            ],
        }
    }

    #[test]
    fn vtt_has_voices_times_and_escaped_text() {
        let vtt = to_vtt(&transcript());
        assert!(vtt.starts_with("WEBVTT\n"));
        assert!(
            vtt.contains("00:00:00.500 --> 00:00:02.250\n<v Agent>Hyvää päivää, Maija täällä.\n")
        );
        assert!(vtt.contains("00:01:02.000 --> 00:01:04.500\n<v Customer>&lt;b&gt;Moi&lt;/b&gt; &amp; kiitos --&gt;\n"));
    }

    #[test]
    fn json_round_trips_with_schema_version() {
        let json = to_json(&transcript());
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["schema_version"], TRANSCRIPT_SCHEMA_VERSION);
        assert_eq!(value["segments"][1]["party"], "customer");
        let back: Transcript = serde_json::from_str(&json).unwrap();
        assert_eq!(back, transcript());
    }

    #[test]
    fn text_reads_as_a_dialogue() {
        let text = to_text(&transcript());
        assert!(text.starts_with("[00:00 - 00:02] Agent:    Hyvää päivää, Maija täällä.\n"));
        assert!(text.contains("[01:02 - 01:04] Customer: "));
    }
}
