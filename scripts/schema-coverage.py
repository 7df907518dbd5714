#!/usr/bin/env python3
"""Schema coverage: how much of DIMO's upstream Identity/Telemetry SDL fleetmock serves.

Usage: scripts/schema-coverage.py UPSTREAM_DIR [--rev REV] [--missing]

UPSTREAM_DIR holds identity-schema/ and telemetry-schema/ (*.graphqls). The served SDL is read
from Sources/DIMOMock/Schema/{Identity,Telemetry}Schema.swift in the working tree; --rev also
measures that git revision (e.g. HEAD, the SDK-era set) and reports how much of it is still served.

Members are: every type, `Type.field`, `Type.field(arg)`, `Input.field`, `Enum.VALUE`, union
member. A member counts as served when its name is present; `mismatched` counts served fields or
arguments whose type text (nullability, list shape) differs. A regex-level parser, no dependencies.
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SWIFT = {"identity": "Sources/DIMOMock/Schema/IdentitySchema.swift",
         "telemetry": "Sources/DIMOMock/Schema/TelemetrySchema.swift"}


def strip(sdl):
    """Removes descriptions, comments and directive applications."""
    sdl = re.sub(r'"""[\s\S]*?"""', " ", sdl)
    sdl = re.sub(r'"(?:[^"\\\n]|\\.)*"', '""', sdl)
    sdl = re.sub(r"#[^\n]*", " ", sdl)
    return sdl


def drop_directives(text):
    """Removes `@name` and `@name(...)` with balanced parentheses."""
    out, i = [], 0
    while i < len(text):
        if text[i] == "@":
            m = re.match(r"@\w+", text[i:])
            i += m.end() if m else 1
            j = i
            while j < len(text) and text[j].isspace():
                j += 1
            if j < len(text) and text[j] == "(":
                depth = 0
                while j < len(text):
                    depth += {"(": 1, ")": -1}.get(text[j], 0)
                    j += 1
                    if depth == 0:
                        break
                i = j
            continue
        out.append(text[i])
        i += 1
    return "".join(out)


def split_args(text):
    """`a: Int!, b: [X!] = 1` → [(a, Int!), (b, [X!])]."""
    return [(m.group(1), m.group(2).replace(" ", "")) for m in
            re.finditer(r"(\w+)\s*:\s*([\w\[\]!\s]+?)(?=\s*(?:=|\w+\s*:|$))", text.replace(",", " "))]


def parse(sdl):
    """Members of one SDL text: {member: type text or None}."""
    sdl = strip(sdl)
    sdl = re.sub(r"directive\s+@\w+(\([^)]*\))?\s+(repeatable\s+)?on\s+[\w\s|]+?(?=\n\s*\n|\n\s*(type|input|enum|scalar|union|interface|directive|extend|schema)\b)", " ", sdl)
    sdl = drop_directives(sdl)
    members = {}
    for m in re.finditer(r"\bscalar\s+(\w+)", sdl):
        members[m.group(1)] = "scalar"
    for m in re.finditer(r"\bunion\s+(\w+)\s*=\s*\|?\s*([\w\s|]+?)(?=\n\s*\n|\n\s*(?:type|input|enum|scalar|union|interface|extend)\b|$)", sdl):
        members[m.group(1)] = "union"
        for t in re.split(r"[\s|]+", m.group(2).strip()):
            if t:
                members[f"{m.group(1)}|{t}"] = None
    for m in re.finditer(r"\b(?:extend\s+)?(type|input|interface|enum)\s+(\w+)[^{]*\{([^{}]*)\}", sdl):
        kind, name, body = m.groups()
        members.setdefault(name, kind)
        if kind == "enum":
            for v in re.findall(r"\b([A-Za-z_]\w*)\b", body):
                members[f"{name}.{v}"] = None
            continue
        for f in re.finditer(r"(\w+)\s*(\(([^()]*)\))?\s*:\s*([\w\[\]!\s]+?)(?=\s*(?:=\s*[^\n]+)?\s*(?:\w+\s*[(:]|$))", body):
            fname, _, args, ftype = f.groups()
            members[f"{name}.{fname}"] = ftype.replace(" ", "")
            for aname, atype in split_args(args or ""):
                members[f"{name}.{fname}({aname})"] = atype
    return members


def swift_sdl(text):
    """The SDL between `#\"\"\"` and `\"\"\"#` of a Swift schema file."""
    return "\n".join(re.findall(r'#"""([\s\S]*?)"""#', text))


def upstream(folder):
    return "\n".join(open(p).read() for p in sorted(glob.glob(os.path.join(folder, "*.graphqls"))))


def at_rev(rev, path):
    return subprocess.run(["git", "-C", ROOT, "show", f"{rev}:{path}"], capture_output=True, text=True, check=True).stdout


def compare(label, wanted, served, show_missing):
    present = [k for k in wanted if k in served]
    mismatched = [k for k in present if wanted[k] not in (None, "scalar", "type", "input", "enum", "interface", "union")
                  and served[k] != wanted[k]]
    pct = 100.0 * len(present) / max(1, len(wanted))
    print(f"  {label}: {len(present)}/{len(wanted)} members served ({pct:.1f} %), {len(mismatched)} with a different type")
    if show_missing:
        for k in sorted(set(wanted) - set(served)):
            print(f"    missing  {k}")
        for k in sorted(mismatched):
            print(f"    differs  {k}: upstream {wanted[k]}, served {served[k]}")


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    if not args:
        sys.exit(__doc__)
    rev = sys.argv[sys.argv.index("--rev") + 1] if "--rev" in sys.argv else None
    if rev in args:
        args.remove(rev)
    show = "--missing" in sys.argv
    for api, path in SWIFT.items():
        served = parse(swift_sdl(open(os.path.join(ROOT, path)).read()))
        current = parse(upstream(os.path.join(args[0], f"{api}-schema")))
        print(f"{api}:")
        compare("current upstream", current, served, show)
        if rev:
            era = parse(swift_sdl(at_rev(rev, path)))
            compare(f"current upstream, as of {rev}", current, era, False)
            compare(f"SDK-era set ({rev})", era, served, show)


if __name__ == "__main__":
    main()
