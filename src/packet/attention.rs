//! Which calls of the night need a manager's attention, and why: a bare refusal,
//! an escalation, an unexplained silence (each a verified moment, with its time), a
//! low overall score, or a call that could not be processed. The overview lists
//! them with their reasons, most reasons first, lowest score next.

use super::call_page::{clock, whole};
use super::labels::{self, Lang};
use super::view::CallView;
use crate::store::CallStatus;

/// An overall score below this needs a listen.
pub const LOW_SCORE: f64 = 50.0;

/// One reason a call needs attention.
#[derive(Debug, Clone, PartialEq)]
pub struct Flag {
    /// `failed`, `bare_refusal`, `escalation`, `unexplained_silence` or `low_score`.
    pub kind: &'static str,
    /// Where in the call, for the ones that happen at a moment.
    pub at: Option<f64>,
    /// The reason in words, with its time or score.
    pub text: String,
}

/// The behaviours that flag a call, by the flag they raise.
const FLAGGING: [(&str, &str); 4] = [
    ("bare_refusal", "bare_refusal"),
    ("customer_escalation", "escalation"),
    ("power_struggle", "escalation"),
    ("unannounced_silence", "unexplained_silence"),
];

/// Every reason `call` needs attention, in time order, the score last.
pub fn flags(lang: Lang, call: &CallView) -> Vec<Flag> {
    let mut found = Vec::new();
    if call.status == CallStatus::Failed {
        found.push(Flag {
            kind: "failed",
            at: None,
            text: labels::text(lang, "flag_failed").to_string(),
        });
    }
    for m in call.moments.iter().filter(|m| m.counts() && m.points < 0.0) {
        if let Some((_, kind)) = FLAGGING.iter().find(|(b, _)| *b == m.behaviour) {
            found.push(Flag {
                kind,
                at: Some(m.start),
                text: format!(
                    "{} {}",
                    labels::behaviour(lang, &m.behaviour).to_lowercase(),
                    clock(m.start)
                ),
            });
        }
    }
    found.sort_by(|a, b| a.at.unwrap_or(-1.0).total_cmp(&b.at.unwrap_or(-1.0)));
    if let Some(overall) = call.overall.filter(|o| *o < LOW_SCORE) {
        found.push(Flag {
            kind: "low_score",
            at: None,
            text: format!("{} {}", labels::text(lang, "flag_low"), whole(overall)),
        });
    }
    found
}

/// Indices of the calls that need attention, most reasons first, then the lowest
/// overall score, then call id.
pub fn ranked(calls: &[CallView], flags: &[Vec<Flag>]) -> Vec<usize> {
    let mut needing: Vec<usize> = (0..calls.len()).filter(|&i| !flags[i].is_empty()).collect();
    needing.sort_by(|&a, &b| {
        flags[b]
            .len()
            .cmp(&flags[a].len())
            .then(
                calls[a]
                    .overall
                    .unwrap_or(-1.0)
                    .total_cmp(&calls[b].overall.unwrap_or(-1.0)),
            )
            .then(calls[a].call_id.cmp(&calls[b].call_id))
    });
    needing
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::packet::testdata::{call, moment};

    #[test]
    fn each_reason_is_named_with_its_time_or_score() {
        let mut c = call("c", 30.0);
        let mut unverified = moment("customer_escalation", -10.0, 1.0, 5.0);
        unverified.verified = false;
        c.moments = vec![
            moment("unannounced_silence", -5.0, 1.0, 125.0),
            moment("bare_refusal", -10.0, 1.0, 9.0),
            unverified,
            moment("greeting", 5.0, 1.0, 1.0),
        ];
        let texts: Vec<String> = flags(Lang::Fi, &c).into_iter().map(|f| f.text).collect();
        assert_eq!(
            texts,
            [
                "tyly kieltäytyminen 0:09",
                "selittämätön hiljaisuus 2:05",
                "matala kokonaispistemäärä 30"
            ]
        );
        assert!(flags(Lang::Fi, &call("fine", 80.0)).is_empty());
    }

    #[test]
    fn most_reasons_first_then_lowest_score() {
        let mut two = call("two", 45.0);
        two.moments = vec![moment("bare_refusal", -10.0, 1.0, 9.0)];
        let calls = [
            call("fine", 90.0),
            call("low", 20.0),
            two,
            call("lower", 10.0),
        ];
        let flags: Vec<Vec<Flag>> = calls.iter().map(|c| flags(Lang::En, c)).collect();
        assert_eq!(ranked(&calls, &flags), vec![2, 3, 1]);
    }
}
