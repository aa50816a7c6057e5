using System.Text;
using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Run;

/// <summary>Runs alone: the managed heap is the whole test process's, and other tests' garbage would count.</summary>
[CollectionDefinition(nameof(RunMemoryTests), DisableParallelization = true)]
public sealed class RunMemoryTestsCollection;

[Collection(nameof(RunMemoryTests))]
public sealed class RunMemoryTests
{
    private sealed class EchoWork : JobWork
    {
        public override string Description => "echo";

        public override object Prepare(InputItem item) => item.Text;

        public override JobStream Start(IAsyncEnumerable<PreparedItem> prepared, RunOptions options, Action<PreparedItem, byte[]?, string?> onCompleted)
        {
            var stream = Runner.StreamAsync(prepared, entry =>
            {
                var bytes = Encoding.UTF8.GetBytes((string)entry.Value + "\n");
                onCompleted(entry, bytes, null);
                return bytes;
            }, options);
            return new JobStream(stream, () => stream.Report);
        }
    }

    private const double LimitMb = 100;

    [Fact(Timeout = 180_000)]
    public async Task Run_MillionLineInput_RunsInBoundedMemory()
    {
        using var dir = new TempDirectory();
        const int Lines = 1_000_000;
        await using (var w = new StreamWriter(dir.File("in.txt")))
        {
            for (var i = 0; i < Lines; i++)
            {
                await w.WriteLineAsync($"line {i:D7} with some padding to make it realistic");
            }
        }

        var options = new RunJobOptions
        {
            Input = dir.File("in.txt"),
            Work = new EchoWork(),
            Engine = Engine.Async,
            Jobs = 4,
            Output = dir.File("out.txt"),
            Failures = dir.File("out.txt.failures.jsonl"),
            JournalPath = dir.File("out.txt.journal"),
            Quiet = true,
        };

        // The heap's size after each collection (live objects and fragmentation), not GC.GetTotalMemory(false), which also
        // counts garbage not yet collected: other tests' background work in this process (this class runs alone, but
        // not their leftovers) once pushed that to 103 MB (ci135, 2026-12-06) where the run itself grows 16-17 MB.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var baseline = GC.GetGCMemoryInfo().HeapSizeBytes;
        long peak = baseline;
        using var sampling = new CancellationTokenSource();
        var sampler = Task.Run(async () =>
        {
            while (!sampling.IsCancellationRequested)
            {
                peak = Math.Max(peak, GC.GetGCMemoryInfo().HeapSizeBytes);
                await Task.Delay(20);
            }
        });

        var code = await new BatchJob(options, TextWriter.Null, TextWriter.Null, interactive: false).RunAsync(CancellationToken.None);
        await sampling.CancelAsync();
        await sampler;

        Assert.Equal(0, code);
        Assert.Equal(new FileInfo(dir.File("in.txt")).Length, new FileInfo(dir.File("out.txt")).Length);

        // Holding the input (or the results) would take well over 150 MB; a bounded pipeline stays far below.
        var growthMb = (Math.Max(peak, GC.GetGCMemoryInfo().HeapSizeBytes) - baseline) / (1024.0 * 1024);
        Assert.True(growthMb < LimitMb, $"managed heap grew by {growthMb:0} MB while running 1,000,000 lines");
    }
}
