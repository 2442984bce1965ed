//! The verify stage: checks every moment of a scorecard against the call's
//! audio, and spots the rubric's phrases in the audio where the text showed
//! none. Before a moment counts, the tokens of its quote are decoded
//! teacher-forced (no prompt) on the stretch of its party's channel it came
//! from, and compared with Whisper's free unprompted decode of that stretch and
//! with the same tokens on other speech of the same party in the call (`decide`).
//! A moment the audio does not support stays in the scorecard with
//! `verified: false` and earns or costs nothing; a spot phrase the audio
//! supports becomes a verified moment with its segment's times. A silence the
//! text calls unannounced is listened to the other way round: a hold phrase
//! heard in the agent's speech just before it means it was announced, and the
//! moment is not verified.
//!
//! Entry points: [`check`] once at start-up (the model and the rubric's spot
//! phrases), then [`run`] per call. Synchronous, single-threaded: one decoding
//! state of its own per call, beside the transcriber's decoders.

mod audio;
pub mod decide;
mod plan;

use std::path::{Path, PathBuf};

use crate::audio::AudioError;
use crate::rubric::definition::Rubric;
use crate::rubric::resolve::NAME_SLOT;
use crate::rubric::scorecard::{Moment, Scorecard};
use crate::rubric::scoring::rescore;
use crate::transcribe::{CallOptions, Scorer, TranscribeError, Transcriber};
use crate::transcript::{Party, Transcript};
use audio::Stretch;
pub use decide::{ANNOUNCED, Evidence, Margins, SPOT, VERIFY};

/// Confidence of a moment found by spotting: it has audio behind it but no
/// text, so it never reads as certain as a matched quote.
pub const SPOTTED_CONFIDENCE: f32 = 0.5;

#[derive(Debug, thiserror::Error)]
pub enum VerifyError {
    #[error(transparent)]
    Transcribe(#[from] TranscribeError),
    #[error("{path}: cannot read the audio to verify the call's moments: {source}")]
    Audio {
        path: PathBuf,
        #[source]
        source: AudioError,
    },
    #[error(
        "rubric `{rubric}`, line {line}: spot phrase `{phrase}` cannot be spotted with {model}: {reason}; rewrite or remove it"
    )]
    SpotPhrase {
        rubric: String,
        line: usize,
        phrase: String,
        model: PathBuf,
        reason: String,
    },
}

/// The recording a scorecard was made from and how its channels are laid out.
pub struct Recording<'a> {
    pub path: &'a Path,
    pub call: &'a CallOptions,
}

/// What was judged, with the numbers behind each decision (for logs, tests
/// and tuning the margins).
#[derive(Debug, Clone, serde::Serialize)]
pub struct Judgement {
    pub behaviour: String,
    /// The words scored: a quote's piece, a spot phrase, or a hold phrase
    /// listened for before a silence.
    pub text: String,
    pub start: f64,
    pub end: f64,
    /// `false` for a spot phrase or a hold phrase.
    pub from_text: bool,
    pub evidence: Evidence,
    /// The moment stands on this decision: a quote or spot phrase heard, a
    /// hold phrase not heard (the silence stays unannounced).
    pub supported: bool,
}

/// The verified scorecard and the judgements that made it.
#[derive(Debug, Clone)]
pub struct Verified {
    pub card: Scorecard,
    pub judgements: Vec<Judgement>,
}

/// Start-up check: the model can score speech in `language`, and every spot
/// phrase of `rubric` gives Whisper tokens. Errors name the model file or the
/// rubric line.
pub fn check(
    rubric: &Rubric,
    transcriber: &Transcriber,
    language: &str,
) -> Result<(), VerifyError> {
    transcriber.scorer(language)?;
    for spot in rubric.behaviours.iter().flat_map(|b| &b.spot) {
        // A name slot is filled per call; any name shows the phrase tokenises.
        transcriber
            .tokenize(&spot.phrase.replace(NAME_SLOT, "Anna"))
            .map_err(|reason| VerifyError::SpotPhrase {
                rubric: rubric.id.clone(),
                line: spot.line,
                phrase: spot.phrase.clone(),
                model: transcriber.model_path().to_path_buf(),
                reason,
            })?;
    }
    Ok(())
}

/// One sequence of tokens to score on its own stretch and on the nulls.
struct Item {
    stretch: usize,
    context: Vec<i32>,
    tokens: Vec<i32>,
    own: Option<f32>,
    nulls: Vec<f32>,
}

/// Verifies `card` (scored from `transcript` with `rubric`) against the
/// recording and spots the rubric's phrases: the scorecard with every moment's
/// `verified` set, spotted moments added, and points and scores recomputed.
pub fn run(
    transcript: &Transcript,
    card: Scorecard,
    rubric: &Rubric,
    recording: &Recording<'_>,
    transcriber: &Transcriber,
) -> Result<Verified, VerifyError> {
    let checks = plan::checks(transcript, &card, rubric);
    let places = plan::spot_places(transcript, &card, rubric);
    let announcements = plan::announcement_places(transcript, &card, rubric);
    if checks.is_empty() && places.is_empty() && announcements.is_empty() {
        return Ok(Verified {
            card,
            judgements: Vec::new(),
        });
    }
    let mut stretches: Vec<Stretch> = Vec::new();
    let tokenize = |text: &str| -> Result<Vec<i32>, VerifyError> {
        if text.trim().is_empty() {
            return Ok(Vec::new());
        }
        transcriber.tokenize(text).map_err(|reason| {
            VerifyError::Transcribe(TranscribeError::Whisper {
                what: "tokenise a quote",
                reason,
            })
        })
    };
    let mut items = Vec::new();
    for c in &checks {
        items.push(Item {
            stretch: index_of(&mut stretches, c.stretch),
            context: Vec::new(),
            tokens: tokenize(&c.text)?,
            own: None,
            nulls: Vec::new(),
        });
    }
    // A phrase listened for after the words decoded before it.
    let mut phrase_item = |stretch: Stretch, context: &str, phrase: &str| {
        // Whisper starts a sentence with a capital letter.
        let phrase = if context.is_empty() {
            capitalised(phrase)
        } else {
            phrase.to_string()
        };
        Ok::<_, VerifyError>(Item {
            stretch: index_of(&mut stretches, stretch),
            context: tokenize(context)?,
            tokens: tokenize(&phrase)?,
            own: None,
            nulls: Vec::new(),
        })
    };
    for p in &places {
        items.push(phrase_item(p.stretch, &p.context, &p.text)?);
    }
    for a in &announcements {
        items.push(phrase_item(a.stretch, &a.context, a.phrase)?);
    }
    let parties: Vec<Party> = items.iter().map(|i| stretches[i.stretch].party).collect();
    let mut null_stretches = Vec::new();
    for party in [Party::Agent, Party::Customer, Party::Unknown] {
        if parties.contains(&party) {
            for null in plan::nulls(transcript, party) {
                null_stretches.push(index_of(&mut stretches, null));
            }
        }
    }

    let samples = audio::read(
        recording.path,
        &transcriber.settings().limits,
        recording.call.agent_channel,
        &stretches,
    )
    .map_err(|source| VerifyError::Audio {
        path: recording.path.to_path_buf(),
        source,
    })?;
    let mut scorer = transcriber.scorer(&transcript.language)?;
    // An item the free decode of its stretch already rules out needs no null (a
    // decision needs both margins, `Evidence::supports`): most spot phrases were
    // never said, and their nulls would be most of the work.
    let margins = |i: usize| {
        if i < checks.len() {
            VERIFY
        } else if i < checks.len() + places.len() {
            SPOT
        } else {
            ANNOUNCED
        }
    };
    let mut free: Vec<Option<f32>> = vec![None; stretches.len()];
    let needs_null = |i: usize, items: &[Item], free: &[Option<f32>]| {
        let (own, free) = (items[i].own, free[items[i].stretch]);
        own.is_some_and(|own| free.is_none_or(|f| own - f >= margins(i).over_free))
    };
    // Per stretch, the items it is a null for: same party, not their own audio.
    let null_candidates: Vec<Vec<usize>> = (0..stretches.len())
        .map(|si| {
            if !null_stretches.contains(&si) {
                return Vec::new();
            }
            (0..items.len())
                .filter(|&i| {
                    let own = &stretches[items[i].stretch];
                    own.party == stretches[si].party && !own.overlaps(&stretches[si])
                })
                .collect()
        })
        .collect();
    // Stretches with words of their own, those that are no null first, so that
    // most items are judged by the time a null stretch is encoded; then the null
    // stretches still needed. Each is encoded once unless an item judged later
    // needs a null stretch already passed.
    let mut order: Vec<usize> = (0..stretches.len())
        .filter(|&si| items.iter().any(|it| it.stretch == si))
        .collect();
    order.sort_by_key(|si| null_stretches.contains(si));
    let mut nulled = vec![vec![false; stretches.len()]; items.len()];
    for &si in &order {
        free[si] = scorer.hear(&samples[si], true)?;
        for item in items.iter_mut().filter(|item| item.stretch == si) {
            item.own = score(&mut scorer, item)?;
        }
        for &i in &null_candidates[si] {
            if needs_null(i, &items, &free) {
                nulled[i][si] = true;
                if let Some(s) = score(&mut scorer, &items[i])? {
                    items[i].nulls.push(s);
                }
            }
        }
    }
    for &si in &null_stretches {
        let null_for: Vec<usize> = null_candidates[si]
            .iter()
            .copied()
            .filter(|&i| !nulled[i][si] && needs_null(i, &items, &free))
            .collect();
        if null_for.is_empty() {
            continue;
        }
        // A null stretch only needs encoding.
        scorer.hear(&samples[si], false)?;
        for i in null_for {
            nulled[i][si] = true;
            if let Some(s) = score(&mut scorer, &items[i])? {
                items[i].nulls.push(s);
            }
        }
    }
    let planned = Planned {
        checks: &checks,
        places: &places,
        announcements: &announcements,
    };
    Ok(decide_all(card, rubric, &planned, &items, &free))
}

fn capitalised(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or(String::new(), |c| c.to_uppercase().chain(chars).collect())
}

/// Index of `s` in `stretches`, added if new: each stretch is heard once.
fn index_of(stretches: &mut Vec<Stretch>, s: Stretch) -> usize {
    match stretches.iter().position(|&x| x == s) {
        Some(i) => i,
        None => {
            stretches.push(s);
            stretches.len() - 1
        }
    }
}

fn score(scorer: &mut Scorer, item: &Item) -> Result<Option<f32>, TranscribeError> {
    scorer.score(&item.context, &item.tokens)
}

fn evidence(item: &Item, free: &[Option<f32>]) -> Option<Evidence> {
    Some(Evidence {
        own: item.own?,
        free: free[item.stretch],
        nulls: item.nulls.clone(),
    })
}

/// What was listened for, in the order of the items: checks, spot places,
/// announcement places.
struct Planned<'a> {
    checks: &'a [plan::Check],
    places: &'a [plan::SpotPlace],
    announcements: &'a [plan::AnnouncementPlace],
}

fn decide_all(
    mut card: Scorecard,
    rubric: &Rubric,
    planned: &Planned<'_>,
    items: &[Item],
    free: &[Option<f32>],
) -> Verified {
    let Planned {
        checks,
        places,
        announcements,
    } = planned;
    let mut judgements = Vec::new();
    for (c, item) in checks.iter().zip(items) {
        // A piece with no tokens says nothing against its moment.
        let Some(e) = evidence(item, free) else {
            continue;
        };
        let supported = e.supports(VERIFY);
        let m = &mut card.moments[c.moment];
        m.verified &= supported;
        judgements.push(Judgement {
            behaviour: m.behaviour.clone(),
            text: c.text.clone(),
            start: c.stretch.start,
            end: c.stretch.end,
            from_text: true,
            evidence: e,
            supported,
        });
    }
    let mut best: Vec<Option<(f32, &plan::SpotPlace)>> = vec![None; rubric.behaviours.len()];
    for (p, item) in places.iter().zip(&items[checks.len()..]) {
        let Some(e) = evidence(item, free) else {
            continue;
        };
        let supported = e.supports(SPOT);
        let ratio = e.over_null().unwrap_or(0.0);
        if supported && best[p.behaviour].is_none_or(|(r, _)| ratio > r) {
            best[p.behaviour] = Some((ratio, p));
        }
        judgements.push(Judgement {
            behaviour: rubric.behaviours[p.behaviour].id.clone(),
            text: p.text.clone(),
            start: p.start,
            end: p.end,
            from_text: false,
            evidence: e,
            supported,
        });
    }
    // A hold phrase heard before a silence the text called unannounced: the
    // agent did announce it, and the moment must not cost them.
    let announcement_items = &items[checks.len() + places.len()..];
    for (a, item) in announcements.iter().zip(announcement_items) {
        let Some(e) = evidence(item, free) else {
            continue;
        };
        let heard = e.supports(ANNOUNCED);
        let m = &mut card.moments[a.moment];
        m.verified &= !heard;
        judgements.push(Judgement {
            behaviour: m.behaviour.clone(),
            text: a.phrase.to_string(),
            start: a.stretch.start,
            end: a.stretch.end,
            from_text: false,
            evidence: e,
            supported: !heard,
        });
    }
    for (b, found) in rubric.behaviours.iter().zip(best) {
        let (Some((_, p)), Some(d)) = (found, b.dimension) else {
            continue;
        };
        card.moments.push(Moment {
            behaviour: b.id.clone(),
            dimension: rubric.dimensions[d].id.clone(),
            party: p.stretch.party,
            start: p.start,
            end: p.end,
            quote: p.text.clone(),
            points: b.points,
            confidence: SPOTTED_CONFIDENCE,
            verified: true,
        });
    }
    rescore(&mut card, rubric);
    for j in &judgements {
        tracing::debug!(
            behaviour = %j.behaviour,
            text = %j.text,
            own = j.evidence.own,
            over_null = ?j.evidence.over_null(),
            over_free = ?j.evidence.over_free(),
            supported = j.supported,
            "acoustic check"
        );
    }
    Verified { card, judgements }
}
