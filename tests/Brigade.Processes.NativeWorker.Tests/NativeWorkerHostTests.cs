using System.Diagnostics;

namespace Brigade.Processes.NativeWorker.Tests;

/// <summary>
/// The engine with a worker executable of the application's own (NativeWorkerHost, a WorkerCatalog): started directly,
/// not through dotnet exec, and the same behaviour as the shipped worker host. The executable here is a
/// framework-dependent apphost (no ILC in the build); NativeAotPublishTests runs the same through a NativeAOT publish.
/// </summary>
public sealed class NativeWorkerHostTests
{
    private static readonly int[] Items = [.. Enumerable.Range(0, 200)];

    [Fact(Timeout = 60_000)]
    public async Task RawValues_ComeBackRight_FromTheExecutableItself()
    {
        await using var engine = TestWorker.Engine();

        var result = await Runner.MapAsync(Items, new Square(), TestWorker.Run(engine));
        var which = await Runner.MapAsync([1, 2, 3], new WhichExecutable(), TestWorker.Run(engine));

        Assert.Equal(Items.Select(i => (long)i * i), result.Values);
        Assert.Equal(0, result.Report.Failed);
        Assert.All(which.Values, name => Assert.Equal("Brigade.Processes.NativeWorker.TestWorker", name));
    }

    [Fact(Timeout = 60_000)]
    public async Task JsonValues_BuiltInAndSourceGenerated_ComeBackRight()
    {
        await using var engine = TestWorker.Engine();
        var words = Items.Select(i => $"wörd {i}").ToArray();
        var shapes = Items.Select(i => new Shape($"box {i}", i, 0.5, [.. Enumerable.Range(0, i % 4)])).ToArray();

        var shouted = await Runner.MapAsync(words, new Shout(), TestWorker.Run(engine));
        var labels = await Runner.MapAsync(shapes, new Describe(), TestWorker.Run(engine));
        var halves = await Runner.MapAsync(Items, new HalveLater(), TestWorker.Run(engine));

        Assert.Equal(words.Select(w => w.ToUpperInvariant() + "!"), shouted.Values);
        Assert.Equal(shapes.Select(s => new Describe().Execute(s)), labels.Values);
        Assert.Equal(Items.Select(i => i / 2.0), halves.Values);
    }

    [Fact(Timeout = 60_000)]
    public async Task Failures_AreReportedWithTheirIndex()
    {
        await using var engine = TestWorker.Engine();

        var result = await Runner.MapAsync(Items, new ThrowOnSevens(), TestWorker.Run(engine));

        var sevens = Items.Where(i => i % 7 == 0).ToArray();
        Assert.Equal(sevens.Select(i => (long)i), result.Report.Failures.Select(f => f.Index).Order());
        Assert.All(result.Report.Failures, f => Assert.Contains($"item {f.Index} is a multiple of 7", f.Exception.Message, StringComparison.Ordinal));
        Assert.Equal(Items.Length - sevens.Length, result.Report.Succeeded);
    }

    [Fact(Timeout = 60_000)]
    public async Task WorkTypeNotInTheCatalog_FailsTheRun_NamingWhatIs()
    {
        await using var engine = TestWorker.Engine();

        var error = await Assert.ThrowsAsync<ArgumentException>(() => Runner.MapAsync(Items, new NotInCatalog(), TestWorker.Run(engine)));

        Assert.Contains($"Work type '{typeof(NotInCatalog).FullName}' is not in the catalog of the worker executable Brigade.Processes.NativeWorker.TestWorker", error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(Square).FullName!, error.Message, StringComparison.Ordinal);
        Assert.Contains(typeof(WaitForCancel).FullName!, error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Cancellation_StopsTheItems_AndTheWorkersStay()
    {
        var started = Directory.CreateTempSubdirectory("brigade-native-started-").FullName;
        try
        {
            await using var engine = TestWorker.Engine(o => o.EnvironmentVariables[WaitForCancel.StartedVariable] = started);
            using var cancel = new CancellationTokenSource();
            var run = Runner.MapAsync(Enumerable.Range(0, 10), new WaitForCancel(), TestWorker.Run(engine, batchSize: 1), cancel.Token);

            // Cancel once both workers run an item (each leaves a file as it starts): a fixed 200 ms after the workers
            // were up let a loaded machine cancel before any item started, and the test passed without stopping one.
            var waited = System.Diagnostics.Stopwatch.StartNew();
            while (Directory.GetFiles(started).Length < 2)
            {
                Assert.True(waited.Elapsed < TimeSpan.FromSeconds(50), $"{Directory.GetFiles(started).Length} item(s) started");
                await Task.Delay(20);
            }

            await cancel.CancelAsync();

            await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
            var stats = engine.GetStatistics();
            Assert.Equal(2, stats.LiveWorkers);
            Assert.Equal(stats.LiveWorkers, stats.IdleWorkers);
            Assert.Equal((2L, 0L), (stats.WorkersStarted, stats.WorkerCrashes));
        }
        finally
        {
            Directory.Delete(started, recursive: true);
        }
    }

    [Fact(Timeout = 60_000)]
    public async Task WorkerCrash_IsolatesTheItem_AndLosesNothing()
    {
        await using var engine = TestWorker.Engine();

        var result = await Runner.MapAsync(Enumerable.Range(0, 40), new CrashOn13(), TestWorker.Run(engine));

        var failure = Assert.Single(result.Report.Failures);
        Assert.Equal(13, failure.Index);
        var crash = Assert.IsType<WorkerCrashedException>(failure.Exception);
        Assert.Contains(crash.StandardErrorTail, line => line.Contains("item 13 pulls the plug", StringComparison.Ordinal));
        Assert.Equal(39, result.Report.Succeeded);
        for (var i = 0; i < 40; i++)
        {
            if (i != 13)
            {
                Assert.True(result[i].IsSuccess, $"item {i}: {result[i]}");
                Assert.Equal(i * 3, result[i].Value);
            }
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task MissingExecutable_IsAClearError()
    {
        var missing = Path.Combine(Path.GetTempPath(), $"brigade-no-such-worker-{Guid.NewGuid():N}");
        await using var engine = TestWorker.Engine(o => o.WorkerPath = missing);

        var error = Assert.IsType<WorkerStartException>((await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Items, new Square(), TestWorker.Run(engine)))).InnerException);

        Assert.Contains($"The worker executable '{missing}' (ProcessEngineOptions.WorkerPath) was not found", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task FileWithoutExecutePermission_IsAClearError()
    {
        if (OperatingSystem.IsWindows())
        {
            return; // Unix permissions only.
        }

        var copy = Path.Combine(Path.GetTempPath(), $"brigade-worker-{Guid.NewGuid():N}");
        File.Copy(TestWorker.Path, copy);
        try
        {
            File.SetUnixFileMode(copy, UnixFileMode.UserRead | UnixFileMode.UserWrite);
            await using var engine = TestWorker.Engine(o => o.WorkerPath = copy);

            var error = Assert.IsType<WorkerStartException>((await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Items, new Square(), TestWorker.Run(engine)))).InnerException);

            Assert.Contains("is not executable (chmod +x it)", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(copy);
        }
    }

    [Fact]
    public void StartedByHand_SaysWhatItIs()
    {
        using var process = Process.Start(new ProcessStartInfo(TestWorker.Path) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false })!;
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();

        Assert.Equal(2, process.ExitCode);
        Assert.Contains("This is a Brigade worker host for", stderr, StringComparison.Ordinal);
        Assert.Contains(typeof(Square).FullName!, stderr, StringComparison.Ordinal);
    }
}
