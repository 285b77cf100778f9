#!/usr/bin/env python3
"""Adds or replaces UI strings in the en, fi and sv resource files at once.

   infra/i18n/add-strings.py strings.tsv     (key <TAB> English <TAB> Finnish <TAB> Swedish)

Keeps the files sorted by key so that diffs stay small and the three files line up.
"""
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

root = Path(__file__).resolve().parents[2] / "Portal.Web" / "Resources"
files = {"en": root / "SharedResource.resx", "fi": root / "SharedResource.fi.resx", "sv": root / "SharedResource.sv.resx"}


def load(path):
    tree = ET.parse(path)
    return tree, {d.get("name"): d.find("value").text or "" for d in tree.getroot().findall("data")}


def write(path, tree, values):
    headers = "".join(
        f'  <resheader name="{h.get("name")}"><value>{escape(h.find("value").text or "")}</value></resheader>\n'
        for h in tree.getroot().findall("resheader"))
    body = "".join(
        f'  <data name="{escape(k)}" xml:space="preserve"><value>{escape(v)}</value></data>\n'
        for k, v in sorted(values.items()))
    path.write_text('<?xml version="1.0" encoding="utf-8"?>\n<root>\n' + headers + body + "</root>\n", encoding="utf-8")


def escape(text):
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


rows = []
for line in Path(sys.argv[1]).read_text(encoding="utf-8").splitlines():
    if line.strip() and not line.startswith("#"):
        parts = line.split("\t")
        if len(parts) != 4:
            sys.exit(f"expected 4 tab-separated columns: {line!r}")
        rows.append(parts)

for index, (language, path) in enumerate(files.items()):
    tree, values = load(path)
    for row in rows:
        values[row[0]] = row[index + 1]
    write(path, tree, values)
print(f"{len(rows)} strings written to {', '.join(files)}")
