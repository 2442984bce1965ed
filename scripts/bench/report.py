#!/usr/bin/env python3
"""Turns the measurements of scripts/bench.sh into a Markdown table.

usage: report.py --results TSV [--jobs-results TSV] [--rounds-results TSV] --command CMD --threads N --out FILE CALL.ulaw8k.wav...

TSV has one line per system: key, description, wall seconds, peak RSS in KiB and the
directory of its transcripts (or key, description, `skipped`, reason). A call NAME's
transcript is the file under that directory named NAME.*.json or NAME.json (score and
metadata files aside); a call without one counts as transcribed to nothing. WER and
CER come from scripts/wer.py against NAME.truth.json beside the call (each party's
words against that party's transcript). Audio seconds are recording seconds (the call
duration from soxi), not the sum of both channels. The kuulas rows are compared with
the `fw-vad` row (faster-whisper with its VAD). --jobs-results has lines "jobs, wall
seconds, peak RSS in KiB" (`kuulas run` at several --jobs) for a memory table;
--rounds-results "round, (b) wall s, kuulas wall s" for the head-to-head table. Prints
the report and writes it to FILE.
"""

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
WER = os.path.join(HERE, "..", "wer.py")
BASELINE = "fw-vad"


def run(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def machine():
    model = next((l.split(":", 1)[1].strip() for l in run("lscpu").splitlines()
                  if l.startswith("Model name")), platform.processor() or "unknown CPU")
    with open("/proc/meminfo") as f:
        kib = next(int(l.split()[1]) for l in f if l.startswith("MemTotal"))
    load = os.getloadavg()[0]
    return f"{os.cpu_count()} cores (`nproc`: {run('nproc').strip()}), {model}, " \
           f"{kib / 1024 / 1024:.1f} GiB RAM, load average {load:.2f} when the report was written"


def transcript_for(hyp_dir, name):
    for root, _, files in os.walk(hyp_dir):
        for f in sorted(files):
            if (f == f"{name}.json" or f.startswith(f"{name}.")) and f.endswith(".json") \
                    and not f.endswith((".score.json", ".meta.json", ".truth.json")):
                return os.path.join(root, f)
    return None


def accuracy(hyp_dir, calls, empty):
    """Returns (WER, CER, calls without a transcript, (timed words, misplaced words))
    over all calls."""
    pairs, missing = [], 0
    for wav in calls:
        name = os.path.basename(wav).split(".")[0]
        truth = os.path.join(os.path.dirname(wav), f"{name}.truth.json")
        hyp = transcript_for(hyp_dir, name)
        if hyp is None:
            missing += 1
            hyp = empty
        pairs.append(f"{truth}:{hyp}")
    summary = json.loads(run(sys.executable, WER, "--json", *pairs))
    return summary["wer"], summary["cer"], missing, (summary["timed_words"], summary["misplaced_words"])


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--results", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--threads", required=True)
    parser.add_argument("--versions", default="")
    parser.add_argument("--jobs-results")
    parser.add_argument("--rounds-results")
    parser.add_argument("--out", required=True)
    parser.add_argument("calls", nargs="+")
    args = parser.parse_args()

    audio = sum(float(run("soxi", "-D", wav)) for wav in args.calls)
    rows, notes, speed = [], [], {}
    with tempfile.NamedTemporaryFile("w", suffix=".json") as empty:
        empty.write("[]")
        empty.flush()
        with open(args.results, encoding="utf-8") as f:
            for line in f:
                key, description, *rest = line.rstrip("\n").split("\t")
                if rest[0] == "skipped":
                    notes.append(f"- {description}: not measured ({rest[1]})")
                    continue
                wall, rss_kib, hyp_dir = float(rest[0]), int(rest[1]), rest[2]
                wer, cer, missing, (timed, misplaced) = accuracy(hyp_dir, args.calls, empty.name)
                speed[key] = (audio / wall, rss_kib)
                rows.append(f"| {description} | {audio / wall:.2f} | {rss_kib / 1024:.0f} "
                            f"| {wer:.3f} | {cer:.3f} |")
                notes.append(f"- {description}: {wall:.1f} s wall"
                             + (f"; {misplaced} of {timed} timed words outside every turn of their party"
                                if timed else "")
                             + (f"; {missing} of {len(args.calls)} calls produced no transcript"
                                if missing else ""))
    ratios = []
    if BASELINE in speed:
        base_speed, base_rss = speed[BASELINE]
        for key, (s, rss) in speed.items():
            if key.startswith("kuulas"):
                ratios.append(f"- {key} / faster-whisper with VAD: {s / base_speed:.2f}× the speed, "
                              f"{rss / base_rss:.2f}× the peak RSS")

    memory = []
    if args.jobs_results and os.path.exists(args.jobs_results):
        with open(args.jobs_results, encoding="utf-8") as f:
            lines = [l.split("\t") for l in f.read().splitlines() if l]
        if lines:
            memory = ["", "Peak RSS of `kuulas run --threads 1` on the first four calls as --jobs grows:", "",
                      "| --jobs | wall s | peak RSS MB |", "|---:|---:|---:|",
                      *(f"| {j} | {float(w):.1f} | {int(r) / 1024:.0f} |" for j, w, r in lines)]
    rounds = []
    if args.rounds_results and os.path.exists(args.rounds_results):
        with open(args.rounds_results, encoding="utf-8") as f:
            walls = [(r, float(b), float(k)) for r, b, k in
                     (l.split("\t") for l in f.read().splitlines() if l)]
        if walls:
            rounds = ["", "Head to head: faster-whisper (b) and kuulas's defaults run alternately, back "
                      "to back (the host's speed drifts between minutes; compare within a round):", "",
                      "| round | (b) wall s | kuulas wall s | kuulas / (b) speed |", "|---:|---:|---:|---:|",
                      *(f"| {r} | {b:.1f} | {k:.1f} | {b / k:.2f}× |" for r, b, k in walls),
                      f"| median | | | {statistics.median(b / k for _, b, k in walls):.2f}× |"]
    warning = ["**--quick run: checks that the script works; these numbers are no benchmark.**", ""] \
        if "--quick" in args.command.split() else []
    report = "\n".join([
        *warning,
        f"Machine: {machine()}.",
        f"Audio: {len(args.calls)} synthetic two-party calls (espeak-ng, stereo 8 kHz G.711 μ-law, "
        f"agent left), {audio:.0f} s of recordings; ×realtime = recording seconds (call duration, "
        f"not the sum of both channels) per wall second.",
        f"Command: `{args.command}` ({args.threads} threads per system{', ' + args.versions if args.versions else ''}).",
        "",
        "| system | ×realtime | peak RSS MB | WER | CER |",
        "|---|---:|---:|---:|---:|",
        *rows,
        *memory,
        *rounds,
        "",
        *ratios,
        *notes,
        "- Wall time and peak RSS (`/usr/bin/time -f %M`, MiB) are of the whole process: model "
        "load, audio decoding (faster-whisper decodes and splits the channels itself, with PyAV) "
        "and transcription of all calls. WER/CER: scripts/wer.py, each party's words against "
        "that party's transcript, over all calls.",
    ]) + "\n"
    os.makedirs(os.path.dirname(os.path.abspath(args.out)), exist_ok=True)
    with open(args.out + ".tmp", "w", encoding="utf-8") as f:
        f.write(report)
    os.replace(args.out + ".tmp", args.out)
    print(report, end="")


if __name__ == "__main__":
    main()
