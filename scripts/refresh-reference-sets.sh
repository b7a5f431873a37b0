#!/bin/sh
# Regenerates tests/data/reference-sets/*.txt: the package sets the reference tools install for Debian bookworm
# (main): amd64 essential, apt and minbase, and minbase for arm64, armhf and i386 (foreign architectures need
# qemu-user-static and binfmt-support; mmdebstrap runs their maintainer scripts under qemu, ~1-2 min each). Used as
# the oracle by tests/Bootstrapper.EndToEnd/Resolution and .../Architectures.
#
# Usage: scripts/refresh-reference-sets.sh [ARCH...]   (default: amd64 arm64 armhf i386)
#
# Why recorded and not computed in the test: mmdebstrap --simulate cannot run setup hooks, so it cannot show what
# the merged-usr hook changes (apt then picks usrmerge and drags in perl). Only a real run gives the set, ~20 s each.
# debootstrap --print-debs is fast and is also run live by the tests; its list is recorded here for reference.
#
# Needs root, debootstrap and mmdebstrap. Mirrors come from the host's apt sources (never hard-coded).
set -eu

here=$(cd "$(dirname "$0")/.." && pwd)
out="$here/tests/data/reference-sets"
mkdir -p "$out"

# First URI that serves a given suite, from /etc/apt/sources.list.d/*.sources (deb822) or *.list / sources.list.
mirror_for() {
	suite=$1
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -e "$f" ] || continue
		awk -v s="$suite" '
			/^[ \t]*$/ { if (ok && uri != "") { print uri; exit } uri=""; ok=0; next }
			tolower($1) == "uris:" { uri=$2 }
			tolower($1) == "suites:" { for (i = 2; i <= NF; i++) if ($i == s) ok=1 }
			END { if (ok && uri != "") print uri }' "$f"
	done
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
		awk -v s="$suite" '$1 == "deb" { u=$2; su=$3; if ($2 ~ /^\[/) { u=$3; su=$4 } if (su == s) print u }'
}

main=$(mirror_for bookworm | head -n 1)
security=$(mirror_for bookworm-security | head -n 1)
[ -n "$main" ] || { echo "no apt source serves bookworm" >&2; exit 1; }

sources="deb $main bookworm bookworm-updates main"
[ -n "$security" ] && security_source="deb $security bookworm-security main" || security_source=""

stamp() {
	printf '# %s\n' "$1"
	printf '# generated %s by scripts/refresh-reference-sets.sh\n' "$(date -u +%Y-%m-%dT%H:%MZ)"
}

[ $# -gt 0 ] || set -- amd64 arm64 armhf i386
for arch in "$@"; do
for variant in essential apt minbase; do
	[ "$arch" = amd64 ] || [ "$variant" = minbase ] || continue
	tmp=$(mktemp)
	# A real run (root mode, no tarball kept): the customize hook lists what dpkg has installed in the chroot.
	mmdebstrap --quiet --variant="$variant" --arch="$arch" --format=null \
		--hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
		--customize-hook='chroot "$1" dpkg-query --show --showformat "\${Package}\n" > '"$tmp" \
		bookworm /dev/null "$sources" ${security_source:+"$security_source"}
	{ stamp "mmdebstrap $(mmdebstrap --version | awk '{print $2}') --variant=$variant --arch=$arch --hook-dir=.../hooks/merged-usr bookworm (+updates, security) main"
	  sort -u "$tmp"; } > "$out/bookworm-$arch-mmdebstrap-$variant.txt"
	rm -f "$tmp"
done
done

case " $* " in *" amd64 "*) ;; *) wc -l "$out"/*.txt; exit 0 ;; esac
target=$(mktemp -d)
{ stamp "debootstrap $(dpkg-query -W -f '${Version}' debootstrap) --print-debs --variant=minbase bookworm main amd64"
  debootstrap --print-debs --variant=minbase bookworm "$target" "$main" | tr ' ' '\n' | grep -v '^$' | sort -u; } \
	> "$out/bookworm-amd64-debootstrap-minbase.txt"
rm -rf "$target"
wc -l "$out"/*.txt
