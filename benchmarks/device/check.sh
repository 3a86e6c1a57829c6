#!/usr/bin/env bash
# benchmarks/device/check.sh - the one-call GPU machine check (well under 8 minutes).
#
# The GPU machine has no .NET SDK, so the check runs the self-contained bundle that
# `dotnet pwsh build.ps1 publish` makes here. Usage (from the repository root):
#
#   1. here:        dotnet tool restore && dotnet pwsh build.ps1 publish
#   2. device run:  command "bash benchmarks/device/check.sh"
#                   carry   ["publish/palicuda-linux-x64.tar.xz"]
#                   timeout_s: 540 (each step below has its own limit; they sum to under 8 minutes: 15+15+60+45+170+60+100 = 465 s)
#
# Steps, each with its own time limit, each failure recorded in summary.txt and never stopping the run:
#   1. the Gpu test category                                   (PaliCuda.Tests --filter TestCategory=Gpu)
#   2. `palicuda compare` on the shipped tiny fixture with --device cuda
#   3. benchmarks/device/hf_reference.py: a random-weight PaliGemma 2 3B-224 made with transformers on the GPU, its
#      eager prefill logits and 32 greedy tokens saved as a fixture; then `palicuda compare --device cuda` on it
#   4. in the same run on the same card: our TTFT and decode ms/token (bf16, random weights) with the copy-bandwidth
#      and bf16-GEMM ceilings, the token-choice kernel (greedy argmax vs the sampler's settings, µs per token) and the
#      reference check (PaliCuda.Benchmarks device-report), next to transformers
#      eager / sdpa / static cache + torch.compile from step 3; the table is printed last.
#   5. optional (--quantized adds it, --quantized-only runs only it, e.g. as a second device call): int8 and int4
#      3B-224 with random weights quantized at load vs the bf16 run of the same weights (device-report --weights):
#      top-1 agreement at every prefill position and over 32 greedy tokens, weight/peak memory, decode ms/token and
#      the fraction of the quantized bandwidth floor -> quantized-report.md/.json. Its own limit:
#      PALICUDA_QUANTIZED_LIMIT seconds (default 180); with --quantized the run still stays under 8 minutes only when
#      the other steps finish well inside their limits, so prefer --quantized-only in a call of its own.
#
# --emulated: a local rehearsal without a GPU: the same steps on the PTX emulator with the tiny config (the Gpu test
# category and the python script are not run; the script is only byte-compiled).
#
# Writes into $OUT (at most 8 files come back): summary.txt (every step's log), gpu-tests.trx, device-report.json,
# device-report.md, hf-results.json, results.md (the final table), and with step 5 quantized-report.md/.json.
# Without $OUT it writes into ./device-out.
# Exit status: 0 when every step passed, else 1 (summary.txt says which failed).
set -uo pipefail

mode=cuda
quantized=0
while [[ $# -gt 0 ]]; do
    case "$1" in
        --emulated) mode=emulated; shift ;;
        --quantized) quantized=1; shift ;;
        --quantized-only) quantized=2; shift ;;
        *) break ;;
    esac
done
quantized_limit="${PALICUDA_QUANTIZED_LIMIT:-180}"

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
archive="${PALICUDA_BUNDLE:-$repo_root/publish/palicuda-linux-x64.tar.xz}"
out="${OUT:-$repo_root/device-out}"
work="$(mktemp -d /tmp/palicuda-check.XXXXXX)"
mkdir -p "$out"
summary="$out/summary.txt"
: >"$summary"
failures=()

note() { echo "$*" | tee -a "$summary"; }

# step NAME SECONDS COMMAND...: runs with a time limit, appends its output to summary.txt, records a failure.
step() {
    local name="$1" limit="$2"; shift 2
    note "==> $name (limit ${limit}s)"
    local start=$SECONDS
    timeout --kill-after=10 "$limit" "$@" >>"$summary" 2>&1
    local rc=$?
    note "<== $name: exit $rc in $((SECONDS - start)) s"
    if [[ $rc -ne 0 ]]; then failures+=("$name (exit $rc)"); fi
    return 0
}

if [[ ! -f "$archive" ]]; then
    note "bundle not found: $archive (run 'dotnet pwsh build.ps1 publish' here and carry it)"
    exit 2
fi
if command -v xz >/dev/null 2>&1; then
    tar -C "$work" -xJf "$archive"
else
    python3 -c 'import sys, tarfile; tarfile.open(sys.argv[1]).extractall(sys.argv[2])' "$archive" "$work"
fi
bundle="$work/palicuda-linux-x64"
note "bundle: $archive unpacked into $bundle; mode $mode"

if [[ $quantized == 2 ]]; then
    qmodel=3b-224; [[ $mode == emulated ]] && qmodel=tiny
    step "device-report quantized ($mode)" "$quantized_limit" "$bundle/PaliCuda.Benchmarks" device-report --device "$mode" \
        --models "$qmodel" --weights int8,int4 --out "$out"
    rm -rf "$work"
    cat "$out/quantized-report.md" 2>/dev/null
    [[ ${#failures[@]} -gt 0 ]] && note "failed steps: ${failures[*]}"
    [[ ${#failures[@]} -eq 0 ]]
    exit $?
fi

if [[ $mode == cuda ]]; then
    step "nvidia-smi" 15 nvidia-smi
    step "palicuda info" 15 "$bundle/palicuda" info
    # 1. the Gpu test category (runner exit 8 = no test matched, not a failure)
    note "==> gpu tests (limit 60s)"
    timeout --kill-after=10 60 "$bundle/PaliCuda.Tests" --filter "TestCategory=Gpu" "$@" \
        --report-trx --report-trx-filename gpu-tests.trx --results-directory "$out" >>"$summary" 2>&1
    rc=$?
    note "<== gpu tests: exit $rc"
    [[ $rc -ne 0 && $rc -ne 8 ]] && failures+=("gpu tests (exit $rc)")
    grep -o '<Counters[^>]*>' "$out/gpu-tests.trx" 2>/dev/null | tee -a "$summary"
fi

# 2. the shipped tiny fixture on the device
step "compare tiny-pg2 ($mode)" 45 "$bundle/palicuda" compare --model "$bundle/Fixtures/tiny-pg2" --device "$mode"

# 3. the transformers reference of a random 3B-224
hf_dir="$work/hf-3b-224"
if [[ $mode == cuda ]]; then
    step "hf_reference.py" 170 env PYTHONUNBUFFERED=1 python3 "$repo_root/benchmarks/device/hf_reference.py" \
        --out "$hf_dir" --results "$out/hf-results.json" --budget-seconds 160
    if [[ -f "$hf_dir/reference.json" ]]; then
        step "compare hf 3b-224 (cuda)" 60 "$bundle/palicuda" compare --model "$hf_dir" --device cuda
        reference_args=(--reference "$hf_dir")
    else
        note "no transformers reference was written; the reference check is skipped"
        reference_args=()
    fi
    models="3b-224"
else
    step "hf_reference.py byte-compiles" 30 env PYTHONDONTWRITEBYTECODE=1 python3 -c "import ast,sys; ast.parse(open(sys.argv[1]).read())" "$repo_root/benchmarks/device/hf_reference.py"
    echo '{"steps": [], "timings": {}, "note": "emulated rehearsal: transformers not run"}' >"$out/hf-results.json"
    reference_args=()
    models="tiny"
fi

# 4. our timings, ceilings and floors on the same card in the same run, then the table
step "device-report ($mode)" 100 "$bundle/PaliCuda.Benchmarks" device-report --device "$mode" --models "$models" \
    --out "$out" "${reference_args[@]}"

# 5. optional: packed int8/int4 weights against bf16 on the same card
if [[ $quantized == 1 ]]; then
    step "device-report quantized ($mode)" "$quantized_limit" "$bundle/PaliCuda.Benchmarks" device-report --device "$mode" \
        --models "$models" --weights int8,int4 --out "$out"
fi

python3 - "$out" <<'PY' >"$out/results.md" 2>>"$summary"
import json, sys, os
out = sys.argv[1]
lines = []
try:
    rep = json.load(open(os.path.join(out, "device-report.json")))
    c = rep["ceilings"]
    lines.append(f"ceilings ({c['Device']}): copy {c['BytesPerSecond']/1e9:.0f} GB/s, bf16 GEMM {c['FlopsPerSecond']/1e12:.1f} TFLOP/s")
    lines.append("")
    lines.append("| engine | model | TTFT ms | decode ms/token |")
    lines.append("| --- | --- | ---: | ---: |")
    for m in rep["models"]:
        lines.append(f"| palicuda (wall) | {m['Model']} | {m['TtftWallMs']:.2f} | {m['DecodeWallMs']:.3f} |")
        lines.append(f"| palicuda (device events) | {m['Model']} | {m['TtftDeviceMs']:.2f} | {m['DecodeDeviceMs']:.3f} |")
        lines.append(f"| floor (measured ceilings) | {m['Model']} | {m['PrefillFloorMs']:.2f} | {m['DecodeFloorMs']:.3f} |")
except Exception as e:
    lines.append(f"device-report.json unreadable: {e}")
try:
    hf = json.load(open(os.path.join(out, "hf-results.json")))
    for label, t in hf.get("timings", {}).items():
        lines.append(f"| {label} | 3b-224 | {t['ttft_ms']:.2f} | {t['decode_ms_per_token']:.3f} |")
    for s in hf.get("steps", []):
        if s.get("status") != "ok":
            lines.append(f"transformers step '{s['step']}': {s.get('status')} {s.get('error', '')}")
except Exception as e:
    lines.append(f"hf-results.json unreadable: {e}")
try:
    q = open(os.path.join(out, "quantized-report.md")).read()
    lines.append("")
    lines.append(q)
except FileNotFoundError:
    pass
print("\n".join(lines))
PY

rm -rf "$work"
echo
cat "$out/device-report.md" 2>/dev/null
echo
if [[ ${#failures[@]} -gt 0 ]]; then
    note "failed steps: ${failures[*]}"
fi
cat "$out/results.md"
[[ ${#failures[@]} -eq 0 ]]
