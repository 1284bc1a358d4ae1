#!/usr/bin/env python3
"""Lists the @tr() strings of ui/*.slint and merges them into each
assets/translations/<lang>/LC_MESSAGES/gig-kiosk.po: new strings are added
with an empty translation, strings no longer used are dropped, existing
translations are kept. Run after changing UI text, then translate the empty
entries (the test `translations_are_complete` fails until they are).

    python3 assets/translations/extract.py
"""
import glob, os, re

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
TR = re.compile(r'@tr\("((?:[^"\\]|\\.)*)"')


def ui_strings():
    found = {}
    for path in sorted(glob.glob(os.path.join(ROOT, "ui", "**", "*.slint"), recursive=True)):
        text = open(path, encoding="utf-8").read()
        for m in TR.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.setdefault(m.group(1), f"{os.path.relpath(path, ROOT)}:{line}")
    return found


def read_po(path):
    entries, msgid, mode = {}, None, None
    if not os.path.exists(path):
        return entries
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("msgid "):
            msgid, mode = line[7:-1], "id"
        elif line.startswith("msgstr "):
            entries[msgid] = line[8:-1]
            mode = "str"
        elif line.startswith('"') and mode == "str" and msgid is not None:
            entries[msgid] += line[1:-1]
    return entries


def write_po(path, lang, strings, old):
    out = [
        'msgid ""',
        'msgstr ""',
        '"Content-Type: text/plain; charset=UTF-8\\n"',
        f'"Language: {lang}\\n"',
        "",
    ]
    for s, where in sorted(strings.items(), key=lambda kv: kv[1]):
        out += [f"#: {where}", f'msgid "{s}"', f'msgstr "{old.get(s, "")}"', ""]
    open(path, "w", encoding="utf-8").write("\n".join(out))


if __name__ == "__main__":
    strings = ui_strings()
    for po in glob.glob(os.path.join(HERE, "*", "LC_MESSAGES", "gig-kiosk.po")):
        lang = po.split(os.sep)[-3]
        old = read_po(po)
        write_po(po, lang, strings, old)
        missing = [s for s in strings if not old.get(s)]
        print(f"{lang}: {len(strings)} strings, {len(missing)} untranslated")
