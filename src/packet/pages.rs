//! Assembles the site: which pages a packet has, what each page's template gets,
//! and which audio files the pages refer to (and only those).

use serde_json::{Value, json};

use super::call_page::{self, Prepared};
use super::catalogue::{self, Rank};
use super::labels::{self, Lang};
use super::view::CallView;
use super::{AudioMode, Packet, Page, Site, plots, session, templates, timeline};

/// Lowest-scoring calls listed for a listen on the overview.
const LOWEST: usize = 5;
/// A rise in customer sentiment at least this large is a turnaround.
const MIN_TURNAROUND: f64 = 0.3;

pub fn render(packet: &Packet) -> Site {
    let s = packet.settings;
    let prepared: Vec<Prepared<'_>> = packet
        .calls
        .iter()
        .map(|c| call_page::prepare(c, s.redact))
        .collect();
    let mut site = Site {
        pages: Vec::new(),
        audio: Vec::new(),
        redacted: s.redact,
    };
    if s.session {
        session_page(packet, &prepared, &mut site);
        return site;
    }
    for p in &prepared {
        let whole = p.whole_audio().filter(|_| s.audio == AudioMode::Full);
        let clips = match s.audio {
            AudioMode::None => Vec::new(),
            AudioMode::Full | AudioMode::Clips => p.clips(),
        };
        let ctx = call_page::context(s.lang, p, whole.as_ref(), &clips);
        site.pages.push(page(
            packet,
            &format!("calls/{}.html", p.name),
            "call.html",
            "../",
            ctx,
        ));
        site.audio.extend(whole);
        site.audio.extend(clips.into_iter().filter_map(|(_, f)| f));
    }
    let overview = overview(s.lang, &packet.calls, &prepared);
    site.pages
        .push(page(packet, "index.html", "overview.html", "", overview));
    let catalogue = catalogue_context(s.lang, &packet.calls, &prepared);
    site.pages.push(page(
        packet,
        "catalogue.html",
        "catalogue.html",
        "",
        catalogue,
    ));
    site
}

/// Wraps a page's own context with what every page shows: title, language,
/// interface strings and the redaction state.
pub(super) fn page(
    packet: &Packet,
    path: &str,
    template: &str,
    root: &str,
    mut ctx: Value,
) -> Page {
    let s = packet.settings;
    if let Value::Object(map) = &mut ctx {
        map.insert("title".into(), json!(packet.title));
        map.insert("lang".into(), json!(s.lang.code()));
        map.insert("t".into(), json!(labels::ui(s.lang)));
        map.insert("redacted".into(), json!(s.redact));
        map.insert("privacy".into(), json!(labels::redaction_on(s.lang)));
        map.insert("root".into(), json!(root));
        map.insert("session".into(), json!(s.session));
    }
    Page {
        path: path.into(),
        html: templates::render(template, &ctx),
    }
}

fn link(p: &Prepared<'_>) -> String {
    format!("calls/{}.html", p.name)
}

fn overview(lang: Lang, calls: &[CallView], prepared: &[Prepared<'_>]) -> Value {
    let dims = plots::dimensions(calls);
    let row = |i: usize| {
        let mut m = call_page::meta(lang, &calls[i]);
        m["link"] = json!(link(&prepared[i]));
        m
    };
    let mut scored: Vec<usize> = (0..calls.len())
        .filter(|&i| calls[i].overall.is_some())
        .collect();
    scored.sort_by(|&a, &b| {
        calls[a]
            .overall
            .unwrap_or(0.0)
            .total_cmp(&calls[b].overall.unwrap_or(0.0))
    });
    let escalated = (0..calls.len()).filter(|&i| {
        calls[i]
            .moments
            .iter()
            .any(|m| m.verified && m.behaviour.contains("escalat"))
    });
    let failed = (0..calls.len()).filter(|&i| calls[i].status == crate::store::CallStatus::Failed);
    json!({
        "counts": {
            "total": calls.len(),
            "scored": scored.len(),
            "failed": failed.clone().count(),
        },
        "dimension_labels": dims.iter().map(|d| labels::dimension(lang, d)).collect::<Vec<_>>(),
        "histograms": plots::histograms(lang, calls, &dims),
        "teams": plots::team_means(calls, &dims),
        "lowest": scored.iter().take(LOWEST).map(|&i| row(i)).collect::<Vec<_>>(),
        "escalations": escalated.map(row).collect::<Vec<_>>(),
        "failures": failed.map(row).collect::<Vec<_>>(),
        "calls": (0..calls.len()).map(row).collect::<Vec<_>>(),
    })
}

fn catalogue_context(lang: Lang, calls: &[CallView], prepared: &[Prepared<'_>]) -> Value {
    // Rank the redacted moments: the catalogue must not show what the call pages hide.
    let redacted: Vec<CallView> = prepared
        .iter()
        .map(|p| CallView {
            moments: p.moments.clone(),
            ..p.call.clone()
        })
        .collect();
    let page_of = |id: &str, t: f64| {
        prepared
            .iter()
            .find(|p| p.call.call_id == id)
            .map(|p| format!("{}#t={t:.1}", link(p)))
    };
    let entries: Vec<Value> = catalogue::examples(&redacted, None, Rank::Exemplary, usize::MAX)
        .iter()
        .map(|e| {
            let page = page_of(&e.call_id, e.moment.start);
            let mut m = call_page::moment_json(lang, &e.moment, None, page.as_deref());
            m["call_id"] = json!(e.call_id);
            m["agent"] = json!(e.agent);
            m["team"] = json!(e.team);
            m["date"] = json!(e.date);
            m["kind"] = json!(if e.weight < 0.0 {
                "cautionary"
            } else {
                "exemplary"
            });
            m
        })
        .collect();
    let distinct = |f: &dyn Fn(&Value) -> Option<String>| {
        let mut v: Vec<String> = entries.iter().filter_map(f).collect();
        v.sort();
        v.dedup();
        v
    };
    let behaviours: Vec<Value> = distinct(&|e| e["behaviour"].as_str().map(str::to_string))
        .into_iter()
        .map(|b| json!({"id": b, "label": labels::behaviour(lang, &b)}))
        .collect();
    json!({
        "entries": entries,
        "behaviours": behaviours,
        "teams": distinct(&|e| e["team"].as_str().map(str::to_string)),
        "agents": distinct(&|e| e["agent"].as_str().map(str::to_string)),
        "dates": distinct(&|e| e["date"].as_str().map(str::to_string)),
        "turnarounds": catalogue::turnarounds(calls, MIN_TURNAROUND).iter().map(|(c, rise)| {
            let p = prepared.iter().find(|p| p.call.call_id == c.call_id);
            json!({
                "call": call_page::meta(lang, c),
                "link": p.map(link),
                "start": c.summary.customer_sentiment_start,
                "end": c.summary.customer_sentiment_end,
                "rise": (rise * 100.0).round() / 100.0,
            })
        }).collect::<Vec<_>>(),
    })
}

/// The listening session: contrasting pairs, each call whole in its own player
/// with its moments on its timeline and as jump links (or, with `--audio clips`,
/// the moments as clips), why the pair was chosen, and the facilitator sheet
/// built from the pair's moments.
fn session_page(packet: &Packet, prepared: &[Prepared<'_>], site: &mut Site) {
    let lang = packet.settings.lang;
    let pairs = session::pairs(&packet.calls);
    let mut shown = Vec::new();
    let mut sheet = Vec::new();
    for (n, pair) in pairs.iter().enumerate() {
        let cold = session_side(
            packet,
            &prepared[pair.cold],
            &format!("p{}-cold", n + 1),
            site,
        );
        let warm = session_side(
            packet,
            &prepared[pair.warm],
            &format!("p{}-warm", n + 1),
            site,
        );
        let reason = session_reason(lang, pair, &prepared[pair.cold], &prepared[pair.warm]);
        sheet.push(facilitator(
            lang,
            n + 1,
            pair,
            &prepared[pair.cold],
            &prepared[pair.warm],
        ));
        shown.push(json!({"cold": cold, "warm": warm, "reason": reason}));
    }
    let ctx = json!({
        "pairs": shown,
        "sheet": sheet,
        "min_gap": session::MIN_GAP,
        "no_pairs": labels::no_pairs(lang, packet.calls.len(), session::MIN_GAP),
    });
    site.pages
        .push(page(packet, "index.html", "session.html", "", ctx));
}

/// One call of a pair: its whole recording in a player of its own (`player` is the
/// element id), its timeline, scores and key moments as jump links.
fn session_side(packet: &Packet, p: &Prepared<'_>, player: &str, site: &mut Site) -> Value {
    let lang = packet.settings.lang;
    let whole = p
        .whole_audio()
        .filter(|_| packet.settings.audio == AudioMode::Full);
    let clips = match packet.settings.audio {
        AudioMode::Clips => p.clips(),
        AudioMode::Full | AudioMode::None => {
            let view = CallView {
                moments: p.moments.clone(),
                ..p.call.clone()
            };
            session::key_moments(&view)
                .into_iter()
                .map(|m| (m.clone(), None))
                .collect()
        }
    };
    let moments: Vec<Value> = clips
        .iter()
        .map(|(m, f)| call_page::moment_json(lang, m, f.as_ref().map(|f| f.path.as_str()), None))
        .collect();
    let view = CallView {
        moments: p.moments.clone(),
        ..p.call.clone()
    };
    let ctx = json!({
        "player": player,
        "call": call_page::meta(lang, p.call),
        "scores": call_page::scores(lang, p.call, &p.moments),
        "moments": moments,
        "audio": whole.as_ref().map(|f| f.path.clone()),
        "timeline": timeline::build(&view, p.transcript.as_ref()),
    });
    site.audio.extend(whole);
    site.audio.extend(clips.into_iter().filter_map(|(_, f)| f));
    ctx
}

/// Why the pair was chosen, as the page says it.
fn session_reason(
    lang: Lang,
    pair: &session::Pair,
    cold: &Prepared<'_>,
    warm: &Prepared<'_>,
) -> Value {
    let r = &pair.reason;
    let contrasts: Vec<Value> = r
        .contrasts
        .iter()
        .map(|c| {
            json!({
                "dimension": labels::dimension(lang, c.dimension),
                "cold": call_page::moment_json(lang, &cold.moments[c.cold_moment], None, None),
                "warm": call_page::moment_json(lang, &warm.moments[c.warm_moment], None, None),
            })
        })
        .collect();
    json!({
        "cold": call_page::whole(r.cold_warmth),
        "warm": call_page::whole(r.warm_warmth),
        "gap": call_page::whole(r.warm_warmth - r.cold_warmth),
        "queue": r.same_queue,
        "contrasts": contrasts,
    })
}

/// The facilitator's part for one pair: what to listen for and when (the pair's
/// key moments, cold call first), and questions that quote the contrasting moments.
fn facilitator(
    lang: Lang,
    n: usize,
    pair: &session::Pair,
    cold: &Prepared<'_>,
    warm: &Prepared<'_>,
) -> Value {
    let listen = |p: &Prepared<'_>, kind: &str| {
        let view = CallView {
            moments: p.moments.clone(),
            ..p.call.clone()
        };
        session::key_moments(&view)
            .into_iter()
            .map(|m| {
                let mut v = call_page::moment_json(lang, m, None, None);
                v["call"] = json!(p.call.call_id);
                v["kind"] = json!(kind);
                v
            })
            .collect::<Vec<_>>()
    };
    let mut listen_for = listen(cold, "cold");
    listen_for.extend(listen(warm, "warm"));
    let mut questions: Vec<String> = pair
        .reason
        .contrasts
        .iter()
        .map(|c| {
            let (cm, wm) = (&cold.moments[c.cold_moment], &warm.moments[c.warm_moment]);
            labels::question(
                lang,
                c.dimension,
                (&call_page::clock(cm.start), &cm.quote),
                (&call_page::clock(wm.start), &wm.quote),
            )
        })
        .collect();
    questions.push(labels::closing_question(lang));
    json!({
        "n": n,
        "cold": cold.call.call_id,
        "warm": warm.call.call_id,
        "listen_for": listen_for,
        "questions": questions,
    })
}
