#!/usr/bin/env bash
# Runs the analyzers (BRG2001-BRG2008) over other code bases, as reviews 37 and 45 did (docs/analyzers.md, "Run over
# other code bases"): every C# project under each source root, one compilation per project.
# Usage: benchmarks/analyzers/over-code-bases.sh <Brigade.Analyzers.dll> <out dir> <source root>...
# e.g.:  dotnet build src/Brigade.Analyzers -c Release &&
#        git --git-dir=<a bare clone> archive HEAD | tar -x -C /tmp/src/npgsql &&
#        benchmarks/analyzers/over-code-bases.sh src/Brigade.Analyzers/bin/Release/netstandard2.0/Brigade.Analyzers.dll /tmp/out /tmp/src/npgsql
# Before/after: run it with the analyzer built at each commit, then diff the two <name>.diagnostics.tsv (columns:
# project, rule, file:line, message). Prints per code base: files, diagnostics per rule, analyzer exceptions (AD0001).
set -euo pipefail
dll=$(realpath "$1"); out=$(realpath -m "$2"); shift 2
here=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$out"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp "$here/OverCodeBasesProgram.cs.txt" "$work/Program.cs"
# Outside the repository: none of its Directory.Build.props or central package versions apply.
echo '<Project></Project>' > "$work/Directory.Build.props"
echo '<Project></Project>' > "$work/Directory.Packages.props"
cat > "$work/driver.csproj" <<'PROJ'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><Nullable>enable</Nullable><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
  <ItemGroup><PackageReference Include="Microsoft.CodeAnalysis.CSharp" Version="5.0.0" /></ItemGroup>
</Project>
PROJ
dotnet build "$work/driver.csproj" -c Release -o "$work/bin" -v q -nologo >/dev/null
for root in "$@"; do
  name=$(basename "$root")
  "$work/bin/driver" "$dll" "$root" "$out/$name" > "$out/$name.log" 2>&1
  echo "$name: $(tail -1 "$out/$name.log"); $(cut -f2 "$out/$name.diagnostics.tsv" | sort | uniq -c | tr -s ' \n' ' ')"
done
