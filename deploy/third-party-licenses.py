#!/usr/bin/env python3
"""Collects the licence notices of everything the kiosk's binary contains:
every crate linked into `kiosk` for the target (normal dependencies, not
build or dev ones), with the licence files each crate ships, and the fonts
embedded in the binary (assets/fonts/COPYRIGHT.*).

    deploy/third-party-licenses.py [--target TRIPLE] OUT.txt

The Debian package installs the result as
/usr/share/doc/gig-kiosk/THIRD-PARTY-LICENSES.txt. A crate that ships no
licence file is listed with its SPDX expression and the standard text of
that licence (taken from a crate that ships it) follows at the end. Exits
non-zero if any crate has neither a file nor a licence expression.
"""

import json
import os
import re
import subprocess
import sys

LICENSE_FILE = re.compile(r"^(LICEN[CS]E|COPYING|COPYRIGHT|NOTICE|UNLICENSE)([-._].*)?$", re.I)


def main():
    args = sys.argv[1:]
    target = None
    if len(args) >= 2 and args[0] == "--target":
        target, args = args[1], args[2:]
    if len(args) != 1:
        sys.exit(__doc__)
    out_path = args[0]
    root_dir = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    if not target:
        vv = subprocess.check_output(["rustc", "-vV"], text=True)
        target = next(l.split(": ", 1)[1] for l in vv.splitlines() if l.startswith("host: "))
    cmd = ["cargo", "metadata", "--format-version", "1", "--locked", "--filter-platform", target]
    meta = json.loads(subprocess.check_output(cmd, cwd=root_dir))
    packages = {p["id"]: p for p in meta["packages"]}
    nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
    root = meta["resolve"]["root"]

    # Normal (linked) dependencies reachable from the kiosk.
    shipped, todo = set(), [root]
    while todo:
        pid = todo.pop()
        for dep in nodes[pid]["deps"]:
            kinds = {k["kind"] for k in dep["dep_kinds"]}
            if None in kinds and dep["pkg"] not in shipped:
                shipped.add(dep["pkg"])
                todo.append(dep["pkg"])

    crates = sorted((packages[p] for p in shipped), key=lambda p: (p["name"], p["version"]))
    standard = {}  # SPDX id -> text, from crates that ship it
    sections, missing = [], []
    for p in crates:
        d = os.path.dirname(p["manifest_path"])
        files = sorted(f for f in os.listdir(d) if LICENSE_FILE.match(f) and os.path.isfile(os.path.join(d, f)))
        # Slint and others keep their licences in a LICENSES/ directory (REUSE).
        if os.path.isdir(os.path.join(d, "LICENSES")):
            files += sorted(os.path.join("LICENSES", f) for f in os.listdir(os.path.join(d, "LICENSES")))
        lic = p.get("license") or ""
        head = f"{p['name']} {p['version']} — {lic or 'licence file only'}"
        if p.get("repository"):
            head += f"\n{p['repository']}"
        texts = []
        for f in files:
            with open(os.path.join(d, f), encoding="utf-8", errors="replace") as fh:
                text = fh.read().strip()
            texts.append(f"--- {f} ---\n{text}")
            if f.upper().endswith("APACHE"):
                standard.setdefault("Apache-2.0", text)
            if f.upper().endswith("MIT"):
                standard.setdefault("MIT", text)
        if not files:
            if p.get("license_file"):
                with open(os.path.join(d, p["license_file"]), encoding="utf-8", errors="replace") as fh:
                    texts.append(fh.read().strip())
            elif lic:
                texts.append(f"(no licence file in the crate: {lic}; standard texts at the end)")
                missing.append(lic)
            else:
                sys.exit(f"{p['name']} {p['version']}: no licence expression and no licence file")
        sections.append(head + "\n\n" + "\n\n".join(texts))

    fonts_dir = os.path.join(root_dir, "assets", "fonts")
    fonts = []
    for f in sorted(os.listdir(fonts_dir)):
        if f.startswith("COPYRIGHT."):
            with open(os.path.join(fonts_dir, f), encoding="utf-8") as fh:
                fonts.append(f"--- {f} ---\n{fh.read().strip()}")

    rule = "\n\n" + "=" * 78 + "\n\n"
    with open(out_path, "w", encoding="utf-8") as out:
        out.write(
            "gig-kiosk: third-party licence notices\n\n"
            "The kiosk program contains the following Rust crates and fonts. Each is\n"
            "listed with its licence and the licence files it ships.\n\n"
            "The Slint UI toolkit (crates i-slint-*, slint) is used under the GNU\n"
            "General Public License version 3: a kiosk that runs this program is an\n"
            "embedded device, for which Slint's royalty-free licence does not apply.\n"
            "See the README, \"Licences\".\n"
        )
        out.write(rule + "FONTS (embedded in the program as \"Kiosk Sans\")" + rule + "\n\n".join(fonts))
        out.write(rule + f"RUST CRATES ({len(crates)})" + rule + rule.join(sections))
        if missing:
            out.write(rule + "STANDARD LICENCE TEXTS" + rule)
            for spdx, text in sorted(standard.items()):
                out.write(f"{spdx} (the text as one of the crates above ships it):\n\n{text}\n\n")
    print(f"{out_path}: {len(crates)} crates, {len(fonts)} font notices")


if __name__ == "__main__":
    main()
