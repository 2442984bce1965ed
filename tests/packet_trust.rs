//! Issue 19, points 1 and 7: packets whose scores explain themselves. A dimension
//! with no evidence reads "not observed", each dimension lists the moments that
//! moved it, moments the audio did not verify are shown apart and never used as
//! examples, clips or session moments, 0-point moments are never examples, and the
//! privacy banner names exactly what was removed and that names stay.

mod packet_support;

use std::path::Path;

use kuulas::names::file_name_for;
use packet_support::*;
use serde_json::json;

/// Quote of the cold call's ownership moment that the audio did not verify.
const UNVERIFIED: &str = "Hoidan tämän heti.";
/// Quote of the warm call's second greeting, past the behaviour's max_count: 0 points.
const POINTLESS: &str = "Hyvää päivää taas";

/// The night of `packet_support`, its score files rewritten with the fields the
/// rubric and the verifier write: each moment's dimension and `verified`.
fn night(root: &Path) -> Night {
    let night = build(root);
    let moment = |behaviour: &str, dimension: &str, start: f64, quote: &str, points: f64| {
        json!({"behaviour": behaviour, "dimension": dimension, "party": "agent",
               "start": start, "end": start + 2.0, "quote": quote, "points": points,
               "confidence": 0.9, "verified": true})
    };
    let mut unverified = moment("ownership", "ownership", 4.0, UNVERIFIED, 8.0);
    unverified["verified"] = json!(false);
    let cold = json!([
        moment("greeting", "warmth", 0.5, "No?", -5.0),
        unverified,
        moment("bare_refusal", "refusal", 9.0, "Ei kuulu meille.", -10.0),
    ]);
    let warm = json!([
        moment("greeting", "warmth", 0.5, "Hyvää päivää", 10.0),
        moment("greeting", "warmth", 3.0, POINTLESS, 0.0),
        moment("ownership", "ownership", 9.0, "Mä hoidan tän sulle.", 8.0),
    ]);
    for (id, moments) in [(COLD, cold), (WARM, warm)] {
        let file = json!({"schema_version": 1, "call_id": id, "moments": moments, "metrics": {}});
        let path = night
            .out_dir
            .join("calls")
            .join(format!("{}.score.json", file_name_for(id)));
        std::fs::write(path, serde_json::to_vec(&file).unwrap()).unwrap();
    }
    night
}

fn packet(night: &Night, out: &Path, extra: &[&str]) {
    let mut args = vec![
        "packet",
        "--store",
        night.store.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ];
    args.extend_from_slice(extra);
    let (code, _, stderr) = kuulas(&args);
    assert_eq!(code, 0, "{stderr}");
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The score table row of `dimension` on a call page.
fn row<'a>(html: &'a str, dimension: &str) -> &'a str {
    let start = html
        .find(&format!("id=\"score-{dimension}\""))
        .unwrap_or_else(|| panic!("no score row for {dimension}"));
    let end = start + html[start..].find("</tr>").unwrap();
    &html[start..end]
}

#[test]
fn a_dimension_without_evidence_is_not_observed_and_the_others_list_their_moments() {
    let dir = tempfile::tempdir().unwrap();
    let night = night(dir.path());
    let out = dir.path().join("packet");
    packet(&night, &out, &[]);
    let warm = read(&page_of(&out, WARM));

    // Refusal 85 on a call with no refusal at all.
    let refusal = row(&warm, "refusal");
    assert!(refusal.contains(">85<"), "{refusal}");
    assert!(refusal.contains("Ei havaintoa"), "{refusal}");
    assert!(!refusal.contains("Vahva"), "{refusal}");

    let ownership = row(&warm, "ownership");
    assert!(ownership.contains("Vahva") && !ownership.contains("Ei havaintoa"));
    assert!(
        ownership.contains("Pallo haltuun +8 p · 0:09") && ownership.contains("href=\"#t=9"),
        "{ownership}"
    );
    let warmth = row(&warm, "warmth");
    assert!(warmth.contains("Tervehdys +10 p · 0:01"), "{warmth}");
    assert!(
        !warmth.contains("0:03"),
        "a 0-point moment moved nothing: {warmth}"
    );

    let cold = read(&page_of(&out, COLD));
    let refusal = row(&cold, "refusal");
    assert!(
        refusal.contains("Tyly kieltäytyminen -10 p · 0:09"),
        "{refusal}"
    );
    assert!(refusal.contains("Heikko"), "{refusal}");
}

#[test]
fn unverified_moments_are_shown_apart_and_counted_nowhere() {
    let dir = tempfile::tempdir().unwrap();
    let night = night(dir.path());
    let out = dir.path().join("packet");
    packet(&night, &out, &[]);
    let cold = read(&page_of(&out, COLD));

    // Its only ownership evidence is unverified: the dimension was not observed.
    let ownership = row(&cold, "ownership");
    assert!(ownership.contains("Ei havaintoa"), "{ownership}");
    assert!(!ownership.contains("+8 p"), "{ownership}");

    let apart = cold
        .find("id=\"unverified\"")
        .expect("unverified moments section");
    let quoted = cold
        .find(UNVERIFIED)
        .expect("the unverified moment is shown");
    assert!(quoted > apart, "shown only in the unverified section");
    assert!(cold[apart..].contains("ei vahvistettu äänestä"));
    assert!(
        cold.contains("class=\"moment-unverified\""),
        "greyed on the timeline"
    );
    let warm = read(&page_of(&out, WARM));
    assert!(
        !warm.contains("id=\"unverified\""),
        "a call with none has no such section"
    );

    let catalogue = read(&out.join("catalogue.html"));
    assert!(catalogue.contains("Mä hoidan tän sulle."));
    assert!(!catalogue.contains(UNVERIFIED), "never an example");
    assert!(
        !catalogue.contains(POINTLESS),
        "a 0-point moment is no example"
    );

    let session = dir.path().join("session");
    packet(&night, &session, &["--session", "--audio", "clips"]);
    let html = read(&session.join("index.html"));
    assert!(html.contains("Ei kuulu meille."));
    assert!(!html.contains(UNVERIFIED) && !html.contains(POINTLESS));
    let clips = std::fs::read_dir(session.join("audio")).unwrap().count();
    assert_eq!(clips, 4, "two counting moments a call, one clip each");
}

#[test]
fn the_privacy_banner_names_what_was_removed_and_that_names_stay() {
    let dir = tempfile::tempdir().unwrap();
    let night = night(dir.path());
    let out = dir.path().join("fi");
    packet(&night, &out, &[]);
    for page in [
        out.join("index.html"),
        out.join("catalogue.html"),
        page_of(&out, COLD),
    ] {
        let html = read(&page);
        assert!(
            html.contains(
                "on poistettu henkilötunnukset, puhelinnumerot, tilinumerot (IBAN), \
                 maksukorttien numerot ja sähköpostiosoitteet."
            ),
            "{}",
            page.display()
        );
        assert!(html.contains("Nimet ja muut henkilötiedot jäävät"));
        assert!(
            !html.contains("Henkilötiedot on poistettu"),
            "the old overclaim"
        );
    }
    let out = dir.path().join("en");
    packet(&night, &out, &["--lang", "en"]);
    let html = read(&out.join("index.html"));
    assert!(html.contains(
        "Removed from text and audio: personal identity codes, phone numbers, \
         bank account numbers (IBAN), payment card numbers and e-mail addresses."
    ));
    assert!(html.contains("Names and other personal details stay"));
}
