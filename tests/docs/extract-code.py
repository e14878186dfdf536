#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Writes the C code blocks of a Markdown page into one C file, so that the
build compiles the code the documentation shows.

    extract-code.py PAGE.md OUTPUT.c [FROM_HEADING [TO_HEADING]]

Takes the ```c blocks, in order, between the line FROM_HEADING and the line
TO_HEADING (default: the whole page), joined as they stand.
"""
import re
import sys


def main(argv):
    if len(argv) not in (3, 4, 5):
        print(__doc__, file=sys.stderr)
        return 99
    with open(argv[1]) as f:
        text = f.read()
    start = text.index(argv[3] + "\n") if len(argv) > 3 else 0
    end = text.index(argv[4] + "\n", start) if len(argv) > 4 else len(text)
    blocks = re.findall(r"^```c\n(.*?)^```$", text[start:end], re.S | re.M)
    if not blocks:
        print("%s: no C code block found" % argv[1], file=sys.stderr)
        return 1
    with open(argv[2], "w") as f:
        f.write("/* Generated from %s by tests/docs/extract-code.py. */\n" % argv[1])
        f.write("".join(blocks))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
