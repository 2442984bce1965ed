#!/usr/bin/env python3
"""Builds a week of short two-party calls for the cross-call figures (issue 21).

Usage: make_week.py OUT_DIR

The week (Monday 16 to Sunday 22 November 2026, Finnish time) is designed so that
every figure of `kuulas across` has something to show; the plan is the CALLS list
below, and tests/across_week.rs asserts what it was designed to show. For each
call it writes:

  NAME.wav              8 kHz 16-bit stereo (agent left, customer right); every
                        third one-off call (MONO) is a mono mix, as a telephony
                        system without separate channels records it
  NAME.transcript.json  the script's own words at their measured times, for the
                        fixture transcriber (KUULAS_TEST_FIXTURE_TRANSCRIBER=1)

and manifest.csv (path, call_id, agent, team, queue, started_at, customer_id,
customer_phone, direction; docs/operations.md). Speech comes from espeak-ng through
scripts/fixtures/build_call.py, resampling from sox. Deterministic.
"""

import csv
import json
import os
import subprocess
import sys
import tempfile
import wave

HERE = os.path.dirname(os.path.abspath(__file__))
BUILD_CALL = os.path.join(HERE, "..", "fixtures", "build_call.py")
# An outbound call reaches the customer when it lasts at least 20 s and the customer
# says at least 5 words (across::promises::Reached); answered callbacks are made
# longer than that, unanswered attempts far shorter.
REACHED_S = 20.0

AGENTS = {
    "Aino": ("Laskutus", "lasku"),
    "Eero": ("Laskutus", "lasku"),
    "Maija": ("Tekninen", "vika"),
    "Ville": ("Tekninen", "vika"),
    "Liisa": ("Asiakkuus", "sopimus"),
}

# A customer's statement of need, per contact reason.
NEEDS = {
    "lasku": "Minun laskussani on virhe, siinä on kaksi kertaa sama maksu.",
    "toimitus": "Tilaamani paketti ei ole vieläkään tullut perille.",
    "vika": "Kotini netti ei toimi ollenkaan, valot vilkkuvat modeemissa.",
    "sopimus": "Haluaisin vaihtaa sopimukseni halvempaan liittymään.",
    "kirjautuminen": "En pääse kirjautumaan verkkopalveluun, salasana ei kelpaa.",
}


def greet(agent):
    return f"agent: Hyvää päivää, {agent} asiakaspalvelusta."


def inbound(agent, need, ending, extra=()):
    """An inbound call: greeting, the customer's need, the agent's answer, a close."""
    return [greet(agent), f"customer: {NEEDS[need]}", *extra, f"agent: {ending}", "customer: Kiitos, hei."]


def promise(agent, need, words):
    """An inbound call in which the agent promises to call back."""
    return inbound(agent, need, f"Selvitän asian. {words}")


def callback(agent):
    """An answered outbound callback, long enough to count as reaching the customer."""
    return [
        "agent: Hei, täällä " + agent + " asiakaspalvelusta, soitan lupaamani takaisinsoiton.",
        "gap 1.5",
        "customer: Hei, kiva kun soitit, odotinkin tätä puhelua jo.",
        "gap 1.5",
        "agent: Selvitin asian, ja nyt se on korjattu järjestelmään. Kaikki on kunnossa.",
        "gap 1.5",
        "customer: Selvä, kiitos paljon avusta, tämä helpottaa kovasti.",
        "gap 1.5",
        "agent: Ole hyvä, mukavaa päivänjatkoa.",
    ]


def attempt(agent):
    """An unanswered outbound attempt: the agent only, no customer speech."""
    return [f"agent: Hei, täällä {agent} asiakaspalvelusta, yritin tavoittaa teitä. Soitan uudelleen."]


RESOLVED = "Noin, nyt asia on hoidettu."
FIXED = "Korjasin sen nyt, kiitos kun ilmoititte."

# (name, customer_id, customer_phone, direction, started_at, agent, lines)
# started_at "" = no start time; customer "" and phone "" = no customer key;
# direction "" = not given (counted as inbound).
CALLS = []


def add(name, customer, when, direction, agent, lines, phone=""):
    CALLS.append((name, customer, phone, direction, when, agent, lines))


def day(d, hm):
    return f"2026-11-{d:02d}T{hm}:00+02:00"


# Repeat contacts about the same matter within 7 days: the first call is not
# resolved on first contact. w01a is judged resolved in the call all the same.
add("w01a", "C01", day(16, "09:00"), "inbound", "Aino", inbound("Aino", "lasku", RESOLVED))
add("w01b", "C01", day(18, "10:00"), "inbound", "Eero", inbound("Eero", "lasku", FIXED))
add("w02a", "C02", day(16, "09:30"), "inbound", "Maija", inbound("Maija", "vika", "Käynnistäkää modeemi uudelleen."))
add("w02b", "C02", day(17, "11:00"), "inbound", "Ville", inbound("Ville", "vika", FIXED))
add("w03a", "C03", day(17, "13:00"), "inbound", "Liisa", inbound("Liisa", "sopimus", "Katsotaan tätä myöhemmin."))
add("w03b", "C03", day(20, "09:15"), "inbound", "Liisa", inbound("Liisa", "sopimus", RESOLVED))
add("w04a", "C04", day(18, "14:00"), "inbound", "Eero", inbound("Eero", "kirjautuminen", "Kokeile uutta salasanaa."))
add("w04b", "C04", day(19, "08:30"), "inbound", "Aino", inbound("Aino", "kirjautuminen", FIXED))
add("w05a", "C05", day(19, "10:00"), "inbound", "Maija", inbound("Maija", "toimitus", "Paketti on matkalla."))
add("w05b", "C05", day(21, "12:00"), "inbound", "Ville", inbound("Ville", "toimitus", RESOLVED))
# A customer known by phone number (hashed on ingest), calling twice.
add("w22a", "", day(17, "10:00"), "inbound", "Aino", inbound("Aino", "lasku", "Tarkistan sen."), phone="040 555 0122")
add("w22b", "", day(19, "15:00"), "inbound", "Eero", inbound("Eero", "lasku", FIXED), phone="040 555 0122")
add("w23a", "", day(18, "09:00"), "inbound", "Liisa", inbound("Liisa", "sopimus", RESOLVED), phone="050 777 0123")

# Customer feedback: a complaint no one passes on, a suggestion and praise the agent
# says will be passed on, a complaint recorded.
add("w06a", "C06", day(16, "11:00"), "inbound", "Aino", inbound("Aino", "lasku", RESOLVED, [
    "customer: Ja mä haluan tehdä valituksen, tää on ihan surkeaa palvelua.",
    "agent: Niin, minkäs sille voi.",
]))
add("w07a", "C07", day(17, "09:00"), "inbound", "Maija", inbound("Maija", "vika", FIXED, [
    "customer: Olis kätevää jos sovelluksesta näkis vikatilanteen.",
    "agent: Hyvä ehdotus, vien tiedon kehitystiimille.",
]))
add("w08a", "C08", day(18, "12:00"), "inbound", "Ville", inbound("Ville", "toimitus", RESOLVED, [
    "customer: Haluan kiittää teidän kuljettajaa, hän oli tosi ystävällinen.",
    "agent: Kiitos, välitän kiitokset kuljettajalle.",
]))
add("w09a", "C09", day(19, "13:00"), "inbound", "Liisa", inbound("Liisa", "sopimus", RESOLVED, [
    "customer: Mä haluan tehdä valituksen myyjän käytöksestä.",
    "agent: Ymmärrän, kirjaan tän palautteen ja vien tiedon esimiehelle.",
]))

# Promises to call back.
# Kept: called back, answered, before Tuesday noon.
add("w14a", "C14", day(16, "10:00"), "inbound", "Aino", promise("Aino", "lasku", "Soitan teille huomenna aamupäivällä."))
add("w14b", "C14", day(17, "10:30"), "outbound", "Aino", callback("Aino"))
# Kept by Friday after one unanswered attempt.
add("w15a", "C15", day(16, "13:00"), "inbound", "Maija", promise("Maija", "vika", "Soitan teille viimeistään perjantaina."))
add("w15b", "C15", day(18, "09:00"), "outbound", "Maija", attempt("Maija"))
add("w15c", "C15", day(19, "14:00"), "outbound", "Maija", callback("Maija"))
# Tried twice by Wednesday noon, never reached.
add("w16a", "C16", day(17, "09:30"), "inbound", "Eero", promise("Eero", "lasku", "Soitan teille huomenna aamupäivällä."))
add("w16b", "C16", day(18, "10:00"), "outbound", "Eero", attempt("Eero"))
add("w16c", "C16", day(18, "11:00"), "outbound", "Eero", attempt("Eero"))
# Tried only once by Wednesday 16:00.
add("w17a", "C17", day(17, "14:00"), "inbound", "Ville", promise("Ville", "vika", "Soitan teille huomenna."))
add("w17b", "C17", day(18, "15:00"), "outbound", "Ville", attempt("Ville"))
# Broken: due Wednesday 15:00, called back on Thursday.
add("w18a", "C18", day(18, "10:00"), "inbound", "Liisa", promise("Liisa", "sopimus", "Soitan teille tänään kolmeen mennessä."))
add("w18b", "C18", day(19, "09:00"), "outbound", "Liisa", callback("Liisa"))
# Broken: due Friday noon, no callback; the customer called again meanwhile.
add("w19a", "C19", day(19, "11:00"), "inbound", "Aino", promise("Aino", "toimitus", "Soitan teille huomenna aamupäivällä."))
add("w19b", "C19", day(20, "09:00"), "inbound", "Eero", inbound("Eero", "toimitus", RESOLVED))
# Open at the end of the week: due Monday 23 at noon.
add("w20a", "C20", day(20, "14:00"), "inbound", "Maija", promise("Maija", "vika", "Soitan teille maanantaina aamupäivällä."))
# No time given.
add("w21a", "C21", day(19, "09:00"), "inbound", "Ville", promise("Ville", "toimitus", "Lupaan palata asiaan, kun kuulen varastolta."))

# Left out of the figures: no customer key (two), no start time (one).
add("w30a", "", day(17, "12:00"), "inbound", "Aino", inbound("Aino", "lasku", RESOLVED))
add("w30b", "", day(18, "12:30"), "inbound", "Eero", inbound("Eero", "kirjautuminen", FIXED))
add("w31a", "C31", "", "inbound", "Liisa", inbound("Liisa", "sopimus", RESOLVED))
# No direction given: counted as inbound.
add("w32a", "C32", day(20, "10:00"), "", "Maija", inbound("Maija", "vika", FIXED))

# One call each, resolved on first contact (nobody calls again within 7 days).
SINGLES = [
    ("C40", 16, "14:30", "Eero", "lasku"), ("C41", 16, "15:00", "Liisa", "sopimus"),
    ("C42", 17, "08:30", "Ville", "toimitus"), ("C43", 17, "15:30", "Aino", "kirjautuminen"),
    ("C44", 18, "08:15", "Maija", "vika"), ("C45", 18, "13:30", "Eero", "toimitus"),
    ("C46", 19, "12:00", "Liisa", "lasku"), ("C47", 19, "15:30", "Ville", "vika"),
    ("C48", 20, "08:45", "Aino", "sopimus"), ("C49", 20, "11:00", "Eero", "kirjautuminen"),
    ("C50", 20, "13:00", "Liisa", "toimitus"), ("C51", 20, "15:00", "Maija", "lasku"),
    ("C52", 21, "10:00", "Ville", "vika"), ("C53", 21, "11:30", "Aino", "kirjautuminen"),
    ("C54", 22, "10:30", "Eero", "sopimus"), ("C55", 22, "12:00", "Liisa", "lasku"),
    ("C56", 16, "12:00", "Maija", "kirjautuminen"), ("C57", 17, "16:30", "Ville", "lasku"),
    ("C58", 18, "16:00", "Aino", "vika"), ("C59", 19, "16:15", "Eero", "sopimus"),
    ("C60", 21, "14:00", "Maija", "toimitus"), ("C61", 22, "15:00", "Ville", "kirjautuminen"),
    ("C62", 16, "16:00", "Liisa", "vika"), ("C63", 18, "11:00", "Maija", "sopimus"),
    ("C64", 20, "16:30", "Aino", "toimitus"),
]
# One-off calls recorded as a mono mix (their figures need no channels).
MONO = {"w" + customer[1:] + "a" for customer, *_ in SINGLES[::3]}
for customer, d, hm, agent, need in SINGLES:
    add("w" + customer[1:] + "a", customer, day(d, hm), "inbound", agent, inbound(agent, need, RESOLVED))


def script_text(lines):
    return "\n".join(lines) + "\n"


def utterances(lines):
    return [line for line in lines if line.startswith(("agent:", "customer:"))]


def build(name, lines, out, work, mono):
    script = os.path.join(work, f"{name}.call")
    with open(script, "w", encoding="utf-8") as f:
        f.write(script_text(lines))
    subprocess.run([sys.executable, BUILD_CALL, script, work], check=True)
    stereo = os.path.join(work, f"{name}.stereo16k.wav")
    tmp = os.path.join(out, f"{name}.tmp.wav")
    # -D: no dither, so reruns are byte-identical.
    channels = ["-c", "1"] if mono else []
    subprocess.run(["sox", "-D", stereo, "-r", "8000", "-b", "16", *channels, tmp], check=True)
    os.replace(tmp, os.path.join(out, f"{name}.wav"))
    with open(os.path.join(work, f"{name}.truth.json"), encoding="utf-8") as f:
        truth = json.load(f)
    with wave.open(os.path.join(out, f"{name}.wav"), "rb") as w:
        duration = w.getnframes() / w.getframerate()
    transcript = {
        "schema_version": 1,
        "duration": round(duration, 3),
        "language": "fi",
        "attribution": "channels",
        "segments": [{"party": u["party"], "start": u["start"], "end": u["end"], "text": " " + u["text"]} for u in truth],
    }
    tmp = os.path.join(out, f"{name}.transcript.json.tmp")
    with open(tmp, "w", encoding="utf-8") as f:
        json.dump(transcript, f, ensure_ascii=False, indent=1)
        f.write("\n")
    os.replace(tmp, os.path.join(out, f"{name}.transcript.json"))
    return duration, truth


def check(name, direction, lines, duration, truth):
    """The design holds: answered callbacks reach the customer, attempts do not."""
    customer_words = sum(len(u["text"].split()) for u in truth if u["party"] == "customer")
    if direction == "outbound" and customer_words and duration < REACHED_S + 2:
        sys.exit(f"{name}: an answered callback must last over {REACHED_S + 2:.0f} s, it lasts {duration:.1f} s")
    if direction == "outbound" and not customer_words and duration >= REACHED_S:
        sys.exit(f"{name}: an unanswered attempt must be short, it lasts {duration:.1f} s")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    out = sys.argv[1]
    os.makedirs(out, exist_ok=True)
    rows = []
    with tempfile.TemporaryDirectory() as work:
        for name, customer, phone, direction, when, agent, lines in CALLS:
            duration, truth = build(name, lines, out, work, name in MONO)
            check(name, direction, lines, duration, truth)
            team, queue = AGENTS[agent]
            rows.append({
                "path": f"{name}.wav", "call_id": name, "agent": agent, "team": team, "queue": queue,
                "started_at": when, "customer_id": customer, "customer_phone": phone, "direction": direction,
            })
    tmp = os.path.join(out, "manifest.csv.tmp")
    with open(tmp, "w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    os.replace(tmp, os.path.join(out, "manifest.csv"))
    customers = {r["customer_id"] or r["customer_phone"] for r in rows} - {""}
    print(f"make-week: {len(rows)} calls, {len(customers)} customers in {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
