#!/usr/bin/env python3
"""Lists the functions longer than the project allows (60 lines in the CLI:
parse, one library call, render; 80 in the library) and exits 1 if there
are any. Test code is not counted. A function's length is from its `fn`
line to its closing brace. .ci/run runs it."""
import pathlib
import re
import sys

LIMITS = {"crates/dalgo-cli/src": 60, "crates/dalgo/src": 80}
FN = re.compile(r"^(\s*)(pub(\([a-z]+\))? )?(async )?(unsafe )?fn (\w+)")


def functions(path):
    lines = path.read_text().splitlines()
    in_tests = None
    i = 0
    while i < len(lines):
        line = lines[i]
        if re.match(r"^\s*#\[cfg\(test\)\]", line):
            in_tests = len(line) - len(line.lstrip())
        m = FN.match(line)
        if m and in_tests is None:
            indent = m.group(1)
            j = i
            # A body ends at the first line that closes at the fn's indentation.
            closes = lambda text: text.startswith(indent + "}") and len(text) - len(text.lstrip()) == len(indent)
            while j < len(lines) and not closes(lines[j]):
                j += 1
            if "{" in "".join(lines[i:j + 1]):
                yield m.group(6), i + 1, j - i + 1
            i = j
        i += 1


def main():
    bad = []
    for root, limit in LIMITS.items():
        for path in sorted(pathlib.Path(root).rglob("*.rs")):
            for name, line, length in functions(path):
                if length > limit:
                    bad.append(f"{path}:{line}: fn {name} is {length} lines (limit {limit})")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
