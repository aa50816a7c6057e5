#!/usr/bin/env bash
# Where a command's CPU goes, process by process: runs it in a cgroup of its own, as cpu-of.sh does (the total is the
# kernel's count for everything in it), and reads every process of that cgroup ten times a second (/proc/PID/stat:
# user+system time, the last value seen before it ends; /proc/PID/cmdline), then sums the processes by kind: the test
# host, vstest, each `brigade` subcommand (run, demo, advise, silo, ...), the worker host, and every other program by
# its name. A process that lives less than a tenth of a second may be missed, and each is counted up to its last
# sample: the kinds add up to less than the total (the rest is "unattributed"). Also prints the costliest processes
# and, for `brigade run`, the costliest command lines with their count (which test started them).
#
#   bash benchmarks/cpu-by-process.sh NAME dotnet test tests/Brigade.Cli.Tests -c Release --no-build
#
# Needs root (the cgroup) and python3. TOP=N changes how many lines each list has (default 25). The samples are kept
# in /tmp/cpu-by-process-NAME.json. Review 58 (2026-12-06) read the CLI tests this way: the test host ~61 s of 213 s,
# ~200 brigade processes ~72 s (a one-line `brigade run` ~0.45 s of CPU, a `--version` ~0.16 s), the one advise
# process ~8.4 s, sh and awk ~14 s, worker processes ~5.5 s.
set -uo pipefail
name="$1"; shift
top="${TOP:-25}"
root=""
for r in /sys/fs/cgroup/cpuacct /sys/fs/cgroup/cpu,cpuacct /sys/fs/cgroup/unified /sys/fs/cgroup; do
  if [ -w "$r" ] && { [ -e "$r/cpuacct.usage" ] || [ -e "$r/cgroup.procs" ]; }; then root="$r"; break; fi
done
[ -n "$root" ] || { echo "cpu-by-process: no writable cgroup (needs root)" >&2; exit 2; }
cg="$root/cpu-by-process-$name-$$"
mkdir -p "$cg" || exit 2
samples="/tmp/cpu-by-process-$name.json"

python3 - "$cg" "$samples" <<'EOF' &
import json, os, sys, time
cg, out = sys.argv[1], sys.argv[2]
tick = os.sysconf('SC_CLK_TCK')
seen = {}
def cmdline(pid):
    with open(f'/proc/{pid}/cmdline', 'rb') as f:
        return f.read().replace(b'\0', b' ').replace(b'\n', b' ').decode('utf-8', 'replace')[:400].strip()
while os.path.exists(cg):
    try:
        with open(cg + '/cgroup.procs') as f:
            pids = f.read().split()
    except OSError:
        break
    for pid in pids:
        try:
            with open(f'/proc/{pid}/stat') as f:
                stat = f.read()
            fields = stat[stat.rindex(')') + 2:].split()
            cpu = (int(fields[11]) + int(fields[12])) / tick
            key = f'{pid}/{fields[19]}'  # pid and start time: a reused pid is another process
            if key not in seen:
                seen[key] = [cmdline(pid), cpu]
            else:
                seen[key][1] = max(seen[key][1], cpu)
                if not seen[key][0]:
                    seen[key][0] = cmdline(pid)  # read before its exec the first time
        except (OSError, ValueError, IndexError):
            pass
    with open(out + '.tmp', 'w') as f:
        json.dump([[k, v[0], v[1]] for k, v in seen.items()], f)
    os.replace(out + '.tmp', out)
    time.sleep(0.1)
EOF
sampler=$!

start=$(date +%s.%N)
( echo $BASHPID > "$cg/cgroup.procs" && exec "$@" ); rc=$?
wall=$(echo "$(date +%s.%N) - $start" | bc)
if [ -e "$cg/cpuacct.usage" ]; then
  total=$(echo "$(cat "$cg/cpuacct.usage") / 1000000000" | bc -l)
else
  total=$(echo "$(awk '/^usage_usec/{print $2}' "$cg/cpu.stat") / 1000000" | bc -l)
fi
sleep 0.3
kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null
rmdir "$cg" 2>/dev/null

python3 - "$samples" "$name" "$wall" "$total" "$rc" "$top" <<'EOF' >&2
import collections, json, re, sys
samples, name, wall, total, rc, top = sys.argv[1], sys.argv[2], float(sys.argv[3]), float(sys.argv[4]), sys.argv[5], int(sys.argv[6])
procs = json.load(open(samples))
def kind(cmd):
    if 'testhost' in cmd:
        return 'test host'
    if 'vstest.console' in cmd:
        return 'vstest'
    m = re.search(r"Brigade\.Cli(?:\.dll)?'? '?([-\w]+)", cmd)
    if m and not cmd.startswith(('sh ', 'bash ', '/bin/sh ', 'env ')):
        return 'brigade ' + m.group(1)
    if 'Brigade.Processes.Worker' in cmd:
        return 'worker host'
    return cmd.split(' ')[0].split('/')[-1][:40] or '(no command line)'
kinds, counts = collections.Counter(), collections.Counter()
runs, run_counts = collections.Counter(), collections.Counter()
for _, cmd, cpu in procs:
    k = kind(cmd)
    kinds[k] += cpu
    counts[k] += 1
    if k == 'brigade run':
        line = re.sub(r'/tmp/[\w.-]+', 'T', cmd.split('Brigade.Cli.dll', 1)[-1]).strip()[:100]
        runs[line] += cpu
        run_counts[line] += 1
attributed = sum(kinds.values())
print(f'cpu-by-process {name}: {wall:.1f} s wall, {total:.1f} s CPU, {len(procs)} processes seen, exit {rc}')
print(f'  by kind (s CPU, processes); {total - attributed:.1f} s unattributed:')
for k, v in kinds.most_common(top):
    print(f'  {v:8.1f} {counts[k]:5d}  {k}')
print('  costliest processes:')
for _, cmd, cpu in sorted(procs, key=lambda p: -p[2])[:min(top, 12)]:
    print(f'  {cpu:8.1f}  {cmd[:150]}')
if runs:
    print('  brigade run, by command line:')
    for k, v in runs.most_common(min(top, 15)):
        print(f'  {v:8.1f} {run_counts[k]:5d}  {k}')
EOF
exit $rc
