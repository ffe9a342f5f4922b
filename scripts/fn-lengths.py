#!/usr/bin/env python3
"""Lists the functions longer than the project allows (60 lines in the CLI:
parse, one library call, render; 80 in the library), and those taking more
than five parameters (`self` not counted: a sixth is a struct or a scope
waiting to be named), and exits 1 if there are any. Test code is not
counted. A function's length is from its `fn` line to its closing brace; a
trait's declaration without a body is not a function here.
.ci/run runs it."""
import pathlib
import re
import sys

LIMITS = {"crates/dalgo-cli/src": 60, "crates/dalgo/src": 80}
MAX_PARAMS = 5
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
        if m and in_tests is None and not declaration(lines, i):
            indent = m.group(1)
            j = i
            # A body ends at the first line that closes at the fn's indentation.
            closes = lambda text: text.startswith(indent + "}") and len(text) - len(text.lstrip()) == len(indent)
            while j < len(lines) and not closes(lines[j]):
                j += 1
            if "{" in "".join(lines[i:j + 1]):
                yield m.group(6), i + 1, j - i + 1, parameters("\n".join(lines[i:j + 1]))
            i = j
        i += 1


def declaration(lines, i):
    """Whether the `fn` at line i has no body (a trait's: its signature ends with `;`)."""
    for line in lines[i:]:
        code = line.split("//")[0].rstrip()
        if "{" in code:
            return False
        if code.endswith(";"):
            return True
    return False


def parameters(text):
    """How many parameters the first signature in `text` takes, `self` aside."""
    start = re.search(r"\bfn\s+\w+", text).end()
    depth, i = 0, start
    while i < len(text):  # the parameter list opens after any generics
        c = text[i]
        if c == "<":
            depth += 1
        elif c == ">" and text[i - 1] != "-":
            depth -= 1
        elif c == "(" and depth == 0:
            break
        i += 1
    depth, part, parts = 0, "", []
    for c in text[i + 1:]:
        if c in "([{<":
            depth += 1
        elif c in ")]}>" and not (c == ">" and part.endswith("-")):
            if depth == 0:
                break
            depth -= 1
        if c == "," and depth == 0:
            parts.append(part)
            part = ""
        else:
            part += c
    parts.append(part)
    named = [p.strip() for p in parts if p.strip()]
    return len([p for p in named if not re.match(r"^(&('\w+\s+)?)?(mut\s+)?self\b", p)])


def main():
    bad = []
    for root, limit in LIMITS.items():
        for path in sorted(pathlib.Path(root).rglob("*.rs")):
            for name, line, length, params in functions(path):
                if length > limit:
                    bad.append(f"{path}:{line}: fn {name} is {length} lines (limit {limit})")
                if params > MAX_PARAMS:
                    bad.append(f"{path}:{line}: fn {name} takes {params} parameters (limit {MAX_PARAMS})")
    for b in bad:
        print(b)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
