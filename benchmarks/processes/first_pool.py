#!/usr/bin/env python3
"""The first pool of a new JIT-compiled process (issue 16), in paired rounds: each round runs the benchmarks project's
`first` mode once per work type (long: SquareWork, string: WordCountWork, record: GreetWork over a sealed record) and per
checkout (this one, and another with --before), in a rotating order, each in a new process. Prints the median and min-max
of the first result (from the run's start, and from the engine's creation), the JIT's time and methods and the process's CPU time up to it, a later pool's first result, and the
load average; with --before, also each round's paired difference (after - before) and how many rounds were faster.

With --native the workers are the NativeAOT publish of samples/Brigade.Samples.NativeWorker (published first when
missing), so that the figures are the host's own; without it, the shipped worker host.

Usage:  python3 benchmarks/processes/first_pool.py [--rounds 7] [--before /path/to/other/checkout] [--native] [--types long,string,record]
"""
import argparse
import json
import os
import statistics
import subprocess

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def dll(root):
    path = os.path.join(root, "benchmarks", "Brigade.Processes.Benchmarks", "bin", "Release", "net10.0", "Brigade.Processes.Benchmarks.dll")
    if not os.path.exists(path):
        subprocess.run(["dotnet", "build", os.path.join(root, "benchmarks", "Brigade.Processes.Benchmarks"), "-c", "Release", "-v", "q", "-nologo"],
                       check=True, stdout=subprocess.DEVNULL)
    return path


def native_worker():
    exe = os.path.join(ROOT, "samples", "Brigade.Samples.NativeWorker", "bin", "Release", "net10.0", "linux-x64", "publish", "Brigade.Samples.NativeWorker")
    if not os.path.exists(exe):
        subprocess.run(["dotnet", "publish", os.path.join(ROOT, "samples", "Brigade.Samples.NativeWorker"), "-c", "Release", "-r", "linux-x64", "-v", "q", "-nologo"],
                       check=True, stdout=subprocess.DEVNULL)
    return exe


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--before", help="another Brigade checkout, measured beside this one")
    parser.add_argument("--native", action="store_true", help="workers from samples/Brigade.Samples.NativeWorker (NativeAOT)")
    parser.add_argument("--types", default="long,string,record")
    args = parser.parse_args()

    builds = [("after", dll(ROOT))] + ([("before", dll(args.before))] if args.before else [])
    worker = ["--worker", native_worker()] if args.native else []
    runs = [(t, name, path) for t in args.types.split(",") for name, path in builds]
    samples = {}
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; rounds: {args.rounds}; {os.cpu_count()} cores", flush=True)
    for r in range(args.rounds):
        for t, name, path in runs[r % len(runs):] + runs[:r % len(runs)]:
            out = json.loads(subprocess.run(["dotnet", path, "first", "--type", t] + worker, check=True, capture_output=True, text=True).stdout)
            samples.setdefault((t, name), []).append((out["firstMs"], out.get("firstFromEngineMs", float("nan")), out["jitMs"], out["jitMethods"], out["cpuMs"], out["laterMs"]))
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    def cell(values):
        return f"{statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f})"

    print(f"| work, build | first pool, ms | from the engine's creation, ms | JIT to it, ms | methods JIT-compiled | CPU to it, ms | later pool, ms |\n|---|---:|---:|---:|---:|---:|---:|")
    for (t, name), values in samples.items():
        print(f"| {t}, {name} | " + " | ".join(cell(column) for column in zip(*values)) + " |")

    # Paired: each round ran both builds of a type (next to each other but at the rotation's wrap), so a round's difference is less exposed to the load's
    # swings than the medians above.
    if args.before:
        print("\n| work | first pool, after - before, ms: median (min-max) | rounds faster | host CPU to it, after - before, ms |\n|---|---:|---:|---:|")
        for t in args.types.split(","):
            pairs = list(zip(samples[(t, "after")], samples[(t, "before")]))
            first = [a[0] - b[0] for a, b in pairs]
            cpu = [a[4] - b[4] for a, b in pairs]
            print(f"| {t} | {statistics.median(first):+.0f} ({min(first):+.0f} to {max(first):+.0f}) | {sum(d < 0 for d in first)} of {len(first)} | {statistics.median(cpu):+.0f} |")


if __name__ == "__main__":
    main()
