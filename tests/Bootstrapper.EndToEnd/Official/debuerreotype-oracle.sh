#!/usr/bin/env bash
# The official-image oracle: Debian's own debuerreotype (the `debuerreotype` package) run the way its
# examples/debian.sh runs it, but against a given mirror instead of Debian's snapshot archive (which this machine
# cannot reach), so `debuerreotype-init --non-debian`. Writes OUT/rootfs.tar and OUT/rootfs-slim.tar and OUT/epoch (the
# suite's InRelease Date, the epoch debuerreotype-init uses; build ours with the same one).
# Usage: debuerreotype-oracle.sh SUITE MIRROR SECURITY_MIRROR OUT   (root; network to the mirrors)
set -Eeuo pipefail
suite="$1"; mirror="$2"; securityMirror="$3"; out="$4"
export TZ='UTC' LC_ALL='C'
mkdir -p "$out"
tmp="$(mktemp --directory --tmpdir "debuerreotype-oracle.$suite.XXXXXXXXXX")"
trap 'rm -rf "$tmp"' EXIT
rootfs="$tmp/rootfs"

# debootstrap minbase, merged /usr (debuerreotype-init's default), keys from the host's debian-archive-keyring.
debuerreotype-init --non-debian --arch amd64 --keyring /usr/share/keyrings/debian-archive-keyring.gpg \
	"$rootfs" "$suite" "$mirror" > "$tmp/init.log" 2>&1 || { cat "$tmp/init.log" >&2; exit 1; }

# The sources debuerreotype-debian-sources-list writes (deb822 for apt >= 2.3: SUITE and SUITE-updates on the
# archive, SUITE-security on the security archive, Signed-By the archive keyring). It finds the mirrors by probing
# Debian's snapshot archive, so it is written here the same way, naming the mirrors given; debuerreotype puts a comment
# line with the snapshot URL above URIs, left out here (README: "Matching Debian's official images").
cat > "$rootfs/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $suite $suite-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: $securityMirror
Suites: $suite-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
chmod 0644 "$rootfs/etc/apt/sources.list.d/debian.sources"
rm -f "$rootfs/etc/apt/sources.list"

# examples/debian.sh from here on.
debuerreotype-minimizing-config "$rootfs"
debuerreotype-apt-get "$rootfs" update -qq
debuerreotype-apt-get "$rootfs" dist-upgrade -yqq > "$tmp/upgrade.log" 2>&1 || { cat "$tmp/upgrade.log" >&2; exit 1; }
mkdir "$rootfs-slim"
tar -cC "$rootfs" . | tar -xC "$rootfs-slim"
debuerreotype-slimify "$rootfs-slim"
for variant in rootfs rootfs-slim; do
	debuerreotype-tar "$tmp/$variant" "$out/$variant.tar.partial"
	mv "$out/$variant.tar.partial" "$out/$variant.tar"
done
cat "$rootfs/debuerreotype-epoch" > "$out/epoch"
