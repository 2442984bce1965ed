#!/usr/bin/env python3
"""Extracts the Finnish first names or surnames of Faker's fi_FI locale into
data/first_names_fi.txt or data/last_names_fi.txt.

The self_intro detector reads an agent's name from these lists ({name} and
{surname} in a rubric pattern, docs/rubric.md). Faker is MIT-licensed; its
licence travels in each data file's header.

    pip download --no-deps faker -d /tmp/faker
    python3 scripts/extract-names.py /tmp/faker/faker-*.whl first > data/first_names_fi.txt
    python3 scripts/extract-names.py /tmp/faker/faker-*.whl last > data/last_names_fi.txt

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
    sys.exit(f"extract-names: {field} not found in {PROVIDER}; has Faker changed its layout?")


FIELDS = {
    "first": ("first names", ["first_names_female", "first_names_male"]),
    "last": ("surnames", ["last_names"]),
}


def main():
    if len(sys.argv) != 3 or sys.argv[2] not in FIELDS:
        sys.exit("usage: extract-names.py FAKER_WHEEL first|last > data/(first|last)_names_fi.txt")
    source, version, licence = wheel_files(sys.argv[1])
    what, fields = FIELDS[sys.argv[2]]
    found = [name for field in fields for name in names(source, field)]
    print(f"# Finnish {what} from Faker {version}, {PROVIDER}")
    print(f"# ({' and '.join(fields)}), extracted by scripts/extract-names.py.")
    print("# One name a line, as Faker writes it. Faker's licence:")
    print("#")
    for line in licence.strip().splitlines():
        print(f"# {line}".rstrip())
    for name in sorted(set(found)):
        print(name)


main()
