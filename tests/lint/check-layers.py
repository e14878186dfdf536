#!/usr/bin/env python3
# SPDX-License-Identifier: LGPL-2.1-or-later
"""Checks that lib/ keeps its layers (doc/architecture.md).

    check-layers.py LIB_DIR EXCEPTIONS_FILE

Three rules, for every .c and .h file under LIB_DIR:
  includes   a file includes private headers of its own layer and of the
             layers below it only (the files directly in lib/ are the base
             every layer may use);
  tags       sofia tag lists (SIPTAG_..., NTATAG_..., TAG_END...) appear in
             stack/ and message/ only: the layers above build messages
             through their helpers;
  names      a function named sipsv_<layer>_... is defined in that layer's
             folder.
EXCEPTIONS_FILE lists the violations that are known and still to be
removed, one per line as "RULE FILE WHAT" ('#' starts a comment). A
violation not listed fails the check, and so does a listed one that no
longer occurs: the list only shrinks.
Exit status: 0 clean, 1 violations, 99 usage.
"""
import os
import re
import sys

# The layers from the bottom up, and what each may include besides itself.
BELOW = {
    "stack": [],
    "address": [],
    "message": ["stack", "address"],
    "session": ["message", "stack", "address"],
    "servlet": ["session", "message", "stack", "address"],
    "runtime": ["servlet", "session", "message", "stack", "address"],
    # ua/ answers digest challenges as a client (client-auth.c): it uses
    # auth/, a service that needs nothing above message/.
    "ua": ["runtime", "servlet", "session", "auth", "message", "stack", "address"],
    "proxy": ["ua", "runtime", "servlet", "session", "message", "stack", "address"],
    "b2bua": ["ua", "runtime", "servlet", "session", "message", "stack", "address"],
    "location": ["address"],
    # A service above the message layer: it reads sofia's parsed
    # credentials (msg_auth_t) but needs none of our layers yet.
    "auth": ["message", "stack", "address"],
    # Applications, servlet selection and the application router: what
    # the container composes; they use the roles' public face only.
    "application": ["runtime", "servlet", "session", "message", "stack", "address"],
    "container": ["application", "b2bua", "ua", "proxy", "location", "auth", "runtime",
                  "servlet", "session", "message", "stack", "address"],
}
TAG_LAYERS = {"stack", "message"}
TAG = re.compile(r"\b(?:SIPTAG|NTATAG|TPTAG|URLTAG|SUTAG|SOATAG|NUTAG)_[A-Z0-9_]+"
                 r"|\bTAG_(?:END|IF|NULL|SKIP|NEXT|ANY)\b")
INCLUDE = re.compile(r'^\s*#\s*include\s+"(?:([a-z0-9]+)/)?[^"/]+-private\.h"', re.M)
# A definition in GNU style: the function name starts its line.
DEFINITION = re.compile(r"^(sipsv_([a-z0-9]+)_\w*)\s*\(", re.M)
# Name prefixes that name a layer (sipsv_uas_... lives in ua/).
NAME_LAYER = {"stack": "stack", "message": "message", "session": "session",
              "servlet": "servlet", "runtime": "runtime", "uas": "ua", "uac": "ua", "ua": "ua", "proxy": "proxy",
              "b2bua": "b2bua", "container": "container", "location": "location",
              "auth": "auth"}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", lambda m: "\n" * m.group(0).count("\n"), text, flags=re.S)
    return re.sub(r"//[^\n]*", "", text)


def violations(lib):
    found = set()
    for layer in sorted(os.listdir(lib)):
        folder = os.path.join(lib, layer)
        if not os.path.isdir(folder):
            continue
        for name in sorted(os.listdir(folder)):
            if not name.endswith((".c", ".h")):
                continue
            rel = "%s/%s" % (layer, name)
            with open(os.path.join(folder, name), errors="replace") as f:
                text = strip_comments(f.read())
            for m in INCLUDE.finditer(text):
                target = m.group(1)
                if target is None or target == layer:
                    continue
                if layer not in BELOW or target not in BELOW.get(layer, []):
                    found.add(("includes", rel, target))
            if layer not in TAG_LAYERS:
                for tag in sorted(set(TAG.findall(text))):
                    found.add(("tags", rel, tag))
            for m in DEFINITION.finditer(text):
                home = NAME_LAYER.get(m.group(2))
                if home is not None and home != layer:
                    found.add(("names", rel, m.group(1)))
    return found


def main(argv):
    if len(argv) != 3:
        print(__doc__, file=sys.stderr)
        return 99
    lib, exceptions_file = argv[1], argv[2]
    known = set()
    with open(exceptions_file) as f:
        for number, line in enumerate(f, 1):
            line = line.split("#", 1)[0].split()
            if not line:
                continue
            if len(line) != 3 or line[0] not in ("includes", "tags", "names"):
                print("%s:%d: expected 'RULE FILE WHAT'" % (exceptions_file, number),
                      file=sys.stderr)
                return 99
            known.add(tuple(line))
    found = violations(lib)
    new = sorted(found - known)
    gone = sorted(known - found)
    explain = {"includes": "includes a private header of a layer above it or beside it:",
               "tags": "uses a sofia tag list outside stack/ and message/:",
               "names": "defines a function named after another layer:"}
    for rule, rel, what in new:
        print("lib/%s %s %s" % (rel, explain[rule], what))
    for rule, rel, what in gone:
        print("%s lists '%s %s %s', which no longer occurs: remove the line"
              % (exceptions_file, rule, rel, what))
    if new or gone:
        return 1
    print("layers kept: %d known exceptions left (%s)" % (len(known), exceptions_file))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
