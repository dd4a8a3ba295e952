#!/usr/bin/env bash
# Builds everything (warnings are errors) and runs every test project. Ends with one summary line
# "tests: N passed, N failed[, N skipped]" and dotnet test's exit code.
set -uo pipefail
cd "$(dirname "$0")"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

dotnet build Compress.sln -nologo -clp:ErrorsOnly || exit 1

log=$(mktemp)
trap 'rm -f "$log"' EXIT
dotnet test Compress.sln --no-build -nologo 2>&1 | tee "$log"
status=${PIPESTATUS[0]}

sum() { grep -E '^(Passed|Failed)!' "$log" | grep -oE "$1: +[0-9]+" | awk '{s += $2} END {print s + 0}'; }
passed=$(sum Passed); failed=$(sum Failed); skipped=$(sum Skipped)
if [ "$status" -ne 0 ] && [ "$failed" -eq 0 ]; then failed=1; fi
echo "tests: $passed passed, $failed failed, $skipped skipped"
exit "$status"
