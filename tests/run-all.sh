#!/usr/bin/env bash
# Runs every test project of the repository (already built, Release), four test hosts at a time, the longest first.
# test.sh calls it after the build; benchmarks/suite-time.sh times it. Extra arguments go to each `dotnet test` (e.g.
# --filter FullyQualifiedName~Run, --logger trx). Exit 0 when every project passed, non-zero otherwise.
#
# Why not `dotnet test Brigade.slnx -maxcpucount:4`, as before (review 48): MSBuild takes the projects in its own order, and
# on a clean clone (ci123, 2026-12-05) it started the 4-minute Orleans project after the Analyzers finished (3:11) and the
# 2.5-minute Processes project after the CLI did (5:51): the test step ended at ~8:20 while the longest project took 5:51.
# Longest first, the four long ones together and the short ones filling in after them, the same lanes end near 7:30.
set -uo pipefail
cd "$(dirname "$0")/.."

# Longest first, by their lane times on a clean clone (ci123: CLI 5:51, Distribution 5:27, Doctor 4:25, Orleans 4:06,
# Analyzers 3:11, Processes 2:36, Brigade.Tests 1:54, Testing 1:00, NativeWorker 0:38). Four at a time on the 2-core
# reference machine: much of the suite waits (silos failing over, commands and workers started, timeouts); with three,
# the same built clone's test step took 7 min 58 s against four's 7 min 21 s (2026-12-04).
order=(Brigade.Cli.Tests Brigade.Distribution.Tests Brigade.Doctor.Tests Brigade.Orleans.Tests Brigade.Analyzers.Tests
       Brigade.Processes.Tests Brigade.Tests Brigade.Testing.Tests Brigade.Processes.NativeWorker.Tests)
projects=()
for name in "${order[@]}"; do
  [ -f "tests/$name/$name.csproj" ] && projects+=("tests/$name/$name.csproj")
done
# A test project not in the list (a new one) runs too, after them.
for f in tests/*/*.Tests.csproj; do
  case " ${projects[*]} " in *" $f "*) ;; *) projects+=("$f") ;; esac
done

hosts="${BRIGADE_TEST_HOSTS:-4}"
failed="$(mktemp)"
trap 'rm -f "$failed"' EXIT
run_one() { dotnet test "$1" -c Release --no-build "${@:2}" || echo "$1" >>"$failed"; }
export -f run_one
export failed
printf '%s\0' "${projects[@]}" | xargs -0 -P "$hosts" -I{} bash -c 'run_one "$@"' _ {} "$@"
if [ -s "$failed" ]; then
  echo "run-all: failed: $(sort "$failed" | xargs -n1 basename | sed 's/\.csproj$//' | paste -sd' ')" >&2
  exit 1
fi
