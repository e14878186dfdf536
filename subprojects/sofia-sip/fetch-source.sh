#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Downloads Debian's source package of the sofia-sip version that the
# bundled build is made from (the version Debian 12 ships), into
# subprojects/packagecache/, and checks it against the checksums below.
#
# The source entries come from this machine's own apt sources: every
# "deb" entry (deb822 *.sources or one-line *.list) is copied as
# "deb-src" into a private apt configuration under the cache, so no host
# is named here and the system's apt configuration is left as it is.
# Needs apt-get and dpkg-source (package dpkg-dev); does nothing when the
# files are already there and match.
set -eu

VERSION='1.12.11+20110422.1+1e14eea~dfsg-6'
# sha256 of the three files of that version.
DSC_SHA256='3a2f76739c816736aa7de81c26ea4913130f546b61780e25fce26848a165a239'
ORIG_SHA256='9aedd1f013d705488a77fcdf19b949906f542cdd9830a7847da8075b3164db09'
DEBIAN_SHA256='b2cefb7aa21460711221b23a9f3f077465438cf9d68fcf67bfbc86fdc1107648'

here=$(cd "$(dirname "$0")" && pwd)
cache="$here/../packagecache"
upstream=${VERSION%-*}
dsc="sofia-sip_${VERSION}.dsc"
orig="sofia-sip_${upstream}.orig.tar.xz"
debian="sofia-sip_${VERSION}.debian.tar.xz"

die () { echo "fetch-source.sh: $*" >&2; exit 1; }

matches () {
  [ -f "$cache/$1" ] && [ "$(sha256sum < "$cache/$1" | cut -d' ' -f1)" = "$2" ]
}

all_match () {
  matches "$dsc" "$DSC_SHA256" && matches "$orig" "$ORIG_SHA256" &&
    matches "$debian" "$DEBIAN_SHA256"
}

if all_match; then
  exit 0
fi

command -v apt-get > /dev/null || die "apt-get is missing: this needs a Debian system"
command -v dpkg-source > /dev/null || die "dpkg-source is missing: apt-get install dpkg-dev"

mkdir -p "$cache"
apt_dir=$(mktemp -d "$cache/apt.XXXXXX")
trap 'rm -rf "$apt_dir"' EXIT
mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial"

# deb822 files: "Types: deb" becomes "Types: deb-src".
found=0
for f in /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] || continue
  sed -E 's/^Types:.*$/Types: deb-src/' "$f" > "$apt_dir/sources.list.d/$(basename "$f")"
  found=1
done
# One-line files: each "deb" line is repeated as "deb-src".
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
  [ -f "$f" ] || continue
  sed -n -E 's/^[[:space:]]*deb[[:space:]]/deb-src /p' "$f" \
    >> "$apt_dir/sources.list.d/from-lists.list"
  found=1
done
[ "$found" = 1 ] || die "no apt sources found in /etc/apt to derive source entries from"

apt_opts="-o Dir::Etc::SourceList=/dev/null -o Dir::Etc::SourceParts=$apt_dir/sources.list.d \
  -o Dir::State::Lists=$apt_dir/lists -o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= \
  -o APT::Sandbox::User=root -q"
# shellcheck disable=SC2086
apt-get $apt_opts update > "$apt_dir/update.log" 2>&1 ||
  { cat "$apt_dir/update.log" >&2; die "apt-get update of the source entries failed"; }
# shellcheck disable=SC2086
if ! (cd "$cache" && apt-get $apt_opts source --download-only "sofia-sip=$VERSION") \
    > "$apt_dir/source.log" 2>&1; then
  cat "$apt_dir/source.log" >&2
  # shellcheck disable=SC2086
  available=$(apt-cache $apt_opts showsrc sofia-sip 2>/dev/null | sed -n 's/^Version: //p' | tr '\n' ' ' | sed 's/ $//')
  die "the archive no longer has sofia-sip $VERSION (it has: ${available:-none}).
The bundled build is pinned to that version: refresh the base as
doc/sofia-build.md says (new version, checksums, Debian's patches, ours)."
fi

all_match || die "the downloaded sofia-sip $VERSION does not match the pinned checksums"
