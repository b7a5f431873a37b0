#!/bin/sh
# Records the file list of `debootstrap --variant=minbase bookworm` (the reference the install tests compare with).
# The mirror is the host's: the URIs of the first deb822 stanza in /etc/apt/sources.list.d/*.sources whose Suites
# name the suite.
# Output: debootstrap-minbase-bookworm.files next to this script, one "TYPE MODE UID:GID PATH" per line, sorted
# (TYPE from find -printf %y: f d l c b p s). Paths only, no contents. Left out: apt's downloaded lists (their
# file names carry the mirror's host name) and the downloaded .debs (names carry versions); our finalize step
# removes both, so they would only be expected differences.
# Needs root and the Debian package debootstrap. Takes ~40 s.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
suite=${SUITE:-bookworm}
mirror=$(awk -v s="$suite" '/^$/ { u = "" } /^URIs:/ { u = $2 } /^Suites:/ { for (i = 2; i <= NF; i++) if ($i == s && u != "") { print u; exit } }' /etc/apt/sources.list.d/*.sources)
[ -n "$mirror" ] || { echo "no mirror found in /etc/apt/sources.list.d/*.sources" >&2; exit 1; }
target=$(mktemp -d /var/tmp/debootstrap-ref.XXXXXX)
trap 'rm -rf "$target"' EXIT
debootstrap --variant=minbase "$suite" "$target" "$mirror" >/dev/null
(cd "$target" && find . -mindepth 1 -printf '%y %m %U:%G %P\n' |
  grep -v -E ' var/lib/apt/lists/[^/]*_' | grep -v -E ' var/cache/apt/archives/[^/]*\.deb$' | LC_ALL=C sort -k4) > "$here/debootstrap-minbase-$suite.files"
echo "wrote $here/debootstrap-minbase-$suite.files ($(wc -l < "$here/debootstrap-minbase-$suite.files") entries)"
