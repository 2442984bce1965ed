#!/usr/bin/env python3
"""Prepares corpus calls with two reviewers' labels for `kuulas calibrate`.

For each author given, reads the author's calls (fixtures/corpus/<author>/) and a
second reviewer's labels of the same calls (fixtures/second-labels/<author>/), and
writes into OUT:

    OUT/scores/<id>.transcript.json   the call as a transcript, with the synthetic
                                      times `kuulas rubric eval` gives it
                                      (src/rubric/labelled.rs, `synthesize`)
    OUT/labels.csv                    call_id, behaviour, present, reviewer: one row
                                      per call, core behaviour and reviewer
                                      ("author", "second")

then `kuulas calibrate --labels OUT/labels.csv --scores OUT/scores` reports the
rubric's precision, recall and κ against the labels and the κ between the two
reviewers (BENCHMARKS.md, "Two reviewers").

    python3 scripts/corpus-calibrate.py /tmp/cal cp cq
"""

import csv
import glob
import json
import os
import sys
import tomllib

# The core behaviours (src/rubric/eval.rs, CORE_BEHAVIOURS).
BEHAVIOURS = [
    "greeting", "self_intro", "closing", "empathy", "apology", "ownership",
    "callback_promise", "bare_refusal", "justified_refusal", "need_discovery",
    "resolved", "customer_escalation", "announced_hold", "unannounced_silence",
    "power_struggle",
]
# The synthetic timing of src/rubric/labelled.rs.
TURN_GAP_S = 0.6
SECONDS_PER_WORD = 0.4
OVERLAP_S = 1.0


def transcript(turns):
    t = 0.0
    previous_start = 0.0
    segments = []
    for turn in turns:
        if turn.get("overlap", False):
            start = max(t - OVERLAP_S, (previous_start + t) / 2.0)
        else:
            start = t + TURN_GAP_S + max(turn.get("pause_before", 0.0), 0.0)
        end = start + max(len(turn["text"].split()), 1) * SECONDS_PER_WORD
        previous_start = start
        segments.append(
            {"party": turn["party"], "start": start, "end": end, "text": turn["text"], "words": []}
        )
        t = max(t, end)
    return {
        "schema_version": 1,
        "duration": t + TURN_GAP_S,
        "language": "fi",
        "attribution": "channels",
        "segments": segments,
    }


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: corpus-calibrate.py OUT AUTHOR [AUTHOR ...]")
    out, authors = sys.argv[1], sys.argv[2:]
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
    os.makedirs(os.path.join(out, "scores"), exist_ok=True)
    rows = []
    for author in authors:
        calls = sorted(glob.glob(os.path.join(root, "corpus", author, "*.toml")))
        if not calls:
            sys.exit(f"fixtures/corpus/{author}: no calls; check the author's name")
        for path in calls:
            with open(path, "rb") as f:
                call = tomllib.load(f)
            second_path = os.path.join(root, "second-labels", author, call["id"] + ".toml")
            try:
                with open(second_path, "rb") as f:
                    second = tomllib.load(f)
            except FileNotFoundError:
                sys.exit(f"{second_path}: missing; every call of {author} needs a second label file")
            with open(os.path.join(out, "scores", call["id"] + ".transcript.json"), "w") as f:
                json.dump(transcript(call["turn"]), f, ensure_ascii=False)
            for behaviour in BEHAVIOURS:
                rows.append([call["id"], behaviour, int(behaviour in call["present"]), "author"])
                rows.append([call["id"], behaviour, int(behaviour in second["present"]), "second"])
    with open(os.path.join(out, "labels.csv"), "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["call_id", "behaviour", "present", "reviewer"])
        writer.writerows(rows)
    print(f"{len(rows) // (2 * len(BEHAVIOURS))} calls, {len(rows)} label rows in {out}")


if __name__ == "__main__":
    main()
