#!/usr/bin/env bash
# The mechanical fixes of the analyzers and code-style rules (.editorconfig), in one re-runnable command: after a
# merge, take either side of a conflict in these lines and run this instead of resolving them by hand.
#   scripts/format.sh           apply
#   scripts/format.sh --check   change nothing; exit 2 if anything would change (CI-style check)
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

check=()
if [ "${1:-}" = "--check" ]; then check=(--verify-no-changes); fi

# Every type internal (the product is one executable); see the script.
if [ ${#check[@]} -eq 0 ]; then scripts/internalize.sh; fi
# ConfigureAwait(false) on every await in Core and Engine (CA2007 is a warning only there). Its fixer breaks one
# form: `await using var x = Create();` becomes `... = Create().ConfigureAwait(false)` and x is no longer the stream
# (CS1061 at the next use). Write those by hand as `var x = Create(); await using (x.ConfigureAwait(false)) {...}`.
dotnet format analyzers Bootstrapper.sln --severity warn --diagnostics CA2007 "${check[@]}"
# The code-style rules .editorconfig makes warnings, plus unneeded usings.
dotnet format style Bootstrapper.sln --severity warn "${check[@]}" --diagnostics \
  IDE0004 IDE0005 IDE0028 IDE0032 IDE0057 IDE0062 IDE0063 IDE0071 IDE0078 IDE0200 IDE0330 IDE0370
# Indentation, spacing, final newlines (.editorconfig).
dotnet format whitespace Bootstrapper.sln "${check[@]}"
