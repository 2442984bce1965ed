#!/usr/bin/env python3
"""Word error rate of kuulas transcripts against the fixture scripts' truth.

usage: wer.py [--phrases FILE] [--ignore-parties] [--json] TRUTH.json:HYP.json [TRUTH:HYP ...]

TRUTH is a fixture's `NAME.truth.json` ([{party, start, end, text}]) or plain text;
HYP is a kuulas transcript JSON (or plain text). Words are compared per party
(agent words against the agent's transcript; --ignore-parties compares the
whole call, for mono recordings whose parties are estimated), after lower-casing and removing
punctuation. With --phrases (one rubric phrase per line), the error rate of the
truth words that belong to a rubric phrase is reported separately ("phrase WER"):
those are the words every rubric judgement depends on. When the truth has timed
turns and HYP has word timestamps, words whose middle lies more than half a second
outside every turn of their party are counted ("misplaced"): a word given to the
wrong turn lands where its party is silent.
"""
import json
import re
import sys
import unicodedata


def words(text):
    text = unicodedata.normalize("NFC", text.lower())
    return re.findall(r"[\w]+", text)


def load(path, ignore_parties=False):
    """Returns {party: text}; plain text, or every party with ignore_parties, is
    party 'all' (in time order)."""
    with open(path, encoding="utf-8") as f:
        raw = f.read()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError:
        return {"all": raw}
    items = data["segments"] if isinstance(data, dict) else data
    by_party = {}
    for item in sorted(items, key=lambda s: s["start"]):
        party = "all" if ignore_parties else item.get("party", "all")
        by_party.setdefault(party, []).append(item["text"])
    return {p: " ".join(t) for p, t in by_party.items()}


def align(ref, hyp):
    """Levenshtein alignment; returns (errors, per-ref-word error flags)."""
    n, m = len(ref), len(hyp)
    d = [[0] * (m + 1) for _ in range(n + 1)]
    for i in range(n + 1):
        d[i][0] = i
    for j in range(m + 1):
        d[0][j] = j
    for i in range(1, n + 1):
        for j in range(1, m + 1):
            cost = 0 if ref[i - 1] == hyp[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
    flags = [False] * n
    i, j = n, m
    while i > 0 or j > 0:
        if i > 0 and j > 0 and d[i][j] == d[i - 1][j - 1] + (ref[i - 1] != hyp[j - 1]):
            flags[i - 1] = ref[i - 1] != hyp[j - 1]
            i, j = i - 1, j - 1
        elif i > 0 and d[i][j] == d[i - 1][j] + 1:
            flags[i - 1] = True
            i -= 1
        else:
            j -= 1
    return d[n][m], flags


def char_errors(ref, hyp):
    """Levenshtein distance between two strings (one row at a time)."""
    prev = list(range(len(hyp) + 1))
    for i, a in enumerate(ref, 1):
        cur = [i]
        for j, b in enumerate(hyp, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a != b)))
        prev = cur
    return prev[-1]


def misplaced_words(truth_path, hyp_path):
    """(timed words, words outside every truth turn of their party ± 0.5 s)."""
    try:
        with open(truth_path, encoding="utf-8") as f:
            truth = json.load(f)
        with open(hyp_path, encoding="utf-8") as f:
            hyp = json.load(f)
    except (json.JSONDecodeError, UnicodeDecodeError):
        return 0, 0
    if not isinstance(truth, list) or not isinstance(hyp, dict):
        return 0, 0
    timed = misplaced = 0
    for segment in hyp.get("segments", []):
        for word in segment.get("words", []):
            middle = (word["start"] + word["end"]) / 2
            timed += 1
            misplaced += not any(t.get("party") == segment["party"]
                                 and t["start"] - 0.5 <= middle <= t["end"] + 0.5 for t in truth)
    return timed, misplaced


def phrase_mask(ref, phrases):
    """Marks the truth words that are part of an occurrence of a rubric phrase."""
    mask = [False] * len(ref)
    for phrase in phrases:
        p = words(phrase)
        if not p:
            continue
        for i in range(len(ref) - len(p) + 1):
            if ref[i:i + len(p)] == p:
                for k in range(i, i + len(p)):
                    mask[k] = True
    return mask


def main(argv):
    phrases, as_json, ignore_parties, pairs = [], False, False, []
    args = iter(argv)
    for a in args:
        if a == "--phrases":
            with open(next(args), encoding="utf-8") as f:
                phrases = [l.strip() for l in f if l.strip() and not l.startswith("#")]
        elif a == "--ignore-parties":
            ignore_parties = True
        elif a == "--json":
            as_json = True
        else:
            pairs.append(a.split(":", 1))
    if not pairs:
        sys.exit(__doc__)
    totals = {"words": 0, "errors": 0, "chars": 0, "char_errors": 0, "phrase_words": 0, "phrase_errors": 0,
              "timed_words": 0, "misplaced_words": 0}
    files = []
    for truth_path, hyp_path in pairs:
        truth, hyp = load(truth_path, ignore_parties), load(hyp_path, ignore_parties)
        if set(truth) != set(hyp) and ("all" in truth or "all" in hyp):
            truth, hyp = load(truth_path, True), load(hyp_path, True)
        row = {"file": hyp_path, "words": 0, "errors": 0, "chars": 0, "char_errors": 0,
               "phrase_words": 0, "phrase_errors": 0}
        if not ignore_parties:
            row["timed_words"], row["misplaced_words"] = misplaced_words(truth_path, hyp_path)
        else:
            row["timed_words"] = row["misplaced_words"] = 0
        for party, text in truth.items():
            ref = words(text)
            errors, flags = align(ref, words(hyp.get(party, "")))
            mask = phrase_mask(ref, phrases)
            row["words"] += len(ref)
            row["errors"] += errors
            ref_chars, hyp_chars = " ".join(ref), " ".join(words(hyp.get(party, "")))
            row["chars"] += len(ref_chars)
            row["char_errors"] += char_errors(ref_chars, hyp_chars)
            row["phrase_words"] += sum(mask)
            row["phrase_errors"] += sum(f for f, m in zip(flags, mask) if m)
        # Words attributed to a party that does not speak in the truth are insertions.
        for party, text in hyp.items():
            if party not in truth:
                row["errors"] += len(words(text))
                row["char_errors"] += len(" ".join(words(text)))
        files.append(row)
        for k in totals:
            totals[k] += row[k]
    rate = lambda e, n: e / n if n else 0.0
    summary = {
        "wer": rate(totals["errors"], totals["words"]),
        "cer": rate(totals["char_errors"], totals["chars"]),
        "phrase_wer": rate(totals["phrase_errors"], totals["phrase_words"]) if phrases else None,
        **totals,
        "files": files,
    }
    if as_json:
        print(json.dumps(summary, indent=2))
    else:
        for row in files:
            print(f"{row['file']}: WER {rate(row['errors'], row['words']):.3f} CER {rate(row['char_errors'], row['chars']):.3f}")
        line = f"overall WER {summary['wer']:.3f} ({totals['errors']}/{totals['words']} words), CER {summary['cer']:.3f}"
        if phrases:
            line += f", rubric-phrase WER {summary['phrase_wer']:.3f} ({totals['phrase_errors']}/{totals['phrase_words']})"
        if totals["timed_words"]:
            line += f", misplaced words {totals['misplaced_words']}/{totals['timed_words']}"
        print(line)


if __name__ == "__main__":
    main(sys.argv[1:])
