#!/usr/bin/env bash
# Makes every top-level public type under src/ internal (issue 11: the product is one executable, not a library).
# Re-runnable and idempotent: run it after a merge brings back a public type; InternalByDefaultTests fails until
# then. Nested types keep their modifier (a public member of an internal type is internal in effect). The assemblies
# see each other through InternalsVisibleTo in their .csproj files.
set -euo pipefail
cd "$(dirname "$0")/.."
git ls-files -z 'src/*.cs' | xargs -0 sed -i -E \
  '/^public ([a-z]+ )*(class|struct|record|interface|enum|delegate) /s/^public /internal /'
