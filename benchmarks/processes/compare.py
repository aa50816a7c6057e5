#!/usr/bin/env python3
"""Brigade's process engine next to Python's process pools, on the same machine, with the same item counts, in one run.

Measures, for 2 workers:
  * per-item overhead on trivial items (f(x) = x + 1), warm pools:
      Brigade (automatic batching) | ProcessPoolExecutor(2).map(chunksize=1) | multiprocessing.Pool(2).map (default chunksize)
  * time from the start of a run to its first result with a cold pool (no worker process running yet)
  * CPU-bound speedup on 2 workers (counting primes by trial division; Python counts a smaller range, it is ~50x slower)

Usage:  python3 benchmarks/processes/compare.py [--items 100000] [--repeat 5] [--json results.json]
Needs:  the .NET 10 SDK and Python 3.11 (standard library only).
"""
import argparse
import concurrent.futures as cf
import json
import multiprocessing as mp
import os
import platform
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def add_one(x):
    return x + 1


def is_prime(n):
    if n < 4:
        return n >= 2
    if n % 2 == 0:
        return False
    d = 3
    while d * d <= n:
        if n % d == 0:
            return False
        d += 2
    return True


def count_primes(bounds):
    lo, hi = bounds
    return sum(1 for n in range(max(2, lo), hi) if is_prime(n))


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def median_of(fn, repeat):
    return statistics.median(timed(fn) for _ in range(repeat))


def dotnet(items, repeat, root):
    project = os.path.join(root, "benchmarks", "Brigade.Processes.Benchmarks")
    subprocess.run(["dotnet", "build", project, "-c", "Release", "-v", "q", "-nologo"], check=True, stdout=subprocess.DEVNULL)
    out = subprocess.run(
        ["dotnet", "run", "-c", "Release", "--no-build", "--project", project, "--", "compare", "--items", str(items), "--repeat", str(repeat)],
        check=True, capture_output=True, text=True).stdout
    return json.loads(out)


def python_pools(items, repeat, primes_below):
    data = list(range(items))
    result = {"startMethod": mp.get_start_method()}

    with cf.ProcessPoolExecutor(2) as ex:
        list(ex.map(add_one, range(4)))  # start the workers
        result["ppeChunk1Ms"] = 1000 * median_of(lambda: list(ex.map(add_one, data, chunksize=1)), max(1, min(repeat, 3)))

    with mp.Pool(2) as pool:
        pool.map(add_one, range(4))
        result["poolDefaultMs"] = 1000 * median_of(lambda: pool.map(add_one, data), repeat)
        result["poolChunk1Ms"] = 1000 * median_of(lambda: pool.map(add_one, data, chunksize=1), max(1, min(repeat, 3)))

    def first_result_pool(method):
        start = time.perf_counter()
        with mp.get_context(method).Pool(2) as pool:
            it = pool.imap(add_one, data, chunksize=1)
            next(it)
            first = time.perf_counter() - start
            pool.terminate()
        return first

    def first_result_ppe(method):
        start = time.perf_counter()
        ex = cf.ProcessPoolExecutor(2, mp_context=mp.get_context(method))
        ex.submit(add_one, 0).result()
        first = time.perf_counter() - start
        ex.shutdown(cancel_futures=True)
        return first

    # Cold: the pool is created, then used at once; fork copies this interpreter, spawn starts a new one.
    for method in ("fork", "spawn"):
        pool_times = [first_result_pool(method) for _ in range(repeat)]
        ppe_times = [first_result_ppe(method) for _ in range(repeat)]
        result[f"poolFirstResult_{method}"] = [1000 * min(pool_times), 1000 * statistics.median(pool_times), 1000 * max(pool_times)]
        result[f"ppeFirstResult_{method}"] = [1000 * min(ppe_times), 1000 * statistics.median(ppe_times), 1000 * max(ppe_times)]
    result["poolFirstResultMs"] = result[f"poolFirstResult_{mp.get_start_method()}"][1]
    result["ppeFirstResultMs"] = result[f"ppeFirstResult_{mp.get_start_method()}"][1]

    slices = [(primes_below * i // 64, primes_below * (i + 1) // 64) for i in range(64)]
    seq = statistics.median(timed(lambda: [count_primes(s) for s in slices]) for _ in range(3))
    with mp.Pool(2) as pool:
        pool.map(count_primes, slices[:2])
        par = statistics.median(timed(lambda: pool.map(count_primes, slices, chunksize=1)) for _ in range(3))
    result.update(cpuPrimesBelow=primes_below, cpuSequentialMs=1000 * seq, cpuPoolMs=1000 * par, cpuSpeedup=seq / par)
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--python-primes-below", type=int, default=400_000)
    parser.add_argument("--json", help="also write the measurements to this file")
    parser.add_argument("--root", default=ROOT, help="the Brigade checkout whose engine to measure (default: this one)")
    args = parser.parse_args()

    n = args.items
    print(f"Machine: {os.cpu_count()} cores, {platform.platform()}, Python {platform.python_version()}, load {os.getloadavg()[0]:.1f}", flush=True)
    net = dotnet(n, args.repeat, args.root)
    py = python_pools(n, args.repeat, args.python_primes_below)

    net_us = net["autoBatchPerItemUs"]
    ppe_us = py["ppeChunk1Ms"] * 1000 / n
    pool_us = py["poolDefaultMs"] * 1000 / n
    pool1_us = py["poolChunk1Ms"] * 1000 / n
    rows = [
        ("per-item overhead, warm pool (µs/item)", f"{net_us:.3f} (auto batches: {net['autoBatchBatches']})",
         f"{ppe_us:.2f} (chunksize=1)", f"{pool_us:.3f} (default chunksize)"),
        ("  same, items as JSON objects (µs/item)", f"{net['autoBatchJsonPerItemUs']:.3f} (record Number(int))", "-", "-"),
        ("  same, one item per round trip (µs/item)", f"{net['batch1PerItemUs']:.1f} (BatchSize=1)", f"{ppe_us:.2f}", f"{pool1_us:.2f} (chunksize=1)"),
        (f"{n:,} trivial items, wall (ms)", f"{net['autoBatchTotalMs']:.1f}", f"{py['ppeChunk1Ms']:.0f}", f"{py['poolDefaultMs']:.1f}"),
        ("first result, cold pool (ms)", f"{net['firstResultColdPoolMs']:.0f} (first run of the process: {net['firstResultFirstRunMs']:.0f})",
         f"{py['ppeFirstResultMs']:.0f}", f"{py['poolFirstResultMs']:.0f} (imap)"),
        ("  min-max (ms)", f"{net.get('firstResultColdPoolMinMs', 0):.0f}-{net.get('firstResultColdPoolMaxMs', 0):.0f}",
         "{0:.0f}-{2:.0f}".format(*py[f"ppeFirstResult_{py['startMethod']}"]), "{0:.0f}-{2:.0f}".format(*py[f"poolFirstResult_{py['startMethod']}"])),
        ("first result, cold pool, spawn (ms)", "-", "{1:.0f} ({0:.0f}-{2:.0f})".format(*py["ppeFirstResult_spawn"]),
         "{1:.0f} ({0:.0f}-{2:.0f})".format(*py["poolFirstResult_spawn"])),
        ("first result, pool pre-started 1 s before (ms)",
         f"{net['firstResultPrestartedMs']:.1f} (PrestartWorkType)" if "firstResultPrestartedMs" in net else "-", "-", "-"),
        ("worker start-up (ms)", f"{net['workerStartupMs']:.0f}", "-", "-"),
        ("CPU-bound speedup, 2 workers", f"{net['cpuSpeedup']:.2f} (primes < {net['cpuPrimesBelow']:,})", "-",
         f"{py['cpuSpeedup']:.2f} (primes < {py['cpuPrimesBelow']:,})"),
    ]
    header = ("", "Brigade processes ×2", "ProcessPoolExecutor(2)", f"multiprocessing.Pool(2), {py['startMethod']}")
    widths = [max(len(str(r[i])) for r in rows + [header]) for i in range(4)]
    line = "+".join("-" * (w + 2) for w in widths)
    print(line)
    for r in [header] + rows:
        print("|".join(f" {str(c):<{w}} " for c, w in zip(r, widths)))
        if r is header:
            print(line)
    print(line)

    checks = [
        (f"overhead ≥10× lower than ProcessPoolExecutor(2).map(chunksize=1): {ppe_us / net_us:.0f}×", ppe_us / net_us >= 10),
        (f"overhead lower than multiprocessing.Pool(2).map default chunksize: {pool_us / net_us:.1f}×", net_us < pool_us),
        (f"first result with a cold pool under 100 ms: {net['firstResultColdPoolMs']:.0f} ms", net["firstResultColdPoolMs"] < 100),
        (f"first result under 40 ms, cold pool: {net['firstResultColdPoolMs']:.0f} ms", net["firstResultColdPoolMs"] < 40),
        (f"first result under 40 ms, pre-started pool: {net.get('firstResultPrestartedMs', float('nan')):.1f} ms", net.get("firstResultPrestartedMs", 1e9) < 40),
        (f"CPU-bound speedup ≥ 1.7 on 2 workers: {net['cpuSpeedup']:.2f}", net["cpuSpeedup"] >= 1.7),
    ]
    for text, ok in checks:
        print(f"  [{'PASS' if ok else 'FAIL'}] {text}")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"dotnet": net, "python": py, "load": os.getloadavg()[0]}, f, indent=2)
    return 0


if __name__ == "__main__":
    sys.exit(main())
