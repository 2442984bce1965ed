//! Assembles the site: which pages a packet has, what each page's template gets,
//! and which audio files the pages refer to (and only those).

use serde_json::{Value, json};

use super::across_page;
use super::call_page::{self, Prepared};
use super::catalogue::{self, Rank};
use super::labels::{self, Lang};
use super::view::CallView;
use super::{
    AudioFile, AudioMode, Packet, Page, Site, attention, plots, session, templates, timeline,
};

/// Calls listed under "needs attention" on the overview; the rest are counted.
const ATTENTION_SHOWN: usize = 30;
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
    let mut all_clips = Vec::with_capacity(prepared.len());
    let call_pages = across_page::pages(&prepared);
    for p in &prepared {
        let whole = p.whole_audio().filter(|_| s.audio == AudioMode::Full);
        let clips = match s.audio {
            AudioMode::None => Vec::new(),
            AudioMode::Full | AudioMode::Clips => p.clips(),
        };
        let mut ctx = call_page::context(s.lang, p, whole.as_ref(), &clips);
        if let Some(across) = &packet.across {
            ctx["across"] =
                across_page::call(s.lang, across, &call_pages, &p.call.call_id, s.redact);
        }
        site.pages.push(page(
            packet,
            &format!("calls/{}.html", p.name),
            "call.html",
            "../",
            ctx,
        ));
        site.audio.extend(whole);
        site.audio
            .extend(clips.iter().filter_map(|(_, f)| f.clone()));
        all_clips.push(clips);
    }
    let mut overview = overview(s.lang, packet.night.as_deref(), &packet.calls, &prepared);
    overview["trend"] = trend(s.lang, &packet.history, &packet.calls);
    site.pages
        .push(page(packet, "index.html", "overview.html", "", overview));
    let catalogue = catalogue_context(s.lang, &packet.calls, &prepared, &all_clips);
    site.pages.push(page(
        packet,
        "catalogue.html",
        "catalogue.html",
        "",
        catalogue,
    ));
    if let Some(across) = &packet.across {
        let ctx = across_page::page(s.lang, across, &call_pages, &prepared, s.redact);
        site.pages
            .push(page(packet, "across.html", "across.html", "", ctx));
    }
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
        map.insert("has_across".into(), json!(packet.across.is_some()));
    }
    Page {
        path: path.into(),
        html: templates::render(template, &ctx),
    }
}

fn link(p: &Prepared<'_>) -> String {
    format!("calls/{}.html", p.name)
}

fn overview(
    lang: Lang,
    night: Option<&str>,
    calls: &[CallView],
    prepared: &[Prepared<'_>],
) -> Value {
    let dims = plots::dimensions(calls);
    let row = |i: usize| {
        let mut m = call_page::meta(lang, &calls[i]);
        m["link"] = json!(link(&prepared[i]));
        m
    };
    let flags: Vec<Vec<attention::Flag>> =
        calls.iter().map(|c| attention::flags(lang, c)).collect();
    let needing = attention::ranked(calls, &flags);
    let attention_rows: Vec<Value> = needing
        .iter()
        .take(ATTENTION_SHOWN)
        .map(|&i| {
            let mut m = row(i);
            m["flags"] = flags[i]
                .iter()
                .map(|f| {
                    json!({
                        "kind": f.kind,
                        "text": f.text,
                        "link": f.at.map(|t| format!("{}#t={t:.1}", link(&prepared[i]))),
                    })
                })
                .collect();
            m
        })
        .collect();
    let scored = calls.iter().filter(|c| c.overall.is_some()).count();
    let failed = calls
        .iter()
        .filter(|c| c.status == crate::store::CallStatus::Failed)
        .count();
    let groups = [
        (
            "by_team",
            plots::group_means(calls, &dims, |c| c.metadata.team.as_ref()),
        ),
        (
            "by_agent",
            plots::group_means(calls, &dims, |c| c.metadata.agent.as_ref()),
        ),
        (
            "by_queue",
            plots::group_means(calls, &dims, |c| c.metadata.queue.as_ref()),
        ),
    ];
    json!({
        "night": night_label(lang, night, calls),
        "audio_total": call_page::clock(calls.iter().map(|c| c.duration).sum()),
        "counts": {
            "total": calls.len(),
            "scored": scored,
            "failed": failed,
            "attention": needing.len(),
        },
        "dimension_labels": dims.iter().map(|d| labels::dimension(lang, d)).collect::<Vec<_>>(),
        "histograms": plots::histograms(lang, calls, &dims),
        "groups": groups.iter().map(|(title, rows)| json!({"title": title, "rows": rows})).collect::<Vec<_>>(),
        "attention": attention_rows,
        "attention_more": needing.len().saturating_sub(ATTENTION_SHOWN),
        "calls": (0..calls.len()).map(row).collect::<Vec<_>>(),
    })
}

/// The mean overall score of this night against the earlier ones: a row per
/// night (date, calls, mean) with a bar, and the change against the night before.
fn trend(lang: Lang, history: &[super::Night], calls: &[CallView]) -> Value {
    if history.is_empty() {
        return Value::Null;
    }
    let mean = |scores: Vec<f64>| {
        (!scores.is_empty()).then(|| scores.iter().sum::<f64>() / scores.len() as f64)
    };
    let tonight = mean(calls.iter().filter_map(|c| c.overall).collect());
    let mut rows: Vec<Value> = history
        .iter()
        .map(|n| {
            json!({
                "night": labels::date(lang, &n.run.started_at),
                "calls": n.calls,
                "mean": n.mean_overall.map(call_page::whole),
                "now": false,
            })
        })
        .collect();
    rows.push(json!({
        "night": labels::text(lang, "tonight"),
        "calls": calls.len(),
        "mean": tonight.map(call_page::whole),
        "now": true,
    }));
    let change = match (tonight, history.last().and_then(|n| n.mean_overall)) {
        (Some(now), Some(before)) => Some(call_page::whole(now - before)),
        _ => None,
    };
    json!({"rows": rows, "change": change})
}

/// The night's date: the calls' own dates (one, or the first and last), else the
/// date the run started.
fn night_label(lang: Lang, night: Option<&str>, calls: &[CallView]) -> Option<String> {
    let mut dates: Vec<&str> = calls.iter().filter_map(CallView::date).collect();
    dates.sort_unstable();
    match (dates.first(), dates.last()) {
        (Some(a), Some(b)) if a == b => Some(labels::date(lang, a)),
        (Some(a), Some(b)) => Some(format!(
            "{}–{}",
            labels::date(lang, a),
            labels::date(lang, b)
        )),
        _ => night.map(|n| labels::date(lang, n)),
    }
}

/// The catalogue: every moment that counts, each with its quote in context, its
/// clip where the packet carries one, and a link into its call's page.
fn catalogue_context(
    lang: Lang,
    calls: &[CallView],
    prepared: &[Prepared<'_>],
    clips: &[Vec<(crate::packet::Moment, Option<AudioFile>)>],
) -> Value {
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
            let i = prepared.iter().position(|p| p.call.call_id == e.call_id);
            let quoted = i.and_then(|i| prepared[i].quoted(&e.moment));
            let page = page_of(
                &e.call_id,
                quoted.as_ref().map_or(e.moment.start, |q| q.start),
            );
            let clip = i.and_then(|i| {
                clips[i]
                    .iter()
                    .find(|(m, _)| *m == e.moment)
                    .and_then(|(_, f)| f.as_ref())
                    .map(|f| f.path.clone())
            });
            let mut m = match i {
                Some(i) => {
                    prepared[i].moment_json(lang, &e.moment, clip.as_deref(), page.as_deref())
                }
                None => call_page::moment_json(lang, &e.moment, clip.as_deref(), page.as_deref()),
            };
            m["call_id"] = json!(e.call_id);
            m["agent"] = json!(e.agent);
            m["team"] = json!(e.team);
            m["date"] = json!(e.date);
            m["date_shown"] = json!(e.date.as_deref().map(|d| labels::date(lang, d)));
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
        "dates": distinct(&|e| e["date"].as_str().map(str::to_string))
            .into_iter()
            .map(|d| json!({"label": labels::date(lang, &d), "value": d}))
            .collect::<Vec<_>>(),
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
        .map(|(m, f)| p.moment_json(lang, m, f.as_ref().map(|f| f.path.as_str()), None))
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
        "timeline": timeline::build(&view, p.transcript.as_ref(), labels::hold_names(lang)),
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
                "cold": c.cold_moment.map(|i| cold.moment_json(lang, &cold.moments[i], None, None)),
                "warm": c.warm_moment.map(|i| warm.moment_json(lang, &warm.moments[i], None, None)),
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
                let mut v = p.moment_json(lang, m, None, None);
                v["call"] = json!(p.call.call_id);
                v["kind"] = json!(kind);
                v
            })
            .collect::<Vec<_>>()
    };
    let mut listen_for = listen(cold, "cold");
    listen_for.extend(listen(warm, "warm"));
    let at = |p: &Prepared<'_>, i: usize| {
        let m = &p.moments[i];
        (
            call_page::clock(p.quoted(m).map_or(m.start, |q| q.start)),
            m.quote.clone(),
        )
    };
    let mut questions: Vec<String> = pair
        .reason
        .contrasts
        .iter()
        .map(|c| {
            let cm = c.cold_moment.map(|i| at(cold, i));
            let wm = c.warm_moment.map(|i| at(warm, i));
            labels::question(
                lang,
                c.dimension,
                cm.as_ref().map(|(t, q)| (t.as_str(), q.as_str())),
                wm.as_ref().map(|(t, q)| (t.as_str(), q.as_str())),
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
