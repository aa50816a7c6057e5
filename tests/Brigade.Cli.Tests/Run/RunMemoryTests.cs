using System.Text;
using Brigade.Cli.Run;
using Xunit.Abstractions;

namespace Brigade.Cli.Tests.Run;

/// <summary>Runs alone: the managed heap is the whole test process's, and other tests' garbage would count.</summary>
[CollectionDefinition(nameof(RunMemoryTests), DisableParallelization = true)]
public sealed class RunMemoryTestsCollection;

[Collection(nameof(RunMemoryTests))]
public sealed class RunMemoryTests(ITestOutputHelper output)
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

    // Holding the input takes ~200 bytes a line here (a 50-character string, its item and its prepared entry): 80 MB at
    // 400,000 lines, beside the pipeline's own growth, 16-17 MB on 1,000,000 lines (the line count and a 100 MB limit
    // until 2026-12-07: the run was ~7 s of the project's CPU, more than half of it the lines a bounded pipeline needs
    // not have; the limit falls with the lines, so a run that holds its input still goes over it twice over).
    private const double LimitMb = 50;

    [Fact(Timeout = 180_000)]
    public async Task Run_LargeInput_RunsInBoundedMemory()
    {
        using var dir = new TempDirectory();
        const int Lines = 400_000;
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

        // Holding the input would take about 100 MB (80 MB of it the items); a bounded pipeline stays far below.
        var growthMb = (Math.Max(peak, GC.GetGCMemoryInfo().HeapSizeBytes) - baseline) / (1024.0 * 1024);
        output.WriteLine($"managed heap grew by {growthMb:0.0} MB while running {Lines:N0} lines");
        Assert.True(growthMb < LimitMb, $"managed heap grew by {growthMb:0} MB while running {Lines:N0} lines");
    }
}
