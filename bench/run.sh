#!/usr/bin/env bash
# Benchmark: our build against mmdebstrap and debootstrap, alternating in one run (the machine is noisy, so only
# ratios measured side by side mean anything). Prints a markdown table for the README.
#
#   bench/run.sh [PAIRS]        default 3 alternating rounds
#
# mmdebstrap runs with TMPDIR=/dev/shm: it then stages its root in RAM as we do (on this machine's ext4 with discard
# it is ~1.8x slower, which would flatter us).
# Each round runs, in order: bootstrap (warm cache), mmdebstrap minbase + merged-usr hook, bootstrap (cold cache:
# empty cache dir), debootstrap minbase. Wall time, CPU time and peak RSS come from GNU time (%e; %U+%S, which
# include waited-for children such as dpkg and maintainer scripts; %M: the largest resident set of the process
# tree's biggest member). On a shared, loaded machine CPU seconds say more about the work than wall time does. All use the host's apt mirror for bookworm, bookworm-updates and
# bookworm-security. Needs root.
# Each round also builds rootless (warm cache): the same recipe as user bootstrap-bench (created with subordinate
# ids if missing) in unshare mode; its ratio to the root warm build of the same round is printed.
# Each round also builds the in-house example (recipes/examples/inhouse-bookworm.toml: files, a user, a run step,
# time zone, image sources) with the same warm cache, and the same recipe without its customization (the same
# packages: ca-certificates and tzdata on top of minbase); the ratio between those two is what the customization
# itself costs, and the ratio to the plain warm build is printed too.
# Each round also prices the sandbox: 30 commands (/bin/true) in debootstrap's root through bootstrap-sandbox
# against 30 through plain chroot(8); the difference per command times the commands of a warm build (counted in
# its --verbose log) is what the sandbox adds to a build.
# Each round also builds bookworm minbase for arm64 (warm cache; its maintainer scripts run under qemu-user) against
# mmdebstrap --arch=arm64 (same hook), printed as their own pair. `bench/run.sh ROUNDS arm64` runs only that pair.
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${1:-3}
only=${2:-all}
for p in mmdebstrap debootstrap time python3 qemu-user-static binfmt-support arch-test; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || \
    { apt-get update -qq; DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$p" >/dev/null; }
done

# The host's mirrors (never hard-coded): the first URI serving bookworm, and the one serving bookworm-security.
read -r main_url sec_url < <(python3 - <<'PY'
import glob, re
main = sec = None
for f in sorted(glob.glob('/etc/apt/sources.list.d/*.sources')):
    for para in open(f).read().split('\n\n'):
        uris = re.search(r'^URIs:\s*(\S+)', para, re.M); suites = re.search(r'^Suites:\s*(.+)$', para, re.M)
        if not uris or not suites: continue
        s = suites.group(1).split()
        if 'bookworm' in s and not main: main = uris.group(1)
        if 'bookworm-security' in s and not sec: sec = uris.group(1)
for f in ['/etc/apt/sources.list'] + sorted(glob.glob('/etc/apt/sources.list.d/*.list')):
    try: lines = open(f).read().splitlines()
    except OSError: continue
    for l in lines:
        m = re.match(r'^deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)', l)
        if not m: continue
        if m.group(2) == 'bookworm' and not main: main = m.group(1)
        if m.group(2) == 'bookworm-security' and not sec: sec = m.group(1)
print(main, sec or main)
PY
)
echo "mirrors: $main_url  $sec_url" >&2

work=$(mktemp -d /var/tmp/bootstrap-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The tool as installed (README "The two commands"): published, which precompiles it for this host (ReadyToRun).
dotnet publish src/Bootstrapper.Cli -c Release -o "$work/cli" -nologo -v q >/dev/null
bootstrap=$work/cli/bootstrap
sandbox=$work/cli/bootstrap-sandbox
warm_cache=$work/warm-cache
export SOURCE_DATE_EPOCH=1700000000

measure() { # name, command...
  local name=$1; shift
  local t=$work/time.txt
  if ! /usr/bin/time -f "%e %M %U %S" -o "$t" "$@" >"$work/$name.log" 2>&1; then
    echo "$name failed; last lines of its log:" >&2; tail -20 "$work/$name.log" >&2; exit 1
  fi
  echo "$name $(cat "$t")" >>"$work/results.txt"
  echo "  $name: $(cut -d' ' -f1 "$t") s, cpu $(awk '{print $3 + $4}' "$t") s, $(( $(cut -d' ' -f2 "$t") / 1024 )) MiB" >&2
}

arm64_cache=$work/arm64-cache
touch "$work/sandbox.txt" "$work/commands.txt"
if [ "$only" != arm64 ]; then
# The rootless builder: a user with subordinate ids and its own copy of the CLI (the repository may be private).
id -u bootstrap-bench >/dev/null 2>&1 || useradd --create-home --home-dir /var/tmp/bootstrap-bench-home bootstrap-bench
grep -q '^bootstrap-bench:' /etc/subuid || usermod --add-subuids 400000-465535 --add-subgids 400000-465535 bootstrap-bench
rm -rf /var/tmp/bootstrap-bench-cli && cp -a "$(dirname "$bootstrap")" /var/tmp/bootstrap-bench-cli && chmod -R a+rX /var/tmp/bootstrap-bench-cli
cp recipes/debian-bookworm.toml /var/tmp/bootstrap-bench-cli/ && cp -r recipes/keys /var/tmp/bootstrap-bench-cli/
chmod 0777 "$work"
rootless=/var/tmp/bootstrap-bench-cli/run-rootless.sh
printf '#!/bin/sh\nexec runuser -u bootstrap-bench -- env -i HOME=/var/tmp/bootstrap-bench-home PATH=/usr/bin:/bin SOURCE_DATE_EPOCH=%s /var/tmp/bootstrap-bench-cli/bootstrap /var/tmp/bootstrap-bench-cli/debian-bookworm.toml -q -o "$1"\n' \
  "$SOURCE_DATE_EPOCH" >"$rootless"
chmod 0755 "$rootless"
"$rootless" "$work/prime-rootless.tar" >/dev/null && rm -f "$work/prime-rootless.tar"*

# The in-house example without its customization: everything before [system], keyrings made absolute.
sed -e '/^\[system\]/,$d' -e "s|\"../keys/|\"$PWD/recipes/keys/|" -e 's/^name = .*/name = "inhouse-packages"/' \
  recipes/examples/inhouse-bookworm.toml >"$work/inhouse-packages.toml"

# Prime the warm cache (not measured).
"$bootstrap" recipes/debian-bookworm.toml -q --cache "$warm_cache" -o "$work/prime.tar" >/dev/null
"$bootstrap" "$work/inhouse-packages.toml" -q --cache "$warm_cache" -o "$work/prime.tar" >/dev/null
"$bootstrap" recipes/examples/inhouse-bookworm.toml -q --cache "$warm_cache" -o "$work/prime.tar" >/dev/null
"$bootstrap" recipes/debian-bookworm.toml --verbose --cache "$warm_cache" -o "$work/prime.tar" 2>&1 | grep -c '# chroot:' >"$work/commands.txt"
rm -f "$work/prime.tar"*
fi

# Prime the arm64 cache too.
"$bootstrap" recipes/debian-bookworm.toml --architecture arm64 -q --cache "$arm64_cache" -o "$work/prime.tar" >/dev/null
rm -f "$work/prime.tar"*

for i in $(seq "$rounds"); do
  echo "round $i/$rounds" >&2
  measure bootstrap-arm64-warm "$bootstrap" recipes/debian-bookworm.toml --architecture arm64 -q --cache "$arm64_cache" -o "$work/ours.tar"
  rm -f "$work/ours.tar"*
  measure mmdebstrap-arm64 env TMPDIR=/dev/shm mmdebstrap --quiet --arch=arm64 --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    bookworm "$work/mm.tar" "deb $main_url bookworm main" "deb $main_url bookworm-updates main" \
    "deb $sec_url bookworm-security main"
  rm -f "$work/mm.tar"
  [ "$only" = arm64 ] && continue
  measure bootstrap-warm "$bootstrap" recipes/debian-bookworm.toml -q --cache "$warm_cache" -o "$work/ours.tar"
  rm -f "$work/ours.tar"*
  measure bootstrap-inhouse-packages-warm "$bootstrap" "$work/inhouse-packages.toml" -q --cache "$warm_cache" -o "$work/inhouse.tar"
  rm -f "$work/inhouse.tar"*
  measure bootstrap-inhouse-warm "$bootstrap" recipes/examples/inhouse-bookworm.toml -q --cache "$warm_cache" -o "$work/inhouse.tar"
  rm -f "$work/inhouse.tar"*
  measure bootstrap-rootless-warm "$rootless" "$work/rootless.tar"
  rm -f "$work/rootless.tar"*
  measure mmdebstrap env TMPDIR=/dev/shm mmdebstrap --quiet --variant=minbase --hook-dir=/usr/share/mmdebstrap/hooks/merged-usr \
    bookworm "$work/mm.tar" "deb $main_url bookworm main" "deb $main_url bookworm-updates main" \
    "deb $sec_url bookworm-security main"
  rm -f "$work/mm.tar"
  rm -rf "$work/cold-cache"
  measure bootstrap-cold "$bootstrap" recipes/debian-bookworm.toml -q --cache "$work/cold-cache" -o "$work/ours.tar"
  rm -f "$work/ours.tar"*
  measure debootstrap bash -c "debootstrap --variant=minbase bookworm '$work/db' '$main_url' >/dev/null && tar -C '$work/db' -cf '$work/db.tar' ."
  python3 - "$sandbox" "$work/db" >>"$work/sandbox.txt" <<'PY'
import subprocess, sys, time
helper, root = sys.argv[1], sys.argv[2]
def per_command(argv, n=30):
    start = time.perf_counter()
    for _ in range(n): subprocess.run(argv, check=True)
    return (time.perf_counter() - start) / n
print(per_command([helper, root, '--', '/bin/true']), per_command(['/usr/sbin/chroot', root, '/bin/true']))
PY
  rm -rf "$work/db" "$work/db.tar"
done

python3 - "$work/results.txt" "$rounds" "$work/sandbox.txt" "$(cat "$work/commands.txt")" <<'PY'
import sys, statistics, collections, platform, os
rows = collections.defaultdict(list)
for line in open(sys.argv[1]):
    name, wall, rss, user, system = line.split(); rows[name].append((float(wall), int(rss), float(user) + float(system)))
med = {n: (statistics.median(w for w, _, _ in v), max(r for _, r, _ in v), statistics.median(c for _, _, c in v))
       for n, v in rows.items()}
cpu = next((l.split(':', 1)[1].strip() for l in open('/proc/cpuinfo') if l.startswith('model name')), platform.machine())
load = open('/proc/loadavg').read().split()[:3]
print(f"Machine: {os.cpu_count()} cores, {cpu}; median of {sys.argv[2]} alternating rounds; load average at the end "
      f"{' '.join(load)}\n")
print("The arm64 rows are divided by mmdebstrap-arm64 of the same round, the others by mmdebstrap.\n")
print("| tool | wall s (median) | median of per-round wall ratios to mmdebstrap | CPU s (median) | CPU ratio | peak RSS MiB |")
print("| --- | --- | --- | --- | --- | --- |")
def table(reference, names):
    # Each round's own ratio (the pair ran back to back), then their median: what the issues ask for.
    for n in names:
        w, r, c = med[n]
        pair = statistics.median(x / m for (x, _, _), (m, _, _) in zip(rows[n], rows[reference]))
        print(f"| {n} | {w:.1f} | {pair:.2f}x | {c:.1f} | {c / med[reference][2]:.2f}x | {r // 1024} |")
table('mmdebstrap-arm64', ['bootstrap-arm64-warm', 'mmdebstrap-arm64'])
if 'mmdebstrap' not in rows: sys.exit(0)
table('mmdebstrap', ['bootstrap-warm', 'bootstrap-rootless-warm', 'bootstrap-cold', 'mmdebstrap', 'debootstrap'])
rootless = statistics.median(r / w for (r, _, _), (w, _, _) in zip(rows['bootstrap-rootless-warm'], rows['bootstrap-warm']))
print(f"\nRootless warm build: median of per-round ratios to the root warm build {rootless:.2f}x.")
inhouse = statistics.median(c / w for (c, _, _), (w, _, _) in zip(rows['bootstrap-inhouse-warm'], rows['bootstrap-warm']))
own = statistics.median(c / w for (c, _, _), (w, _, _) in zip(rows['bootstrap-inhouse-warm'], rows['bootstrap-inhouse-packages-warm']))
own_cpu = statistics.median(c / w for (_, _, c), (_, _, w) in zip(rows['bootstrap-inhouse-warm'], rows['bootstrap-inhouse-packages-warm']))
print(f"\nCustomized warm build (recipes/examples/inhouse-bookworm.toml): median of per-round ratios to the same packages "
      f"without the customization {own:.2f}x wall, {own_cpu:.2f}x CPU; to the plain minbase build (3 fewer packages) "
      f"{inhouse:.2f}x (wall {med['bootstrap-inhouse-warm'][0]:.1f} s, CPU {med['bootstrap-inhouse-warm'][2]:.1f} s).")
sandboxed, plain = zip(*[map(float, l.split()) for l in open(sys.argv[3])])
commands = int(sys.argv[4])
extra = statistics.median(s - p for s, p in zip(sandboxed, plain))
print(f"\nSandbox: {statistics.median(sandboxed) * 1000:.1f} ms per command against {statistics.median(plain) * 1000:.1f} ms "
      f"for plain chroot(8); a warm build runs {commands} commands, so the sandbox adds {extra * commands:.3f} s to it.")
PY
