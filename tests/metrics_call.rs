//! The metrics stage through its public API: a call with holds, an interruption,
//! loudness fed the way the transcriber feeds it, and a JSON round trip.

use kuulas::metrics::{self, LoudnessMeter, Metrics};
use kuulas::transcript::{Attribution, Party, Segment, Transcript};

fn seg(party: Party, start: f64, end: f64, text: &str) -> Segment {
    Segment {
        party,
        start,
        end,
        text: text.into(),
        words: vec![],
    }
}

#[test]
fn a_whole_call_measured() {
    let t = Transcript {
        schema_version: 1,
        duration: 100.0,
        language: "fi".into(),
        attribution: Attribution::Channels,
        segments: vec![
            seg(
                Party::Customer,
                0.0,
                8.0,
                "Tää on ihan järkyttävää, mä oon tosi vihainen teille",
            ),
            seg(
                Party::Agent,
                4.0,
                9.0,
                "Hetkinen nyt, mä kerron miten tää menee",
            ),
            seg(Party::Agent, 10.0, 12.0, "Hetki, tarkistan."),
            seg(
                Party::Agent,
                40.0,
                50.0,
                "Kiitos odottamisesta, nyt se on korjattu",
            ),
            seg(
                Party::Customer,
                80.0,
                90.0,
                "Kiitos tosi paljon, loistavaa palvelua",
            ),
        ],
    };
    let mut meter = LoudnessMeter::new(t.duration);
    let quiet: Vec<f32> = (0..16_000 * 8)
        .map(|i| if i % 2 == 0 { 0.05 } else { -0.05 })
        .collect();
    let loud: Vec<f32> = quiet.iter().map(|s| s * 10.0).collect();
    meter.feed(Party::Customer, 0.0, &loud);
    meter.feed(Party::Customer, 80.0, &quiet);
    let loudness = meter.finish();
    let m = metrics::compute(&t, Some(&loudness));

    assert_eq!(m.interruptions.len(), 1);
    assert_eq!(m.interruptions[0].by, Party::Agent);
    let holds: Vec<(f64, f64, bool)> = m
        .holds
        .iter()
        .map(|h| (h.start, h.end, h.announced))
        .collect();
    assert_eq!(holds, [(12.0, 40.0, true), (50.0, 80.0, false)]);
    assert_eq!(
        m.longest_silence.map(|s| (s.start, s.end)),
        Some((50.0, 80.0))
    );
    assert!(m.sentiment.start < 0.0 && m.sentiment.end > 0.0);
    assert!(m.sentiment.turnaround > 1.0);
    let levels = m.loudness.as_ref().unwrap();
    let (start, end) = (levels.customer[0].unwrap(), levels.customer[3].unwrap());
    assert!(
        (start - end - 20.0).abs() < 0.01,
        "ten times the amplitude is 20 dB: {start} vs {end}"
    );

    let json = serde_json::to_string(&m).unwrap();
    assert_eq!(serde_json::from_str::<Metrics>(&json).unwrap(), m);
}
