#!/usr/bin/env python3
"""First result from a cold pool of 2 workers, in paired rounds: every round measures Brigade's process engine (this
checkout, and another one with --before) and Python's fork and spawn pools once each, in a rotating order, so that
each sees the same load on a shared machine. Prints the median and min-max over the rounds, and the load average.

Brigade's figures come from the benchmarks project's `compare` mode (built in Release first): "first run" is the
first pool of a new process (the engine's own code is compiled too), "later pool" the median of three more cold pools
in that process, "pre-started" a pool started with the engine (ProcessEngineOptions.PrestartWorkType) and used 1 s
later.

With --native, a row for a worker executable of the application's own (ProcessEngineOptions.WorkerPath): the NativeAOT
publish of samples/Brigade.Samples.NativeWorker (published first when missing, ~1 min of ILC), measured by the
benchmarks project's `cold` mode: a run of one item on a new engine, beside the shipped worker host in the same process
and round; "first run" is the first pool of a new host process (the engine's code is compiled too: every other round
it is the native worker's), "later pool" one after a pool of each kind. Also with --native, a row for an application
published NativeAOT that is its own worker (samples/Brigade.Samples.NativeAotApp, published when missing): "first run"
is the first pool of a new process of it (nothing to JIT-compile), "later pool" the median of three more.

Usage:  python3 benchmarks/processes/cold_paired.py [--rounds 5] [--before /path/to/other/checkout] [--native]
"""
import argparse
import concurrent.futures as cf
import itertools
import json
import multiprocessing as mp
import os
import statistics
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def add_one(x):
    return x + 1


def pool_first(method):
    start = time.perf_counter()
    with mp.get_context(method).Pool(2) as pool:
        next(pool.imap(add_one, range(1000), chunksize=1))
        first = time.perf_counter() - start
        pool.terminate()
    return 1000 * first


def ppe_first(method):
    start = time.perf_counter()
    ex = cf.ProcessPoolExecutor(2, mp_context=mp.get_context(method))
    ex.submit(add_one, 0).result()
    first = time.perf_counter() - start
    ex.shutdown(cancel_futures=True)
    return 1000 * first


def brigade(root):
    dll = os.path.join(root, "benchmarks", "Brigade.Processes.Benchmarks", "bin", "Release", "net10.0", "Brigade.Processes.Benchmarks.dll")
    if not os.path.exists(dll):
        subprocess.run(["dotnet", "build", os.path.join(root, "benchmarks", "Brigade.Processes.Benchmarks"), "-c", "Release", "-v", "q", "-nologo"],
                       check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(["dotnet", dll, "compare", "--items", "1000", "--repeat", "3", "--primes-below", "100000"],
                         check=True, capture_output=True, text=True).stdout
    net = json.loads(out)
    return {"first run": net["firstResultFirstRunMs"], "later pool": net["firstResultColdPoolMs"],
            "pre-started": net.get("firstResultPrestartedMs")}


def native_worker(root):
    exe = os.path.join(root, "samples", "Brigade.Samples.NativeWorker", "bin", "Release", "net10.0", "linux-x64", "publish", "Brigade.Samples.NativeWorker")
    if not os.path.exists(exe):
        subprocess.run(["dotnet", "publish", os.path.join(root, "samples", "Brigade.Samples.NativeWorker"), "-c", "Release", "-r", "linux-x64", "-v", "q", "-nologo"],
                       check=True, stdout=subprocess.DEVNULL)
    return exe


def brigade_native(root, exe, native_first):
    dll = os.path.join(root, "benchmarks", "Brigade.Processes.Benchmarks", "bin", "Release", "net10.0", "Brigade.Processes.Benchmarks.dll")
    command = ["dotnet", dll, "cold", "--worker", exe, "--repeat", "1"] + (["--native-first"] if native_first else [])
    net = json.loads(subprocess.run(command, check=True, capture_output=True, text=True).stdout)
    return {f"{net['firstRunWorker']} worker, first run, 1 item": net["firstRunMs"],
            "native worker, later pool, 1 item": net["nativeWorkerFirstResultMs"][0],
            "shipped worker, later pool, 1 item": net["shippedWorkerFirstResultMs"][0]}


def native_app(root):
    exe = os.path.join(root, "samples", "Brigade.Samples.NativeAotApp", "bin", "Release", "net10.0", "linux-x64", "publish", "Brigade.Samples.NativeAotApp")
    if not os.path.exists(exe):
        subprocess.run(["dotnet", "publish", os.path.join(root, "samples", "Brigade.Samples.NativeAotApp"), "-c", "Release", "-r", "linux-x64", "-v", "q", "-nologo"],
                       check=True, stdout=subprocess.DEVNULL)
    return exe


def brigade_native_app(exe):
    net = json.loads(subprocess.run([exe, "--json"], check=True, capture_output=True, text=True).stdout)
    return {"first run, 1 item": net["firstRunMs"], "later pool, 1 item": net["laterPoolMs"]}


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--before", help="another Brigade checkout, measured beside this one")
    parser.add_argument("--native", action="store_true", help="add the NativeAOT worker executable (samples/Brigade.Samples.NativeWorker) and a NativeAOT application (samples/Brigade.Samples.NativeAotApp)")
    args = parser.parse_args()

    tools = {
        "multiprocessing.Pool(2), fork": lambda: {"": pool_first("fork")},
        "ProcessPoolExecutor(2), fork": lambda: {"": ppe_first("fork")},
        "multiprocessing.Pool(2), spawn": lambda: {"": pool_first("spawn")},
        "ProcessPoolExecutor(2), spawn": lambda: {"": ppe_first("spawn")},
        "Brigade processes ×2 (after)": lambda: brigade(ROOT),
    }
    if args.before:
        tools["Brigade processes ×2 (before)"] = lambda: brigade(args.before)
    if args.native:
        brigade(ROOT)  # builds the benchmarks project when needed
        exe = native_worker(ROOT)
        calls = itertools.count()
        tools["Brigade processes ×2, WorkerPath"] = lambda: brigade_native(ROOT, exe, next(calls) % 2 == 0)
        app = native_app(ROOT)
        tools["Brigade processes ×2, NativeAOT application as its own worker"] = lambda: brigade_native_app(app)
    names = list(tools)
    samples = {}
    print(f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; rounds: {args.rounds}; {os.cpu_count()} cores", flush=True)
    for r in range(args.rounds):
        for name in names[r % len(names):] + names[:r % len(names)]:
            for key, value in tools[name]().items():
                if value is not None:
                    samples.setdefault((name, key), []).append(value)
    print("| pool | first result, ms: median (min-max) |\n|---|---:|")
    for (name, key), values in samples.items():
        label = f"{name}, {key}" if key else name
        print(f"| {label} | {statistics.median(values):.0f} ({min(values):.0f}-{max(values):.0f}) |")
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
