using System.Globalization;

namespace Brigade.Processes.Tests.Review64Lib;

/// <summary>
/// lib64: after a run of large <em>inputs</em> (20 strings of 10 MB) an idle worker held 494 MB resident for good: its
/// frame reader's buffer had grown to the largest batch and was trimmed only when the next frame came, and the payload
/// copies and decoded strings were garbage that an idle worker, allocating nothing, never collected. Large payloads are
/// now read into arrays of their own (the buffer does not grow, no copy), and a worker idle for two seconds after a large
/// command collects once, as it does after large results: 44 MB.
/// </summary>
public sealed class IdleWorkerAfterLargeInputsTests
{
    // Far above an idle worker that collected (about 45 MB), far below one that kept the run's buffers (above 300 MB here: one batch of 80 MB).
    private const long Bound = 150L * 1024 * 1024;

    [Fact(Timeout = 120_000)]
    public async Task IdleWorker_AfterLargeInputs_GivesItsMemoryBack()
    {
        await using var engine = TestEngines.Create(o => o.MaxWorkers = 1);
        var inputs = Enumerable.Range(0, 8).Select(i => new string((char)('a' + i), 10_000_000));
        var result = await Runner.MapAsync(inputs, new ProcessIdOf(), new RunOptions { Engine = engine, MaxDegreeOfParallelism = 1, BatchSize = 8 })
            .WaitAsync(TimeSpan.FromSeconds(90));
        var pid = Assert.Single(result.Values.Distinct());

        // Polled, not slept: the worker gives its memory back once idle for two seconds; one that keeps it never does.
        long rss = 0;
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(45);
        while (DateTime.UtcNow < deadline)
        {
            rss = ResidentBytes(pid);
            if (rss < Bound)
            {
                return;
            }

            await Task.Delay(50);
        }

        Assert.Fail($"the idle worker still held {rss / (1024 * 1024)} MB resident 45 s after a run of 8 inputs of 10 MB");
    }

    private static long ResidentBytes(int pid)
    {
        foreach (var line in File.ReadLines($"/proc/{pid}/status"))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                return long.Parse(line["VmRSS:".Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture) * 1024;
            }
        }

        throw new InvalidOperationException($"no VmRSS for pid {pid}");
    }
}

/// <summary>Returns the worker's process id, whatever its input.</summary>
public sealed class ProcessIdOf : IWork<string, int>
{
    /// <inheritdoc/>
    public int Execute(string input) => Environment.ProcessId;
}
