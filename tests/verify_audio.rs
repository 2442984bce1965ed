//! Acoustic verification and spotting with the real Whisper model on real
//! fixture audio (`kuulas::verify`): a moment whose quote the audio contradicts
//! is rejected and earns nothing, moments the audio supports stay, a phrase
//! garbled in the text is found by listening for it, and a phrase nobody said
//! is not. Transcripts are built from the fixtures' truth files, edited where a
//! test needs the text to be wrong, so that what is tested is the audio check
//! alone. Needs the model from `scripts/fetch-model.sh`.

mod audio_support;

use std::sync::OnceLock;

use audio_support::{fixtures, truth};
use kuulas::metrics;
use kuulas::rubric::{self, Rubric, Scorecard};
use kuulas::transcribe::{CallOptions, Transcriber};
use kuulas::transcript::{Attribution, Party, Segment, TRANSCRIPT_SCHEMA_VERSION, Transcript};
use kuulas::verify::{self, Recording, Verified};

fn transcriber() -> &'static Transcriber {
    static T: OnceLock<Transcriber> = OnceLock::new();
    T.get_or_init(|| audio_support::load_transcriber("ggml-base.bin", Some(1)))
}

/// The fixture call's true transcript, with `edits` (true text → claimed text)
/// applied to its utterances.
fn transcript(call: &str, edits: &[(&str, &str)]) -> Transcript {
    let segments: Vec<Segment> = truth(call)
        .into_iter()
        .map(|u| {
            let text = edits
                .iter()
                .find(|(from, _)| *from == u.text)
                .map_or(u.text.clone(), |(_, to)| to.to_string());
            Segment {
                party: if u.party == "agent" {
                    Party::Agent
                } else {
                    Party::Customer
                },
                start: u.start,
                end: u.end,
                text,
                words: Vec::new(),
            }
        })
        .collect();
    Transcript {
        schema_version: TRANSCRIPT_SCHEMA_VERSION,
        duration: segments.iter().map(|s| s.end).fold(0.0, f64::max) + 0.5,
        language: "fi".to_string(),
        attribution: Attribution::Channels,
        segments,
    }
}

fn score(t: &Transcript, r: &Rubric) -> Scorecard {
    rubric::score(t, &metrics::compute(t, None), r)
}

fn verified(call: &str, t: &Transcript, r: &Rubric) -> Verified {
    let path = fixtures().join(format!("{call}.ulaw8k.wav"));
    let started = std::time::Instant::now();
    let v = verify::run(
        t,
        score(t, r),
        r,
        &Recording {
            path: &path,
            call: &CallOptions::default(),
        },
        transcriber(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    eprintln!(
        "{call}: verified in {:.2} s",
        started.elapsed().as_secs_f64()
    );
    for j in &v.judgements {
        eprintln!(
            "  {:<20} {:<45} own {:>6.2}  over null {:>6.2?}  over free {:>6.2?}  {}",
            j.behaviour,
            j.text,
            j.evidence.own,
            j.evidence.over_null(),
            j.evidence.over_free(),
            if j.supported { "supported" } else { "REJECTED" }
        );
    }
    v
}

const REFUSAL: &str = "Tämä ei kuulu meille.";

#[test]
fn a_greeting_the_audio_contradicts_is_rejected_and_earns_nothing() {
    let r = rubric::default_rubric();
    // Greeting words nobody said, written over the agent's first turn (which
    // says only "Asiakaspalvelu."), as the domain prompt once wrote them.
    let t = transcript(
        "cold_refusal",
        &[("Asiakaspalvelu.", "Hyvää päivää, tervetuloa.")],
    );
    let from_text = score(&t, &r);
    assert!(
        from_text.has("greeting"),
        "the edit must read as a greeting"
    );

    let v = verified("cold_refusal", &t, &r);
    let greeting = v
        .card
        .moments
        .iter()
        .find(|m| m.behaviour == "greeting")
        .expect("an unverified moment stays in the scorecard");
    assert!(
        !greeting.verified,
        "the audio says a refusal, not a greeting"
    );
    assert!(greeting.points > 0.0, "its would-be points stay visible");

    // The dimension counts verified moments only.
    let warmth = r
        .dimensions
        .iter()
        .find(|d| d.id == "warmth")
        .expect("warmth");
    let earned: f64 = v
        .card
        .moments
        .iter()
        .filter(|m| m.dimension == "warmth" && m.verified)
        .map(|m| m.points)
        .sum();
    assert_eq!(
        v.card.dimension("warmth"),
        Some((warmth.base + earned).clamp(0.0, 100.0))
    );
    assert!(v.card.dimension("warmth") < from_text.dimension("warmth"));
    assert!(v.card.scores.overall < from_text.scores.overall);
}

#[test]
fn moments_the_audio_supports_are_verified() {
    let r = rubric::default_rubric();
    let t = transcript("cold_refusal", &[]);
    let from_text = score(&t, &r);
    let worded: Vec<_> = from_text
        .moments
        .iter()
        .filter(|m| m.behaviour != "unannounced_silence" && m.behaviour != "agent_interruption")
        .collect();
    assert!(worded.len() >= 2, "the true text has moments: {worded:?}");

    let v = verified("cold_refusal", &t, &r);
    let rejected: Vec<_> = v.card.moments.iter().filter(|m| !m.verified).collect();
    assert!(rejected.is_empty(), "true words rejected: {rejected:#?}");
    assert_eq!(
        v.card.scores, from_text.scores,
        "nothing changes when all is true"
    );
}

/// A rubric with one refusal behaviour that may be spotted, and a greeting
/// that may be spotted but was never said in the cold call.
const SPOT_RUBRIC: &str = r#"
schema_version = 1
id = "spot-test"
version = "1"

[[dimension]]
id = "service"
name = "Palvelu"
weight = 1
base = 50

[[behaviour]]
id = "not_ours"
dimension = "service"
party = "agent"
polarity = "bad"
points = 20
patterns = ["ei kuulu meille"]
spot = ["tämä ei kuulu meille"]

[[behaviour]]
id = "greeting"
dimension = "service"
party = "agent"
within = "first 20s"
polarity = "good"
points = 15
patterns = ["hyvää päivää"]
spot = ["hyvää päivää", "hyvää huomenta"]
"#;

#[test]
fn a_phrase_garbled_in_the_text_is_spotted_and_one_never_said_is_not() {
    let r = rubric::resolve("spot-test.toml", SPOT_RUBRIC).unwrap_or_else(|e| panic!("{e}"));
    verify::check(&r, transcriber(), "fi").unwrap_or_else(|e| panic!("{e}"));
    // How Whisper base wrote it (ASR-NOTES.md: "ei kuulu meille" → "eikuu ruumeilere").
    let t = transcript("cold_refusal", &[(REFUSAL, "Tämäeikuu ruumeilere.")]);
    assert!(
        !score(&t, &r).has("not_ours"),
        "the text matcher must miss the garbled phrase for this test to mean anything"
    );

    let v = verified("cold_refusal", &t, &r);
    let spotted = v
        .card
        .moments
        .iter()
        .find(|m| m.behaviour == "not_ours")
        .expect("the refusal is heard in the audio");
    assert!(spotted.verified);
    assert_eq!(spotted.points, -20.0);
    assert!(
        spotted.start >= 7.9 && spotted.end <= 9.2,
        "the refusal's turn: {spotted:?}"
    );
    assert_eq!(v.card.dimension("service"), Some(30.0));
    assert!(
        !v.card.has("greeting"),
        "no greeting was said in the cold call"
    );
}

#[test]
fn a_name_fused_into_its_neighbours_in_the_text_is_heard_as_a_self_introduction() {
    let r = rubric::default_rubric();
    // Base runs a name into the next word ("samiteikkiin" for "Sami Heikkinen"):
    // no gazetteer name is left in the text.
    let t = transcript(
        "warm_solution",
        &[(
            "Hyvää päivää, Kuulas Energian asiakaspalvelu, Maija puhelimessa. Miten voin auttaa?",
            "Hyvää päivää, Kuulas Energian asiakaspalvelu, maijapuhelimessa. Miten voin auttaa?",
        )],
    );
    assert!(
        !score(&t, &r).has("self_intro"),
        "the text matcher must miss the fused name for this test to mean anything"
    );
    let v = verified("warm_solution", &t, &r);
    let intro = v
        .card
        .moments
        .iter()
        .find(|m| m.behaviour == "self_intro")
        .expect("the name is heard in the audio");
    assert!(intro.verified);
    assert_eq!(
        intro.quote, "Maija",
        "the name said, of those like the letters"
    );
    assert_eq!(intro.start, t.segments[0].start);
}

const SILENCE_RUBRIC: &str = r#"
schema_version = 1
id = "silence-test"
version = "1"

[[dimension]]
id = "hold"
name = "Pito"
weight = 1
base = 100

[[behaviour]]
id = "unannounced_silence"
dimension = "hold"
party = "agent"
polarity = "bad"
points = 35
metric = "unannounced_hold"
"#;

const ANNOUNCEMENT: &str = "Kiitos. Hetki, tarkistan tilanteen. Laitan teidät hetkeksi pitoon.";

#[test]
fn a_silence_announced_in_words_the_text_garbled_costs_nothing_and_a_true_one_stays() {
    let r = rubric::resolve("silence-test.toml", SILENCE_RUBRIC).unwrap_or_else(|e| panic!("{e}"));
    let silence = |v: &Verified| {
        v.card
            .moments
            .iter()
            .find(|m| m.behaviour == "unannounced_silence")
            .cloned()
            .expect("the text calls the silence unannounced")
    };
    // The announcement as base might write it at 8 kHz: no hold phrase left in the text.
    let garbled = transcript(
        "hold_thanks",
        &[(
            ANNOUNCEMENT,
            "Kiitos. Eetki, arkistaan tilantee. Laita teitä etkeks pi toon.",
        )],
    );
    let announced = verified("hold_thanks", &garbled, &r);
    assert!(
        !silence(&announced).verified,
        "the agent announced the hold; the audio says so"
    );
    assert_eq!(announced.card.dimension("hold"), Some(100.0));

    // cold_refusal's 12 s of dead line after the customer's question: nobody announced it.
    let dead_line = verified("cold_refusal", &transcript("cold_refusal", &[]), &r);
    let kept = silence(&dead_line);
    assert!(kept.verified, "no hold phrase was said before it");
    assert_eq!(dead_line.card.dimension("hold"), Some(65.0));
}

#[test]
fn a_language_whisper_lacks_is_a_start_up_error_naming_the_model() {
    let r = rubric::default_rubric();
    let error = verify::check(&r, transcriber(), "xx").expect_err("no such language");
    let message = error.to_string();
    assert!(message.contains("ggml-base"), "{message}");
    assert!(message.contains("\"xx\""), "{message}");
}

/// A sequence's score depends on the audio and the tokens alone: not on what
/// the scorer heard or decoded before (the score of a quote's first token was
/// once read from a row of logits an earlier decode had left behind, and moved
/// by 0.3 nats with it).
#[test]
fn a_score_does_not_depend_on_what_the_scorer_did_before() {
    let t = transcriber();
    let recording = fixtures().join("cold_refusal.ulaw8k.wav");
    let audio = kuulas::audio::load(&recording, &t.settings().limits).unwrap();
    let agent: Vec<_> = truth("cold_refusal")
        .into_iter()
        .filter(|u| u.party == "agent")
        .collect();
    let stretch = |i: usize| {
        let u = &agent[i];
        let at = |s: f64| (s * f64::from(kuulas::audio::SAMPLE_RATE)) as usize;
        (
            audio.channels[0][at(u.start)..at(u.end)].to_vec(),
            t.tokenize(&u.text).unwrap(),
        )
    };
    let (first, first_words) = stretch(0);
    let (second, second_words) = stretch(1);

    let mut fresh = t.scorer("fi").unwrap();
    fresh.hear(&first, true).unwrap();
    let expected = fresh.score(&[], &first_words).unwrap().unwrap();

    let mut used = t.scorer("fi").unwrap();
    used.hear(&second, true).unwrap();
    used.score(&[], &second_words).unwrap();
    used.hear(&first, false).unwrap();
    let after_other_audio = used.score(&[], &first_words).unwrap().unwrap();
    used.score(&first_words[..1], &second_words).unwrap();
    let after_other_words = used.score(&[], &first_words).unwrap().unwrap();

    assert_eq!(
        after_other_audio, expected,
        "encode-only vs decoded, other audio before"
    );
    assert_eq!(after_other_words, expected, "after scoring other tokens");
}
