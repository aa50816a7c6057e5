#!/usr/bin/env python3
"""One cold worker process, driven directly over its protocol (no .NET host in between), step by step: spawn to
Ready (runtime start-up, the worker's main, the handshake), Ready to Prepared (loading the work type's assembly and
creating the work), Prepared to the first Results (the first batch of one item), and the worker's CPU time (user +
system, from wait4) for all of it. With --before, the same for another checkout's build, in alternated rounds, so
both see the same load; and `dotnet hello.dll` (an empty console app) as the floor of a .NET process.

CPU time is the steadier figure on a shared machine: the wall times include waiting for a core.

Usage:  python3 benchmarks/processes/worker_cold.py [--rounds 10] [--before /path/to/other/checkout]
Needs:  the benchmarks project built in Release in each checkout (done here when missing).
"""
import argparse
import os
import statistics
import struct
import subprocess
import tempfile
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
WORK = "Brigade.Processes.Benchmarks.AddOne"


def frame(kind, payload):
    return struct.pack("<iB", 1 + len(payload), kind) + payload


def text(value):
    data = value.encode()
    return struct.pack("<i", len(data)) + data


HELLO = frame(1, b"BRGD" + struct.pack("<H", 2))
PREPARE = frame(2, struct.pack("<i", 1) + text(WORK) + struct.pack("<qB", 500_000, 0))
BATCH = frame(3, struct.pack("<iiBi", 1, 1, 0, 1) + bytes([2]) + struct.pack("<ii", 4, 41))  # one raw int


def read_frame(stream):
    header = stream.read(5)
    if len(header) < 5:
        raise EOFError("the worker closed the channel")
    length, kind = struct.unpack("<iB", header)
    return kind, stream.read(length - 1)


def output(root):
    directory = os.path.join(root, "benchmarks", "Brigade.Processes.Benchmarks", "bin", "Release", "net10.0")
    if not os.path.exists(os.path.join(directory, "Brigade.Processes.Benchmarks.dll")):
        subprocess.run(["dotnet", "build", os.path.join(root, "benchmarks", "Brigade.Processes.Benchmarks"), "-c", "Release", "-v", "q", "-nologo"],
                       check=True, stdout=subprocess.DEVNULL)
    return directory


def worker_once(directory):
    start = time.perf_counter()
    process = subprocess.Popen(["dotnet", "exec", os.path.join(directory, "Brigade.Processes.Worker.dll"), "--parent", str(os.getpid()),
                                "--assembly", os.path.join(directory, "Brigade.Processes.Benchmarks.dll"), "--work", WORK],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, bufsize=0)
    process.stdin.write(HELLO)
    kind, _ = read_frame(process.stdout)
    assert kind == 65, f"expected Ready, got {kind}"
    ready = time.perf_counter()
    process.stdin.write(PREPARE)
    kind, payload = read_frame(process.stdout)
    assert kind == 66 and payload[4] == 1, f"Prepare failed: {kind} {payload!r}"
    prepared = time.perf_counter()
    process.stdin.write(BATCH)
    kind, payload = read_frame(process.stdout)
    assert kind == 67, f"expected Results, got {kind}"
    result = time.perf_counter()
    process.stdin.close()
    _, _, usage = os.wait4(process.pid, 0)
    return {"ready": ready - start, "prepared": prepared - ready, "result": result - prepared, "total": result - start,
            "cpu": usage.ru_utime + usage.ru_stime}


def hello_once(dll):
    start = time.perf_counter()
    process = subprocess.Popen(["dotnet", dll], stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(process.pid, 0)
    return {"total": time.perf_counter() - start, "cpu": usage.ru_utime + usage.ru_stime}


def hello_app():
    directory = os.path.join(tempfile.gettempdir(), "brigade-hello")
    dll = os.path.join(directory, "bin", "Release", "net10.0", "hello.dll")
    if not os.path.exists(dll):
        os.makedirs(directory, exist_ok=True)
        with open(os.path.join(directory, "hello.csproj"), "w") as f:
            f.write('<Project Sdk="Microsoft.NET.Sdk"><PropertyGroup><OutputType>Exe</OutputType><TargetFramework>net10.0</TargetFramework>'
                    '<ManagePackageVersionsCentrally>false</ManagePackageVersionsCentrally></PropertyGroup></Project>')
        with open(os.path.join(directory, "Program.cs"), "w") as f:
            f.write('System.Console.WriteLine("hello");\n')
        subprocess.run(["dotnet", "build", directory, "-c", "Release", "-v", "q", "-nologo"], check=True, stdout=subprocess.DEVNULL)
    return dll


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--before", help="another Brigade checkout, measured beside this one")
    args = parser.parse_args()

    hello = hello_app()
    runs = {"worker (this checkout)": lambda d=output(ROOT): worker_once(d), "`dotnet hello.dll`": lambda: hello_once(hello)}
    if args.before:
        runs["worker (before)"] = lambda d=output(args.before): worker_once(d)
    names = list(runs)
    samples = {name: [] for name in names}
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; rounds: {args.rounds}; {os.cpu_count()} cores", flush=True)
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            samples[name].append(runs[name]())

    def cell(rows, key):
        if key not in rows[0]:
            return "–"
        values = [1000 * row[key] for row in rows]
        return f"{statistics.median(values):.0f} ({min(values):.0f}–{max(values):.0f})"

    print("| ms: median (min–max) | spawn → Ready | → Prepared | → first Results | total | CPU |\n|---|---:|---:|---:|---:|---:|")
    for name, rows in samples.items():
        print(f"| {name} | {cell(rows, 'ready')} | {cell(rows, 'prepared')} | {cell(rows, 'result')} | {cell(rows, 'total')} | {cell(rows, 'cpu')} |")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
