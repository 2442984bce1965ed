//! Scoring through the public API: evidence found in spoken Finnish and Whisper's
//! misspellings, scores recomputable from the moments, confidence lowered where the
//! evidence is weaker.

use kuulas::metrics;
use kuulas::rubric::{self, Scorecard};
use kuulas::transcript::{Attribution, Party, Segment, Transcript};

fn call(lines: &[(Party, &str)], attribution: Attribution) -> Transcript {
    let mut t = 0.0;
    let mut segments = Vec::new();
    for &(party, text) in lines {
        let end = t + 0.5 + text.split_whitespace().count() as f64 * 0.4;
        segments.push(Segment {
            party,
            start: t + 0.5,
            end,
            text: text.into(),
            words: vec![],
        });
        t = end;
    }
    Transcript {
        schema_version: 1,
        duration: t + 0.5,
        language: "fi".into(),
        attribution,
        segments,
    }
}

fn score(lines: &[(Party, &str)]) -> Scorecard {
    let t = call(lines, Attribution::Channels);
    rubric::score(&t, &metrics::compute(&t, None), &rubric::default_rubric())
}

use Party::{Agent, Customer};

#[test]
fn spoken_finnish_and_whisper_errors_are_found() {
    let card = score(&[
        (Agent, "Moi, Jussi tässä."),
        (Customer, "Moi, mä haluun puhua teiän esimiehen kanssa."),
        (Agent, "Sä valitsit nyt määrään vaihtoehdon."),
        (Agent, "Emmä tiiä, mut mä selvitän tän."),
    ]);
    for id in [
        "greeting",
        "self_intro",
        "customer_escalation",
        "bare_refusal",
        "ownership",
    ] {
        assert!(card.has(id), "{id} not found: {:#?}", card.moments);
    }
    let refusal = card
        .moments
        .iter()
        .find(|m| m.behaviour == "bare_refusal")
        .unwrap();
    assert!(
        refusal.confidence < 1.0,
        "a misspelt word must lower confidence"
    );
    assert_eq!(refusal.party, Party::Agent);
    assert!(refusal.quote.contains("määrään"));
}

#[test]
fn negated_phrases_are_not_evidence() {
    let card = score(&[
        (Agent, "Päivää."),
        (Agent, "En mä pysty selvittämään tätä, enkä voi auttaa."),
        (Customer, "En mä aio valittaa."),
    ]);
    assert!(!card.has("ownership"));
    assert!(card.has("bare_refusal"));
}

#[test]
fn justified_refusal_needs_reason_and_alternative_within_two_turns() {
    let justified = score(&[
        (Agent, "En voi hyvittää tätä, koska takuu on päättynyt."),
        (Customer, "No mitä sitten?"),
        (Agent, "Mutta voin tarjota teille korjauksen alennuksella."),
    ]);
    assert!(justified.has("justified_refusal"));
    assert!(!justified.has("bare_refusal"));
    let too_late = score(&[
        (Agent, "En voi hyvittää tätä, koska takuu on päättynyt."),
        (Customer, "Ai."),
        (Agent, "Se on niin."),
        (Customer, "Okei."),
        (Agent, "Ymmärrättekö?"),
        (Customer, "No joo."),
        (Agent, "Mutta voin tarjota teille korjauksen alennuksella."),
    ]);
    assert!(too_late.has("bare_refusal"));
    assert!(!too_late.has("justified_refusal"));
}

#[test]
fn dimension_scores_follow_from_the_moments() {
    let card = score(&[
        (Agent, "Hyvää päivää, nimeni on Anna."),
        (Customer, "Hei."),
        (
            Agent,
            "Pahoittelen, tämä ei kuulu meille. Tämä ei kuulu meille.",
        ),
        (Customer, "Mitä?"),
        (Agent, "Valitsit väärän vaihtoehdon."),
        (Customer, "Häh?"),
        (Agent, "Tämä ei kuulu meille."),
    ]);
    let r = rubric::default_rubric();
    for d in &r.dimensions {
        let sum: f64 = card
            .moments
            .iter()
            .filter(|m| m.dimension == d.id)
            .map(|m| m.points)
            .sum();
        let expected = (d.base + sum).clamp(0.0, 100.0);
        assert_eq!(card.dimension(&d.id), Some(expected), "{}", d.id);
    }
    let refusals: Vec<f64> = card
        .moments
        .iter()
        .filter(|m| m.behaviour == "bare_refusal")
        .map(|m| m.points)
        .collect();
    assert_eq!(
        refusals,
        [-30.0, -30.0, 0.0],
        "once per turn (a repeat within a turn counts once), then max_count caps"
    );
    let weights: f64 = card.scores.dimensions.iter().map(|d| d.weight).sum();
    let mean = card
        .scores
        .dimensions
        .iter()
        .map(|d| d.score * d.weight)
        .sum::<f64>()
        / weights;
    assert!((card.scores.overall - mean).abs() < 1e-9);
}

#[test]
fn unannounced_silence_costs_and_announced_hold_does_not() {
    let mut t = call(
        &[(Agent, "Selvä."), (Agent, "No niin, löytyi.")],
        Attribution::Channels,
    );
    t.segments[1].start += 30.0;
    t.segments[1].end += 30.0;
    t.duration += 30.0;
    let r = rubric::default_rubric();
    let card = rubric::score(&t, &metrics::compute(&t, None), &r);
    assert!(card.has("unannounced_silence"));
    t.segments[0].text = "Hetki, tarkistan.".into();
    let card = rubric::score(&t, &metrics::compute(&t, None), &r);
    assert!(!card.has("unannounced_silence"));
    assert!(card.has("announced_hold"));
}

#[test]
fn a_moment_asked_for_announces_the_silence_after_it_and_nothing_without_one() {
    // The agent's segments run together into one turn: the answer after the wait.
    let lines = [
        (
            Customer,
            "Mä tein eilen ilmotuksen, onks siitä mitään tietoo?",
        ),
        (Agent, "Hetki, katotaan."),
        (Agent, "Joo, se on tullu Tampereelle aamun koneella."),
    ];
    let r = rubric::default_rubric();
    let mut t = call(&lines, Attribution::Channels);
    let card = rubric::score(&t, &metrics::compute(&t, None), &r);
    assert!(
        !card.has("announced_hold"),
        "no silence: the answer came at once"
    );
    t.segments[2].start += 12.0;
    t.segments[2].end += 12.0;
    t.duration += 12.0;
    let card = rubric::score(&t, &metrics::compute(&t, None), &r);
    assert!(card.has("announced_hold"), "{:?}", card.moments);
    assert!(!card.has("unannounced_silence"));

    // In English, with the customer's consent between the wait and the silence.
    let lines = [
        (Agent, "Let me see your bill, just a moment please."),
        (Customer, "Sure, take your time."),
        (Agent, "Okay, found it."),
    ];
    let mut t = call(&lines, Attribution::Channels);
    t.segments[2].start += 19.0;
    t.segments[2].end += 19.0;
    t.duration += 19.0;
    let card = rubric::score(&t, &metrics::compute(&t, None), &r);
    assert!(card.has("announced_hold"), "{:?}", card.moments);
    assert!(!card.has("unannounced_silence"), "{:?}", card.moments);
}

#[test]
fn estimated_parties_lower_confidence() {
    let lines = [(Agent, "Hyvää päivää, asiakaspalvelu.")];
    let r = rubric::default_rubric();
    let confidence = |a| {
        let t = call(&lines, a);
        let card = rubric::score(&t, &metrics::compute(&t, None), &r);
        card.moments
            .iter()
            .find(|m| m.behaviour == "greeting")
            .map(|m| m.confidence)
    };
    assert_eq!(confidence(Attribution::Channels), Some(1.0));
    assert_eq!(confidence(Attribution::Estimated), Some(0.8));
}

/// `lines` with turn `overlapping` moved to start 1 s before the previous turn ends.
fn with_overlap(lines: &[(Party, &str)], overlapping: &[usize]) -> Scorecard {
    let mut t = call(lines, Attribution::Channels);
    for &i in overlapping {
        let shift = t.segments[i].start - (t.segments[i - 1].end - 1.0);
        t.segments[i].start -= shift;
        t.segments[i].end -= shift;
    }
    rubric::score(&t, &metrics::compute(&t, None), &rubric::default_rubric())
}

#[test]
fn talking_over_a_one_upping_customer_is_a_power_struggle() {
    let lines = [
        (
            Customer,
            "Minäkö sitten valehtelen, kun sanon että lähetin ne kuitit?",
        ),
        (
            Agent,
            "Järjestelmässä ei näy liitteitä, sen näen tästä ihan selvästi.",
        ),
    ];
    assert!(with_overlap(&lines, &[1]).has("power_struggle"));
    assert!(
        !with_overlap(&lines, &[]).has("power_struggle"),
        "answered calmly, in turn"
    );
    let backchannel = [lines[0], (Agent, "Joo joo.")];
    assert!(
        !with_overlap(&backchannel, &[1]).has("power_struggle"),
        "a backchannel is not talking over"
    );
    // Cutting in to sympathise is no struggle: the overlap is read in the agent's
    // own turn, where the sympathy is.
    let sympathy = [
        (
            Customer,
            "Ja mä järjestin jo mieheni jäämään töistä pois ja",
        ),
        (
            Agent,
            "Voi että, ja kaikki on jo järjestetty sen ajan ympärille. Katsotaan tämä heti.",
        ),
    ];
    assert!(!with_overlap(&sympathy, &[1]).has("power_struggle"));
}

#[test]
fn a_name_alone_counts_in_the_agents_own_first_turn_only() {
    let outbound = score(&[
        (Customer, "Haloo?"),
        (Agent, "Hei, Kaisa täällä Lähivakuutuksesta."),
    ]);
    assert!(outbound.has("self_intro"), "{:#?}", outbound.moments);
    let later = score(&[
        (Agent, "Lähivakuutus."),
        (Customer, "Hei, täällä Matti Virtanen."),
        (Agent, "Kiitos Matti, miten voin auttaa?"),
    ]);
    assert!(!later.has("self_intro"), "{:#?}", later.moments);
    // Said in so many words, the agent's name counts in their second turn too
    // (docs/labelling.md).
    let second = score(&[
        (Agent, "Tervetuloa soittamaan neuvolaan."),
        (Customer, "Hei, minä olen Amal Hassan."),
        (
            Agent,
            "Hei Amal, minä olen terveydenhoitaja Riitta. Kerro rauhassa.",
        ),
    ]);
    assert!(second.has("self_intro"), "{:#?}", second.moments);
}
