#!/usr/bin/env bash
# The soaks alone (category Soak), printing their numbers: 1000 generations on the tiny checkpoint in one process on
# the CPU backend, and 1000 more on the emulated GPU backend (PALICUDA_SOAK_FULL=1 enables that one; a plain test run
# does 50 there).
#   tests/PaliCuda.Tests/Soak/soak.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
PALICUDA_SOAK_FULL=1 dotnet test "$root/tests/PaliCuda.Tests" --filter "TestCategory=Soak" -- --output Detailed
