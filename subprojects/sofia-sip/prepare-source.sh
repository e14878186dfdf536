#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Makes subprojects/sofia-sip/source/: Debian's source package (fetched by
# fetch-source.sh) unpacked by dpkg-source, which applies Debian's own
# patches first (the CVE fixes among them), then our series from
# patches/series in its order. meson.build runs this at configure time;
# the stamp (a hash of the package files and of our series) makes it do
# nothing when the tree is current, and a changed patch re-creates it.
set -eu

here=$(cd "$(dirname "$0")" && pwd)
cache="$here/../packagecache"
dest="$here/source"

"$here/fetch-source.sh"
dsc=$(ls "$cache"/sofia-sip_*.dsc)

stamp=$( (cat "$dsc"; cat "$here/patches/series";
  sed -e '/^#/d' -e '/^$/d' "$here/patches/series" |
    while read -r p; do cat "$here/patches/$p"; done) | sha256sum | cut -d' ' -f1)
if [ -f "$dest/.libsipservlet-stamp" ] && [ "$(cat "$dest/.libsipservlet-stamp")" = "$stamp" ]; then
  exit 0
fi

command -v dpkg-source > /dev/null || { echo "prepare-source.sh: dpkg-source is missing: apt-get install dpkg-dev" >&2; exit 1; }
tmp="$dest.tmp.$$"
rm -rf "$tmp"
trap 'rm -rf "$tmp"' EXIT
# --no-check: fetch-source.sh has checked the files against pinned checksums.
dpkg-source --no-check --no-copy -x "$dsc" "$tmp" > /dev/null
sed -e '/^#/d' -e '/^$/d' "$here/patches/series" | while read -r p; do
  if ! patch -d "$tmp" -p1 -s --no-backup-if-mismatch < "$here/patches/$p"; then
    echo "prepare-source.sh: patches/$p does not apply" >&2
    exit 1
  fi
done
echo "$stamp" > "$tmp/.libsipservlet-stamp"
rm -rf "$dest"
mv "$tmp" "$dest"
trap - EXIT
