//! The figures across calls on a small week of calls, each figure checked.

use time::OffsetDateTime;
use time::macros::datetime;

use super::contact::{Contact, Direction, PromiseMoment};
use super::fcr::Outcome;
use super::promises::Status;
use super::{Settings, compute};

const AS_OF: OffsetDateTime = datetime!(2026-11-27 12:00 +02:00);

fn call(id: &str, customer: Option<&str>, at: Option<OffsetDateTime>, dir: Direction) -> Contact {
    Contact {
        call_id: id.into(),
        customer: customer.map(str::to_string),
        started_at: at,
        direction: Some(dir),
        agent: Some("Aino".into()),
        customer_words: Some(40),
        duration_s: Some(120.0),
        ..Contact::default()
    }
}

fn inbound(id: &str, customer: &str, at: OffsetDateTime, reason: Option<&str>) -> Contact {
    Contact {
        reason: reason.map(str::to_string),
        ..call(id, Some(customer), Some(at), Direction::Inbound)
    }
}

fn outbound(id: &str, customer: &str, at: OffsetDateTime, answered: bool) -> Contact {
    Contact {
        customer_words: Some(if answered { 40 } else { 0 }),
        ..call(id, Some(customer), Some(at), Direction::Outbound)
    }
}

fn promising(mut c: Contact, quote: &str) -> Contact {
    c.promises.push(PromiseMoment {
        quote: quote.into(),
        at_s: 60.0,
    });
    c
}

#[test]
fn first_contact_resolution_counts_repeats_within_the_window() {
    let mut a1 = inbound("a1", "A", datetime!(2026-11-16 09:00 +02:00), Some("lasku"));
    a1.resolved_in_call = Some(true);
    let mut b1 = inbound("b1", "B", datetime!(2026-11-16 10:00 +02:00), None);
    b1.agent = Some("Eero".into());
    let mut no_direction = inbound("b2", "B", datetime!(2026-11-24 10:00 +02:00), None);
    no_direction.direction = None;
    let calls = [
        a1,
        inbound("a2", "A", datetime!(2026-11-18 09:00 +02:00), Some("lasku")),
        // Another matter: a first contact of its own, still in its window.
        inbound(
            "a3",
            "A",
            datetime!(2026-11-20 09:00 +02:00),
            Some("toimitus"),
        ),
        outbound("a4", "A", datetime!(2026-11-18 12:00 +02:00), true),
        b1,
        // Eight days after b1: b1 was resolved, b2 is a new first contact.
        no_direction,
        call(
            "c1",
            None,
            Some(datetime!(2026-11-16 09:00 +02:00)),
            Direction::Inbound,
        ),
        call("d1", Some("D"), None, Direction::Inbound),
    ];
    let figures = compute(&calls, &Settings::new(AS_OF));

    let outcome = |id: &str| {
        figures
            .calls
            .iter()
            .find(|c| c.call_id == id)
            .unwrap_or_else(|| panic!("{id}"))
            .outcome
            .clone()
    };
    assert_eq!(outcome("a1"), Some(Outcome::Repeated { by: "a2".into() }));
    assert_eq!(outcome("a2"), Some(Outcome::Repeat { of: "a1".into() }));
    assert_eq!(outcome("a3"), Some(Outcome::Resolved));
    assert_eq!(outcome("a4"), None);
    assert_eq!(outcome("b1"), Some(Outcome::Resolved));
    assert_eq!(outcome("b2"), Some(Outcome::Pending));

    let all = &figures.fcr.overall;
    assert_eq!(
        (
            all.first_contacts,
            all.resolved,
            all.repeated,
            all.pending,
            all.repeats
        ),
        (4, 2, 1, 1, 1)
    );
    assert_eq!(all.fcr(), Some(2.0 / 3.0));
    assert_eq!(
        (all.judged_resolved, all.judged_resolved_but_repeated),
        (1, 1)
    );
    let aino = &figures.fcr.by_agent[&Some("Aino".to_string())];
    assert_eq!((aino.resolved, aino.repeated), (1, 1));
    let eero = &figures.fcr.by_agent[&Some("Eero".to_string())];
    assert_eq!(eero.fcr(), Some(1.0));
    assert_eq!(
        figures.fcr.by_reason[&Some("lasku".to_string())].fcr(),
        Some(0.0)
    );
    assert_eq!(figures.fcr.by_reason[&None].resolved, 1);

    assert_eq!(
        (
            figures.left_out.no_customer,
            figures.left_out.no_start,
            figures.left_out.direction_unknown
        ),
        (1, 1, 1)
    );
    let links = |id: &str| {
        let c = figures.calls.iter().find(|c| c.call_id == id).unwrap();
        (c.previous.clone(), c.next.clone())
    };
    assert_eq!(links("a1"), (None, Some("a2".into())));
    assert_eq!(links("a4"), (Some("a2".into()), Some("a3".into())));
    assert_eq!(links("b2"), (Some("b1".into()), None));
}

#[test]
fn a_window_can_be_set_and_a_reasonless_repeat_counts() {
    let calls = [
        inbound("a1", "A", datetime!(2026-11-02 09:00 +02:00), Some("lasku")),
        inbound("a2", "A", datetime!(2026-11-05 09:00 +02:00), None),
    ];
    let mut settings = Settings::new(AS_OF);
    assert_eq!(
        compute(&calls, &settings).calls[0].outcome,
        Some(Outcome::Repeated { by: "a2".into() })
    );
    settings.repeat_days = 2;
    assert_eq!(
        compute(&calls, &settings).calls[0].outcome,
        Some(Outcome::Resolved)
    );
}

#[test]
fn promises_are_kept_tried_broken_open_or_without_a_time() {
    let calls = [
        // Kept on the second try, by the deadline (Thursday 12:00).
        promising(
            inbound("k1", "K", datetime!(2026-11-18 10:00 +02:00), None),
            "Soitan huomenna aamupäivällä.",
        ),
        outbound("k2", "K", datetime!(2026-11-19 09:00 +02:00), false),
        outbound("k3", "K", datetime!(2026-11-19 11:00 +02:00), true),
        // Tried twice by 15:00, never answered.
        promising(
            inbound("t1", "T", datetime!(2026-11-18 10:00 +02:00), None),
            "Soitan teille tänään kolmeen mennessä.",
        ),
        outbound("t2", "T", datetime!(2026-11-18 12:00 +02:00), false),
        Contact {
            customer_words: Some(2),
            ..outbound("t3", "T", datetime!(2026-11-18 14:00 +02:00), true)
        },
        // Due Tuesday 16:00; the customer called meanwhile; the callback came Wednesday.
        promising(
            inbound("r1", "R", datetime!(2026-11-16 10:00 +02:00), None),
            "Palaan asiaan viimeistään huomenna.",
        ),
        inbound("r2", "R", datetime!(2026-11-17 15:00 +02:00), None),
        outbound("r3", "R", datetime!(2026-11-18 09:00 +02:00), true),
        // Due 1 December, after AS_OF.
        promising(
            inbound("o1", "O", datetime!(2026-11-27 10:00 +02:00), None),
            "Soitan ensi viikon alussa.",
        ),
        promising(
            inbound("n1", "N", datetime!(2026-11-27 10:00 +02:00), None),
            "Palaan asiaan, kun tiedän lisää.",
        ),
        promising(
            call(
                "x1",
                None,
                Some(datetime!(2026-11-18 10:00 +02:00)),
                Direction::Inbound,
            ),
            "Soitan huomenna.",
        ),
    ];
    let figures = compute(&calls, &Settings::new(AS_OF));
    let promise = |id: &str| {
        figures
            .promises
            .iter()
            .find(|p| p.call_id == id)
            .unwrap_or_else(|| panic!("{id}"))
    };

    let kept = promise("k1");
    assert_eq!(kept.status, Status::Kept);
    assert_eq!(kept.deadline, Some(datetime!(2026-11-19 12:00 +02:00)));
    assert_eq!(
        (kept.kept_by.as_deref(), kept.attempts.clone()),
        (Some("k3"), vec!["k2".to_string()])
    );

    let tried = promise("t1");
    assert_eq!((tried.status, tried.attempts.len()), (Status::Tried, 2));

    let broken = promise("r1");
    assert_eq!(broken.status, Status::Broken);
    assert_eq!(broken.late_call.as_deref(), Some("r3"));
    assert_eq!(broken.customer_called.as_deref(), Some("r2"));
    assert_eq!(broken.quote, "Palaan asiaan viimeistään huomenna.");

    assert_eq!(promise("o1").status, Status::Open);
    assert_eq!(
        promise("o1").deadline,
        Some(datetime!(2026-12-01 16:00 +02:00))
    );
    assert_eq!(
        (promise("n1").status, promise("n1").deadline),
        (Status::NoTime, None)
    );
    assert_eq!(promise("x1").status, Status::NoCustomer);
    assert_eq!(figures.promises.len(), 6);
}

#[test]
fn a_promise_repeated_in_one_call_is_judged_once() {
    let c = promising(
        promising(
            inbound("k1", "K", datetime!(2026-11-18 10:00 +02:00), None),
            "Soitan huomenna.",
        ),
        "Eli soitan huomenna.",
    );
    assert_eq!(compute(&[c], &Settings::new(AS_OF)).promises.len(), 1);
}
