//! Word times a reader can trust: every word of a segment starts strictly after the
//! one before it, inside the segment. whisper.cpp's DTW alignment (cross-attention
//! of the model's alignment heads) gives each word's first token a time; where it
//! gives none, or one that would run backwards or outside the segment, the word is
//! placed between its neighbours in proportion to the characters spoken, as it is
//! for every word when the model has no alignment heads. Whisper's own token
//! timestamps are not used: on short segments they stamp every word after the
//! first at the segment's end (ASR-NOTES.md).

/// Smallest step between two words' starts (DTW's resolution is 20 ms).
pub const MIN_STEP_S: f64 = 0.01;

/// How far after its segment's start the first word's aligned start may lie.
/// Whisper's segment start is the more reliable of the two: on packed windows DTW
/// has put a turn's first word seconds late, leaving the words before it (a phone
/// number read out) outside every word's time.
pub const FIRST_WORD_SLACK_S: f64 = 1.0;

/// The (start, end) of each word. `starts[i]` is the aligned start of word `i`, if
/// any; `chars[i]` its length; `span` the segment's start and end. Starts come out
/// strictly increasing, at least `MIN_STEP_S` apart, inside the span when it is
/// long enough to hold them; each word ends where the next starts, the last at the
/// span's end.
pub fn word_times(starts: &[Option<f64>], chars: &[usize], span: (f64, f64)) -> Vec<(f64, f64)> {
    let n = starts.len().min(chars.len());
    if n == 0 {
        return Vec::new();
    }
    let (from, to) = (span.0, span.1.max(span.0 + MIN_STEP_S * n as f64));
    // Aligned starts kept as anchors: inside the span, increasing, with room for
    // the words between them and for the words after the last one.
    let mut anchors: Vec<(usize, f64)> = Vec::new();
    for (i, start) in starts.iter().take(n).enumerate() {
        let Some(t) = *start else { continue };
        let (last_i, last_t) = anchors.last().copied().unwrap_or((0, from));
        let earliest = if anchors.is_empty() {
            from + MIN_STEP_S * i as f64
        } else {
            last_t + MIN_STEP_S * (i - last_i) as f64
        };
        let mut latest = to - MIN_STEP_S * (n - i) as f64;
        if i == 0 {
            latest = latest.min(from + FIRST_WORD_SLACK_S);
        }
        if t >= earliest && t <= latest {
            anchors.push((i, t));
        }
    }
    if anchors.first().is_none_or(|&(i, _)| i > 0) {
        anchors.insert(0, (0, from));
    }
    let mut result = vec![(0.0, 0.0); n];
    for (k, &(i, t)) in anchors.iter().enumerate() {
        let (j, next) = anchors.get(k + 1).copied().unwrap_or((n, to));
        spread(&mut result[i..j], &chars[i..j], t, next);
    }
    for i in 0..n {
        result[i].1 = result.get(i + 1).map_or(to, |next| next.0);
    }
    result
}

/// Gives `words` starts from `from` (the first word's) towards `to` (the start of
/// what follows them), each at least `MIN_STEP_S` after the one before, the rest
/// of the time shared out by characters.
fn spread(words: &mut [(f64, f64)], chars: &[usize], from: f64, to: f64) {
    let count = words.len() as f64;
    let spare = (to - from - MIN_STEP_S * count).max(0.0);
    let total: usize = chars.iter().map(|&c| c.max(1)).sum();
    let mut before = 0usize;
    for (k, word) in words.iter_mut().enumerate() {
        word.0 = from + MIN_STEP_S * k as f64 + spare * before as f64 / total as f64;
        before += chars[k].max(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strictly_increasing_inside(times: &[(f64, f64)], span: (f64, f64)) {
        for pair in times.windows(2) {
            assert!(pair[1].0 >= pair[0].0 + MIN_STEP_S - 1e-9, "{times:?}");
            assert!((pair[0].1 - pair[1].0).abs() < 1e-9, "{times:?}");
        }
        assert!(times[0].0 >= span.0 && times.last().unwrap().1 <= span.1 + 1e-9);
    }

    #[test]
    fn aligned_starts_are_kept() {
        let times = word_times(&[Some(1.0), Some(1.4), Some(2.1)], &[5, 3, 8], (0.9, 3.0));
        assert_eq!(times, vec![(1.0, 1.4), (1.4, 2.1), (2.1, 3.0)]);
    }

    #[test]
    fn words_sharing_one_time_are_spread_by_characters() {
        // Whisper's token timestamps: everything after the first word at the end.
        let times = word_times(
            &[Some(0.0), Some(2.0), Some(2.0), Some(2.0)],
            &[4, 11, 2, 11],
            (0.0, 2.0),
        );
        strictly_increasing_inside(&times, (0.0, 2.0));
        assert!(times[1].0 < 1.0, "{times:?}");
    }

    #[test]
    fn without_alignment_the_segment_is_shared_by_characters() {
        let times = word_times(&[None, None, None], &[2, 6, 2], (10.0, 11.0));
        strictly_increasing_inside(&times, (10.0, 11.0));
        assert_eq!(times[0].0, 10.0);
        assert!((times[1].0 - 10.2).abs() < 0.02 && (times[2].0 - 10.8).abs() < 0.02);
    }

    #[test]
    fn starts_running_backwards_or_outside_are_replaced() {
        let span = (5.0, 7.0);
        let times = word_times(
            &[Some(4.5), Some(5.2), Some(9.0), Some(6.0), Some(4.0)],
            &[3, 3, 3, 3, 3],
            span,
        );
        strictly_increasing_inside(&times, span);
        assert_eq!(times[0].0, 5.0);
        assert_eq!(times[1].0, 5.2);
        assert_eq!(times[3].0, 6.0);
    }

    #[test]
    fn a_first_word_aligned_seconds_late_starts_with_its_segment() {
        let span = (11.6, 18.5);
        let times = word_times(&[Some(16.7), Some(16.72), Some(17.3)], &[5, 5, 4], span);
        strictly_increasing_inside(&times, span);
        assert_eq!(times[0].0, 11.6, "{times:?}");
    }

    #[test]
    fn a_too_short_span_still_gives_distinct_starts() {
        let times = word_times(&[Some(1.0); 4], &[1, 1, 1, 1], (1.0, 1.0));
        for pair in times.windows(2) {
            assert!(pair[1].0 > pair[0].0, "{times:?}");
        }
        assert!(word_times(&[], &[], (0.0, 1.0)).is_empty());
    }
}
