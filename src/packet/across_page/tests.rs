//! The "Across calls" page and a call page's links, rendered from a small week.

use time::macros::datetime;

use super::Across;
use crate::across::Settings;
use crate::across::contact::{Contact, Direction, PromiseMoment};
use crate::packet::testdata::{call, moment};
use crate::packet::{AudioMode, Lang, Packet, Settings as PacketSettings, render};
use crate::reasons::{Labels, resolve};

fn contact(id: &str, customer: Option<&str>, at: time::OffsetDateTime) -> Contact {
    Contact {
        call_id: id.into(),
        customer: customer.map(str::to_string),
        started_at: Some(at),
        direction: Some(Direction::Inbound),
        agent: Some("Aino".into()),
        customer_words: Some(30),
        duration_s: Some(90.0),
        ..Contact::default()
    }
}

/// A1 judged resolved but called again (A2, not in the packet); B1 promised a
/// callback today and none came; C1 has no customer key.
fn packet(lang: Lang, redact: bool) -> Packet {
    let mut a1 = contact("A1", Some("A"), datetime!(2026-11-16 09:00 +02:00));
    a1.resolved_in_call = Some(true);
    let a2 = contact("A2", Some("A"), datetime!(2026-11-17 15:00 +02:00));
    let mut b1 = contact("B1", Some("B"), datetime!(2026-11-16 10:00 +02:00));
    b1.promises.push(PromiseMoment {
        quote: "Soitan teille tänään <b>040 123 4567</b>".into(),
        at_s: 30.0,
    });
    let c1 = Contact {
        customer: None,
        ..contact("C1", None, datetime!(2026-11-16 11:00 +02:00))
    };
    let settings = Settings::new(datetime!(2026-11-27 12:00 +02:00));
    let across = Across::compute(&[a1, a2, b1, c1], settings, Labels::default());
    let mut b = call("B1", 60.0);
    let mut complaint = moment("unforwarded_complaint", -2.0, 0.9, 12.0);
    complaint.party = "customer".into();
    complaint.quote = "Teidän palvelu on surkeaa <script>alert(1)</script>".into();
    b.moments.push(complaint);
    Packet {
        title: "viikko".into(),
        night: None,
        history: Vec::new(),
        calls: vec![call("A1", 70.0), b, call("C1", 50.0)],
        settings: PacketSettings {
            lang,
            redact,
            session: false,
            audio: AudioMode::None,
        },
        across: Some(across),
    }
}

fn page<'a>(site: &'a crate::packet::Site, path: &str) -> &'a str {
    &site
        .pages
        .iter()
        .find(|p| p.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .html
}

fn call_page<'a>(site: &'a crate::packet::Site, id: &str) -> &'a str {
    page(
        site,
        &format!("calls/{}.html", crate::names::file_name_for(id)),
    )
}

#[test]
fn the_across_page_shows_rates_promises_feedback_and_calls_left_out() {
    let site = render(&packet(Lang::Fi, true));
    let html = page(&site, "across.html");
    assert!(html.contains("<h1>Puheluiden yli</h1>"), "{html}");
    // A1 repeated, B1 resolved: 50 %, one of two decided, A2 a repeat call.
    assert!(html.contains("50 %"), "{html}");
    assert!(html.contains("1 / 2"), "{html}");
    // A1 was judged resolved in the call but the customer called again (A2 is
    // not in the packet: its id and date as text).
    assert!(
        html.contains("A1</a> → asiakas soitti uudelleen A2 (17.11.2026 klo 15.00)"),
        "{html}"
    );
    // No call has a reason: said so, not an empty table.
    assert!(html.contains("id=\"no-reasons\""), "{html}");
    // B1's promise is broken, with its quote (escaped and redacted) and deadline.
    assert!(html.contains("rikottu"), "{html}");
    assert!(html.contains("Soitan teille tänään &lt;b&gt;"), "{html}");
    assert!(!html.contains("040 123 4567"), "redacted: {html}");
    assert!(html.contains("määräaika 16.11.2026 klo 16.00"), "{html}");
    assert!(html.contains("B1~5b950e77941d01cd.html\">B1</a>"), "{html}");
    // The complaint no one passed on, as a theme with its quote, escaped.
    assert!(
        html.contains("Valitus · ei luvattu viedä eteenpäin (1)"),
        "{html}"
    );
    assert!(
        html.contains("Teidän palvelu on surkeaa &lt;script&gt;"),
        "{html}"
    );
    assert!(!html.contains("<script>alert"), "{html}");
    // C1 has no customer key.
    assert!(
        html.contains("ei asiakkaan tunnistetta: <strong>1</strong>"),
        "{html}"
    );
    // The overview links the page.
    assert!(page(&site, "index.html").contains(r#"href="across.html""#));
}

/// The taxonomy the calls were tagged with: a label that needs escaping.
const TAXONOMY: &str = r#"
schema_version = 1
id = "t"
version = "1"
[[reason]]
id = "fault_outage"
label = "Vika <tai> katko"
patterns = ["vika"]
"#;

#[test]
fn reasons_are_named_by_label_with_handling_time_and_the_weeks() {
    let mut p = packet(Lang::En, true);
    let tagged = |id: &str, reason: &str, at| Contact {
        reason: Some(reason.into()),
        ..contact(id, Some(id), at)
    };
    // As of the 27th noon: this week from the 20th noon, the week before from the 13th.
    let r3 = Contact {
        duration_s: Some(150.0),
        ..tagged("R3", "fault_outage", datetime!(2026-11-25 09:00 +02:00))
    };
    let contacts = [
        tagged("R1", "fault_outage", datetime!(2026-11-16 09:00 +02:00)),
        tagged("R2", "fault_outage", datetime!(2026-11-24 09:00 +02:00)),
        r3,
        // Not in the taxonomy: shown by its id.
        tagged("R4", "lasku", datetime!(2026-11-24 10:00 +02:00)),
        contact("R5", Some("R5"), datetime!(2026-11-24 11:00 +02:00)),
    ];
    let taxonomy = resolve("t.toml", TAXONOMY).unwrap();
    p.across = Some(Across::compute(
        &contacts,
        Settings::new(datetime!(2026-11-27 12:00 +02:00)),
        Labels::of(&taxonomy),
    ));
    let site = render(&p);
    let html = page(&site, "across.html");
    assert!(!html.contains("id=\"no-reasons\""), "{html}");
    // By label, escaped, never by id; three calls, mean (90 + 90 + 150) s.
    assert!(
        html.contains("<td>Vika &lt;tai&gt; katko</td><td class=\"num\">3</td>"),
        "{html}"
    );
    assert!(!html.contains("fault_outage"), "{html}");
    assert!(html.contains("<td class=\"num\">1:50</td>"), "{html}");
    // Two this week against one the week before: rising.
    assert!(
        html.contains(
            "<td class=\"num\">2 <span class=\"tag neg\">+1</span></td><td class=\"num\">1</td>"
        ),
        "{html}"
    );
    assert!(html.contains("<td>lasku</td>"), "{html}");
    assert!(
        html.contains(
            "Reasons that rise: <strong>Vika &lt;tai&gt; katko</strong> +1, <strong>lasku</strong> +1"
        ),
        "{html}"
    );
    assert!(
        html.contains("inbound calls without a reason: <strong>1</strong>"),
        "{html}"
    );
}

#[test]
fn a_call_page_links_the_customers_calls_and_shows_its_outcome() {
    let site = render(&packet(Lang::Fi, true));
    let a1 = call_page(&site, "A1");
    assert!(a1.contains("Asiakkaan muut puhelut"), "{a1}");
    // The next call is not in the packet: its date as text.
    assert!(a1.contains("<dd>17.11.2026 klo 15.00</dd>"), "{a1}");
    assert!(a1.contains("asiakas soitti uudelleen"), "{a1}");
    assert!(a1.contains("puhelussa todettu ratkaistuksi"), "{a1}");
    let b1 = call_page(&site, "B1");
    assert!(b1.contains("rikottu"), "{b1}");
    assert!(b1.contains("ratkaistu"), "{b1}");
    let c1 = call_page(&site, "C1");
    assert!(c1.contains("siltä puuttuu asiakkaan tunniste"), "{c1}");
}

#[test]
fn a_packet_without_figures_has_no_across_page_or_link() {
    let mut p = packet(Lang::Fi, true);
    p.across = None;
    let site = render(&p);
    assert!(site.pages.iter().all(|p| p.path != "across.html"));
    assert!(!page(&site, "index.html").contains("across.html"));
}

#[test]
fn as_of_is_shown_in_the_calls_own_time() {
    let mut p = packet(Lang::Fi, true);
    let a1 = contact("A1", Some("A"), datetime!(2026-11-16 09:00 +02:00));
    p.across = Some(Across::compute(
        &[a1],
        Settings::new(datetime!(2026-11-27 10:00 UTC)),
        Labels::default(),
    ));
    let site = render(&p);
    let html = page(&site, "across.html");
    assert!(html.contains("Tilanne 27.11.2026 klo 12.00"), "{html}");
}
