using System.Buffers;
using System.Diagnostics;
using System.Runtime.CompilerServices;
using Brigade.Diagnostics;

namespace Brigade.Workloads;

/// <summary>The items' work: deterministic computation, allocation, CPU burned by the clock, blocking reads and waits.</summary>
internal static partial class Work
{
    /// <summary>Mixes <paramref name="iterations"/> times: about 1.5 ns an iteration, pure CPU, no memory traffic.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Hash(int seed, int iterations)
    {
        var h = (uint)seed | 1;
        for (var i = 0; i < iterations; i++)
        {
            h = (h ^ (h >> 15)) * 0x2c1b3c6dU;
            h ^= h >> 12;
        }

        return (int)h;
    }

    /// <summary>How far <see cref="RunChild"/>'s shell counts: about 30 ms of a core.</summary>
    public const int ChildLoopCount = 20_000;

    /// <summary>Builds, sorts and joins 256 short strings: CPU work that allocates about 57 KB.</summary>
    public static int Allocate(int seed) => Allocate(seed, 256);

    /// <summary>Runs a child process that computes (a shell counting to <see cref="ChildLoopCount"/>) and waits for it: the
    /// item's thread waits while the child uses a core.</summary>
    public static int RunChild(int index)
    {
        var start = OperatingSystem.IsWindows()
            ? new ProcessStartInfo("cmd.exe", ["/c", $"for /L %i in (1,1,{ChildLoopCount}) do @rem"])
            : new ProcessStartInfo("/bin/sh", ["-c", $"i=0; while [ $i -lt {ChildLoopCount} ]; do i=$((i+1)); done"]);
        start.UseShellExecute = false;
        using var child = Process.Start(start) ?? throw new InvalidOperationException("the child process did not start");
        child.WaitForExit();
        return child.ExitCode ^ index;
    }

    /// <summary>Builds, sorts and joins <paramref name="strings"/> short strings: CPU work that allocates about 220 bytes a string.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static int Allocate(int seed, int strings)
    {
        var parts = new List<string>(strings);
        for (var i = 0; i < strings; i++)
        {
            parts.Add(string.Create(48, seed + i, static (span, s) =>
            {
                var h = (uint)s | 1;
                for (var c = 0; c < span.Length; c++)
                {
                    h = (h ^ (h >> 15)) * 0x2c1b3c6dU;
                    span[c] = (char)('a' + (h % 26));
                }
            }));
        }

        parts.Sort(StringComparer.Ordinal);
        return string.Join(',', parts).Length ^ parts[0].GetHashCode(StringComparison.Ordinal);
    }

    /// <summary>Computes until the calling thread has used <paramref name="cpu"/> of CPU time (wall time where the thread's CPU clock is unavailable).</summary>
    public static int BurnCpu(TimeSpan cpu)
    {
        var start = ThreadCpuTicks();
        var wall = Stopwatch.GetTimestamp();
        var h = 0;
        while (true)
        {
            h ^= Hash(h, 2_000);
            var now = ThreadCpuTicks();
            var used = now >= 0 && start >= 0 ? TimeSpan.FromTicks(now - start) : Stopwatch.GetElapsedTime(wall);
            if (used >= cpu)
            {
                return h;
            }
        }
    }

    /// <summary>Reads 64 KB of <paramref name="path"/> with a fresh file handle, then waits <paramref name="deviceLatency"/> as a disk or network share would.</summary>
    public static int ReadBlock(string path, int index, TimeSpan deviceLatency)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
        try
        {
            using var file = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
            var length = RandomAccess.GetLength(file);
            var offset = (index * 65_536L) % Math.Max(1, length - 65_536);
            var read = RandomAccess.Read(file, buffer.AsSpan(0, 65_536), offset);
            Thread.Sleep(deviceLatency);
            return read ^ buffer[0];
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static long ThreadCpuTicks() => CpuTime.CurrentThread?.Ticks ?? -1;
}
