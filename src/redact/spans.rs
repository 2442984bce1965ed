//! Carrying text findings over to time: the words whose text held personal data
//! give the stretch of audio to silence, and [`mute`] replaces it with a quiet tone
//! so a listener hears that something was removed.

use super::{Finding, TimeSpan, find, replace};
use crate::audio::SAMPLE_RATE;
use crate::transcript::{Segment, Transcript, Word};

/// Word timestamps are approximate (Whisper drifts by tenths of a second), so each
/// span is widened by this much on both sides.
const PAD_S: f64 = 0.3;
const BEEP_HZ: f32 = 1000.0;
const BEEP_LEVEL: f32 = 0.05;

/// The transcript with personal data replaced in segment and word text, and the
/// time spans that carried it, padded and merged, in time order.
pub fn transcript(input: &Transcript) -> (Transcript, Vec<TimeSpan>) {
    let mut out = input.clone();
    let mut spans = Vec::new();
    for segment in &mut out.segments {
        let found = find(&segment.text);
        if found.is_empty() {
            continue;
        }
        spans.extend(redact_words(segment, &found));
        segment.text = replace(&segment.text, &found);
    }
    for span in &mut spans {
        span.start = (span.start - PAD_S).max(0.0);
        span.end = (span.end + PAD_S).min(input.duration.max(span.end));
    }
    (out, merge(spans))
}

/// Rewrites the words that overlap a finding (the first carries the placeholder, the
/// rest are dropped) and returns their time spans. A finding no word can be matched
/// to silences the whole segment: better too much than too little.
fn redact_words(segment: &mut Segment, found: &[Finding]) -> Vec<TimeSpan> {
    let ranges = word_ranges(&segment.text, &segment.words);
    let mut spans = Vec::new();
    let mut drop = vec![false; segment.words.len()];
    for f in found {
        let hit: Vec<usize> = (0..segment.words.len())
            .filter(|&i| matches!(ranges[i], Some((s, e)) if s < f.end && f.start < e))
            .collect();
        let (Some(&first), Some(&last)) = (hit.first(), hit.last()) else {
            spans.push(TimeSpan {
                start: segment.start,
                end: segment.end,
            });
            continue;
        };
        let end = segment.words[last].end;
        let word: &mut Word = &mut segment.words[first];
        spans.push(TimeSpan {
            start: word.start,
            end,
        });
        word.text = format!(" {}", f.kind.placeholder());
        word.end = end;
        hit[1..].iter().for_each(|&i| drop[i] = true);
    }
    let mut index = 0;
    segment.words.retain(|_| {
        index += 1;
        !drop[index - 1]
    });
    spans
}

/// Where each word's text sits in the segment text, found in order; `None` for a
/// word the text does not contain (then it cannot be matched to a finding).
fn word_ranges(text: &str, words: &[Word]) -> Vec<Option<(usize, usize)>> {
    let mut cursor = 0;
    words
        .iter()
        .map(|w| {
            let needle = w.text.trim();
            if needle.is_empty() {
                return None;
            }
            let at = text[cursor..].find(needle)? + cursor;
            cursor = at + needle.len();
            Some((at, cursor))
        })
        .collect()
}

fn merge(mut spans: Vec<TimeSpan>) -> Vec<TimeSpan> {
    spans.sort_by(|a, b| a.start.total_cmp(&b.start));
    let mut merged: Vec<TimeSpan> = Vec::with_capacity(spans.len());
    for span in spans {
        match merged.last_mut() {
            Some(last) if span.start <= last.end => last.end = last.end.max(span.end),
            _ => merged.push(span),
        }
    }
    merged
}

/// Replaces the samples (at [`SAMPLE_RATE`], starting at time 0) inside each span
/// with a quiet beep. Spans beyond the end of `samples` are clipped.
pub fn mute(samples: &mut [f32], spans: &[TimeSpan]) {
    let rate = f64::from(SAMPLE_RATE);
    for span in spans {
        let from = ((span.start.max(0.0) * rate) as usize).min(samples.len());
        let to = ((span.end.max(0.0) * rate).ceil() as usize).min(samples.len());
        for (i, sample) in samples[from..to].iter_mut().enumerate() {
            let phase = std::f32::consts::TAU * BEEP_HZ * i as f32 / SAMPLE_RATE as f32;
            *sample = BEEP_LEVEL * phase.sin();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transcript::{Attribution, Party, TRANSCRIPT_SCHEMA_VERSION};

    fn word(text: &str, start: f64, end: f64) -> Word {
        Word {
            text: text.into(),
            start,
            end,
            probability: 0.9,
        }
    }

    fn call(words: Vec<Word>) -> Transcript {
        let text: String = words.iter().map(|w| w.text.as_str()).collect();
        Transcript {
            schema_version: TRANSCRIPT_SCHEMA_VERSION,
            duration: 20.0,
            language: "fi".into(),
            attribution: Attribution::Channels,
            segments: vec![Segment {
                party: Party::Customer,
                start: words[0].start,
                end: words[words.len() - 1].end,
                text,
                words,
            }],
        }
    }

    #[test]
    fn spoken_phone_number_is_removed_from_text_words_and_time() {
        let input = call(vec![
            word(" numero", 2.0, 2.5),
            word(" on", 2.5, 2.7),
            word(" 040", 3.0, 3.6),
            word(" 123", 3.7, 4.2),
            word(" 4567", 4.3, 5.0),
            word(" kiitos", 6.0, 6.5),
        ]);
        let (redacted, spans) = transcript(&input);
        let segment = &redacted.segments[0];
        assert_eq!(segment.text, " numero on [puhelinnumero] kiitos");
        let texts: Vec<&str> = segment.words.iter().map(|w| w.text.trim()).collect();
        assert_eq!(texts, ["numero", "on", "[puhelinnumero]", "kiitos"]);
        assert_eq!(spans.len(), 1);
        assert!((spans[0].start - 2.7).abs() < 1e-9 && (spans[0].end - 5.3).abs() < 1e-9);
        assert!(spans[0].end < 6.0, "the next word stays audible");
    }

    #[test]
    fn invalid_identity_code_leaves_transcript_and_audio_alone() {
        let input = call(vec![
            word(" hetu", 1.0, 1.4),
            word(" 131052-308U", 1.5, 3.0),
        ]);
        let (redacted, spans) = transcript(&input);
        assert_eq!(redacted, input);
        assert!(spans.is_empty());
    }

    #[test]
    fn segment_without_word_times_is_silenced_whole() {
        let mut input = call(vec![word(" x", 4.0, 5.0)]);
        input.segments[0].text = " hetu 131052-308T".into();
        input.segments[0].words.clear();
        let (_, spans) = transcript(&input);
        assert_eq!(spans.len(), 1);
        assert!(spans[0].start <= 4.0 && spans[0].end >= 5.0);
    }

    #[test]
    fn mute_replaces_only_the_span_with_a_quiet_tone() {
        let mut samples = vec![0.8f32; 3 * SAMPLE_RATE as usize];
        mute(
            &mut samples,
            &[
                TimeSpan {
                    start: 1.0,
                    end: 2.0,
                },
                TimeSpan {
                    start: 2.9,
                    end: 9.0,
                },
            ],
        );
        let rate = SAMPLE_RATE as usize;
        assert!(samples[..rate].iter().all(|&s| s == 0.8));
        assert!(
            samples[rate..2 * rate]
                .iter()
                .all(|s| s.abs() <= BEEP_LEVEL)
        );
        assert!(
            samples[2 * rate + 10..29 * rate / 10]
                .iter()
                .all(|&s| s == 0.8)
        );
        assert!(
            samples[29 * rate / 10..]
                .iter()
                .all(|s| s.abs() <= BEEP_LEVEL)
        );
    }
}
