#!/usr/bin/env python3
"""No Catch2 test case or section name in tests/ may start with '-' or contain ';'.

catch_discover_tests registers every test case with CTest, which runs it as `test-binary "<name>"`:
Catch reads a name that starts with '-' as an option, so that test can never run (it fails, or
worse, runs something else). Sections are named on the command line the same way (`-c NAME`).
A ';' is CMake's list separator: the registered name is cut in two and neither half runs the test.
Usage: catch_test_names.py SOURCE_DIR
"""
import os
import re
import sys

MACROS = ("TEST_CASE", "TEST_CASE_METHOD", "TEMPLATE_TEST_CASE", "TEMPLATE_TEST_CASE_METHOD",
          "TEMPLATE_PRODUCT_TEST_CASE", "TEMPLATE_LIST_TEST_CASE", "METHOD_AS_TEST_CASE",
          "SCENARIO", "SCENARIO_METHOD", "SECTION", "DYNAMIC_SECTION")
# The macro, '(', for the *_METHOD kinds a fixture or method first, then the name's string literal
# (plain or raw); the name may be on the next line.
PATTERN = re.compile(r"\b(?P<macro>%s)\s*\(\s*(?:[\w:<>&]+\s*,\s*)?"
                     r'(?:R"(?P<delim>[^(\s"\\]*)\((?P<raw>.*?)\)(?P=delim)"|"(?P<plain>(?:[^"\\\n]|\\.)*)")'
                     % "|".join(MACROS), re.S)
SOURCES = (".cpp", ".cc", ".cxx", ".hpp", ".h")


def names(text):
    """(macro, name, line) for every test case and section named in TEXT."""
    for m in PATTERN.finditer(text):
        name = m.group("raw") if m.group("raw") is not None else m.group("plain")
        yield m.group("macro"), name, text.count("\n", 0, m.start()) + 1


def bad(name):
    return name.lstrip().startswith("-") or ";" in name


def self_check():
    """The check must be able to fail: these must be caught, the last ones must not."""
    caught = ['TEST_CASE("--providers wins over TERN_PROVIDERS", "[providers]") {',
              'SECTION( " -x") {', 'TEST_CASE_METHOD(Fixture, "-a", "[f]") {', 'TEST_CASE(\n    "-b",\n "[t]")',
              'TEST_CASE(R"(-raw)", "[t]")', 'DYNAMIC_SECTION("-n" << i) {', 'SCENARIO("-s") {',
              'TEST_CASE("refused; then pinned", "[t]")']
    kept = ['TEST_CASE("the --providers option wins", "[providers]")', 'SECTION("a - b")',
            'TEST_CASE("x", "[-tag]")', 'MY_TEST_CASE("-not catch")']
    for sample in caught:
        found = list(names(sample))
        if len(found) != 1 or not bad(found[0][1]):
            sys.exit("catch_test_names: the pattern misses %r (found %r)" % (sample, found))
    for sample in kept:
        if any(bad(name) for _, name, _ in names(sample)):
            sys.exit("catch_test_names: the pattern wrongly flags %r" % sample)


def main(argv):
    if len(argv) != 2:
        sys.exit(__doc__)
    self_check()
    root = os.path.join(argv[1], "tests")
    checked, problems = 0, []
    for directory, _, files in os.walk(root):
        for file in sorted(files):
            if not file.endswith(SOURCES):
                continue
            path = os.path.join(directory, file)
            with open(path, encoding="utf-8", errors="replace") as f:
                text = f.read()
            for macro, name, line in names(text):
                checked += 1
                if bad(name):
                    problems.append("%s:%d: %s(\"%s\")" % (os.path.relpath(path, argv[1]), line, macro, name))
    if checked == 0:
        sys.exit("catch_test_names: no Catch2 test case found under %s: the check saw nothing" % root)
    if problems:
        print("Catch2 names that start with '-' (Catch takes them for options) or hold ';' (CMake splits them there): "
              "CTest can never run them:")
        print("\n".join(problems))
        return 1
    print("%d Catch2 test case and section names checked: none starts with '-' or holds ';'" % checked)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
