#!/usr/bin/env bash
# The memory of a long `brigade run --exec` over time: RSS and its parts (anonymous, mapped files, shared) every 2 s,
# from /proc/PID/status, and the peak (VmHWM) at the end (docs/performance.md, "Issue 16, sixth pass").
#
#   bash benchmarks/run/memory_timeline.sh 100000 /tmp/timeline.txt            # this checkout's Release build
#   BRIGADE=/path/to/Brigade.Cli bash benchmarks/run/memory_timeline.sh 100000 /tmp/t.txt DOTNET_gcServer=0   # another build, extra environment
set -euo pipefail
lines=${1:?lines}; out=${2:?output file}; shift 2
root=$(cd "$(dirname "$0")/../.." && pwd)
brigade=${BRIGADE:-$root/src/Brigade.Cli/bin/Release/net10.0/Brigade.Cli}
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
seq 1 "$lines" > "$work/in.txt"
env "$@" "$brigade" run "$work/in.txt" -x 'echo {}' -j 2 -q -o "$work/out.txt" &
pid=$!; start=$(date +%s%N); : > "$out"
while kill -0 "$pid" 2>/dev/null; do
  fields=$(grep -E '^(VmHWM|VmRSS|RssAnon|RssFile|RssShmem|Threads):' "/proc/$pid/status" 2>/dev/null | awk '{printf "%s%s ", $1, $2}') || true
  [ -n "$fields" ] && echo "$(( ($(date +%s%N) - start) / 1000000 )) ms $fields" >> "$out"
  sleep 2
done
wait "$pid"; echo "exit $?; lines out: $(wc -l < "$work/out.txt"); last: $(tail -1 "$out")"
