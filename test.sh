#!/usr/bin/env bash
# The README's test command: install what the tests need on a Debian machine that has the .NET 10 SDK, then run
# every test in the solution (build, then test). Extra arguments go to `dotnet test`, not to the build (e.g. ./test.sh --filter
# FullyQualifiedName~Run).
#
# The tests need, besides the SDK (installed with apt-get as root, or through sudo; what is there is skipped):
#   chromium      the HTML report opened in a headless browser
#   redis-server  cluster membership on Redis (each test starts its own instance on a free port)
#   postgresql    cluster membership on ADO.NET/PostgreSQL (each test starts its own instance in a temp dir)
#   nftables      network-fault tests (dropped packets between silos)
#   tmux          `brigade run` on an 80-column pseudo-terminal
#   gdb           gcore, for brigade doctor reading a core file that gcore wrote
# BRIGADE_NO_INSTALL=1 skips the installation step (the tests that need a missing tool then say which).
set -euo pipefail
cd "$(dirname "$0")"

packages=(chromium redis-server postgresql nftables tmux gdb)

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else echo "test.sh: '$*' needs root (or sudo); install by hand: apt-get install ${packages[*]}" >&2; return 1
  fi
}

# Without the recommended packages: the tests need none of them, and a fresh machine installed chromium, redis-server
# and nftables in 22.6 s instead of 47.7 s (32 packages instead of 122; apt-get update 5-6 s more either way). The
# installation runs beside the build, which needs none of it, when it can run unattended (as root, or sudo without a
# password); the tests wait for it. Its output goes to a log that is shown if it fails.
install_missing() {
  as_root apt-get update -qq &&
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
install_pid=
install_log=
if [ "${BRIGADE_NO_INSTALL:-}" != 1 ]; then
  missing=()
  for p in "${packages[@]}"; do
    [ "$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)" = "install ok installed" ] || missing+=("$p")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "test.sh: installing ${missing[*]}" >&2
    if [ "$(id -u)" = 0 ] || sudo -n true 2>/dev/null; then
      install_log=$(mktemp "${TMPDIR:-/tmp}/brigade-test-install.XXXXXX")
      install_missing >"$install_log" 2>&1 &
      install_pid=$!
    else
      install_missing >/dev/null
    fi
  fi
fi
wait_for_install() {
  [ -n "$install_pid" ] || return 0
  if ! wait "$install_pid"; then
    echo "test.sh: installing ${missing[*]} failed:" >&2
    tail -n 30 "$install_log" >&2
    rm -f "$install_log"
    exit 1
  fi
  rm -f "$install_log"
  install_pid=
}

command -v dotnet >/dev/null 2>&1 || { wait_for_install; echo "test.sh: the .NET 10 SDK is not installed (https://dot.net)" >&2; exit 1; }
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
# Build first, then test without building. One `dotnet test` that also builds runs the test projects one after the
# other: each test project's run holds an MSBuild node for minutes, and a project built on that node (Brigade.Cli, which
# most test projects reference) cannot answer the other node until it is done, so the other node waits instead of
# testing (seen on a clean clone: 8 test hosts strictly one at a time, 13.5 min). Built first, the test hosts run side
# by side, one per core (as benchmarks/suite-time.sh measures them).
#
# The build compiles its ~30 projects in the compiler server (VBCSCompiler), which loads the compiler and the analyzers
# once and stays warm, instead of a new csc process per project that JIT-compiles the analyzers again each time. It is
# the SDK's default, but an environment may turn it off (UseSharedCompilation=false in the environment of the shared
# 2-core machine where the suite's times are taken): there, clean clones built in 221 s and 394 s with the server against
# 421 s and 434 s without it (two pairs, in both orders, on a loaded machine). The server is shut down once the build is
# done (or failed), so that nothing is left running beside the tests or after them.
stop_compiler_server() { dotnet build-server shutdown --vbcscompiler >/dev/null 2>&1 || true; }
trap 'stop_compiler_server; [ -z "$install_pid" ] || wait "$install_pid" 2>/dev/null; rm -f "$install_log"' EXIT
dotnet build Brigade.slnx -c Release -p:UseSharedCompilation=true
trap - EXIT
stop_compiler_server
wait_for_install
# Four test hosts at a time on the 2-core reference machine: much of the suite waits (silos failing over, commands
# and workers started, timeouts): with two, clean clones took 9 min 47 s and 10 min 14 s (ci82, ci83); with three,
# 9 min 24 s (ci84), the CPU-bound hosts (analyzers, packages) slower and the waiting ones (Orleans, CLI) beside them.
# With more tests (2,751), three took the test step 7 min 58 s and four 7 min 21 s, the same built clone one after the
# other on a quiet machine (2026-12-04; the cores then 0% idle, run queue 25-45).
dotnet test Brigade.slnx -c Release --no-build -maxcpucount:4 "$@"
