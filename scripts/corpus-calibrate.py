#!/usr/bin/env python3
"""Writes two reviewers' labels of corpus calls as a labels CSV for `kuulas calibrate`.

For each author given, reads the author's calls (fixtures/corpus/<author>/) and a
second reviewer's labels of the same calls (fixtures/second-labels/<author>/), and
writes OUT (call_id, behaviour, present, reviewer): one row per call, core
behaviour and reviewer ("author", "second"). `kuulas calibrate` reads the labelled
calls themselves as the calls to score:

    python3 scripts/corpus-calibrate.py /tmp/labels.csv cp cq
    kuulas calibrate --labels /tmp/labels.csv --scores fixtures/corpus

It reports the rubric's precision, recall and κ against the labels and the κ
between the two reviewers (BENCHMARKS.md, "Two reviewers").
"""

import csv
import glob
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


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: corpus-calibrate.py OUT.csv AUTHOR [AUTHOR ...]")
    out, authors = sys.argv[1], sys.argv[2:]
    root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fixtures")
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
            for behaviour in BEHAVIOURS:
                rows.append([call["id"], behaviour, int(behaviour in call["present"]), "author"])
                rows.append([call["id"], behaviour, int(behaviour in second["present"]), "second"])
    with open(out, "w", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["call_id", "behaviour", "present", "reviewer"])
        writer.writerows(rows)
    print(f"{out}: {len(rows) // (2 * len(BEHAVIOURS))} calls, {len(rows)} label rows")


if __name__ == "__main__":
    main()
