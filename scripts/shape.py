#!/usr/bin/env python3
"""The shape rules of issue 8, checked on every CI run.

- no function under a crate's `src/` is longer than 120 lines;
- no file in `crates/redress-web/src` is longer than 800 lines.

Functions are found by their `fn` line and measured to the brace that closes
their body; strings, characters and comments are skipped while matching.
Exits 1 and lists the offenders when a rule is broken.
"""
import pathlib
import re
import sys

MAX_FN_LINES = 120
MAX_WEB_FILE_LINES = 800
FN_START = re.compile(r"^\s*(pub(\([a-z]+\))?\s+)?(async\s+)?(const\s+)?(unsafe\s+)?fn\s+(\w+)")


def strip_code(text):
    """The text with strings, chars and comments blanked, newlines kept."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            i = j
            continue
        if text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        m = re.match(r'r(#*)"', text[i:i + 10])
        if m and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "_")):
            close = '"' + m.group(1)
            j = text.find(close, i + len(m.group(0)))
            j = n if j < 0 else j + len(close)
            out.append(re.sub(r"[^\n]", " ", text[i:j]))
            i = j
            continue
        if c == '"':
            j = i + 1
            while j < n and text[j] != '"':
                j += 2 if text[j] == "\\" else 1
            out.append(re.sub(r"[^\n]", " ", text[i:j + 1]))
            i = j + 1
            continue
        if c == "'":
            m = re.match(r"'(\\.[^']*|[^\\'])'", text[i:i + 12])
            if m:
                out.append(" " * len(m.group(0)))
                i += len(m.group(0))
                continue
        out.append(c)
        i += 1
    return "".join(out)


def long_functions(path):
    code = strip_code(path.read_text()).split("\n")
    found = []
    for start, line in enumerate(code):
        m = FN_START.match(line)
        if not m:
            continue
        depth, opened = 0, False
        for end in range(start, len(code)):
            for ch in code[end]:
                if ch == ";" and not opened and depth == 0:
                    break
                if ch == "{":
                    depth += 1
                    opened = True
                elif ch == "}":
                    depth -= 1
            else:
                if opened and depth == 0:
                    length = end - start + 1
                    if length > MAX_FN_LINES:
                        found.append((path, start + 1, m.group(6), length))
                    break
                continue
            break
    return found


def main():
    root = pathlib.Path(__file__).resolve().parent.parent
    problems = []
    for path in sorted(root.glob("crates/*/src/**/*.rs")):
        for p, line, name, length in long_functions(path):
            problems.append(f"{p.relative_to(root)}:{line}: fn {name} is {length} lines (at most {MAX_FN_LINES})")
    for path in sorted(root.glob("crates/redress-web/src/**/*.rs")):
        lines = len(path.read_text().split("\n")) - 1
        if lines > MAX_WEB_FILE_LINES:
            problems.append(f"{path.relative_to(root)}: {lines} lines (at most {MAX_WEB_FILE_LINES})")
    for problem in problems:
        print(problem)
    if problems:
        print(f"shape: {len(problems)} problem(s)")
        return 1
    print("shape: every function and web file within its limit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
