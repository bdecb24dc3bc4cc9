#!/usr/bin/python3
"""Fill a template's @NAME@ markers from KEY=VALUE arguments; an unfilled marker is an error."""
import re
import sys


def main(argv):
    if len(argv) < 3:
        sys.exit("usage: render.py TEMPLATE OUTPUT [KEY=VALUE...]")
    template, output = argv[1], argv[2]
    values = dict(arg.split("=", 1) for arg in argv[3:])
    with open(template, encoding="utf-8") as f:
        text = f.read()
    missing = sorted(set(re.findall(r"@([A-Z0-9_]+)@", text)) - values.keys())
    if missing:
        sys.exit(f"render.py: {template}: no value for {', '.join(missing)}")
    text = re.sub(r"@([A-Z0-9_]+)@", lambda m: values[m.group(1)], text)
    with open(output, "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main(sys.argv)
