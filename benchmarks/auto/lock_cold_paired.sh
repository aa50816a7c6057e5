#!/usr/bin/env bash
# Paired rounds, before/after, of auto mode on a cold process (no plan cache), one process per run:
#   lock-sleep   : 60 items holding one global lock across a 3 ms sleep (issue 16's lock-around-a-wait case), the
#                  process's first contended run (the timing listener not started yet); prints first and last plan
#   lock-sleep-timed : the same with timing on before the run (RunLosses.StartTimingPlainLocks, as in AutoLockTests)
#   cold-sleeps  : 64 x Thread.Sleep(1 s) (issue 16 target: <= 1.15 s), wall of the first run in the process
#   short-sleeps : 400 x Thread.Sleep(3 ms), no lock (what the lock check costs genuine blocking I/O)
# Usage: benchmarks/auto/lock_cold_paired.sh <before Brigade.dll dir> <after Brigade.dll dir> [rounds=5] [modes...]
# e.g.:  git archive bc5c10e | tar -x -C /tmp/before && dotnet build /tmp/before/src/Brigade -c Release &&
#        dotnet build src/Brigade -c Release &&
#        benchmarks/auto/lock_cold_paired.sh /tmp/before/src/Brigade/bin/Release/net10.0 src/Brigade/bin/Release/net10.0 5
set -euo pipefail
before=$(realpath "$1"); after=$(realpath "$2"); rounds=${3:-5}; shift $(( $# < 3 ? $# : 3 ))
modes=("$@"); [ ${#modes[@]} -eq 0 ] && modes=(lock-sleep lock-sleep-timed cold-sleeps short-sleeps)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp "$here/LockColdProgram.cs.txt" "$work/Program.cs"
cat > "$work/prog.csproj" <<PROJ
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup>
    <Reference Include="Brigade"><HintPath>$after/Brigade.dll</HintPath></Reference>
    <PackageReference Include="Microsoft.Extensions.Logging.Abstractions" Version="10.0.0" />
    <PackageReference Include="Polly.Core" Version="8.9.1" />
  </ItemGroup>
</Project>
PROJ
dotnet build "$work/prog.csproj" -c Release -o "$work/after" -v q -nologo >/dev/null
cp -r "$work/after" "$work/before"; cp "$before/Brigade.dll" "$work/before/Brigade.dll"
export BRIGADE_NO_PLAN_CACHE=1
for mode in "${modes[@]}"; do
  for r in $(seq 1 "$rounds"); do
    order=(before after); [ $((r % 2)) -eq 0 ] && order=(after before)
    for which in "${order[@]}"; do
      printf '%s\t%s\tround %s\tload %s\t%s\n' "$mode" "$which" "$r" "$(cut -d' ' -f1 /proc/loadavg)" "$("$work/$which/prog" "$mode")"
    done
  done
done
