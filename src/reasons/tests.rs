//! The built-in taxonomy on customer need statements written for these tests
//! (not its own examples), and how a call's turns are weighed.

use super::selftest::tag_text;
use super::*;
use crate::rubric::labelled::synthesize;
use crate::rubric::selftest::turns;
use crate::transcript::Party;

/// What customers say when they state their need, standard and spoken, with the
/// reason each must be tagged with.
const NEEDS: &[(&str, &str)] = &[
    ("Soitan koska laskussani on virhe.", "invoice_payment"),
    (
        "Mun lasku on tuplasti isompi ku viime kuussa.",
        "invoice_payment",
    ),
    (
        "Mä sain perintäkirjeen vaikka mä maksoin.",
        "invoice_payment",
    ),
    (
        "Voinko maksaa tän laskun kahdessa erässä?",
        "invoice_payment",
    ),
    (
        "Eräpäivä meni ohi, tuleeko siitä jotain kuluja?",
        "invoice_payment",
    ),
    (
        "Mulle on tullu kaks laskua samasta kuusta.",
        "invoice_payment",
    ),
    (
        "Mun tilaus ei oo vieläkään tullu, vaikka luvattiin tiistaiksi.",
        "delivery_returns",
    ),
    (
        "Paketti on ollu jumissa noutopisteessä viikon.",
        "delivery_returns",
    ),
    ("Miten mä voin palauttaa nää kengät?", "delivery_returns"),
    (
        "Kuriiri ei tullu ollenkaan sovittuna päivänä.",
        "delivery_returns",
    ),
    (
        "Seurantanumero ei toimi teidän sivuilla.",
        "delivery_returns",
    ),
    ("Ei toimi netti, ei yhtään mitään.", "fault_outage"),
    ("Meidän kerrostalossa on sähkökatko.", "fault_outage"),
    (
        "Puhelut katkeilee koko ajan, kuuluvuus on huono.",
        "fault_outage",
    ),
    (
        "Tää laturi meni rikki kahden viikon käytön jälkeen.",
        "fault_outage",
    ),
    ("Telkkarista ei tuu kuvaa ollenkaan.", "fault_outage"),
    ("Mä muutan ens kuun alussa Ouluun.", "contract_change"),
    ("Haluaisin irtisanoa sähkösopimuksen.", "contract_change"),
    (
        "Me muutetaan uuteen osoitteeseen ja liittymä pitäis siirtää.",
        "contract_change",
    ),
    (
        "Voiko mun liittymän vaihtaa isompaan pakettiin?",
        "contract_change",
    ),
    (
        "Mä haluun lopettaa mun kuntosalijäsenyyden.",
        "contract_change",
    ),
    (
        "Mä haluun tehdä valituksen teidän myyjästä.",
        "complaint_compensation",
    ),
    (
        "Mä vaadin korvausta, ruoka oli pilaantunutta.",
        "complaint_compensation",
    ),
    (
        "Mä oon ihan todella pettynyt tähän palveluun.",
        "complaint_compensation",
    ),
    (
        "Kukaan ei oo vastannu mun viesteihin kahteen viikkoon.",
        "complaint_compensation",
    ),
    ("Salasana unohtu taas.", "account_access"),
    ("En pääse kirjautumaan verkkopankkiin.", "account_access"),
    ("Mun PIN-koodi on hukassa.", "account_access"),
    ("Sovellus sanoo että tili on lukittu.", "account_access"),
    ("Pitäis varata aika renkaanvaihtoon.", "booking_appointment"),
    (
        "Voinko siirtää mun huomisen ajan ensi viikolle?",
        "booking_appointment",
    ),
    ("Haluaisin kysyä teidän hinnoista.", "information_request"),
    ("Koska te ootte auki lauantaina?", "information_request"),
    (
        "Onko teillä mahdollista saada kotiinkuljetus?",
        "information_request",
    ),
];

/// Statements that state none of the reasons, or another one than a word in
/// them suggests: each must get no reason, or the one given.
const NOT_THIS: &[(&str, Option<&str>)] = &[
    ("Hei, täällä Pekka Virtanen.", None),
    ("Joo, kiitos vaan.", None),
    ("Okei, selvä homma, hei hei.", None),
    ("Kiitos, nyt toimii taas kaikki hyvin.", None),
    ("Mä vaan soitin kiittämään eilisestä avusta.", None),
    ("Ei mitään sen kummempaa, kunhan soitin.", None),
    ("Mä en muuta mihinkään, asun samassa paikassa.", None),
    ("Mulla ei oo aikaa nyt puhua.", None),
    (
        "Netti ei toimi, vaikka lasku on maksettu.",
        Some("fault_outage"),
    ),
    (
        "Salasana unohtu, eikä sovellus toimi.",
        Some("account_access"),
    ),
    (
        "Mä muutan ja haluun tietää miten sopimus siirretään.",
        Some("contract_change"),
    ),
    (
        "Paketti tuli rikki ja mä haluun reklamoida.",
        Some("delivery_returns"),
    ),
];

#[test]
fn built_in_taxonomy_resolves_and_passes_its_own_examples() {
    let taxonomy = resolve("default.toml", DEFAULT_TAXONOMY).unwrap_or_else(|e| panic!("{e}"));
    assert!(taxonomy.reasons.len() >= 7);
    let (checked, failures) = selftest::run(&taxonomy);
    assert!(checked >= 50, "{checked}");
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn customer_needs_are_tagged_with_their_reason() {
    let taxonomy = default_taxonomy();
    let wrong: Vec<_> = NEEDS
        .iter()
        .map(|(text, want)| (text, want, tag_text(text, &taxonomy)))
        .filter(|(_, want, got)| got.as_deref() != Some(**want))
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
    let reasons: std::collections::BTreeSet<_> = NEEDS.iter().map(|(_, r)| r).collect();
    assert_eq!(
        reasons.len(),
        taxonomy.reasons.len(),
        "every reason is tried"
    );
}

#[test]
fn statements_of_no_need_get_no_reason_or_the_right_one() {
    let taxonomy = default_taxonomy();
    let wrong: Vec<_> = NOT_THIS
        .iter()
        .map(|(text, want)| (text, want, tag_text(text, &taxonomy)))
        .filter(|(_, want, got)| got.as_deref() != **want)
        .collect();
    assert!(wrong.is_empty(), "{wrong:#?}");
}

fn call(text: &str) -> crate::transcript::Transcript {
    synthesize(&turns(text, Party::Customer))
}

#[test]
fn the_tag_quotes_the_customer_with_the_time_and_secondary_reasons() {
    let taxonomy = default_taxonomy();
    let t = call(
        "agent: Asiakaspalvelu, Aino hei. | customer: Hei. Mun lasku on väärin ja haluan hyvityksen. | agent: Katsotaan.",
    );
    let tag = tag(&t, &taxonomy).expect("tagged");
    assert_eq!(tag.reason, "invoice_payment");
    assert_eq!(tag.quote, "Hei. Mun lasku on väärin ja haluan hyvityksen.");
    let customer = &t.segments[1];
    assert!(
        (customer.start..customer.end).contains(&tag.at_s),
        "{tag:?}"
    );
    assert_eq!(tag.secondary, ["complaint_compensation"]);
    assert!((0.0..=1.0).contains(&tag.confidence));
}

#[test]
fn agent_words_are_never_the_reason() {
    let taxonomy = default_taxonomy();
    let t = call("agent: Onko laskussa jotain epäselvää? | customer: Ei, kaikki kunnossa.");
    assert_eq!(tag(&t, &taxonomy), None);
}

#[test]
fn an_early_statement_outweighs_a_later_one_and_agreement_raises_confidence() {
    let taxonomy = default_taxonomy();
    let t = call(
        "customer: Netti ei toimi taas. | agent: Ikävää. | customer: Onko se tää katko taas? | \
         agent: Tarkistan. | customer: Mitä muuten pitää tehdä jos muutan? | agent: Kerron. | \
         customer: Ja salasanakin pitäis vaihtaa joskus. | agent: Selvä.",
    );
    let found = tag(&t, &taxonomy).expect("tagged");
    assert_eq!(found.reason, "fault_outage");
    // Two fault patterns ("ei toimi", "katko") in the first turns: 1.0 × 0.9.
    assert_eq!(found.confidence, 0.9);
    assert_eq!(found.quote, "Netti ei toimi taas.");
    // "muutan" is in the 3rd substantive turn: 0.8 × 0.8 for one pattern.
    assert_eq!(found.secondary, ["contract_change", "account_access"]);

    let mut chat: Vec<String> = (1..=8)
        .map(|n| format!("customer: Tässä on puheenvuoro numero {n}. | agent: Aivan."))
        .collect();
    chat.push("customer: Ja mun salasana unohtu.".into());
    let late = call(&chat.join(" | "));
    assert_eq!(
        tag(&late, &taxonomy),
        None,
        "the 9th substantive turn is not read"
    );
}
