#!/usr/bin/env python3
"""Renders one labelled call (TOML, docs/labelling.md) as telephony audio.

usage: render_call.py LABELS.toml OUT_DIR

Writes OUT_DIR/ID.ulaw8k.wav (two-party stereo, agent left, 8 kHz G.711 mu-law,
band-limited 300-3400 Hz, light line noise), OUT_DIR/ID.mono16k.wav (both parties
mixed, 16 kHz, clean) and OUT_DIR/ID.truth.json ([{party, start, end, text}] with
the rendered times, the format scripts/wer.py reads).

Every choice is seeded by the call's id, so a rerun gives the same bytes: the
agent's and the customer's voices (always different, drawn from plain, male and
female espeak-ng variants), each party's speed and pitch, and the noise. Turns
follow each other after a 0.6 s gap (the gap `kuulas rubric eval` assumes) plus
`pause_before`; `overlap = S` starts a turn S seconds before the previous ends.
Needs espeak-ng and sox.
"""
import array
import hashlib
import json
import os
import random
import subprocess
import sys
import tempfile
import tomllib
import wave

VOICES = ["fi", "fi+m1", "fi+m2", "fi+m3", "fi+m4", "fi+m5",
          "fi+f1", "fi+f2", "fi+f3", "fi+f4", "fi+f5"]
RATE = 16000
TURN_GAP_S = 0.6
# Line noise: Gaussian, this many 16-bit steps (about -58 dBFS) before mu-law.
NOISE = 40


def read_pcm(path):
    with wave.open(path, "rb") as w:
        assert w.getframerate() == RATE and w.getnchannels() == 1 and w.getsampwidth() == 2
        samples = array.array("h")
        samples.frombytes(w.readframes(w.getnframes()))
        return samples


def write_pcm(path, channels):
    frames = array.array("h", [0] * (len(channels[0]) * len(channels)))
    for c, samples in enumerate(channels):
        frames[c::len(channels)] = array.array("h", (max(-32768, min(32767, int(s))) for s in samples))
    with wave.open(path, "wb") as w:
        w.setnchannels(len(channels))
        w.setsampwidth(2)
        w.setframerate(RATE)
        w.writeframes(frames.tobytes())


def speak(text, voice, speed, pitch, work, n):
    raw, pcm = os.path.join(work, f"{n}.raw.wav"), os.path.join(work, f"{n}.wav")
    subprocess.run(["espeak-ng", "-v", voice, "-s", str(speed), "-p", str(pitch),
                    "-w", raw, "--", text], check=True)
    subprocess.run(["sox", "-D", raw, "-r", str(RATE), "-c", "1", "-b", "16", pcm,
                    "gain", "-n", "-3"], check=True)
    return read_pcm(pcm)


def main(labels_path, out_dir):
    with open(labels_path, "rb") as f:
        call = tomllib.load(f)
    call_id = call["id"]
    rng = random.Random(int(hashlib.sha256(call_id.encode()).hexdigest()[:16], 16))
    agent_voice, customer_voice = rng.sample(VOICES, 2)
    style = {
        "agent": (agent_voice, rng.randint(140, 185), rng.randint(25, 75)),
        "customer": (customer_voice, rng.randint(140, 185), rng.randint(25, 75)),
    }
    channel = {"agent": 0, "customer": 1}
    tracks = [array.array("f"), array.array("f")]
    truth, t = [], 0.0
    with tempfile.TemporaryDirectory() as work:
        for n, turn in enumerate(call.get("turn", [])):
            party, text = turn["party"], " ".join(turn["text"].split())
            voice, speed, pitch = style[party]
            samples = speak(text, voice, speed, pitch, work, n)
            previous_end = truth[-1]["end"] if truth else 0.0
            if turn.get("overlap"):
                start = max(0.0, previous_end - float(turn["overlap"]))
            else:
                start = t + TURN_GAP_S + float(turn.get("pause_before", 0))
            first = int(round(start * RATE))
            track = tracks[channel[party]]
            needed = first + len(samples)
            for tr in tracks:
                if len(tr) < needed:
                    tr.extend([0.0] * (needed - len(tr)))
            for i, s in enumerate(samples):
                track[first + i] += s
            end = needed / RATE
            truth.append({"party": party, "start": round(start, 3), "end": round(end, 3), "text": text})
            t = max(t, end)
        tail = int(round((t + TURN_GAP_S) * RATE))
        for tr in tracks:
            tr.extend([0.0] * (tail - len(tr)))
        clean = os.path.join(work, "clean.wav")
        write_pcm(clean, tracks)
        noisy = os.path.join(work, "noisy.wav")
        write_pcm(noisy, [[s + rng.gauss(0.0, NOISE) for s in tr] for tr in tracks])
        os.makedirs(out_dir, exist_ok=True)
        ulaw, mono = (os.path.join(out_dir, f"{call_id}.{k}") for k in ("ulaw8k.wav", "mono16k.wav"))
        subprocess.run(["sox", "-D", noisy, "-r", "8000", "-e", "u-law", ulaw + ".tmp.wav",
                        "sinc", "300-3400"], check=True)
        os.replace(ulaw + ".tmp.wav", ulaw)
        subprocess.run(["sox", "-D", clean, "-c", "1", mono + ".tmp.wav"], check=True)
        os.replace(mono + ".tmp.wav", mono)
    with open(os.path.join(out_dir, f"{call_id}.truth.json.tmp"), "w", encoding="utf-8") as f:
        json.dump(truth, f, ensure_ascii=False, indent=1)
    os.replace(os.path.join(out_dir, f"{call_id}.truth.json.tmp"),
               os.path.join(out_dir, f"{call_id}.truth.json"))
    print(f"{call_id}: agent {style['agent']}, customer {style['customer']}, {t:.1f} s", file=sys.stderr)


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    main(sys.argv[1], sys.argv[2])
