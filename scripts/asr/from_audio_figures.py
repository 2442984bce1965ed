#!/usr/bin/env python3
"""Figures of scripts/asr/eval-from-audio.sh: CALLS.tsv (labels, transcript,
recording, truth per line) and OUT (audio/ID.score.json from the recording,
text/ID.score.json from the true words).

Per core behaviour (docs/labelling.md): precision, recall and F1 of the moments
kuulas found from audio against the labels, counting only moments the audio
verified (as scores do); the macro and micro averages; the macro-F1 of answering
"present" for every behaviour of every call (the floor a detector must beat);
and the warm-cold gap of the overall score, from audio and from the true words.

Warm and cold come from the labels alone: a call is cold when it shows a bare
refusal or a power struggle; warm when it shows none of bare_refusal,
power_struggle, unannounced_silence and customer_escalation, and at least two of
empathy, ownership, resolved, need_discovery and apology.
"""
import json
import sys
import tomllib
from pathlib import Path

CORE = ["greeting", "self_intro", "closing", "empathy", "apology", "ownership",
        "callback_promise", "bare_refusal", "justified_refusal", "need_discovery",
        "resolved", "customer_escalation", "announced_hold", "unannounced_silence",
        "power_struggle"]
COLD_SIGNS = {"bare_refusal", "power_struggle"}
NOT_WARM = COLD_SIGNS | {"unannounced_silence", "customer_escalation"}
WARM_SIGNS = {"empathy", "ownership", "resolved", "need_discovery", "apology"}


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def main(calls_tsv, out):
    out = Path(out)
    counts = {b: [0, 0, 0] for b in CORE}  # tp, fp, fn
    n_calls, missing = 0, []
    overall = {"audio": {"warm": [], "cold": []}, "text": {"warm": [], "cold": []}}
    presence = {b: 0 for b in CORE}
    for line in Path(calls_tsv).read_text().splitlines():
        labels_file = Path(line.split("\t")[0])
        call_id = labels_file.stem
        labels = tomllib.loads(labels_file.read_text())
        present = set(labels["present"])
        audio = out / "audio" / f"{call_id}.score.json"
        if not audio.exists():
            missing.append(call_id)
            continue
        card = json.loads(audio.read_text())
        found = {m["behaviour"] for m in card["moments"] if m.get("verified", True)}
        n_calls += 1
        for b in CORE:
            presence[b] += b in present
            c = counts[b]
            if b in found and b in present:
                c[0] += 1
            elif b in found:
                c[1] += 1
            elif b in present:
                c[2] += 1
        kind = None
        if present & COLD_SIGNS:
            kind = "cold"
        elif not present & NOT_WARM and len(present & WARM_SIGNS) >= 2:
            kind = "warm"
        if kind:
            overall["audio"][kind].append(card["scores"]["overall"])
            text = out / "text" / f"{call_id}.score.json"
            if text.exists():
                overall["text"][kind].append(json.loads(text.read_text())["scores"]["overall"])

    print(f"{n_calls} calls" + (f"; no score for {len(missing)}: {', '.join(missing)}" if missing else ""))
    print(f"\n{'behaviour':<22} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'f1':>6}")
    macro = [0.0, 0.0, 0.0]
    for b in CORE:
        tp, fp, fn = counts[b]
        p, r, f = prf(tp, fp, fn)
        macro = [macro[0] + p, macro[1] + r, macro[2] + f]
        print(f"{b:<22} {tp:>4} {fp:>4} {fn:>4} {p:>9.2f} {r:>7.2f} {f:>6.2f}")
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    p, r, f = prf(tp, fp, fn)
    print(f"{'micro-average':<22} {tp:>4} {fp:>4} {fn:>4} {p:>9.2f} {r:>7.2f} {f:>6.2f}")
    k = len(CORE)
    print(f"{'macro-average':<22} {'':>4} {'':>4} {'':>4} {macro[0] / k:>9.2f} {macro[1] / k:>7.2f} {macro[2] / k:>6.2f}")
    everything = sum(prf(presence[b], n_calls - presence[b], 0)[2] for b in CORE) / k
    print(f"\nanswering \"present\" everywhere: macro-F1 {everything:.2f}")
    for source in ("audio", "text"):
        warm, cold = overall[source]["warm"], overall[source]["cold"]
        if warm and cold:
            w, c = sum(warm) / len(warm), sum(cold) / len(cold)
            print(f"overall score from {source:<5}: warm {w:.1f} ({len(warm)} calls), "
                  f"cold {c:.1f} ({len(cold)} calls), gap {w - c:+.1f}")


if __name__ == "__main__":
    main(*sys.argv[1:3])
