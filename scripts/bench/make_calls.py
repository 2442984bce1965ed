#!/usr/bin/env python3
"""Composes and renders the benchmark's synthetic two-party calls.

usage: make_calls.py [--quick] [--count N] [--seed S] OUT_DIR

Each call is composed from the turn pool in scripts/bench/calls/turns.txt with a
random generator seeded by (S, call number), so call k is the same whatever N is,
and written as OUT_DIR/benchNN.call (the script format of scripts/make-fixtures.sh).
It is rendered with scripts/fixtures/build_call.py into NAME.truth.json and, through
sox, NAME.ulaw8k.wav (stereo 8 kHz G.711 μ-law, agent left). A call whose script and
renderer are unchanged is not rendered again. Every other call has a hold of 10-40 s;
some turns are preceded by a longer, hesitant gap. --quick makes 2 short calls.
Prints the μ-law WAV paths, one a line. Standard library only.
"""

import argparse
import os
import random
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
POOL = os.path.join(HERE, "calls", "turns.txt")
BUILD_CALL = os.path.join(HERE, "..", "fixtures", "build_call.py")
TOPICS = ("billing", "broadband", "insurance", "parcel", "electricity", "mobile")
# The espeak-ng voices that Whisper base copes with best (see ASR-NOTES.md), plus one
# female voice per side so that not every call sounds alike.
AGENT_VOICES = ("fi -s 160", "fi+m1 -s 165", "fi -s 150 -p 60", "fi+f3 -s 155")
CUSTOMER_VOICES = ("fi+m3 -s 170", "fi+m1 -s 160", "fi+m3 -s 155 -p 40", "fi+f2 -s 165")


def load_pool(path):
    """Returns {(slot, party): [turn, ...]}."""
    pool, key = {}, None
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = raw.strip()
            if not line or line.startswith("#"):
                continue
            if line.startswith("[") and line.endswith("]"):
                slot, _, party = line[1:-1].partition(" ")
                if party not in ("agent", "customer"):
                    sys.exit(f"{path}:{number}: a section is `[SLOT agent]` or `[SLOT customer]`")
                key = (slot, party)
                pool.setdefault(key, [])
            elif key is None:
                sys.exit(f"{path}:{number}: a turn before the first `[SLOT PARTY]` section")
            else:
                pool[key].append(line)
    return pool


class Composer:
    """Draws turns for one call, never the same turn twice."""

    def __init__(self, pool, rng):
        self.pool, self.rng, self.lines = pool, rng, []

    def say(self, slot, party, index=None):
        """Adds a turn from SLOT: the INDEXth, or a random one not yet said."""
        turns = self.pool[(slot, party)]
        choices = [t for t in turns if f"{party}: {t}" not in self.lines]
        if self.lines and not self.lines[-1].startswith("pause") and self.rng.random() < 0.2:
            self.lines.append(f"gap {self.rng.uniform(1.0, 2.5):.2f}")
        self.lines.append(f"{party}: {turns[index] if index is not None else self.rng.choice(choices)}")


def compose(pool, rng, number, quick):
    """Returns the text of one call script."""
    topic = TOPICS[(number + rng.randrange(len(TOPICS))) % len(TOPICS)]
    hold = number % 2 == 0
    agent_voice = rng.choice(AGENT_VOICES)
    customer_voice = rng.choice(CUSTOMER_VOICES)
    c = Composer(pool, rng)
    c.say("greeting", "agent")
    c.say(f"open.{topic}", "customer")
    if not quick:
        c.say("ask_id", "agent")
        c.say("give_id", "customer")
    if hold:
        c.say("hold", "agent")
        c.lines.append(f"pause {10.0 if quick else rng.uniform(10.0, 40.0):.1f}")
        c.say("back", "agent")
    c.say(f"explain.{topic}", "agent")
    # Calls without a hold get every question, so that they too last over a minute.
    questions = len(pool[(f"question.{topic}", "customer")])
    rounds = 0 if quick else questions if not hold else rng.randint(2, questions)
    for index in rng.sample(range(questions), rounds):
        c.say(f"question.{topic}", "customer", index)
        c.say(f"answer.{topic}", "agent", index)
        if rng.random() < 0.6:
            c.say("reaction", "customer")
    if quick or not c.lines[-1].startswith("customer:"):
        c.say("reaction", "customer")
    if not quick and (not hold or rng.random() < 0.5):
        c.say(f"explain.{topic}", "agent")
        c.say("reaction", "customer")
    c.say("closing", "agent")
    c.say("goodbye", "customer")
    head = [f"# kuulas benchmark call {number}: {topic}{', with a hold' if hold else ''}",
            f"voice agent {agent_voice}", f"voice customer {customer_voice}"]
    return "\n".join(head + c.lines) + "\n"


def newer(path, *inputs):
    return os.path.exists(path) and all(os.path.getmtime(path) >= os.path.getmtime(i) for i in inputs)


def render(script, out_dir, name):
    """Renders SCRIPT unless its outputs are newer than it and the renderer."""
    wav = os.path.join(out_dir, f"{name}.ulaw8k.wav")
    truth = os.path.join(out_dir, f"{name}.truth.json")
    if newer(wav, script, BUILD_CALL) and newer(truth, script, BUILD_CALL):
        return wav
    print(f"make_calls: rendering {name}", file=sys.stderr)
    subprocess.run([sys.executable, BUILD_CALL, script, out_dir], check=True)
    stereo = os.path.join(out_dir, f"{name}.stereo16k.wav")
    tmp = os.path.join(out_dir, f"{name}.ulaw8k.tmp.wav")
    # -D: no dither, so a rerun is byte-identical.
    subprocess.run(["sox", "-D", stereo, "-r", "8000", "-e", "u-law", tmp], check=True)
    os.replace(tmp, wav)
    # Only the telephony file is benchmarked; the others would only be picked up by
    # `kuulas run --input`.
    for other in ("stereo16k.wav", "mono16k.wav"):
        os.remove(os.path.join(out_dir, f"{name}.{other}"))
    os.utime(truth)
    return wav


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("out_dir")
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    pool = load_pool(POOL)
    count, prefix = (2, "quick") if args.quick else (args.count, "bench")
    os.makedirs(args.out_dir, exist_ok=True)
    for number in range(1, count + 1):
        name = f"{prefix}{number:02d}"
        text = compose(pool, random.Random(f"{args.seed}-{prefix}-{number}"), number, args.quick)
        script = os.path.join(args.out_dir, f"{name}.call")
        old = open(script, encoding="utf-8").read() if os.path.exists(script) else None
        if old != text:  # keep the mtime of an unchanged script, so nothing is rebuilt
            with open(script + ".tmp", "w", encoding="utf-8") as f:
                f.write(text)
            os.replace(script + ".tmp", script)
        print(render(script, args.out_dir, name))


if __name__ == "__main__":
    main()
