#!/usr/bin/env python3
"""Extracts the Finnish first names of Faker's fi_FI locale into data/first_names_fi.txt.

The self_intro detector reads an agent's first name from this list ({name} in a
rubric pattern, docs/rubric.md). Faker is MIT-licensed; its licence travels in the
data file's header.

    pip download --no-deps faker -d /tmp/faker
    python3 scripts/extract-first-names.py /tmp/faker/faker-*.whl > data/first_names_fi.txt

The provider module is parsed, never imported or run.
"""

import ast
import sys
import zipfile

PROVIDER = "faker/providers/person/fi_FI/__init__.py"


def wheel_files(path):
    with zipfile.ZipFile(path) as z:
        source = z.read(PROVIDER).decode("utf-8")
        version = path.rsplit("/", 1)[-1].split("-")[1]
        licence = next(
            z.read(n).decode("utf-8")
            for n in z.namelist()
            if n.endswith(".dist-info/licenses/LICENSE.txt") or n.endswith(".dist-info/LICENSE.txt")
        )
    return source, version, licence


def names(source, field):
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == field for t in node.targets
        ):
            # OrderedDict(((name, weight), ...))
            pairs = node.value.args[0].elts
            return [p.elts[0].value for p in pairs]
    sys.exit(f"extract-first-names: {field} not found in {PROVIDER}; has Faker changed its layout?")


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: extract-first-names.py FAKER_WHEEL > data/first_names_fi.txt")
    source, version, licence = wheel_files(sys.argv[1])
    found = names(source, "first_names_female") + names(source, "first_names_male")
    print(f"# Finnish first names from Faker {version}, {PROVIDER}")
    print("# (first_names_female and first_names_male), extracted by scripts/extract-first-names.py.")
    print("# One name a line, as Faker writes it. Faker's licence:")
    print("#")
    for line in licence.strip().splitlines():
        print(f"# {line}".rstrip())
    for name in sorted(set(found)):
        print(name)


main()
