#!/usr/bin/env bash
# benchmarks/device/check.sh - the one-call GPU machine check.
#
# The GPU machine has no .NET SDK, so the check runs the self-contained bundle that
# `dotnet pwsh build.ps1 publish` makes here. Usage (from the repository root):
#
#   1. here:        dotnet tool restore && dotnet pwsh build.ps1 publish
#   2. device run:  command "bash benchmarks/device/check.sh"
#                   carry   ["publish/palicuda-linux-x64.tar.xz"]
#                   timeout_s: leave room for a rerun (the check itself takes well under a minute
#                   plus whatever the Gpu tests take).
#
# Optional arguments are passed to the test runner after the category filter, e.g.
#   bash benchmarks/device/check.sh --filter "TestCategory=Gpu&FullyQualifiedName~Gemm"
# replaces the filter (a second --filter wins over the first).
#
# Writes into $OUT (at most 8 files come back): nvidia-smi.txt, palicuda-info.txt,
# gpu-tests.log, gpu-tests.trx, ptxas-report.txt, summary.txt. Without $OUT (a local dry
# run) it writes into ./device-out. Exit status: that of the test runner; 0 also when no Gpu
# test exists yet (runner exit 8, "no test ran"), which summary.txt says.
set -uo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
archive="${PALICUDA_BUNDLE:-$repo_root/publish/palicuda-linux-x64.tar.xz}"
out="${OUT:-$repo_root/device-out}"
work="$(mktemp -d /tmp/palicuda-check.XXXXXX)"
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"

note() { echo "$*" | tee -a "$summary"; }

if [[ ! -f "$archive" ]]; then
    note "bundle not found: $archive (run 'dotnet pwsh build.ps1 publish' here and carry it)"
    exit 2
fi

# tar -J needs the xz program; Python's tarfile reads xz on its own where xz is missing.
if command -v xz >/dev/null 2>&1; then
    tar -C "$work" -xJf "$archive"
else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$work"
fi
bundle="$work/palicuda-linux-x64"
note "bundle: $archive unpacked into $bundle"

nvidia-smi >"$out/nvidia-smi.txt" 2>&1
note "nvidia-smi exit: $?"
head -20 "$out/nvidia-smi.txt"

"$bundle/palicuda" info >"$out/palicuda-info.txt" 2>&1
note "palicuda info exit: $?"
cat "$out/palicuda-info.txt"

cp "$bundle/kernels/ptxas-report.txt" "$out/ptxas-report.txt" 2>/dev/null || note "no kernels/ptxas-report.txt in the bundle"

"$bundle/PaliCuda.Tests" --filter "TestCategory=Gpu" "$@" \
    --report-trx --report-trx-filename gpu-tests.trx --results-directory "$out" 2>&1 | tee "$out/gpu-tests.log"
tests_exit=${PIPESTATUS[0]}
if [[ $tests_exit -eq 8 ]]; then
    note "gpu tests: none matched the filter (runner exit 8)"
    tests_exit=0
else
    note "gpu tests exit: $tests_exit"
fi
grep -o '<Counters[^>]*>' "$out/gpu-tests.trx" 2>/dev/null | tee -a "$summary"

rm -rf "$work"
exit "$tests_exit"
