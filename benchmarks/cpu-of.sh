#!/usr/bin/env bash
# The CPU a command and everything it starts use, counted by the kernel: the command runs in a cgroup of its own
# (cgroup v1 cpuacct, or v2), so daemons it leaves behind (redis-server, postgres, silos), children nobody reaps and
# test hosts are all counted, which /usr/bin/time's rusage misses (it counts only processes their parents waited for).
# The test suite is CPU-bound on the 2-core reference machine (both cores 100% busy through the test step, run queue
# 20-58, 27% of it system time; ci127, 2026-12-05): a test's cost is its CPU seconds, not its wall time.
#
#   bash benchmarks/cpu-of.sh NAME COMMAND...     # e.g. cpu-of.sh cli dotnet test tests/Brigade.Cli.Tests -c Release --no-build
#
# Prints "cpu-of NAME: W s wall, C s CPU (U user, S system), exit E" on stderr and exits with the command's code.
# Needs root (to make the cgroup); without it the command runs and only the wall time is printed.
set -uo pipefail
name="$1"; shift
cg=""
for root in /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/unified /sys/fs/cgroup; do
  if [ -w "$root" ] && { [ -e "$root/cpuacct.usage" ] || [ -e "$root/cgroup.procs" ]; }; then
    cg="$root/cpu-of-$name-$$"; mkdir -p "$cg" 2>/dev/null || cg=""; [ -n "$cg" ] && break
  fi
done
start=$(date +%s.%N)
if [ -n "$cg" ]; then
  ( echo $BASHPID > "$cg/cgroup.procs" && exec "$@" ); rc=$?
else
  "$@"; rc=$?
fi
wall=$(echo "$(date +%s.%N) - $start" | bc)
if [ -n "$cg" ] && [ -e "$cg/cpuacct.usage" ]; then
  ns=$(cat "$cg/cpuacct.usage"); read -r _ u _ s < <(tr '\n' ' ' < "$cg/cpuacct.stat"); tick=$(getconf CLK_TCK)
  printf 'cpu-of %s: %.1f s wall, %.1f s CPU (%.1f user, %.1f system), exit %d\n' "$name" "$wall" "$(echo "$ns / 1000000000" | bc -l)" "$(echo "$u / $tick" | bc -l)" "$(echo "$s / $tick" | bc -l)" "$rc" >&2
elif [ -n "$cg" ] && [ -e "$cg/cpu.stat" ]; then
  us=$(awk '/^usage_usec/{print $2}' "$cg/cpu.stat"); uu=$(awk '/^user_usec/{print $2}' "$cg/cpu.stat"); su=$(awk '/^system_usec/{print $2}' "$cg/cpu.stat")
  printf 'cpu-of %s: %.1f s wall, %.1f s CPU (%.1f user, %.1f system), exit %d\n' "$name" "$wall" "$(echo "$us / 1000000" | bc -l)" "$(echo "$uu / 1000000" | bc -l)" "$(echo "$su / 1000000" | bc -l)" "$rc" >&2
else
  printf 'cpu-of %s: %.1f s wall (no cgroup: CPU not counted), exit %d\n' "$name" "$wall" "$rc" >&2
fi
# The cgroup goes once everything in it has ended (a daemon left running keeps it; it is then left behind, empty later).
[ -n "$cg" ] && rmdir "$cg" 2>/dev/null
exit $rc
