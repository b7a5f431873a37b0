#!/usr/bin/env bash
# The test command (README "Run the tests"). Installs what the tests need on a fresh Debian machine, then runs
# every test project. End-to-end tests use the host's apt mirror, real dpkg, debootstrap, mmdebstrap and podman.
#   scripts/test.sh                 all tests
#   scripts/test.sh --unit          only the fast hermetic tests (no network, no root needed for most)
#   extra arguments after the mode are passed to `dotnet test` (e.g. --filter ...)
set -euo pipefail
cd "$(dirname "$0")/.."

mode=all
if [ "${1:-}" = "--unit" ]; then mode=unit; shift; fi

# Debian packages the tests use, and why:
#   gcc libc6-dev            the sandbox helper (src/Bootstrapper.Engine/Sandbox/bootstrap-sandbox.c), the static
#                            maintainer-script helpers' stand-in beside it, and the static escape program of the
#                            sandbox tests
#   debootstrap mmdebstrap   oracles for the package set and file list
#   debuerreotype            the oracle for the official images (tests/Bootstrapper.EndToEnd/Official; its tars are
#                            kept in /var/tmp/bootstrap-debuerreotype per archive state, ~2 min when made afresh)
#   podman runc uidmap       import and run the built image
#   busybox-static musl-tools  /bin/sh and tiny static binaries for the generated Alpine repositories
#   libcap2-bin              setcap/getcap for the xattr round-trip test of the packer
#   xz-utils zstd            reading our compressed outputs with the reference tools
#   alpine-chroot-install    the real Alpine public keys (compared with the committed copies)
#   gpg gpgv                 OpenPGP interop: what gpg signs we verify, what we generate gpgv verifies
#   debian-archive-keyring   the host mirror tests verify real InRelease files with it
#   node-spdx-license-ids node-spdx-exceptions   SPDX licence lists (JSON) for the SBOM licence tests
#   qemu-user-static binfmt-support  arm64 builds and containers on an amd64 host (Architectures tests): qemu-user
#                            registered in binfmt_misc with the F flag, which works inside the build's sandbox
#   openssl binutils bzip2 util-linux  signing the reference Alpine repository, ar(1) and bzip2 for archive
#                            agreement tests, unshare
#   docker-registry skopeo umoci apache2-utils  OCI images: a real registry on 127.0.0.1 to push to, skopeo and
#                            umoci to inspect and unpack what we write, htpasswd for the registry's basic auth
packages=(gcc libc6-dev debootstrap mmdebstrap debuerreotype podman runc uidmap busybox-static musl-tools libcap2-bin xz-utils zstd
          alpine-chroot-install dpkg-dev python3 gpg gpgv debian-archive-keyring node-spdx-license-ids
          node-spdx-exceptions qemu-user-static binfmt-support openssl binutils bzip2 util-linux docker-registry skopeo umoci
          apache2-utils)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# The resolution oracles read apt's lists (apt-get indextargets): refresh them once per run when we can.
if [ "$(id -u)" -eq 0 ]; then apt-get update -qq || echo "test.sh: apt-get update failed; continuing" >&2; fi
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "test.sh: missing Debian packages: ${missing[*]}; run as root or install them first" >&2
    exit 2
  fi
  echo "test.sh: installing ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
# In a container binfmt_misc may not be mounted, so installing qemu-user-static registered nothing.
if [ "$(id -u)" -eq 0 ] && [ ! -e /proc/sys/fs/binfmt_misc/qemu-aarch64 ]; then
  [ -e /proc/sys/fs/binfmt_misc/status ] || mount -t binfmt_misc binfmt_misc /proc/sys/fs/binfmt_misc || true
  update-binfmts --enable qemu-aarch64 || echo "test.sh: could not register qemu-aarch64; the arm64 tests will fail" >&2
fi

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
dotnet build Bootstrapper.sln -c Release -nologo -v q

results=$(mktemp -d /tmp/bootstrap-test-results.XXXXXX)
projects=(tests/Bootstrapper.Tests)
[ "$mode" = all ] && projects+=(tests/Bootstrapper.EndToEnd)
status=0
for project in "${projects[@]}"; do
  dotnet test "$project" -c Release --no-build --logger "console;verbosity=normal" \
    --logger "trx;LogFileName=$(basename "$project").trx" --results-directory "$results" "$@" || status=1
done

# One plain closing line over every project, from the TRX counters (dotnet test prints one summary per project).
python3 - "$results" <<'PY'
import glob, sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
for f in glob.glob(sys.argv[1] + '/*.trx'):
    c = ET.parse(f).getroot().find('.//{*}Counters')
    passed += int(c.get('passed', 0)); failed += int(c.get('failed', 0)) + int(c.get('error', 0))
    # xunit v3's TRX leaves notExecuted at 0 and marks skipped tests as not executed: count them as total - executed.
    skipped += max(int(c.get('notExecuted', 0)), int(c.get('total', 0)) - int(c.get('executed', c.get('total', 0))))
print(f"Tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
rm -rf "$results"
exit $status
