#!/usr/bin/env python3
"""faster-whisper side of scripts/bench.sh: transcribes stereo calls channel by channel.

usage: fw_run.py [--vad] [--threads N] [--seed N] MODEL_DIR OUT_DIR CALL.wav...

Runs in the benchmark's venv (faster-whisper 1.2.1). The model is loaded once
(int8, CPU, cpu_threads=N, num_workers=1); then for each call faster-whisper itself
decodes and resamples the file to 16 kHz and splits it into its two channels
(decode_audio(split_stereo=True), so decoding time is part of the measured wall time),
and each channel is transcribed separately: language fi, beam 1, the library's
defaults otherwise (condition_on_previous_text, temperature fallback), with
faster-whisper's Silero VAD only with --vad, and the fallback's sampling seeded with
--seed (default 0). The left channel is the agent.
Writes OUT_DIR/NAME.json per call: [{party, start, end, text}], the format
scripts/wer.py reads as a hypothesis.
"""

import argparse
import json
import os

import ctranslate2
from faster_whisper import WhisperModel
from faster_whisper.audio import decode_audio


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("model_dir")
    parser.add_argument("out_dir")
    parser.add_argument("calls", nargs="+")
    parser.add_argument("--vad", action="store_true")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    # The temperature fallback samples, and one call's time varies 3x between draws
    # here. Seeded, a rerun repeats the same decoding (as kuulas's does: whisper.cpp
    # seeds each state's generator); bench.sh gives each round its own seed.
    ctranslate2.set_random_seed(args.seed)
    model = WhisperModel(args.model_dir, device="cpu", compute_type="int8",
                         cpu_threads=args.threads, num_workers=1)
    os.makedirs(args.out_dir, exist_ok=True)
    for call in args.calls:
        channels = decode_audio(call, split_stereo=True)
        segments = []
        for party, audio in zip(("agent", "customer"), channels):
            # transcribe() is lazy: the list() is where the decoding happens.
            found, _ = model.transcribe(audio, language="fi", beam_size=1, vad_filter=args.vad)
            segments += [{"party": party, "start": round(s.start, 2), "end": round(s.end, 2),
                          "text": s.text.strip()} for s in found]
        segments.sort(key=lambda s: s["start"])
        name = os.path.basename(call).split(".")[0]
        with open(os.path.join(args.out_dir, f"{name}.json"), "w", encoding="utf-8") as f:
            json.dump(segments, f, ensure_ascii=False, indent=1)


if __name__ == "__main__":
    main()
