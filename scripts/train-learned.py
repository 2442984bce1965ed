#!/usr/bin/env python3
"""Trains kuulas's learned model (src/rubric/learned/) and writes data/learned_model.tsv.

Per core behaviour, a logistic regression over the features of each sentence that
counts for the behaviour (its party and window), trained from call-level labels as
multiple-instance learning: every such sentence of a positive call starts positive,
then only each positive call's two best sentences stay so (two rounds). A call's
score is its best sentence's probability; that sentence is the moment's evidence.

How each behaviour's model is combined with the rubric's patterns ("and": a
finding stays when the model believes a sentence within two turns of it; "or";
"replace"; or not at all) and its threshold are chosen by author-level 5-fold
cross-validation (each fold's authors unseen in training) on the calls of
--choose-on: a combination is kept only when it beats the patterns alone by at
least --margin F1 out of fold.

    cargo run --release --example corpus_features -- fixtures/corpus/*/ > /tmp/features.jsonl
    pip install numpy scipy 'scikit-learn>=1.8'
    python3 scripts/train-learned.py /tmp/features.jsonl --exclude cd,ce,cf,cg \
        --choose-on bv,bw,bx,by,bz,ca,cb,cc > data/learned_model.tsv

(the committed file: trained on authors a–cc, chosen on bv–cc, authors the
patterns were never tuned on; cd and ce measured it). --exclude leaves
authors out entirely (held out for measuring afterwards with `kuulas rubric
eval`). The cross-validation figures go to stderr and into the file's comments.
About 11 minutes on two cores.
"""

import argparse
import json
import random
import sys
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from scipy import sparse
from sklearn.linear_model import LogisticRegression

CORE = (
    "greeting self_intro closing empathy apology ownership callback_promise bare_refusal "
    "justified_refusal need_discovery resolved customer_escalation announced_hold "
    "unannounced_silence power_struggle"
).split()
FOLDS = 5
THRESHOLDS = np.round(np.linspace(0.05, 0.95, 19), 2)
# An "and" judge confirms a finding by a sentence this many turns from it, or
# fewer (rubric::learned::NEAR_TURNS).
NEAR_TURNS = 2

corpus = None  # set in each worker by load()


class Corpus:
    def __init__(self, path, excluded):
        calls = [json.loads(line) for line in open(path, encoding="utf-8")]
        self.calls = [c for c in calls if c["author"] not in excluded]
        vocab = {}
        rows, cols = [], []
        self.owner, self.counts, self.turn = [], [], []
        for ci, call in enumerate(self.calls):
            for s in call["sentences"]:
                r = len(self.owner)
                for f in s["f"]:
                    rows.append(r)
                    cols.append(vocab.setdefault(f, len(vocab)))
                self.owner.append(ci)
                self.counts.append(set(s["counts"]))
                self.turn.append(s["turn"])
        self.names = [None] * len(vocab)
        for f, i in vocab.items():
            self.names[i] = f
        self.x = sparse.csr_matrix(
            (np.ones(len(rows)), (rows, cols)), shape=(len(self.owner), len(vocab))
        )
        self.x.sum_duplicates()
        self.owner = np.array(self.owner)
        self.turn = np.array(self.turn)
        self.authors = np.array([c["author"] for c in self.calls])
        self.masks = {}

    def eligible(self, behaviour, calls):
        """Rows of the sentences of `calls` that count for `behaviour`."""
        if behaviour not in self.masks:
            self.masks[behaviour] = np.array([behaviour in c for c in self.counts])
        wanted = np.zeros(len(self.calls), bool)
        wanted[list(calls)] = True
        return np.flatnonzero(self.masks[behaviour] & wanted[self.owner])

    def train(self, behaviour, calls, labels, rounds=2, top=2):
        rows = self.eligible(behaviour, calls)
        y = labels[self.owner[rows]].astype(int)
        if y.sum() == 0 or y.sum() == len(y):
            return None
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

    def near(self, behaviour, rows):
        """The rows within NEAR_TURNS turns of a turn where the patterns found
        `behaviour` (what an "and" judge reads: rubric::learned::near)."""
        keep = [
            any(abs(self.turn[r] - t) <= NEAR_TURNS for t in self.calls[self.owner[r]]["found"].get(behaviour, []))
            for r in rows
        ]
        return rows[np.array(keep, dtype=bool)] if len(rows) else rows

    def call_scores(self, behaviour, model, calls, near=False):
        """Each call's best sentence probability (0 with no sentence that counts);
        with `near`, only of the sentences near the patterns' findings."""
        best = np.zeros(len(self.calls))
        rows = self.eligible(behaviour, calls)
        if near:
            rows = self.near(behaviour, rows)
        if model is not None and len(rows):
            p = model.predict_proba(self.x[rows])[:, 1]
            np.maximum.at(best, self.owner[rows], p)
        return best[np.array(calls)]


def fit(x, y):
    # L1 keeps a few thousand features per behaviour (the file stays small and
    # scoring fast) and read unseen authors as well as L2 over every feature did.
    return LogisticRegression(
        C=0.5, l1_ratio=1.0, max_iter=300, solver="liblinear", class_weight="balanced"
    ).fit(x, y)


def f1(y, pred):
    tp, fp, fn = int((y & pred).sum()), int((~y & pred).sum()), int((y & ~pred).sum())
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    return 2 * p * r / (p + r) if p + r else 0.0


COMBINE = {
    "or": lambda r, s, t: r | (s > t),
    "and": lambda r, s, t: r & (s > t),
    "replace": lambda r, s, t: s > t,
}


def load(path, excluded):
    global corpus
    corpus = Corpus(path, excluded)


def behaviour_model(args):
    b, margin, choose_on, combinations = args
    c = corpus
    calls = list(range(len(c.calls)))
    labels = np.array([b in call["present"] for call in c.calls])
    rubric = np.array([b in call["found"] for call in c.calls])
    authors = sorted(set(c.authors))
    random.Random(7).shuffle(authors)
    fold = {a: i % FOLDS for i, a in enumerate(authors)}
    oof, oof_near = np.zeros(len(calls)), np.zeros(len(calls))
    for k in range(FOLDS):
        train = [i for i in calls if fold[c.authors[i]] != k]
        held = [i for i in calls if fold[c.authors[i]] == k]
        model = c.train(b, train, labels)
        oof[held] = c.call_scores(b, model, held)
        oof_near[held] = c.call_scores(b, model, held, near=True)
    chosen = np.isin(c.authors, list(choose_on)) if choose_on else np.ones(len(calls), bool)
    y, r = labels[chosen], rubric[chosen]
    base = f1(y, r)
    best = ("patterns", None, base)
    for name in combinations:
        rule = COMBINE[name]
        s = (oof_near if name == "and" else oof)[chosen]
        for t in THRESHOLDS:
            score = f1(y, rule(r, s, t))
            if score > best[2] + 1e-9 and score >= base + margin:
                best = (name, float(t), score)
    model = c.train(b, calls, labels) if best[1] is not None else None
    return b, base, best, model


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("features")
    ap.add_argument("--exclude", default="", help="authors left out entirely, comma-separated")
    ap.add_argument("--margin", type=float, default=0.01, help="F1 a combination must add out of fold")
    ap.add_argument("--combine", default="and", help="combinations to choose from, comma-separated "
                    "(or, and, replace); default and: the model may only take a finding away, "
                    "as or and replace lowered precision on held-out authors (BENCHMARKS.md)")
    ap.add_argument("--choose-on", default="", help="authors whose out-of-fold calls choose the "
                    "combinations: authors the patterns were never tuned on (default: all)")
    args = ap.parse_args()
    excluded = set(filter(None, args.exclude.split(",")))
    choose_on = set(filter(None, args.choose_on.split(",")))
    load(args.features, excluded)
    authors = sorted(set(corpus.authors))
    print(f"{len(corpus.calls)} calls by {len(authors)} authors", file=sys.stderr)
    with ProcessPoolExecutor(2, initializer=load, initargs=(args.features, excluded)) as pool:
        results = list(pool.map(behaviour_model, [(b, args.margin, choose_on, args.combine.split(",")) for b in CORE]))
    out = ["kuulas-learned-model\t1"]
    out.append("# Generated by scripts/train-learned.py; do not edit. Trained on "
               f"{len(corpus.calls)} labelled calls by {len(authors)} authors "
               f"(fixtures/corpus, left out: {','.join(sorted(excluded)) or 'none'}).")
    out.append("# Out-of-fold F1 (author-level 5-fold) on "
               f"{','.join(sorted(choose_on)) or 'every author'}: behaviour, patterns alone -> chosen")
    for b, base, (name, t, score), _ in results:
        line = f"# {b}: {base:.3f} -> {name}" + (f" above {t:.2f}: {score:.3f}" if t is not None else "")
        out.append(line)
        print(line[2:], file=sys.stderr)
    for b, _, (name, t, _), model in results:
        if model is None:
            continue
        out.append(f"behaviour\t{b}\t{name}\t{t:.2f}\t{model.intercept_[0]:.6f}")
        w = model.coef_[0]
        for i in np.argsort(-np.abs(w)):
            if w[i] == 0:
                break
            out.append(f"{w[i]:.6f}\t{corpus.names[i]}")
    print("\n".join(out))


if __name__ == "__main__":
    main()
