//! Human-readable words for the pages, in Finnish (default) and English: interface
//! strings, and labels and plain-language explanations for the dimensions and
//! behaviours the rubric is known to produce. An id without a label is shown as is,
//! so a new rubric dimension appears without a code change.

use std::collections::BTreeMap;

use crate::redact::Kind;

/// The language of a packet's interface and explanations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    #[default]
    Fi,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fi => "fi",
            Lang::En => "en",
        }
    }

    fn pick(self, fi: &'static str, en: &'static str) -> &'static str {
        match self {
            Lang::Fi => fi,
            Lang::En => en,
        }
    }
}

/// Interface strings: key, Finnish, English.
const UI: &[(&str, &str, &str)] = &[
    ("overview", "Yön yhteenveto", "Overview of the night"),
    ("catalogue", "Esimerkkikirjasto", "Trainer catalogue"),
    ("session", "Kuunteluharjoitus", "Listening session"),
    ("calls", "Puhelut", "Calls"),
    ("call", "Puhelu", "Call"),
    ("agent", "Asiakaspalvelija", "Agent"),
    ("team", "Tiimi", "Team"),
    ("queue", "Jono", "Queue"),
    ("date", "Päivä", "Date"),
    ("duration", "Kesto", "Duration"),
    ("status", "Tila", "Status"),
    ("scores", "Pisteet", "Scores"),
    ("transcript", "Litteraatti", "Transcript"),
    ("moments", "Havainnot", "Moments"),
    ("timeline", "Aikajana", "Timeline"),
    ("metrics", "Puhelun mittarit", "The call in numbers"),
    ("talk_split", "Kuka puhui", "Who talked"),
    ("nobody", "ei kukaan", "nobody"),
    (
        "loudness",
        "Äänenvoimakkuus neljänneksittäin",
        "Loudness per quarter",
    ),
    ("mood", "Asiakkaan mieliala", "Customer's mood"),
    ("start", "alku", "start"),
    ("end", "loppu", "end"),
    ("clips", "Kuuntele", "Listen"),
    ("customer", "Asiakas", "Customer"),
    ("speech", "puhe", "speech"),
    ("silence", "hiljaisuus", "silence"),
    ("hold", "kerrottu pito", "announced hold"),
    (
        "unexplained",
        "selittämätön hiljaisuus",
        "unexplained silence",
    ),
    ("overlap", "päällekkäin", "overlap"),
    (
        "no_audio",
        "Äänitettä ei ole mukana.",
        "No audio in this packet.",
    ),
    ("no_transcript", "Litteraattia ei ole.", "No transcript."),
    (
        "redaction_off",
        "HENKILÖTIETOJA EI OLE POISTETTU — käsittele luottamuksellisena.",
        "PERSONAL DATA NOT REDACTED — handle as confidential.",
    ),
    ("not_observed", "ei havaintoa", "not observed"),
    (
        "moved_by",
        "Mikä vaikutti pisteisiin",
        "What moved the score",
    ),
    (
        "unverified",
        "ei vahvistettu äänestä",
        "not verified by the audio",
    ),
    (
        "unverified_moments",
        "Havainnot, joita ääni ei vahvistanut — eivät vaikuta pisteisiin",
        "Moments not verified by the audio — counted nowhere",
    ),
    ("total", "Puheluita", "Calls"),
    ("scored", "Pisteytetty", "Scored"),
    ("failed", "Epäonnistui", "Failed"),
    ("distribution", "Pistejakauma", "Score distribution"),
    ("by_team", "Tiimeittäin (keskiarvo)", "By team (mean)"),
    ("need_listen", "Kuuntele nämä", "Calls that need a listen"),
    ("lowest", "Matalimmat pisteet", "Lowest scores"),
    ("escalations", "Eskaloinnit", "Escalations"),
    ("failures", "Epäonnistuneet", "Failures"),
    ("exemplary", "Esimerkillinen", "Exemplary"),
    ("cautionary", "Varoittava", "Cautionary"),
    (
        "turnarounds",
        "Asiakkaan mieli kääntyi",
        "Customer turnarounds",
    ),
    ("behaviour", "Käyttäytyminen", "Behaviour"),
    ("all", "Kaikki", "All"),
    ("points", "Pisteet", "Points"),
    ("confidence", "Varmuus", "Confidence"),
    ("cold_call", "Viileä puhelu", "Cold call"),
    ("warm_call", "Lämmin puhelu", "Warm call"),
    ("pair", "Pari", "Pair"),
    ("facilitator", "Vetäjän ohje", "Facilitator sheet"),
    ("listen_for", "Kuuntele erityisesti", "Listen for"),
    ("questions", "Keskustelukysymykset", "Questions to discuss"),
    ("print", "Tulosta", "Print"),
    ("row_agent", "Asiakaspalvelija", "Agent"),
    ("row_customer", "Asiakas", "Customer"),
    ("row_pauses", "Tauot", "Pauses"),
    ("row_moments", "Havainnot", "Moments"),
    (
        "empty_run",
        "Tässä ajossa ei käsitelty yhtään puhelua (ei uusia tai muuttuneita äänitteitä).",
        "This run processed no calls (no new or changed recordings).",
    ),
    (
        "flag_failed",
        "käsittely epäonnistui",
        "could not be processed",
    ),
    ("flag_low", "matala kokonaispistemäärä", "low overall score"),
    ("night", "Yö", "Night"),
    ("audio_total", "ääntä", "of audio"),
    ("attention", "Tarvitsevat huomiota", "Need attention"),
    ("reasons", "Syyt", "Reasons"),
    (
        "more_calls",
        "muuta puhelua, katso kaikki puhelut alta",
        "more calls: see all calls below",
    ),
    (
        "nothing_flagged",
        "Yksikään puhelu ei tarvitse huomiota.",
        "No call needs attention.",
    ),
    (
        "by_agent",
        "Asiakaspalvelijoittain (keskiarvo)",
        "By agent (mean)",
    ),
    ("by_queue", "Jonoittain (keskiarvo)", "By queue (mean)"),
    ("calls_n", "puhelua", "calls"),
    (
        "trend",
        "Kehitys öittäin (kokonaisuuden keskiarvo)",
        "Night by night (mean overall score)",
    ),
    ("mean_overall", "Kokonaisuus, keskiarvo", "Overall, mean"),
    ("tonight", "tämä yö", "this night"),
    (
        "change",
        "muutos edelliseen yöhön",
        "change since the night before",
    ),
    ("open_call", "Avaa puhelu", "Open the call"),
    ("why_pair", "Miksi tämä pari", "Why this pair"),
    ("warmth_gap", "lämpöpisteiden ero", "warmth points apart"),
    (
        "opposite",
        "havainnot vastakkain",
        "evidence pointing opposite ways",
    ),
    ("same_queue", "sama jono", "same queue"),
    ("other_queues", "eri jonoista", "from different queues"),
    ("at", "kohdassa", "at"),
    ("whole_call", "Koko puhelu", "The whole call"),
    ("jump_to", "Hyppää kohtaan", "Jump to"),
    ("in_cold", "viileässä", "cold"),
    ("in_warm", "lämpimässä", "warm"),
    ("status_pending", "odottaa", "pending"),
    ("status_running", "kesken", "running"),
    ("status_transcribed", "litteroitu", "transcribed"),
    ("status_scored", "pisteytetty", "scored"),
    ("status_failed", "epäonnistui", "failed"),
    (
        "status_no_speech",
        "ei pisteytetty: ei puhetta",
        "not scored: no speech",
    ),
    ("none", "—", "—"),
    ("across", "Puheluiden yli", "Across calls"),
    (
        "across_intro",
        "Luvut lasketaan kaikista tallennetuista puheluista asiakkaan tunnisteen ja puhelun alkuajan perusteella.",
        "Computed from every stored call by its customer key and start time.",
    ),
    ("as_of", "Tilanne", "As of"),
    (
        "repeat_window",
        "uusintayhteydenoton ikkuna",
        "repeat window",
    ),
    ("days", "päivää", "days"),
    (
        "calls_with_customer",
        "puhelua, joilla on asiakas",
        "calls with a customer",
    ),
    (
        "fcr",
        "Ratkaisu ensimmäisellä yhteydenotolla",
        "First-contact resolution",
    ),
    ("fcr_rate", "Ratkaisuaste", "Resolution rate"),
    (
        "fcr_resolved_of",
        "ratkaistu / ratkennut",
        "resolved / decided",
    ),
    ("fcr_pending", "vielä auki", "still pending"),
    ("fcr_repeats", "uusintasoittoja", "repeat calls"),
    (
        "fcr_judged",
        "puhelussa todettu ratkaistuksi",
        "judged resolved in the call",
    ),
    (
        "fcr_judged_but",
        "joista asiakas soitti silti uudelleen",
        "of which the customer called again",
    ),
    (
        "fcr_explain",
        "Saapuva puhelu on ratkaistu ensimmäisellä kerralla, kun sama asiakas ei ota uudelleen yhteyttä samasta asiasta ikkunan aikana. Puhelut, joiden ikkuna on vielä auki, eivät ole mukana ratkaisuasteessa.",
        "An inbound call is resolved on first contact when the same customer does not contact again about the same matter within the window. Calls whose window is still open are left out of the rate.",
    ),
    (
        "fcr_called_again",
        "asiakas soitti uudelleen",
        "the customer called again",
    ),
    ("fcr_by_agent", "Asiakaspalvelijoittain", "By agent"),
    ("fcr_by_team", "Tiimeittäin", "By team"),
    ("fcr_by_queue", "Jonoittain", "By queue"),
    (
        "fcr_by_reason",
        "Yhteydenoton syyn mukaan",
        "By contact reason",
    ),
    (
        "reason_unknown",
        "Syy ei tiedossa: puheluille ei ole vielä merkitty yhteydenoton syytä.",
        "Reason not known: no call carries a contact reason yet.",
    ),
    ("reason_calls", "saapuvia puheluita", "inbound calls"),
    (
        "mean_handling",
        "keskimääräinen käsittelyaika",
        "mean handling time",
    ),
    ("last_day", "viim. vuorokausi", "last 24 h"),
    ("this_week", "tällä viikolla", "this week"),
    ("previous_week", "edellisellä viikolla", "the week before"),
    ("reasons_rising", "Kasvavat syyt", "Reasons that rise"),
    (
        "reasons_weeks",
        "Tämä viikko on tilannetta edeltävät seitsemän vuorokautta, edellinen viikko niitä edeltävät seitsemän. Syy kasvaa, kun tällä viikolla on enemmän puheluita kuin edellisellä. Ratkaisuaste lasketaan puheluista, joilla on asiakas.",
        "This week is the seven days up to the time shown, the week before the seven days before those. A reason rises when this week has more calls than the week before. The resolution rate counts calls with a customer.",
    ),
    (
        "reasons_untagged",
        "saapuvia puheluita ilman syytä",
        "inbound calls without a reason",
    ),
    ("not_given", "ei tiedossa", "not given"),
    ("promises", "Lupaukset", "Promises"),
    ("promise_kept", "pidetty", "kept"),
    ("promise_tried", "yritetty", "tried"),
    ("promise_open", "auki", "open"),
    ("promise_broken", "rikottu", "broken"),
    ("promise_no_time", "ei aikaa", "no time given"),
    ("promise_no_customer", "ei asiakasta", "no customer key"),
    (
        "promises_follow_up",
        "Seurattavat lupaukset",
        "Promises to follow up",
    ),
    (
        "promises_all_kept",
        "Kaikki lupaukset pidettiin.",
        "Every promise was kept.",
    ),
    (
        "promises_none",
        "Yhtään lupausta ei löytynyt.",
        "No promise was found.",
    ),
    ("promises_kept_list", "Pidetyt lupaukset", "Promises kept"),
    ("promise_said", "luvattu", "promised"),
    ("promise_deadline", "määräaika", "due"),
    (
        "promise_attempts",
        "vastaamattomat yritykset",
        "unanswered attempts",
    ),
    ("promise_kept_by", "pidetty puhelulla", "kept by call"),
    ("promise_late_call", "myöhässä soitettu", "late call"),
    (
        "promise_customer_called",
        "asiakas soitti sillä välin",
        "the customer called meanwhile",
    ),
    ("feedback", "Asiakkaiden palaute", "Customer feedback"),
    (
        "feedback_explain",
        "Palaute, jonka asiakas antoi puhelussa: välitettiinkö se eteenpäin?",
        "Feedback customers gave in their calls: was it passed on?",
    ),
    ("feedback_complaint", "Valitus", "Complaint"),
    ("feedback_suggestion", "Kehitysehdotus", "Suggestion"),
    ("feedback_praise", "Kiitos", "Praise"),
    (
        "feedback_not_forwarded",
        "ei luvattu viedä eteenpäin",
        "not said to be passed on",
    ),
    (
        "feedback_forwarded",
        "Palaute luvattiin viedä eteenpäin",
        "Feedback said to be passed on",
    ),
    (
        "left_out",
        "Luvuista pois jätetyt puhelut",
        "Calls left out of the figures",
    ),
    (
        "left_out_no_customer",
        "ei asiakkaan tunnistetta",
        "no customer key",
    ),
    ("left_out_no_start", "ei alkuaikaa", "no start time"),
    (
        "direction_unknown",
        "suunta puuttui, laskettu saapuvaksi (mukana luvuissa)",
        "no direction, counted as inbound (in the figures)",
    ),
    (
        "customer_calls",
        "Asiakkaan muut puhelut",
        "The customer's other calls",
    ),
    (
        "call_left_out",
        "Puhelu ei ole mukana puheluiden yli lasketuissa luvuissa: siltä puuttuu asiakkaan tunniste tai alkuaika.",
        "This call is left out of the figures across calls: it has no customer key or no start time.",
    ),
    ("previous_call", "Edellinen puhelu", "Previous call"),
    ("next_call", "Seuraava puhelu", "Next call"),
    ("fcr_resolved", "ratkaistu", "resolved"),
    (
        "fcr_repeated",
        "asiakas soitti uudelleen",
        "the customer called again",
    ),
    ("fcr_repeat", "uusintasoitto asiaan", "a repeat call about"),
    (
        "fcr_outbound",
        "lähtevä puhelu, ei ensimmäinen yhteydenotto",
        "outbound call, not a first contact",
    ),
    (
        "judged_resolved_here",
        "puhelussa todettu ratkaistuksi",
        "judged resolved in the call",
    ),
];

/// Dimension id, Finnish label, Finnish explanation, English label, English explanation
/// (after the default rubric, `src/rubric/default.toml`).
const DIMENSIONS: &[(&str, &str, &str, &str, &str)] = &[
    (
        "warmth",
        "Lämpö",
        "Hymy kuuluu puhelimessa: tervehdys, esittäytyminen, empatia, pahoittelu, ystävällinen lopetus.",
        "Warmth",
        "The smile can be heard: greeting, introduction, empathy, apology, a friendly close.",
    ),
    (
        "ownership",
        "Pallo haltuun",
        "Asiakkaan asia otetaan hoidettavaksi, asiakasta ei rasiteta, luvataan ja pidetään lupaus.",
        "Ownership",
        "The customer's matter is taken on, the customer is not burdened, a promise is made and kept.",
    ),
    (
        "refusal",
        "Kieltäytymisen taito",
        "Kun vastaus on ei: perustelu ja vaihtoehto, omaa asemaa korostamatta.",
        "Refusing well",
        "When the answer is no: a reason and an alternative, without pulling rank.",
    ),
    (
        "need_discovery",
        "Tarpeen kartoitus",
        "Avoimet kysymykset asiakkaan tarpeesta.",
        "Need discovery",
        "Open questions about what the customer needs.",
    ),
    (
        "resolution",
        "Ratkaisu kerralla",
        "Asia ratkeaa tässä yhteydenotossa eikä asiakasta käsketä soittamaan uudelleen.",
        "Resolved first time",
        "The matter is solved on this contact; the customer is not told to call again.",
    ),
    (
        "escalation",
        "Rauhallisuus",
        "Ei eskalointia eikä valtataistelua; 100 = rauhallinen puhelu.",
        "Calm",
        "No escalation and no power struggle; 100 = a calm call.",
    ),
    (
        "hold",
        "Pito",
        "Odotus kerrotaan ja siitä kiitetään; selittämätön hiljaisuus maksaa.",
        "Hold",
        "A wait is announced and thanked for; unexplained silence costs.",
    ),
    (
        "overall",
        "Kokonaisuus",
        "Kaikkien ulottuvuuksien painotettu keskiarvo.",
        "Overall",
        "The weighted mean of all dimensions.",
    ),
];

/// Behaviour id, Finnish label, English label.
const BEHAVIOURS: &[(&str, &str, &str)] = &[
    ("greeting", "Tervehdys", "Greeting"),
    ("self_intro", "Esittäytyminen", "Introduction"),
    ("empathy", "Empatia", "Empathy"),
    ("apology", "Pahoittelu", "Apology"),
    ("closing", "Lopetus", "Closing"),
    ("ownership", "Pallo haltuun", "Ownership"),
    ("callback_offer", "Takaisinsoittotarjous", "Callback offer"),
    (
        "callback_promise",
        "Lupaus ajan kera",
        "Promise with a time",
    ),
    ("refusal", "Kieltäytyminen", "Refusal"),
    ("refusal_reason", "Perustelu", "Reason given"),
    ("refusal_alternative", "Vaihtoehto", "Alternative offered"),
    ("agent_one_up", "Oman aseman korostus", "Agent pulls rank"),
    ("customer_one_up", "Asiakas korottaa", "Customer one-ups"),
    ("bare_refusal", "Tyly kieltäytyminen", "Bare refusal"),
    (
        "justified_refusal",
        "Perusteltu kieltäytyminen",
        "Justified refusal",
    ),
    ("need_discovery", "Tarvekysymys", "Discovery question"),
    ("resolved", "Ratkaistu", "Resolved"),
    ("unresolved", "Soita uudelleen", "Sent to call again"),
    (
        "customer_escalation",
        "Asiakas eskaloi",
        "Customer escalation",
    ),
    ("power_struggle", "Valtataistelu", "Power struggle"),
    ("agent_interruption", "Keskeytys", "Agent interrupts"),
    ("announced_hold", "Pito kerrottu", "Hold announced"),
    ("hold_thanks", "Kiitos odotuksesta", "Thanks for waiting"),
    (
        "unannounced_silence",
        "Selittämätön hiljaisuus",
        "Unexplained silence",
    ),
    (
        "feedback_forwarded",
        "Palaute viedään eteenpäin",
        "Feedback passed on",
    ),
    (
        "unforwarded_complaint",
        "Valitus jäi välittämättä",
        "Complaint not passed on",
    ),
    (
        "unforwarded_suggestion",
        "Ehdotus jäi välittämättä",
        "Suggestion not passed on",
    ),
    (
        "unforwarded_praise",
        "Kiitos jäi välittämättä",
        "Praise not passed on",
    ),
];

/// Why a session has no pair, with the rule that found none.
pub fn no_pairs(lang: Lang, calls: usize, min_gap: f64) -> String {
    match lang {
        Lang::Fi => format!(
            "Ei vertailuparia {calls} puhelusta. Pariin tarvitaan viileä ja lämmin puhelu, \
             joiden lämpöpisteet eroavat vähintään {min_gap:.0} pisteellä ja joiden havainnot \
             kieltäytymisestä, asian omaksi ottamisesta tai lämmöstä ovat vastakkaiset \
             (ei koskaan saman puhelun kahta tallennetta)."
        ),
        Lang::En => format!(
            "No pair among {calls} calls. A pair needs a cold and a warm call at least \
             {min_gap:.0} warmth points apart whose evidence on refusal, ownership or warmth \
             points opposite ways (never two recordings of one call)."
        ),
    }
}

/// A discussion question for a pair that differs on `dimension`, quoting the
/// cold call's and the warm call's moment (time, quote) where each has one.
pub fn question(
    lang: Lang,
    dimension: &str,
    cold: Option<(&str, &str)>,
    warm: Option<(&str, &str)>,
) -> String {
    match (cold, warm) {
        (Some(c), Some(w)) => question_both(lang, dimension, c, w),
        (Some((ct, cq)), None) => match lang {
            Lang::Fi => format!(
                "Viileässä puhelussa kohdassa {ct}: ”{cq}”. Miltä tämä kuulosti asiakkaasta, \
                 ja mitä olisit sanonut tilalle?"
            ),
            Lang::En => format!(
                "In the cold call at {ct}: “{cq}”. How did that sound to the customer, and \
                 what would you have said instead?"
            ),
        },
        (None, Some((wt, wq))) => match lang {
            Lang::Fi => format!(
                "Lämpimässä puhelussa kohdassa {wt}: ”{wq}”. Mitä tämä teki puhelulle — ja \
                 missä kohtaa viileää puhelua se olisi auttanut?"
            ),
            Lang::En => format!(
                "In the warm call at {wt}: “{wq}”. What did it do for the call — and where \
                 in the cold call would it have helped?"
            ),
        },
        (None, None) => closing_question(lang),
    }
}

fn question_both(lang: Lang, dimension: &str, cold: (&str, &str), warm: (&str, &str)) -> String {
    let ((ct, cq), (wt, wq)) = (cold, warm);
    match (lang, dimension) {
        (Lang::Fi, "refusal") => format!(
            "Kun vastaus on ei: viileässä puhelussa kohdassa {ct} kuultiin ”{cq}”, lämpimässä \
             kohdassa {wt} ”{wq}”. Mitä asiakas sai jälkimmäisessä, mitä hän jäi kaipaamaan \
             edellisessä — perustelua, vaihtoehtoa?"
        ),
        (Lang::Fi, "ownership") => format!(
            "Kuka otti asian omakseen? Lämpimässä puhelussa kohdassa {wt}: ”{wq}”. Mitä \
             viileässä puhelussa sanottiin tilalle (kohdassa {ct}: ”{cq}”), ja miltä se \
             asiakkaasta kuulosti?"
        ),
        (Lang::Fi, "warmth") => format!(
            "Miltä puhelu kuulosti? Vertaa viileän puhelun kohtaa {ct} ”{cq}” ja lämpimän \
             kohtaa {wt} ”{wq}”. Mistä lämmön kuulee — sanoista vai äänestä?"
        ),
        (Lang::Fi, _) => format!(
            "Vertaa viileän puhelun kohtaa {ct} ”{cq}” ja lämpimän kohtaa {wt} ”{wq}”. \
             Mikä teki eron?"
        ),
        (Lang::En, "refusal") => format!(
            "When the answer is no: the cold call at {ct} says “{cq}”, the warm one at {wt} \
             “{wq}”. What did the customer get in the second, and miss in the first — a \
             reason, an alternative?"
        ),
        (Lang::En, "ownership") => format!(
            "Who took ownership? The warm call at {wt}: “{wq}”. What did the cold call say \
             instead (at {ct}: “{cq}”), and how did it sound to the customer?"
        ),
        (Lang::En, "warmth") => format!(
            "How did each call sound? Compare the cold call at {ct} “{cq}” with the warm call \
             at {wt} “{wq}”. Where do you hear the warmth — in the words or the voice?"
        ),
        (Lang::En, _) => format!(
            "Compare the cold call at {ct} “{cq}” with the warm call at {wt} “{wq}”. What \
             made the difference?"
        ),
    }
}

/// The question every pair ends with.
pub fn closing_question(lang: Lang) -> String {
    lang.pick(
        "Mitä sanoisit toisin viileässä puhelussa? Kokeilkaa pareittain.",
        "What would you say differently in the cold call? Try it in pairs.",
    )
    .to_string()
}

/// One interface string; the key itself if there is none (a bug the tests catch).
pub fn text(lang: Lang, key: &'static str) -> &'static str {
    UI.iter()
        .find(|(k, _, _)| *k == key)
        .map_or(key, |(_, fi, en)| lang.pick(fi, en))
}

/// `2026-11-21T09:30:00+02:00` as `21.11.2026 klo 9.30` (Finnish) or
/// `2026-11-21 09:30` (English); the local time as recorded, no time zone
/// arithmetic. Text that is not such a timestamp is returned as it is.
pub fn datetime(lang: Lang, iso: &str) -> String {
    let Some((date, time)) = iso.get(..16).and_then(|s| s.split_once('T')) else {
        return date(lang, iso);
    };
    let (h, m) = time.split_once(':').unwrap_or((time, "00"));
    match lang {
        Lang::Fi => format!(
            "{} klo {}.{m}",
            date_fi(date),
            h.trim_start_matches('0').max("0")
        ),
        Lang::En => format!("{date} {h}:{m}"),
    }
}

/// The date of a timestamp: `21.11.2026` (Finnish) or `2026-11-21` (English).
pub fn date(lang: Lang, iso: &str) -> String {
    match (lang, iso.get(..10)) {
        (Lang::Fi, Some(d)) if d.as_bytes().get(4) == Some(&b'-') => date_fi(d),
        (_, Some(d)) => d.to_string(),
        (_, None) => iso.to_string(),
    }
}

fn date_fi(iso_date: &str) -> String {
    let parts: Vec<&str> = iso_date.split('-').collect();
    match parts[..] {
        [y, m, d] => format!(
            "{}.{}.{y}",
            d.trim_start_matches('0'),
            m.trim_start_matches('0')
        ),
        _ => iso_date.to_string(),
    }
}

/// What the timeline calls an announced hold and an unexplained silence.
pub fn hold_names(lang: Lang) -> (&'static str, &'static str) {
    (text(lang, "hold"), text(lang, "unexplained"))
}

/// All interface strings of `lang`, for the templates.
pub fn ui(lang: Lang) -> BTreeMap<&'static str, &'static str> {
    UI.iter()
        .map(|(key, fi, en)| (*key, lang.pick(fi, en)))
        .collect()
}

pub fn dimension(lang: Lang, id: &str) -> String {
    DIMENSIONS
        .iter()
        .find(|d| d.0 == id)
        .map_or_else(|| id.to_string(), |d| lang.pick(d.1, d.3).to_string())
}

/// What the dimension measures and how this call did on it, in one sentence.
/// `observed`: whether any verified moment of the dimension was found; a score
/// without one is the rubric's base value, not a verdict, and says so.
pub fn explain(lang: Lang, id: &str, score: Option<f64>, observed: bool) -> String {
    let what = DIMENSIONS
        .iter()
        .find(|d| d.0 == id)
        .map_or("", |d| lang.pick(d.2, d.4));
    let level = match score {
        None => lang.pick("Ei koskenut tätä puhelua.", "Did not apply to this call."),
        Some(_) if !observed => lang.pick(
            "Ei havaintoa: mitään tämän ulottuvuuden käyttäytymistä ei kuultu, joten luku on rubriikin lähtötaso eikä arvio.",
            "Not observed: none of this dimension's behaviours was heard, so the number is the rubric's starting value, not a verdict.",
        ),
        Some(s) if s >= 75.0 => lang.pick("Vahva.", "Strong."),
        Some(s) if s >= 50.0 => lang.pick("Kohtalainen.", "Fair."),
        Some(_) => lang.pick(
            "Heikko — kuuntele havainnot.",
            "Weak — listen to the moments.",
        ),
    };
    format!("{what} {level}").trim().to_string()
}

/// The privacy banner of a redacted packet: exactly the kinds of personal data
/// `crate::redact` removes, and that names stay.
pub fn redaction_on(lang: Lang) -> String {
    let kinds: Vec<&str> = REDACTED
        .iter()
        .map(|&kind| redacted_kind(lang, kind))
        .collect();
    let (last, rest) = kinds.split_last().map_or(("", &[][..]), |(l, r)| (*l, r));
    match lang {
        Lang::Fi => format!(
            "Tekstistä ja äänestä on poistettu {} ja {last}. Nimet ja muut henkilötiedot jäävät — käsittele luottamuksellisena.",
            rest.join(", ")
        ),
        Lang::En => format!(
            "Removed from text and audio: {} and {last}. Names and other personal details stay — handle as confidential.",
            rest.join(", ")
        ),
    }
}

/// Every kind of personal data [`crate::redact::find`] finds.
const REDACTED: [Kind; 5] = [
    Kind::PersonalId,
    Kind::Phone,
    Kind::Iban,
    Kind::Card,
    Kind::Email,
];

/// A kind of personal data in the plural. The match is exhaustive so that a new
/// kind cannot be added to `redact` without a word here (add it to [`REDACTED`]).
fn redacted_kind(lang: Lang, kind: Kind) -> &'static str {
    match kind {
        Kind::PersonalId => lang.pick("henkilötunnukset", "personal identity codes"),
        Kind::Phone => lang.pick("puhelinnumerot", "phone numbers"),
        Kind::Iban => lang.pick("tilinumerot (IBAN)", "bank account numbers (IBAN)"),
        Kind::Card => lang.pick("maksukorttien numerot", "payment card numbers"),
        Kind::Email => lang.pick("sähköpostiosoitteet", "e-mail addresses"),
    }
}

pub fn behaviour(lang: Lang, id: &str) -> String {
    BEHAVIOURS
        .iter()
        .find(|b| b.0 == id)
        .map_or_else(|| id.replace('_', " "), |b| lang.pick(b.1, b.2).to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timestamps_read_as_people_write_them() {
        assert_eq!(
            datetime(Lang::Fi, "2026-11-21T09:30:00+02:00"),
            "21.11.2026 klo 9.30"
        );
        assert_eq!(
            datetime(Lang::Fi, "2026-11-21T00:05:00Z"),
            "21.11.2026 klo 0.05"
        );
        assert_eq!(
            datetime(Lang::En, "2026-11-21T09:30:00+02:00"),
            "2026-11-21 09:30"
        );
        assert_eq!(date(Lang::Fi, "2026-01-02T22:00:00Z"), "2.1.2026");
        assert_eq!(datetime(Lang::Fi, "eilen"), "eilen");
    }

    #[test]
    fn unknown_ids_fall_back_to_the_id() {
        assert_eq!(dimension(Lang::Fi, "patience"), "patience");
        assert_eq!(behaviour(Lang::En, "small_talk"), "small talk");
        assert_eq!(dimension(Lang::En, "warmth"), "Warmth");
    }

    #[test]
    fn every_interface_string_exists_in_both_languages() {
        assert_eq!(ui(Lang::Fi).len(), ui(Lang::En).len());
        assert!(
            ui(Lang::Fi)
                .values()
                .chain(ui(Lang::En).values())
                .all(|s| !s.is_empty())
        );
        assert!(explain(Lang::Fi, "warmth", Some(30.0), true).contains("Heikko"));
        assert!(explain(Lang::En, "warmth", Some(90.0), true).contains("Strong"));
    }

    /// Issue 19, point 1: refusal 85 on a call with no refusal read "Vahva".
    #[test]
    fn a_score_with_no_evidence_is_not_observed_not_strong() {
        let fi = explain(Lang::Fi, "refusal", Some(85.0), false);
        assert!(fi.contains("Ei havaintoa") && !fi.contains("Vahva"), "{fi}");
        let en = explain(Lang::En, "refusal", Some(85.0), false);
        assert!(
            en.contains("Not observed") && !en.contains("Strong"),
            "{en}"
        );
    }

    #[test]
    fn the_privacy_banner_names_every_kind_removed_and_that_names_stay() {
        assert_eq!(
            redaction_on(Lang::Fi),
            "Tekstistä ja äänestä on poistettu henkilötunnukset, puhelinnumerot, \
             tilinumerot (IBAN), maksukorttien numerot ja sähköpostiosoitteet. Nimet ja \
             muut henkilötiedot jäävät — käsittele luottamuksellisena."
        );
        let en = redaction_on(Lang::En);
        assert!(en.contains("phone numbers, bank account numbers (IBAN), payment card"));
        assert!(en.contains("Names and other personal details stay"), "{en}");
    }
}
