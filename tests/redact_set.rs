//! The redaction test set: personal data as Whisper writes it in a transcript —
//! digits, Finnish number words standard and colloquial, spaced or lower-case forms —
//! and numbers that must survive (invalid checksums, dates, amounts, counts). Each
//! valid item is marked `⟦…⟧` in its sentence and must be found whole, as its kind;
//! nothing unmarked may be found. The test prints found / missed / partial / false
//! positives per kind before it asserts, so a change's effect can be read off.

use kuulas::redact::{self, Kind};

/// `(sentence, kind of the marked items)`; `None` for a sentence with nothing to find.
const SET: &[(&str, Option<Kind>)] = &[
    // Personal identity codes.
    ("mun hetu on ⟦131052-308T⟧ kiitos", Some(Kind::PersonalId)),
    ("⟦240385-124U⟧.", Some(Kind::PersonalId)),
    ("se on ⟦280201A1348⟧", Some(Kind::PersonalId)),
    ("uusi muoto ⟦120908B456S⟧", Some(Kind::PersonalId)),
    ("⟦010150+002D⟧ on vanha", Some(Kind::PersonalId)),
    ("pienellä ⟦150776-552r⟧", Some(Kind::PersonalId)),
    ("välilyönnein ⟦131052 - 308T⟧ joo", Some(Kind::PersonalId)),
    ("⟦311299 -9872⟧", Some(Kind::PersonalId)),
    ("⟦050505 A 712H⟧", Some(Kind::PersonalId)),
    (
        "hetu ⟦kolmetoista kymmenen viisikymmentäkaksi viiva kolmesataakahdeksan tee⟧ joo",
        Some(Kind::PersonalId),
    ),
    (
        "⟦yksi kolme yksi nolla viisi kaksi miinus kolme nolla kahdeksan T⟧",
        Some(Kind::PersonalId),
    ),
    (
        "⟦kakskytneljä nolla kolme kasikytviis viiva satakakskytneljä uu⟧",
        Some(Kind::PersonalId),
    ),
    (
        "⟦kaksikymmentäkahdeksan nolla kaksi nolla yksi A satakolmekymmentäneljä kahdeksan⟧",
        Some(Kind::PersonalId),
    ),
    (
        "se on ⟦nolla yksi nolla yksi viiskyt plus nolla nolla kaksi dee⟧",
        Some(Kind::PersonalId),
    ),
    ("⟦131052, viiva, 308T⟧", Some(Kind::PersonalId)),
    ("hetu ⟦13 10 52-308 T⟧", Some(Kind::PersonalId)),
    // Phone numbers.
    ("soita ⟦040 123 4567⟧ huomenna", Some(Kind::Phone)),
    ("numero on ⟦+358 40 123 4567⟧.", Some(Kind::Phone)),
    ("⟦050-7654321⟧", Some(Kind::Phone)),
    ("⟦0401234567⟧", Some(Kind::Phone)),
    ("lankapuhelin ⟦09 612 3456⟧", Some(Kind::Phone)),
    ("⟦00358 50 765 4321⟧", Some(Kind::Phone)),
    (
        "se on ⟦nolla neljä nolla, yks kaks kolme neljä viis kuus seittemän⟧ joo",
        Some(Kind::Phone),
    ),
    (
        "⟦plus kolme viisi kahdeksan neljä nolla yksi kaksi kolme neljä viisi kuusi seitsemän⟧",
        Some(Kind::Phone),
    ),
    (
        "⟦nolla nelkytviis kuus seittemän kasi yks kaks⟧",
        Some(Kind::Phone),
    ),
    (
        "numero ⟦nolla neljäkymmentä satakaksikymmentäkolme neljäkymmentäviisi kuusikymmentäseitsemän⟧",
        Some(Kind::Phone),
    ),
    (
        "⟦Nolla, viisi, nolla, seitsemän, kuusi, viisi, neljä, kolme, kaksi, yksi⟧.",
        Some(Kind::Phone),
    ),
    ("⟦nolla 40 123 4567⟧", Some(Kind::Phone)),
    (
        "⟦Nolla neljä, nolla yksi kaksi neljä, kaksi yksi nolla neljä⟧. ⟦Nolla neljä yksi, kaksi nolla yksi, kaksi neljä nolla⟧.",
        Some(Kind::Phone),
    ),
    ("⟦0 4 0, 1 2 3, 4 5 6 7⟧", Some(Kind::Phone)),
    (
        "⟦plus kolmesataaviisikymmentäkahdeksan nelkyt sata kakskytkolme nelkytviis kuuskytseittemän⟧",
        Some(Kind::Phone),
    ),
    // IBANs.
    (
        "tilinumero ⟦FI21 1234 5600 0007 85⟧ ja summa 12",
        Some(Kind::Iban),
    ),
    ("⟦FI3550000120253504⟧", Some(Kind::Iban)),
    ("⟦FI 80 8000 1234 5678 91⟧", Some(Kind::Iban)),
    ("⟦fi78 5790 1100 1212 12⟧", Some(Kind::Iban)),
    ("tili ⟦fi21 1234 5600 0007 85⟧", Some(Kind::Iban)),
    ("⟦fi0810353000123456⟧ kiitos", Some(Kind::Iban)),
    ("⟦Fi 56 4005 5010 1122 33⟧", Some(Kind::Iban)),
    ("⟦GB82 WEST 1234 5698 7654 32⟧", Some(Kind::Iban)),
    ("⟦DE89 3704 0044 0532 0130 00⟧", Some(Kind::Iban)),
    (
        "⟦FI kaksikymmentäyksi kaksitoista kolmekymmentäneljä viisikymmentäkuusi nolla nolla nolla nolla nolla seitsemän kahdeksankymmentäviisi⟧",
        Some(Kind::Iban),
    ),
    (
        "⟦äf ii kolme viis viis nolla nolla nolla nolla yks kaks nolla kaks viis kolme viis nolla neljä⟧",
        Some(Kind::Iban),
    ),
    // Payment cards.
    ("kortti ⟦4111 1111 1111 1111⟧ käy", Some(Kind::Card)),
    ("⟦5500-0055-5555-5559⟧", Some(Kind::Card)),
    ("⟦4012888888881881⟧", Some(Kind::Card)),
    ("⟦3782 822463 10005⟧", Some(Kind::Card)),
    (
        "⟦neljä viisi neljä viisi neljä viisi neljä viisi neljä viisi neljä viisi neljä viisi neljä yksi⟧",
        Some(Kind::Card),
    ),
    (
        "⟦viiskytkaks nolla nolla kasikytkaks kasikytkaks kasikytkaks kasikytkaks kasikytkaks kymmenen⟧",
        Some(Kind::Card),
    ),
    (
        "kortti ⟦kuusikymmentä nolla nolla nolla nolla nolla nolla nolla nolla nolla nolla nolla nolla nolla seitsemän⟧",
        Some(Kind::Card),
    ),
    (
        "⟦Neljä nolla yksi nolla. Kaksi yksi nolla kaksi. Yksi nolla yksi nolla. Kaksi yksi kaksi nolla⟧.",
        Some(Kind::Card),
    ),
    // E-mail addresses.
    (
        "laita viesti ⟦matti.meikalainen@example.fi⟧ kiitos",
        Some(Kind::Email),
    ),
    ("⟦matti.meikäläinen@example.fi⟧", Some(Kind::Email)),
    ("osoite ⟦äijä.öörni@esimerkki.fi⟧.", Some(Kind::Email)),
    ("⟦Anna-Liisa.Ylä-Ämmälä@posti.fi⟧", Some(Kind::Email)),
    ("⟦pörröinen@yritys.com⟧", Some(Kind::Email)),
    // Invalid checksums: never redacted.
    ("mun hetu on 131052-308U kiitos", None),
    ("131052 - 308U", None),
    (
        "kolmetoista kymmenen viisikymmentäkaksi viiva kolmesataakahdeksan uu",
        None,
    ),
    ("310252-308T", None),
    ("010101-1234", None),
    ("tilinumero FI21 1234 5600 0007 86", None),
    ("fi22 1234 5600 0007 85", None),
    (
        "FI kaksikymmentäkaksi kaksitoista kolmekymmentäneljä viisikymmentäkuusi",
        None,
    ),
    ("kortti 4111 1111 1111 1112", None),
    (
        "neljä yksi yksi yksi yksi yksi yksi yksi yksi yksi yksi yksi yksi yksi yksi kaksi",
        None,
    ),
    // Dates, times, amounts, counts and other ordinary numbers.
    ("eräpäivä oli 05.12.2025 ja maksu tuli", None),
    ("eräpäivä oli 5.12.2025 ja maksu tuli", None),
    ("5. 12. 2025 ja 05.01.", None),
    ("ma 05.12.2025 klo 09.30", None),
    ("aukioloaika 08.00–16.00", None),
    ("tilausnumero 00123456", None),
    ("tilaus 12345 maksoi 40 euroa", None),
    ("summa oli 1 234,50 euroa", None),
    ("hinnat 0,99, 1,49 ja 0,50 euroa", None),
    ("vuonna 2026", None),
    ("kaksi kolme kertaa", None),
    ("asiakasnumero 123456789", None),
    ("sata kaksikymmentä euroa", None),
    ("kaksituhatta kaksikymmentäviisi", None),
    ("nolla euroa ja nolla senttiä", None),
    ("kolme neljä viisi kuusi seitsemän kahdeksan", None),
    ("versio 0.9.12", None),
    ("laskun viite 2025 0012 3456", None),
    ("se maksaa nelkytviis euroa kuussa", None),
];

#[derive(Default)]
struct Tally {
    found: usize,
    partial: usize,
    missed: usize,
    false_positive: usize,
}

/// The sentence without markers and the byte ranges the markers enclosed.
fn unmark(sentence: &str) -> (String, Vec<(usize, usize)>) {
    let mut text = String::new();
    let mut marks = Vec::new();
    let mut open = 0;
    for c in sentence.chars() {
        match c {
            '⟦' => open = text.len(),
            '⟧' => marks.push((open, text.len())),
            _ => text.push(c),
        }
    }
    (text, marks)
}

#[test]
fn every_valid_item_is_found_whole_and_nothing_else() {
    let mut tallies: Vec<(&str, Tally)> = ["hetu", "phone", "iban", "card", "email", "none"]
        .into_iter()
        .map(|k| (k, Tally::default()))
        .collect();
    let mut failures = Vec::new();
    let valid = SET.iter().filter(|(_, kind)| kind.is_some()).count();
    for &(sentence, kind) in SET {
        let (text, marks) = unmark(sentence);
        let found = redact::find(&text);
        let label = match kind {
            Some(Kind::PersonalId) => "hetu",
            Some(Kind::Phone) => "phone",
            Some(Kind::Iban) => "iban",
            Some(Kind::Card) => "card",
            Some(Kind::Email) => "email",
            None => "none",
        };
        let tally = &mut tallies
            .iter_mut()
            .find(|(k, _)| *k == label)
            .expect("listed")
            .1;
        let whole = marks.iter().all(|&(s, e)| {
            found
                .iter()
                .any(|f| Some(f.kind) == kind && f.start <= s && e <= f.end)
        });
        let outside = found
            .iter()
            .any(|f| !marks.iter().any(|&(s, e)| f.start < e && s < f.end));
        let touched = found
            .iter()
            .any(|f| marks.iter().any(|&(s, e)| f.start < e && s < f.end));
        let verdict = match (kind, whole, touched, outside) {
            (None, _, _, false) => "ok",
            (None, _, _, true) => "false positive",
            (Some(_), true, _, false) => "found",
            (Some(_), true, _, true) => "found, and a false positive",
            (Some(_), false, true, _) => "partial",
            (Some(_), false, false, _) => "missed",
        };
        match verdict {
            "found" => tally.found += 1,
            "partial" => tally.partial += 1,
            "missed" => tally.missed += 1,
            "ok" => {}
            _ => tally.false_positive += 1,
        }
        if verdict != "found" && verdict != "ok" {
            failures.push(format!("{verdict}: {text:?} → {:?}", redact::text(&text)));
        }
    }
    println!(
        "redaction set: {valid} valid items, {} that must survive",
        SET.len() - valid
    );
    println!(
        "{:<6} {:>6} {:>8} {:>7} {:>15}",
        "kind", "found", "partial", "missed", "false positive"
    );
    for (kind, t) in &tallies {
        println!(
            "{kind:<6} {:>6} {:>8} {:>7} {:>15}",
            t.found, t.partial, t.missed, t.false_positive
        );
    }
    assert!(valid >= 40, "the set must hold at least 40 valid items");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
