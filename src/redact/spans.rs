//! Carrying text findings over to time: the words whose text held personal data
//! give the stretch of audio to silence, and [`mute`] replaces it with a quiet tone
//! so a listener hears that something was removed.

use super::{Finding, TimeSpan, find, replace};
use crate::audio::SAMPLE_RATE;
use crate::transcript::{Party, Segment, Transcript, Word};

/// Word timestamps are approximate (Whisper drifts by tenths of a second, and DTW
/// times can bunch a run of words), so each span is widened by this much on both
/// sides, and further up to the neighbouring words it did not redact.
const PAD_S: f64 = 0.3;
const BEEP_HZ: f32 = 1000.0;
const BEEP_LEVEL: f32 = 0.05;

/// The transcript with personal data replaced in segment and word text, and the
/// time spans that carried it, padded and merged, in time order.
///
/// A number read out slowly often runs over two of a party's segments (Whisper ends
/// one mid-number and the rest opens the next), so a party's segments are searched
/// together while each ends mid-sentence (no `.`, `?` or `!`); a finding that spans
/// two segments is replaced in both.
pub fn transcript(input: &Transcript) -> (Transcript, Vec<TimeSpan>) {
    let mut out = input.clone();
    let mut spans = Vec::new();
    for chain in chains(&input.segments) {
        let mut joined = String::new();
        let mut at = Vec::with_capacity(chain.len());
        for &i in &chain {
            if !joined.is_empty() {
                joined.push(' ');
            }
            at.push(joined.len());
            joined.push_str(&input.segments[i].text);
        }
        let found = find(&joined);
        for (&i, &offset) in chain.iter().zip(&at) {
            let segment = &mut out.segments[i];
            let end = offset + segment.text.len();
            let local: Vec<Finding> = found
                .iter()
                .filter(|f| f.start < end && offset < f.end)
                .filter_map(|f| {
                    let (start, end) = (f.start.max(offset) - offset, f.end.min(end) - offset);
                    // The part in this segment, without the spaces around it.
                    let part = segment.text.get(start..end)?;
                    let start = start + (part.len() - part.trim_start().len());
                    let end = start + part.trim().len();
                    (start < end).then_some(Finding {
                        kind: f.kind,
                        start,
                        end,
                    })
                })
                .collect();
            if local.is_empty() {
                continue;
            }
            spans.extend(redact_words(segment, &local));
            segment.text = replace(&segment.text, &local);
        }
    }
    for span in &mut spans {
        span.start = span.start.max(0.0);
        span.end = span.end.min(input.duration.max(span.end));
    }
    (out, merge(spans))
}

/// Indices of segments to search together: a party's consecutive segments, joined
/// while the earlier one does not end a sentence.
fn chains(segments: &[Segment]) -> Vec<Vec<usize>> {
    let mut chains: Vec<Vec<usize>> = Vec::new();
    let mut open: Vec<(Party, usize)> = Vec::new(); // a party's chain still open
    for (i, segment) in segments.iter().enumerate() {
        let chain = match open.iter().position(|(party, _)| *party == segment.party) {
            Some(k) => {
                let chain = open.remove(k).1;
                chains[chain].push(i);
                chain
            }
            None => {
                chains.push(vec![i]);
                chains.len() - 1
            }
        };
        if !segment.text.trim_end().ends_with(['.', '?', '!']) {
            open.push((segment.party, chain));
        }
    }
    chains
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
                start: segment.start - PAD_S,
                end: segment.end + PAD_S,
            });
            continue;
        };
        let end = segment.words[last].end;
        // The item may sound anywhere between the words around it: the beep fills
        // the gaps up to them (or to the segment's ends), never into them.
        let before = first
            .checked_sub(1)
            .map_or(segment.start - PAD_S, |i| segment.words[i].end);
        let after = segment
            .words
            .get(last + 1)
            .map_or(segment.end + PAD_S, |w| w.start);
        let word: &mut Word = &mut segment.words[first];
        spans.push(TimeSpan {
            start: (word.start - PAD_S).min(before),
            end: (end + PAD_S).max(after),
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
    use crate::transcript::{Attribution, TRANSCRIPT_SCHEMA_VERSION};

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
        // From the end of "on" to the start of "kiitos": the gaps are filled.
        assert!((spans[0].start - 2.7).abs() < 1e-9 && (spans[0].end - 6.0).abs() < 1e-9);
        assert!(spans[0].end <= 6.0, "the next word stays audible");
    }

    #[test]
    fn identity_code_read_out_in_words_is_beeped_over_every_word() {
        let mut words = vec![word(" hetu", 1.0, 1.4)];
        let spoken = [
            "kolmetoista",
            "kymmenen",
            "viisikymmentäkaksi",
            "viiva",
            "kolmesataakahdeksan",
            "tee.",
        ];
        for (i, w) in spoken.iter().enumerate() {
            let start = 2.0 + i as f64;
            words.push(word(&format!(" {w}"), start, start + 0.9));
        }
        words.push(word(" Kiitos", 9.0, 9.5));
        let (redacted, spans) = transcript(&call(words));
        let segment = &redacted.segments[0];
        assert_eq!(segment.text, " hetu [hetu]. Kiitos");
        let texts: Vec<&str> = segment.words.iter().map(|w| w.text.trim()).collect();
        assert_eq!(texts, ["hetu", "[hetu]", "Kiitos"]);
        assert_eq!(spans.len(), 1);
        assert!((spans[0].start - 1.4).abs() < 1e-9 && (spans[0].end - 9.0).abs() < 1e-9);
    }

    #[test]
    fn number_running_over_two_segments_of_a_party_is_found_in_both() {
        let mut input = call(vec![
            word(" Nolla", 1.0, 1.5),
            word(" neljä", 1.5, 2.0),
            word(" nolla", 2.0, 2.5),
            word(" yksi", 2.5, 3.0),
            word(" kaksi", 3.0, 3.5),
        ]);
        let agent = Segment {
            party: Party::Agent,
            start: 3.6,
            end: 4.0,
            text: " Joo, a@b.fi.".into(),
            words: vec![word(" Joo,", 3.6, 3.7), word(" a@b.fi.", 3.7, 4.0)],
        };
        let rest = call(vec![
            word(" kolme", 4.2, 4.7),
            word(" neljä", 4.7, 5.2),
            word(" kaksi.", 5.2, 5.7),
            word(" Kiitos.", 7.0, 7.5),
        ]);
        input.segments.push(agent);
        input.segments.extend(rest.segments);
        let (redacted, spans) = transcript(&input);
        let texts: Vec<&str> = redacted.segments.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            [
                " [puhelinnumero]",
                " Joo, [sähköposti].",
                " [puhelinnumero]. Kiitos."
            ]
        );
        let (first, last) = (spans[0], spans[spans.len() - 1]);
        assert!(
            first.start <= 1.0 && last.end >= 5.7 && last.end <= 7.0,
            "{spans:?}"
        );

        // A segment that ends a sentence is searched on its own.
        input.segments[0].text.push('.');
        input.segments[1].text = " Joo.".into();
        input.segments[1].words.truncate(1);
        let (redacted, spans) = transcript(&input);
        assert_eq!(redacted, input);
        assert!(spans.is_empty());
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
