#!/usr/bin/env bash
# Fuzzes one parser of untrusted input with AFL++ through SharpFuzz.
#
#   tests/PaliCuda.Fuzz/fuzz.sh TARGET SECONDS
#
# TARGET: safetensors | index | config | tokenizer | image | ptx | emuptx (see FuzzTargets.cs). The engine assembly (and,
# for image/tokenizer, the third-party decoder it drives) is instrumented with `sharpfuzz`, afl-fuzz runs from the
# committed seeds in seeds/TARGET for SECONDS, then the script prints executions, crashes and hangs, and replays
# every crash so its exception is shown. Findings stay in artifacts/fuzz/TARGET/findings (override the folder with
# PALICUDA_FUZZ_WORK); copy a crash into seeds/ or a test to keep it. Installs Debian's afl++ package when afl-fuzz is missing. Exit code 1 when a crash was saved.
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 TARGET SECONDS" >&2
    exit 2
fi
target=$1
seconds=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
if [[ ! -d "$here/seeds/$target" ]]; then
    echo "unknown target '$target'; expected one of: $(ls "$here/seeds" | tr '\n' ' ')" >&2
    exit 2
fi
work=${PALICUDA_FUZZ_WORK:-$root/artifacts/fuzz}/$target
bin=$work/bin
findings=$work/findings

if ! command -v afl-fuzz >/dev/null; then
    sudo=""
    [[ $(id -u) -ne 0 ]] && sudo=sudo
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq afl++
fi

# A fresh output folder each run: sharpfuzz refuses to instrument an assembly twice.
replay=$work/replay
rm -rf "$bin" "$replay" "$findings"
dotnet build "$here/PaliCuda.Fuzz.csproj" -c Release -o "$bin" -nologo -v quiet
# An uninstrumented copy replays the crashes: instrumented code needs AFL's shared memory and dies outside afl-fuzz.
cp -r "$bin" "$replay"
(cd "$root" && dotnet tool restore >/dev/null)
instrument=(PaliCuda.Engine.dll)
case $target in
    image) instrument+=(SixLabors.ImageSharp.dll) ;;
    tokenizer) instrument+=(Microsoft.ML.Tokenizers.dll) ;;
esac
for dll in "${instrument[@]}"; do
    (cd "$root" && dotnet sharpfuzz "$bin/$dll" >/dev/null)
done

# The harness is a managed program, not an afl-gcc binary (SKIP_BIN_CHECK); containers rarely let us fix
# core_pattern or CPU frequency settings, and other work shares the cores (NO_AFFINITY).
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_SKIP_CPUFREQ=1 AFL_NO_AFFINITY=1
afl-fuzz -i "$here/seeds/$target" -o "$findings" -t 10000 -m none -V "$seconds" -- \
    dotnet "$bin/PaliCuda.Fuzz.dll" "$target" >"$work/afl.log" 2>&1 || {
    echo "afl-fuzz failed; the end of its log:" >&2
    tail -n 30 "$work/afl.log" >&2
    exit 3
}

stats=$findings/default/fuzzer_stats
stat() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
crashes=$(stat saved_crashes)
echo "target $target: $(stat execs_done) executions in $(stat run_time) s, $(stat corpus_count) corpus entries, $crashes crashes, $(stat saved_hangs) hangs"
if [[ ${crashes:-0} -gt 0 ]]; then
    dotnet "$replay/PaliCuda.Fuzz.dll" "$target" --replay "$findings"/default/crashes/id* || true
    exit 1
fi
