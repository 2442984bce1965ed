#!/usr/bin/env python3
"""How the spot margins (`verify::decide::SPOT`) were chosen, reproducibly: the
from-audio figures of scripts/asr/eval-from-audio.sh recomputed for a grid of
margin pairs, from one run's logs.

Usage: scripts/asr/spot-sweep.py CALLS.tsv OUT
  run `scripts/asr/eval-from-audio.sh --out OUT SET -- -v` first (`-v` logs every
  judgement with its evidence in OUT/audio/ID.log); CALLS.tsv is OUT/calls.tsv.

A spot judgement's evidence is its margin over the null and under the free decode.
Behaviours found by the text (and the audio verified) stay as they are; a behaviour
the text did not find counts when one of its spot judgements passes the pair tried.
A judgement the free decode ruled out under the run's own margin was never scored
on its nulls (`over_null=None` in the log), so pairs looser under the free decode
than the run's margin cannot be judged from one run: the script marks them.
The first line reproduces the run's own figures, a check that nothing is lost.
"""
import json
import re
import sys
import tomllib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from from_audio_figures import CORE  # noqa: E402

JUDGEMENT = re.compile(
    r"judgement behaviour=(\S+) text=(.*?) start=\S+ from_text=(\w+) own=\S+ "
    r"over_null=(\S+) over_free=(\S+) supported=(\w+)")
RUN_OVER_FREE = -4.5  # the margin the logged run used (verify::decide::SPOT)


def number(logged):
    return float(logged[5:-1]) if logged.startswith("Some(") else None


def load(calls_tsv, out):
    calls = []
    for line in Path(calls_tsv).read_text().splitlines():
        labels = tomllib.loads(Path(line.split("\t")[0]).read_text())
        cid = labels["id"]
        card = json.loads((Path(out) / "audio" / f"{cid}.score.json").read_text())
        spots, spotted = [], set()
        for l in (Path(out) / "audio" / f"{cid}.log").read_text().splitlines():
            m = JUDGEMENT.search(l)
            # Hold phrases listened for before a silence are judged the other way
            # round (docs/rubric.md, "Announced silences"): no spot.
            if not m or m.group(3) != "false" or m.group(1) == "unannounced_silence":
                continue
            behaviour, text, over_null, over_free, supported = m.group(1, 2, 4, 5, 6)
            spots.append((behaviour, number(over_null), number(over_free)))
            if supported == "true":
                spotted.add((behaviour, text))
        by_text = {m["behaviour"] for m in card["moments"]
                   if m.get("verified", True) and (m["behaviour"], m["quote"]) not in spotted}
        calls.append((set(labels["present"]), by_text, spots))
    return calls


def figures(calls, over_null, over_free):
    f1s, tp_all, fp_all = [], 0, 0
    for b in CORE:
        tp = fp = fn = 0
        for present, by_text, spots in calls:
            found = b in by_text or any(
                s[0] == b and s[1] is not None and s[2] is not None
                and s[1] >= over_null and s[2] >= over_free for s in spots)
            tp += found and b in present
            fp += found and b not in present
            fn += not found and b in present
        f1s.append(2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0)
        tp_all, fp_all = tp_all + tp, fp_all + fp
    return sum(f1s) / len(f1s), tp_all / max(1, tp_all + fp_all)


def main(calls_tsv, out):
    calls = load(calls_tsv, out)
    print("%d calls; the run's own margins (1.0, %.1f): macro-F1 %.3f, micro P %.3f"
          % ((len(calls), RUN_OVER_FREE) + figures(calls, 1.0, RUN_OVER_FREE)))
    print("no spotting: macro-F1 %.3f, micro P %.3f" % figures(calls, 1e9, 1e9))
    print("over null \\ under free  " + "  ".join("%11.1f" % f for f in
                                                   (-2.0, -3.0, -3.5, -4.0, -4.5, -5.0, -6.0)))
    for over_null in (0.5, 1.0, 1.5, 2.0, 2.5, 3.0):
        row = []
        for over_free in (-2.0, -3.0, -3.5, -4.0, -4.5, -5.0, -6.0):
            if over_free < RUN_OVER_FREE:
                row.append("%11s" % "n/a")
            else:
                row.append("%5.3f/%5.3f" % figures(calls, over_null, over_free))
        print("%21.1f  " % over_null + "  ".join(row))
    print("(macro-F1/micro precision; n/a: looser under the free decode than the run)")


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
