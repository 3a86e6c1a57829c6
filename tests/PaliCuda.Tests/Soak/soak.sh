#!/usr/bin/env bash
# The soak alone: 1000 generations on the tiny checkpoint in one process (category Soak), printing its numbers.
#   tests/PaliCuda.Tests/Soak/soak.sh
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
dotnet test "$root/tests/PaliCuda.Tests" --filter "TestCategory=Soak" -- --output Detailed
