#!/usr/bin/env bash
# Side by side, in one run on one machine: `brigade run --exec` against `xargs -P` and GNU parallel.
#   bash benchmarks/run/compare.sh            (needs: GNU parallel — apt-get install parallel)
# Prints a Markdown table of median wall times over REPEATS runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
REPEATS=${REPEATS:-3}
JOBS=${JOBS:-$(nproc)}
SHORT=${SHORT:-2000}
CPU=${CPU:-200}

command -v parallel >/dev/null || { echo "GNU parallel is not installed (apt-get install parallel)" >&2; exit 2; }
dotnet build src/Brigade.Cli -c Release -nologo -v q >/dev/null
BRIGADE="dotnet src/Brigade.Cli/bin/Release/net10.0/Brigade.Cli.dll"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
seq 1 "$SHORT" > "$work/short.txt"
seq 1 "$CPU" > "$work/cpu.txt"

# Short commands: the cost is starting a shell per item. CPU-bound: ~50 ms of arithmetic per item.
SHORT_CMD='echo item {}'
CPU_CMD="awk 'BEGIN{s=0; for(i=0;i<1500000;i++) s+=i%7; print {}, s}'"

median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
measure() { # name, command...
  local times=()
  for _ in $(seq 1 "$REPEATS"); do
    local start end
    start=$(date +%s.%N); "$@" >/dev/null 2>&1; end=$(date +%s.%N)
    times+=("$(echo "$end - $start" | bc)")
  done
  printf '%s\n' "${times[@]}" | median
}

run_xargs()    { xargs -P "$JOBS" -I{} sh -c "$2" < "$1"; }
run_parallel() { parallel -k -j "$JOBS" "$2" < "$1"; }
run_brigade()  { $BRIGADE run "$1" --exec "$2" -j "$JOBS" -q -o "$work/out.txt"; }

printf '| workload | items | jobs | xargs -P (s) | GNU parallel -k (s) | brigade run (s) |\n|---|---:|---:|---:|---:|---:|\n'
for spec in "short commands|$work/short.txt|$SHORT_CMD|$SHORT" "CPU-bound commands|$work/cpu.txt|$CPU_CMD|$CPU"; do
  IFS='|' read -r name input cmd count <<<"$spec"
  x=$(measure run_xargs "$input" "$cmd")
  p=$(measure run_parallel "$input" "$cmd")
  b=$(measure run_brigade "$input" "$cmd")
  printf '| %s | %s | %s | %.2f | %.2f | %.2f |\n' "$name" "$count" "$JOBS" "$x" "$p" "$b"
done
