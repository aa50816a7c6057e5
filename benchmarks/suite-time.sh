#!/usr/bin/env bash
# How long the test suite takes, and where the time goes: for each git ref given (default HEAD), a clean clone of this
# repository at that ref is restored and built (`dotnet build Brigade.slnx -c Release`, timed), then tested
# (`dotnet test Brigade.slnx -c Release --no-build`, timed, with a TRX file per test project). Prints, per ref: the
# build and test wall and CPU time, each test project's start, end and wall time (they run as parallel test hosts, as
# many at once as the machine has cores), and the slowest tests; with the load average before and after each step.
#
#   bash benchmarks/suite-time.sh                 # HEAD
#   bash benchmarks/suite-time.sh bc5c10e HEAD    # before and after, one after the other
#   ROUNDS=2 bash benchmarks/suite-time.sh A B    # A B A B: alternated rounds on a busy machine
#
# `bash .ci/run` (test.sh) runs the same two steps, build then `dotnet test --no-build`; their sum is its time, within a
# few seconds. TOP=N changes how many slow tests and classes are listed (default 12). Everything lives under a new temp directory; each
# clone is removed once its figures are printed (the build and test logs stay).
set -euo pipefail
repo="$(cd "$(dirname "$0")/.." && pwd)"
refs=("$@")
[ ${#refs[@]} -gt 0 ] || refs=(HEAD)
rounds="${ROUNDS:-1}"
top="${TOP:-12}"
work="$(mktemp -d /tmp/brigade-suite-time-XXXXXX)"
# Readable by others: the CLI tests run brigade as `nobody` (setpriv) where root ignores a directory's mode, and a 0700
# work directory (mktemp's) failed those 7 tests with the host's "Possible reasons for this include" (2026-12-05).
chmod 755 "$work"
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
echo "suite-time: $(nproc) cores; work in $work"

timed() { # timed NAME LOG COMMAND...: wall and CPU (this command and every process it waited for) of one step
  local name="$1" log="$2"; shift 2
  local before; before="$(cut -d' ' -f1-3 /proc/loadavg)"
  local rc=0
  /usr/bin/time -f "%e %U %S" -o "$log.time" "$@" >"$log" 2>&1 || rc=$?
  read -r wall user sys < <(tail -n 1 "$log.time") # after "Command exited with non-zero status N", if any
  printf '  %-5s %6.0f s wall, %6.0f s CPU, exit %d; load %s -> %s\n' "$name" "$wall" "$(echo "$user + $sys" | bc)" "$rc" "$before" "$(cut -d' ' -f1-3 /proc/loadavg)"
  return 0
}

for round in $(seq 1 "$rounds"); do
  for ref in "${refs[@]}"; do
    commit="$(git -C "$repo" rev-parse --short "$ref")"
    dir="$work/r$round-$commit"
    git clone -q "$repo" "$dir"
    git -C "$dir" checkout -q "$commit"
    echo "== round $round, $ref ($commit), $(date -u +%H:%M:%S) UTC"
    (cd "$dir" && timed build "$work/r$round-$commit.build.log" dotnet build Brigade.slnx -c Release)
    (cd "$dir" && timed test "$work/r$round-$commit.test.log" dotnet test Brigade.slnx -c Release --no-build --logger trx --results-directory "$dir/trx")
    grep -E '^(Passed|Failed)!' "$work/r$round-$commit.test.log" | sed 's/^/  /' || true
    trx=("$dir"/trx/*.trx)
    if [ ! -e "${trx[0]}" ]; then
      echo "  no test results (the build or the test host failed: see $work/r$round-$commit.*.log)"
      continue
    fi
    python3 - "$top" "${trx[@]}" <<'EOF'
import sys, xml.etree.ElementTree as ET
from datetime import datetime
ns = {'t': 'http://microsoft.com/schemas/VisualStudio/TeamTest/2010'}
def seconds(d):
    h, m, s = d.split(':')
    return int(h) * 3600 + int(m) * 60 + float(s)
def when(s):
    return datetime.fromisoformat(s)
top, runs, tests, by_class = int(sys.argv[1]), [], [], {}
for f in sys.argv[2:]:
    root = ET.parse(f).getroot()
    times = root.find('t:Times', ns)
    name = root.find('.//t:UnitTest', ns).get('storage').split('/')[-1].removesuffix('.dll')
    results = root.findall('.//t:UnitTestResult', ns)
    runs.append((when(times.get('start')), when(times.get('finish')), name, len(results)))
    classes = {u.get('id'): u.find('t:TestMethod', ns).get('className') for u in root.findall('.//t:UnitTest', ns)}
    tests += [(seconds(r.get('duration', '0:0:0')), name, r.get('testName'), r.get('outcome')) for r in results]
    for r in results:
        c = by_class.setdefault(classes.get(r.get('testId')), [0.0, 0, None, None])
        c[0] += seconds(r.get('duration', '0:0:0'))
        c[1] += 1
        s, e = when(r.get('startTime')), when(r.get('endTime'))
        c[2] = s if c[2] is None or s < c[2] else c[2]
        c[3] = e if c[3] is None or e > c[3] else c[3]
t0 = min(r[0] for r in runs)
print('  project                        start    end   wall  tests')
for start, finish, name, n in sorted(runs):
    print(f'  {name:28} {(start - t0).total_seconds():6.0f} {(finish - t0).total_seconds():6.0f} {(finish - start).total_seconds():6.0f} {n:6}')
print(f'  slowest tests (of {len(tests)}):')
for d, name, test, outcome in sorted(tests, reverse=True)[:top]:
    print(f'  {d:7.1f} s  {outcome[:4]}  {test[:110]}')
# A class's summed test time, and when its first test started and its last ended (from the start of the first project):
# a class whose tests run one after the other at the end of its project holds that project's test host alone.
print('  slowest classes (summed, tests, first start - last end):')
for cls, (d, n, s, e) in sorted(by_class.items(), key=lambda kv: -kv[1][0])[:top]:
    print(f'  {d:7.1f} s {n:5} {(s - t0).total_seconds():6.0f} - {(e - t0).total_seconds():6.0f}  {cls}')
EOF
    rm -rf "$dir" # the clone and its build (several GB); the logs stay in $work
  done
done
