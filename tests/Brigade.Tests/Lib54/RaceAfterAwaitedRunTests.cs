using Brigade.Diagnostics;
using Brigade.Synchronization;
using Brigade.Tests.Races;
using Brigade.Tests.Synchronization;

namespace Brigade.Tests.Lib54;

/// <summary>
/// Code that reads a <see cref="Shared{T}"/> after waiting for the Brigade run whose items incremented it atomically
/// (lib54): outside a logical flow the reading thread is not the flow that started the run, so the detector rightly cannot
/// order them, but its report only said to use locks or atomic operations, which the code already did. It now says what
/// the reader lacks (<see cref="RaceDetector.EnterFlow"/>, BRG2006), and with it the same code reports nothing.
/// </summary>
[Collection(RaceCollection.Name)]
public sealed class RaceAfterAwaitedRunTests
{
    [Fact]
    public async Task ReadOnAnotherThreadAfterTheRun_ReportNamesEnterFlow()
    {
        var diagnostics = new PitfallDiagnostics();
        using var detector = RaceDetector.Start(new RaceDetectorOptions { Diagnostics = diagnostics });
        var counter = new Shared<int>("counter");

        // Started on one thread, read on another after waiting for it: a thread flow that never saw the run's end.
        Task<RunReport>? run = null;
        await TestThreads.Run("starter", () => run = Runner.ForEachAsync(Enumerable.Range(0, 100), _ => counter.Increment(), new RunOptions { Engine = Engine.ThreadPool })).Bounded();
        var read = await TestThreads.Run("reader", () =>
        {
            Assert.True(run!.Wait(TestThreads.Bound));
            return counter.Read();
        }).Bounded();

        Assert.Equal(100, read);
        var report = Assert.IsType<RaceReport>(Assert.Single(diagnostics.Reports));
        Assert.Contains("RaceDetector.EnterFlow()", report.Message, StringComparison.Ordinal);
        Assert.Contains("BRG2006", report.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ReadAfterTheRunInsideEnterFlow_NoReport()
    {
        var diagnostics = new PitfallDiagnostics();
        using var detector = RaceDetector.Start(new RaceDetectorOptions { Diagnostics = diagnostics });
        var counter = new Shared<int>("counter");

        async Task<int> CountAsync()
        {
            RaceDetector.EnterFlow("caller");
            await Runner.ForEachAsync(Enumerable.Range(0, 100), _ => counter.Increment(), new RunOptions { Engine = Engine.ThreadPool }).ConfigureAwait(false);
            return counter.Read();
        }

        Assert.Equal(100, await Task.Run(CountAsync).Bounded());
        Assert.Empty(diagnostics.Reports);
    }
}
