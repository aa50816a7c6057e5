#!/usr/bin/env bash
# The native front of brigade (src/Brigade.Cli.Native, issue 16) beside the framework-dependent tool: behaviour checks
# and the one-line run's start-up. Lays out a directory as a package would (the tool's Release output with the native
# front copied in as `brigade`), checks that the front and the tool give the same stdout, stderr and exit code (200
# lines in order, failing commands, usage errors, commands handed to the tool, SIGINT), then times ROUNDS alternated
# rounds of `run one.txt --exec 'echo {}'` (stdin one line, stdout and stderr to /dev/null) for the tool, the front
# and a framework-dependent hello world: wall and CPU (user + system, the process and its children), median (min-max).
#
#   bash benchmarks/run/native-front.sh                  # publishes the front if it is not there (ILC: ~1 min of CPU)
#   ROUNDS=15 TOOL=/path/to/Brigade.Cli/bin/Release/net10.0 bash benchmarks/run/native-front.sh
#   ONLY=checks bash benchmarks/run/native-front.sh      # or ONLY=timing
set -euo pipefail
cd "$(dirname "$0")/../.."
ROUNDS=${ROUNDS:-15}
ONLY=${ONLY:-checks,timing}
TOOL=${TOOL:-src/Brigade.Cli/bin/Release/net10.0}
FRONT=${FRONT:-src/Brigade.Cli.Native/bin/Release/net10.0/linux-x64/publish/Brigade.Cli.Native}
[ -x "$TOOL/Brigade.Cli" ] || dotnet build src/Brigade.Cli -c Release -nologo -v q >/dev/null
[ -x "$FRONT" ] || dotnet publish src/Brigade.Cli.Native -c Release -r linux-x64 -nologo -v q >/dev/null

work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cp -a "$TOOL" "$work/tool"
cp "$FRONT" "$work/tool/brigade"
mkdir "$work/hello"
cat > "$work/hello/hello.csproj" <<'XML'
<Project Sdk="Microsoft.NET.Sdk">
  <PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework><ImplicitUsings>enable</ImplicitUsings></PropertyGroup>
</Project>
XML
echo 'Console.WriteLine("hello");' > "$work/hello/Program.cs"
dotnet build "$work/hello" -c Release -nologo -v q -o "$work/hello/out" >/dev/null

python3 - "$work" "$ROUNDS" "$ONLY" <<'PY'
import os, re, signal, statistics, subprocess, sys, time
work, rounds, only = sys.argv[1], int(sys.argv[2]), sys.argv[3].split(',')
tool = {'tool': f'{work}/tool/Brigade.Cli', 'front': f'{work}/tool/brigade'}
os.chdir(work)
open('one.txt', 'w').write('hello\n')
open('200.txt', 'w').write(''.join(f'line {i} with  two spaces\n' for i in range(1, 201)))
open('3.txt', 'w').write('a\nb\nc\n')
open('sleep.txt', 'w').write('3\n3\n3\n3\n')

def norm(text):
    # What depends on timing goes: progress lines, auto mode's plan and figures after a summary's counts, its "why not
    # faster" lines; the commands' stderr comes in the order they end, so lines are compared as a sorted list.
    lines = []
    for line in text.splitlines():
        if re.match(r'brigade run: (\d+/\d+ done|why not faster)', line) or line.startswith(' '):
            continue
        line = re.sub(r'\b\d+(\.\d+)? s\b', 'N s', line)
        lines.append(re.sub(r'; auto ×\d+.*$', '; auto ...', line))
    return sorted(lines)

def run(argv, stdin=None):
    p = subprocess.run(argv, stdin=open(stdin) if stdin else subprocess.DEVNULL, capture_output=True, text=True, timeout=120)
    return p.returncode, p.stdout, norm(p.stderr)

if 'checks' in only:
    cases = [
        ('200 lines, -j 1', ['run', '200.txt', '-j', '1', '--exec', 'echo {}'], None),
        ('200 lines, -j 8, random sleeps', ['run', '200.txt', '-j', '8', '--exec', 'sleep 0.0$(( $(echo {#}) % 5 )); echo {}'], None),
        ('200 lines from stdin', ['run', '-', '--exec', 'echo {}'], '200.txt'),
        ('one line', ['run', 'one.txt', '--exec', 'echo {}'], 'one.txt'),
        ('exit 3, one item', ['run', 'one.txt', '--exec', 'sh -c "exit 3"'], None),
        ('exit 3, three items', ['run', '3.txt', '--exec', 'sh -c "exit 3"'], None),
        ('exit 3 after stderr', ['run', '3.txt', '--exec', 'echo {} >&2; exit 3'], None),
        ('--fail-fast', ['run', '3.txt', '-j', '1', '--fail-fast', '--exec', 'sh -c "exit 3"'], None),
        ('run --help', ['run', '--help'], None),
        ('usage: no work', ['run', 'one.txt'], None),
        ('usage: bad --jobs', ['run', 'one.txt', '-j', 'x', '--exec', 'echo'], None),
        ('usage: --engine processes with --exec', ['run', 'one.txt', '-e', 'processes', '--exec', 'echo'], None),
        ('usage: --membership without cluster', ['run', 'one.txt', '--membership', 'redis://h:1', '--exec', 'echo'], None),
        ('usage: unknown engine', ['run', 'one.txt', '-e', 'nope', '--exec', 'echo'], None),
        ('missing input', ['run', 'nothere.txt', '--exec', 'echo'], None),
        ('handed off: --work', ['run', 'one.txt', '--assembly', 'no.dll', '--work', 'T'], None),
        ('handed off: --help', ['--help'], None),
        ('handed off: --version', ['--version'], None),
        ('handed off: demo --list', ['demo', '--list'], None),
        ('handed off: unknown command', ['frobnicate'], None),
        ('handed off: no arguments', [], None),
    ]
    bad = 0
    for name, args, stdin in cases:
        a, b = run([tool['tool'], *args], stdin), run([tool['front'], *args], stdin)
        same = a == b
        bad += not same
        lines = len(a[1].splitlines())
        print(f'{"same" if same else "DIFFERENT"}: {name} (exit {a[0]}, {lines} stdout lines)')
        if not same:
            for label, x in (('tool', a), ('front', b)):
                print(f'  {label}: exit {x[0]}, stdout {x[1][:300]!r}, stderr {x[2][:300]!r}')
    out = run([tool['front'], 'run', '200.txt', '-j', '8', '--exec', 'echo {}'])[1]
    print('200 lines whole and in order through the front:', out == ''.join(f'line {i} with  two spaces\n' for i in range(1, 201)))
    # SIGINT to the process (Popen.send_signal), and to its process group (a terminal's Ctrl+C), after 1 s of sleep 3 x4, -j 2
    for group in (False, True):
        results = []
        for label in ('tool', 'front'):
            p = subprocess.Popen([tool[label], 'run', 'sleep.txt', '-j', '2', '--exec', 'sleep {}; echo done {}'], stdout=subprocess.PIPE,
                                 stderr=subprocess.PIPE, text=True, start_new_session=group)
            time.sleep(1.0)
            start = time.monotonic()
            (os.killpg(p.pid, signal.SIGINT) if group else p.send_signal(signal.SIGINT))
            out, err = p.communicate(timeout=30)
            results.append((p.returncode, out, norm(err)))
            print(f'  SIGINT {"to the group" if group else "to the process"}, {label}: exit {p.returncode} after {time.monotonic() - start:.2f} s, stdout {out!r}, stderr {err!r}')
        print(f'{"same" if results[0] == results[1] else "DIFFERENT"}: SIGINT {"to the group" if group else "to the process"}')
        bad += results[0] != results[1]
    print(f'checks: {bad} different')

if 'timing' in only:
    programs = {'tool (framework-dependent, ReadyToRun)': [tool['tool'], 'run', 'one.txt', '--exec', 'echo {}'],
                'native front': [tool['front'], 'run', 'one.txt', '--exec', 'echo {}'],
                'hello world (framework-dependent)': [f'{work}/hello/out/hello']}
    times = {k: ([], []) for k in programs}
    keys = list(programs)
    print(f'load before: {os.getloadavg()}')
    for r in range(rounds):
        for k in keys[r % 3:] + keys[:r % 3]:
            with open('one.txt') as stdin:
                start = time.monotonic()
                p = subprocess.Popen(programs[k], stdin=stdin, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                _, status, usage = os.wait4(p.pid, 0)
                wall = time.monotonic() - start
                p.returncode = 0
            assert os.waitstatus_to_exitcode(status) == 0, (k, status)
            times[k][0].append(wall * 1000)
            times[k][1].append((usage.ru_utime + usage.ru_stime) * 1000)
    print(f'load after: {os.getloadavg()}')
    print(f'| build | wall, ms, {rounds} rounds | CPU, ms |\n|---|---:|---:|')
    for k, (wall, cpu) in times.items():
        print(f'| {k} | {statistics.median(wall):.0f} ({min(wall):.0f}-{max(wall):.0f}) | {statistics.median(cpu):.0f} ({min(cpu):.0f}-{max(cpu):.0f}) |')
PY
