using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Brigade.Tests.Soak;

/// <summary>
/// A stream's enumerator that the reader drops without finishing or disposing it (a bug in the reader, but one a
/// long-lived service meets) must not hold the run's workers forever: before, a shared process engine started two more
/// worker processes for every such stream and the threads engine kept its threads blocked, for the life of the process.
/// </summary>
/// <remarks>Serial: it forces garbage collections.</remarks>
[Collection(Infrastructure.SerialCollection.Name)]
public sealed class AbandonedStreamTests
{
    public static TheoryData<string> Engines => ["sequential", "threadpool", "threads", "async", "auto"];

    [Theory]
    [MemberData(nameof(Engines))]
    public async Task StreamAsync_EnumeratorDroppedUnfinishedAndUndisposed_RunStopsOnceTheEnumeratorIsCollected(string engine)
    {
        var sourceClosed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await ReadOneAndDropAsync(EngineNamed(engine), sourceClosed);

        // The run cannot go on (the reader holds none of the 4 results it may buffer), so only the dropped enumerator's
        // collection can stop it; the run then closes its input. Bounded: without that, it waits forever.
        var waited = Stopwatch.StartNew();
        while (!sourceClosed.Task.IsCompleted && waited.Elapsed < TimeSpan.FromSeconds(30))
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            await Task.WhenAny(sourceClosed.Task, Task.Delay(50));
        }

        Assert.True(sourceClosed.Task.IsCompleted, $"the {engine} run of a dropped stream enumerator was still running {waited.Elapsed.TotalSeconds:F0} s and many collections later");
    }

    // Not inlined, so that no local of the test's own frame keeps the enumerator reachable.
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task ReadOneAndDropAsync(Engine engine, TaskCompletionSource sourceClosed)
    {
        var stream = Runner.StreamAsync(Endless(sourceClosed), x => x, new RunOptions { Engine = engine, StreamCapacity = 4 });
        var enumerator = stream.GetAsyncEnumerator();
        Assert.True(await enumerator.MoveNextAsync());
    }

    private static IEnumerable<int> Endless(TaskCompletionSource closed)
    {
        try
        {
            for (var i = 0; ; i++)
            {
                yield return i;
            }
        }
        finally
        {
            closed.TrySetResult();
        }
    }

    private static Engine EngineNamed(string name) => name switch
    {
        "sequential" => Engine.Sequential,
        "threadpool" => Engine.ThreadPool,
        "threads" => Engine.Threads,
        "async" => Engine.Async,
        _ => Engine.Auto,
    };
}
