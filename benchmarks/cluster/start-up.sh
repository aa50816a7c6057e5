#!/usr/bin/env bash
# Start-up of the brigade tool's cluster commands, builds side by side in paired rounds (every round runs every build
# once, in a rotating order, so each sees the same load on a shared machine):
#   silo   `brigade silo` (localhost clustering, this repository's Orleans test assembly as --assembly) to its
#          "brigade silo ready:" line on stdout (what docs/cluster.md and the tests wait for): wall, and the silo's
#          CPU (user + system from /proc/PID/stat) at that moment;
#   client `brigade run --engine cluster --gateway PORT` of one Spin item against that silo, start to exit (its one
#          result is the run's first): wall and CPU (GNU time), and the silo's CPU for serving it;
#   one    the one-line `brigade run one.txt -x 'echo {}' -o /dev/null -q` (docs/performance.md, "one-line run"): wall, CPU.
# Prints one line per build and round, then the medians per build with the load average before and after.
#
#   bash benchmarks/cluster/start-up.sh A=/tmp/a/Brigade.Cli.dll B=src/Brigade.Cli/bin/Release/net10.0/Brigade.Cli.dll
#   ROUNDS=8 WORK=tests/Brigade.Orleans.Tests/bin/Release/net10.0/Brigade.Orleans.Tests.dll bash benchmarks/cluster/start-up.sh ...
#
# Needs GNU time (/usr/bin/time) and a Release build of tests/Brigade.Orleans.Tests (its Spin work type), or WORK and
# WORK_TYPE naming another work assembly and type.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-8}
WORK=${WORK:-tests/Brigade.Orleans.Tests/bin/Release/net10.0/Brigade.Orleans.Tests.dll}
WORK_TYPE=${WORK_TYPE:-Brigade.Orleans.Tests.Spin}
WORK=$(realpath "$WORK")
[ $# -ge 1 ] || { echo "usage: $0 NAME=PATH/Brigade.Cli.dll ..." >&2; exit 2; }
names=(); dlls=()
for arg in "$@"; do names+=("${arg%%=*}"); dlls+=("$(realpath "${arg#*=}")"); done

work=$(mktemp -d /tmp/brigade-start-up-XXXX)
silo_pid=""
cleanup() { [ -n "$silo_pid" ] && kill -KILL "$silo_pid" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
echo 1 > "$work/one.txt"
echo 7 > "$work/item.txt"
tick=$(getconf CLK_TCK)
cpu_of() { awk -v t="$tick" '{ printf "%.2f", ($14 + $15) / t }' "/proc/$1/stat"; }
load() { cut -d' ' -f1 /proc/loadavg; }
port=$((20000 + RANDOM % 20000))

echo "load before: $(load)"
printf '%-6s %5s %9s %8s %10s %9s %8s %8s %8s\n' build round silo_wall silo_cpu client_wall client_cpu silo_serve one_wall one_cpu
for ((round = 0; round < ROUNDS; round++)); do
  for ((k = 0; k < ${#names[@]}; k++)); do
    i=$(( (round + k) % ${#names[@]} ))
    name=${names[$i]}; dll=${dlls[$i]}
    p=$port; g=$((port + 1)); port=$((port + 2))
    # The silo: its stdin a FIFO held open here (--exit-on-stdin-close), killed at the end of the round.
    rm -f "$work/in.fifo"; mkfifo "$work/in.fifo"
    start=$(date +%s%N)
    dotnet "$dll" silo --port "$p" --gateway-port "$g" --primary-port "$p" --assembly "$WORK" --exit-on-stdin-close \
      < "$work/in.fifo" > "$work/silo.out" 2> "$work/silo.err" &
    silo_pid=$!
    exec 9> "$work/in.fifo"
    until grep -q '^brigade silo ready:' "$work/silo.out" 2>/dev/null; do
      kill -0 "$silo_pid" 2>/dev/null || { echo "silo of $name exited: $(cat "$work/silo.err")" >&2; exit 1; }
      sleep 0.01
    done
    ready=$(date +%s%N); silo_cpu=$(cpu_of "$silo_pid")
    silo_wall=$(echo "scale=2; ($ready - $start) / 1000000000" | bc)
    /usr/bin/time -f '%e %U %S' -o "$work/client.time" dotnet "$dll" run "$work/item.txt" --assembly "$WORK" --work "$WORK_TYPE" \
      --engine cluster --gateway "$g" -q -o "$work/client.out" 2> "$work/client.err" \
      || { echo "client of $name failed: $(cat "$work/client.err")" >&2; exit 1; }
    [ "$(cat "$work/client.out")" = "15" ] || { echo "client of $name: unexpected result $(cat "$work/client.out")" >&2; exit 1; }
    read -r cw cu cs < <(tail -1 "$work/client.time")
    serve=$(echo "$(cpu_of "$silo_pid") - $silo_cpu" | bc)
    exec 9>&-; kill -KILL "$silo_pid" 2>/dev/null; wait "$silo_pid" 2>/dev/null || true; silo_pid=""
    /usr/bin/time -f '%e %U %S' -o "$work/one.time" dotnet "$dll" run "$work/one.txt" -x 'echo {}' -o /dev/null -q
    read -r ow ou os < <(tail -1 "$work/one.time")
    printf '%-6s %5d %9.2f %8.2f %10.2f %9.2f %8.2f %8.2f %8.2f\n' "$name" "$round" "$silo_wall" "$silo_cpu" "$cw" "$(echo "$cu + $cs" | bc)" "$serve" "$ow" "$(echo "$ou + $os" | bc)" >> "$work/rows"
    tail -1 "$work/rows"
  done
done
echo "load after: $(load)"
echo "medians (min-max):"
for name in "${names[@]}"; do
  awk -v n="$name" '$1 == n' "$work/rows" > "$work/rows-$name"
  line="$name"
  for col in 3 4 5 6 7 8 9; do
    line="$line $(awk -v c=$col '{print $c}' "$work/rows-$name" | sort -n | awk '{v[NR]=$1} END {m = (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2; printf "%.2f(%.2f-%.2f)", m, v[1], v[NR]}')"
  done
  echo "$line"
done | (echo "build silo_wall silo_cpu client_wall client_cpu silo_serve one_wall one_cpu"; cat) | column -t
