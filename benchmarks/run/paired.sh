#!/usr/bin/env bash
# `brigade run --exec` beside `xargs -P` and GNU parallel, in paired rounds: every round runs every tool once on the
# same input, in a rotating order, so that each sees the same load (the machine may be shared). Prints, per workload
# and tool, the median wall time with its min-max over the rounds, the median CPU time (user + system, the commands'
# included), the largest peak RSS of one process (the tool itself, or its largest command), and the load average before
# and after. `mem` (100,000 lines, not run by default: GNU parallel alone takes minutes) is the memory workload.
#
#   bash benchmarks/run/paired.sh                                   # this checkout's Release build
#   BEFORE=/path/to/other/Brigade.Cli bash benchmarks/run/paired.sh # and another build beside it ("before")
#   ROUNDS=7 ONLY=echo,cpu bash benchmarks/run/paired.sh
#   ROUNDS=1 ONLY=mem bash benchmarks/run/paired.sh
#   TOOLS=xargs,before,after ONLY=echo ROUNDS=9 bash benchmarks/run/paired.sh   # only these tools
#   BRIGADE_ARGS="-e threads" TOOLS=xargs,before,after ONLY=echo bash benchmarks/run/paired.sh   # more options for brigade
#
# Needs GNU parallel (apt-get install parallel) and GNU time (/usr/bin/time).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-5}
ONLY=${ONLY:-echo,cpu,sleep,one,empty}
AFTER=${AFTER:-src/Brigade.Cli/bin/Release/net10.0/Brigade.Cli}
BEFORE=${BEFORE:-}
TOOLS=${TOOLS:-}
BRIGADE_ARGS=${BRIGADE_ARGS:-}
[ -x "$AFTER" ] || dotnet build src/Brigade.Cli -c Release -nologo -v q >/dev/null
command -v parallel >/dev/null || { echo "GNU parallel is not installed (apt-get install parallel)" >&2; exit 2; }

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
seq 1 2000 > "$work/echo.txt"
seq 1 200 > "$work/cpu.txt"
seq 1 500 | sed "s/.*/0.05/" > "$work/sleep.txt" # the item is the duration: a command without {} gets the item appended
echo 1 > "$work/one.txt"
: > "$work/empty.txt"
seq 1 100000 > "$work/mem.txt"
CPU_CMD="awk 'BEGIN{s=0; for(i=0;i<1500000;i++) s+=i%7; print {}, s}'"

# workload -> "jobs|input|command|tools"
declare -A spec=(
  [echo]="2|echo.txt|echo item {}|xargs-sh xargs parallel before after"
  [cpu]="2|cpu.txt|$CPU_CMD|xargs-sh parallel before after"
  [sleep]="50|sleep.txt|sleep {}|xargs-sh xargs parallel before after"
  [one]="2|one.txt|echo {}|xargs-sh parallel before after"
  [empty]="2|empty.txt|echo {}|parallel before after"
  [mem]="2|mem.txt|echo {}|xargs parallel before after"
)

run_tool() { # tool jobs input command
  local tool=$1 jobs=$2 input=$3 cmd=$4
  case $tool in
    xargs-sh) xargs -P "$jobs" -I{} sh -c "$cmd" < "$input" ;;
    xargs) # the program itself, no shell: what brigade does for a simple command
      set -- $cmd; local prog=$1; shift; xargs -P "$jobs" -I{} "$prog" "$@" < "$input" ;;
    parallel) parallel -k -j "$jobs" "$cmd" < "$input" ;;
    before) "$BEFORE" run "$input" --exec "$cmd" -j "$jobs" -q -o "$work/out.txt" $BRIGADE_ARGS ;;
    after) "$AFTER" run "$input" --exec "$cmd" -j "$jobs" -q -o "$work/out.txt" $BRIGADE_ARGS ;;
  esac
}

summary() { # file -> "median (min-max)"
  sort -n "$1" | awk '{a[NR]=$1} END {m=(NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2; printf "%.2f (%.2f-%.2f)", m, a[1], a[NR]}'
}
median() { sort -n "$1" | awk '{a[NR]=$1} END {printf "%.2f", (NR%2)?a[(NR+1)/2]:(a[NR/2]+a[NR/2+1])/2}'; }

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); rounds: $ROUNDS; $(nproc) cores; GNU parallel $(parallel --version | head -1 | awk '{print $3}')${BRIGADE_ARGS:+; brigade with $BRIGADE_ARGS}"
printf '| workload | tool | wall, s: median (min-max) | CPU, s (median) | peak RSS, MiB (max) |\n|---|---|---:|---:|---:|\n'
for name in ${ONLY//,/ }; do
  IFS='|' read -r jobs input cmd tools <<<"${spec[$name]}"
  [ -n "$BEFORE" ] || tools=${tools/before /}
  if [ -n "$TOOLS" ]; then
    kept=""; for t in $tools; do [[ ",$TOOLS," == *",$t,"* ]] && kept="$kept $t"; done; tools=${kept# }
  fi
  read -r -a order <<<"$tools"
  for round in $(seq 1 "$ROUNDS"); do
    # Rotate the order every round.
    rotated=("${order[@]:$(( round % ${#order[@]} ))}" "${order[@]:0:$(( round % ${#order[@]} ))}")
    for tool in "${rotated[@]}"; do
      /usr/bin/time -f "%e %U %S %M" -o "$work/t" bash -c "$(declare -f run_tool); BEFORE='$BEFORE' AFTER='$AFTER' BRIGADE_ARGS='$BRIGADE_ARGS' work='$work' run_tool '$tool' '$jobs' '$work/$input' \"\$0\"" "$cmd" >/dev/null 2>&1 || true
      read -r wall user sys rss < <(tail -1 "$work/t")
      echo "$wall" >> "$work/$name.$tool.wall"
      echo "$user + $sys" | bc >> "$work/$name.$tool.cpu"
      echo "$rss" >> "$work/$name.$tool.rss"
    done
  done
  for tool in "${order[@]}"; do
    printf '| %s (%s, -j %s) | %s | %s | %s | %s |\n' "$name" "$(wc -l < "$work/$input") items" "$jobs" "$tool" "$(summary "$work/$name.$tool.wall")" \
      "$(median "$work/$name.$tool.cpu")" "$(sort -n "$work/$name.$tool.rss" | tail -1 | awk '{printf "%.0f", $1 / 1024}')"
  done
done
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
