#!/usr/bin/env python3
"""Probe: could a learned component generalise to new authors better than the rubric?

Not part of kuulas. A sentence-level logistic regression per behaviour, trained as
multiple-instance learning from call-level labels (a call is positive when its
best sentence is), over Voikko lemmas, lemma pairs, verb features, the turn's
place in the call, pauses and overlaps. Its best sentence would be a moment's
evidence. Measured two ways, never tuned on the test authors:

  * author-level 5-fold cross-validation on the dev authors (each fold's authors
    unseen in training); the thresholds are chosen here;
  * once on the held-out authors, trained on all dev authors.

For each it prints the rubric alone (read with care on dev: it was tuned there),
the learned model alone, "or" (rubric or model) and "and" (rubric and model).

    cargo run --release --example corpus_words -- fixtures/corpus/*/ > /tmp/words.jsonl
    pip install numpy scikit-learn
    python3 scripts/experiments/learned_probe.py /tmp/words.jsonl --test bx,by --exclude bz,ca

(about 20 minutes on two cores; BENCHMARKS.md has the figures and the commit.)
"""

import argparse
import json
import random

import numpy as np
from sklearn.feature_extraction import FeatureHasher
from sklearn.linear_model import LogisticRegression

CORE = (
    "greeting self_intro closing empathy apology ownership callback_promise bare_refusal "
    "justified_refusal need_discovery resolved customer_escalation announced_hold "
    "unannounced_silence power_struggle"
).split()
VERB_FEATURES = {
    "1sg", "2sg", "3sg", "1pl", "2pl", "3pl", "pass", "past", "pres", "perf", "cond",
    "impv", "conneg", "past-act-ptcp", "past-pass-ptcp",
}


def sentence_features(call):
    """One feature list per sentence of the call, in order."""
    turns = call["turns"]
    agent_turns = [i for i, t in enumerate(turns) if t["party"] == "Agent"]
    out = []
    for ti, turn in enumerate(turns):
        p = "A" if turn["party"] == "Agent" else "C"
        own = agent_turns.index(ti) if ti in agent_turns else -1
        following = turns[ti + 1] if ti + 1 < len(turns) else None
        for si, sentence in enumerate(turn["sents"]):
            f = [p + "|bias"]
            lemmas = [w["l"] for w in sentence]
            for w in sentence:
                f.append(f"{p}|l={w['l']}")
                verb = "+".join(x for x in w["f"] if x in VERB_FEATURES)
                if verb:
                    f += [f"{p}|v={w['l']}/{verb}", f"{p}|f={verb}"]
                if w["neg"]:
                    f.append(p + "|neg")
                if w["num"]:
                    f.append(p + "|num")
            f += [f"{p}|b={a}_{b}" for a, b in zip(lemmas, lemmas[1:])]
            last = si == len(turn["sents"]) - 1
            for flag, on in [
                ("first_own", own == 0), ("second_own", own == 1),
                ("last3", ti >= len(turns) - 3), ("turn_end", last),
                ("overlap", turn.get("overlap")), ("pause10", turn.get("pause", 0) >= 10),
                ("before_pause10", last and following is not None and following.get("pause", 0) >= 10),
                ("overlapped", following is not None and following.get("overlap")),
            ]:
                if on:
                    f.append(f"{p}|{flag}")
            out.append(f)
    return out


class Corpus:
    def __init__(self, path):
        self.calls = [json.loads(line) for line in open(path, encoding="utf-8")]
        sentences = [sentence_features(c) for c in self.calls]
        hasher = FeatureHasher(n_features=2**20, input_type="string", alternate_sign=False)
        self.x = hasher.transform([f for ss in sentences for f in ss]).tocsr()
        self.owner = np.array([ci for ci, ss in enumerate(sentences) for _ in ss])
        self.starts = np.cumsum([0] + [len(ss) for ss in sentences])
        self.authors = np.array([c["author"] for c in self.calls])

    def rows(self, calls):
        return np.concatenate([np.arange(self.starts[c], self.starts[c + 1]) for c in calls])

    def train(self, calls, labels, rounds=2, top=2):
        """Multiple-instance training: every sentence of a positive call starts
        positive; then only each positive call's `top` best sentences stay so."""
        rows = self.rows(calls)
        y = labels[self.owner[rows]].astype(int)
        model = fit(self.x[rows], y)
        for _ in range(rounds):
            p = model.predict_proba(self.x[rows])[:, 1]
            y = np.zeros(len(rows), int)
            by_call = {}
            for j, row in enumerate(rows):
                if labels[self.owner[row]]:
                    by_call.setdefault(self.owner[row], []).append(j)
            for js in by_call.values():
                y[sorted(js, key=lambda j: -p[j])[:top]] = 1
            model = fit(self.x[rows], y)
        return model

    def call_scores(self, model, calls):
        """Each call's best sentence probability."""
        rows = self.rows(calls)
        p = model.predict_proba(self.x[rows])[:, 1]
        best = np.zeros(len(self.calls))
        np.maximum.at(best, self.owner[rows], p)
        return best[np.array(calls)]


def fit(x, y):
    return LogisticRegression(C=0.5, max_iter=300, solver="liblinear", class_weight="balanced").fit(x, y)


def f1(y, pred):
    tp, fp, fn = int((y & pred).sum()), int((~y & pred).sum()), int((y & ~pred).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return (2 * p * r / (p + r) if p + r else 0.0), tp, fp


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("words")
    ap.add_argument("--test", required=True, help="held-out authors, comma-separated")
    ap.add_argument("--exclude", default="", help="authors left out entirely (kept unseen)")
    args = ap.parse_args()
    corpus = Corpus(args.words)
    test_authors = set(args.test.split(","))
    excluded = set(filter(None, args.exclude.split(",")))
    dev = [i for i, a in enumerate(corpus.authors) if a not in test_authors | excluded]
    test = [i for i, a in enumerate(corpus.authors) if a in test_authors]
    dev_authors = sorted(set(corpus.authors[dev]))
    random.Random(7).shuffle(dev_authors)
    fold = {a: i % 5 for i, a in enumerate(dev_authors)}
    thresholds = np.linspace(0.05, 0.95, 19)
    totals = {k: [] for k in ("dev rubric", "dev model", "dev or", "dev and",
                              "test rubric", "test model", "test or", "test and")}
    counts = {k: [0, 0] for k in totals}
    print(f"{len(dev)} dev calls ({len(dev_authors)} authors), {len(test)} test calls")
    print(f"{'behaviour':20} {'dev: rubric model or and':>30} | {'test: rubric model or and':>30}")
    for b in CORE:
        labels = np.array([b in c["present"] for c in corpus.calls])
        rubric = np.array([b in c["found"] for c in corpus.calls])
        oof = np.zeros(len(corpus.calls))
        for k in range(5):
            train = [c for c in dev if fold[corpus.authors[c]] != k]
            held = [c for c in dev if fold[corpus.authors[c]] == k]
            oof[held] = corpus.call_scores(corpus.train(train, labels), held)
        y, r, s = labels[dev], rubric[dev], oof[dev]
        combos = {
            "model": lambda r, s, t: s > t,
            "or": lambda r, s, t: r | (s > t),
            "and": lambda r, s, t: r & (s > t),
        }
        chosen = {name: max(thresholds, key=lambda t: f1(y, rule(r, s, t))[0]) for name, rule in combos.items()}
        model = corpus.train(dev, labels)
        yt, rt, st = labels[test], rubric[test], corpus.call_scores(model, test)
        row = {"dev rubric": f1(y, r), "test rubric": f1(yt, rt)}
        for name, rule in combos.items():
            row[f"dev {name}"] = f1(y, rule(r, s, chosen[name]))
            row[f"test {name}"] = f1(yt, rule(rt, st, chosen[name]))
        for k, v in row.items():
            totals[k].append(v[0])
            counts[k][0] += v[1]
            counts[k][1] += v[2]
        cells = lambda side: " ".join(f"{row[f'{side} {n}'][0]:.3f}" for n in ("rubric", "model", "or", "and"))
        print(f"{b:20} {cells('dev'):>30} | {cells('test'):>30}", flush=True)
    for k, v in totals.items():
        tp, fp = counts[k]
        print(f"{k:12} macro-F1 {np.mean(v):.3f}  micro precision {tp / (tp + fp):.3f}")


if __name__ == "__main__":
    main()
