#!/usr/bin/env python3
"""The desktop app's catalogs (resources/po) are complete and current.

Fails when resources/po/tern.pot is not what scripts/update-translations extracts from the
sources today (a message added, changed or removed without re-extracting), or when any of the
Arabic, Greek, Czech and Swedish catalogs lacks a message of tern.pot, has one untranslated or
fuzzy, has a wrong plural-forms header, or loses a keyboard accelerator or shortcut. msgfmt
--check (placeholders, plural forms) and msgcmp judge too.

usage: translations_complete.py SOURCE_DIR
"""
import os
import re
import subprocess
import sys
import tempfile

LANGUAGES = {"ar": 6, "cs": 3, "el": 2, "sv": 2}  # language: number of plural forms


def parse(path):
    """The messages of a .po/.pot file: {(msgctxt, msgid, msgid_plural): entry}; obsolete ones skipped."""
    entries, cur, last = {}, None, None

    def finish():
        if cur and "msgid" in cur and cur["msgid"] != "":
            entries[(cur.get("msgctxt"), cur["msgid"], cur.get("msgid_plural"))] = cur

    def unquote(text):
        body = text.strip()[1:-1]
        return re.sub(r'\\(.)', lambda m: {"n": "\n", "t": "\t", '"': '"', "\\": "\\"}.get(m.group(1), m.group(0)),
                      body)

    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if not line.strip():
                finish()
                cur, last = None, None
                continue
            if cur is None:
                cur = {"flags": set(), "msgstr": {}}
            if line.startswith("#~"):
                cur["obsolete"] = True
                continue
            if line.startswith("#,"):
                cur["flags"] |= {f.strip() for f in line[2:].split(",")}
                continue
            if line.startswith("#"):
                continue
            m = re.match(r'(msgctxt|msgid_plural|msgid|msgstr(?:\[(\d+)\])?)\s+(".*")$', line)
            if m:
                key = m.group(1)
                value = unquote(m.group(3))
                if key.startswith("msgstr"):
                    last = ("msgstr", int(m.group(2) or 0))
                    cur["msgstr"][last[1]] = value
                else:
                    last = (key, None)
                    cur[key] = value
            elif line.startswith('"') and last:
                if last[0] == "msgstr":
                    cur["msgstr"][last[1]] += unquote(line)
                else:
                    cur[last[0]] += unquote(line)
    finish()
    return {k: v for k, v in entries.items() if not v.get("obsolete")}


def header(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r'msgid ""\nmsgstr ""\n((?:".*"\n)+)', text)
    return "".join(line[1:-1] for line in m.group(1).splitlines()).replace("\\n", "\n") if m else ""


def shortcut(text):
    """The accelerator suffix of a menu item ("\\tCtrl+Q"), or None."""
    return text[text.index("\t"):] if "\t" in text else None


def mnemonics(text):
    return len(re.findall(r"&(?!&)", text.replace("&&", "")))


def check_catalog(source, pot, lang, nplurals, failures):
    po = os.path.join(source, "resources/po", f"{lang}.po")
    if not os.path.exists(po):
        failures.append(f"{lang}: resources/po/{lang}.po is missing")
        return
    run = subprocess.run(["msgfmt", "--check", "--statistics", "--output-file=/dev/null", po],
                         capture_output=True, text=True)
    stats = (run.stdout + run.stderr).strip()
    if run.returncode != 0:
        failures.append(f"{lang}: msgfmt --check fails: {stats}")
    if "fuzzy" in stats or "untranslated" in stats:
        failures.append(f"{lang}: {stats}")
    cmp = subprocess.run(["msgcmp", po, os.path.join(source, "resources/po/tern.pot")], capture_output=True, text=True)
    if cmp.returncode != 0:
        failures.append(f"{lang}: msgcmp: {cmp.stderr.strip()}")

    head = header(po)
    m = re.search(r"Plural-Forms:\s*nplurals\s*=\s*(\d+)", head)
    if not m or int(m.group(1)) != nplurals:
        failures.append(f"{lang}: the header must say nplurals={nplurals}")
    if not re.search(rf"^Language: {lang}$", head, re.M):
        failures.append(f"{lang}: the header must say 'Language: {lang}'")

    messages = parse(po)
    for key in sorted(set(pot) - set(messages), key=str):
        failures.append(f"{lang}: missing {key[1]!r}")
    for key in sorted(set(messages) - set(pot), key=str):
        failures.append(f"{lang}: not in tern.pot (run scripts/update-translations): {key[1]!r}")
    for key, entry in messages.items():
        msgid = key[1]
        if "fuzzy" in entry["flags"]:
            failures.append(f"{lang}: fuzzy {msgid!r}")
        forms = entry["msgstr"]
        expected = nplurals if key[2] is not None else 1
        if len(forms) != expected or not all(forms.get(i) for i in range(expected)):
            failures.append(f"{lang}: untranslated {msgid!r}")
            continue
        for text in forms.values():
            if shortcut(text) != shortcut(msgid):
                failures.append(f"{lang}: the shortcut of {msgid!r} must stay {shortcut(msgid)!r}: {text!r}")
            if mnemonics(text) != mnemonics(msgid):
                failures.append(f"{lang}: {msgid!r} has {mnemonics(msgid)} '&' accelerator(s), {text!r} has "
                                f"{mnemonics(text)}")


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source = sys.argv[1]
    failures = []
    committed = os.path.join(source, "resources/po/tern.pot")
    if not os.path.exists(committed):
        print("resources/po/tern.pot is missing: run scripts/update-translations")
        return 1
    pot = parse(committed)

    with tempfile.TemporaryDirectory() as tmp:
        fresh_path = os.path.join(tmp, "tern.pot")
        subprocess.run([os.path.join(source, "scripts/update-translations"), "--extract", fresh_path], check=True)
        fresh = parse(fresh_path)
    for key in sorted(set(fresh) - set(pot), key=str):
        failures.append(f"tern.pot is out of date (run scripts/update-translations): new in the sources {key[1]!r}")
    for key in sorted(set(pot) - set(fresh), key=str):
        failures.append(f"tern.pot is out of date (run scripts/update-translations): gone from the sources {key[1]!r}")
    for key in sorted(set(pot) & set(fresh), key=str):
        if pot[key]["flags"] != fresh[key]["flags"]:
            failures.append(f"tern.pot is out of date: the flags of {key[1]!r} changed")

    for lang, nplurals in LANGUAGES.items():
        check_catalog(source, pot, lang, nplurals, failures)

    for failure in failures:
        print(failure)
    if failures:
        print(f"{len(failures)} problem(s) in the translations")
        return 1
    print(f"{len(pot)} messages, translated in full in {', '.join(sorted(LANGUAGES))}; tern.pot matches the sources")
    return 0


if __name__ == "__main__":
    sys.exit(main())
