namespace Brigade.Tests.Review64Lib;

/// <summary>
/// lib64: <c>Runner.ForEachAsync</c> takes a <see cref="ValueTask"/> that completed synchronously as it is, without an
/// async state machine per item (the adapter: 9-12 ns a call before, 2-4 ns after). Every shape a delegate's
/// <see cref="ValueTask"/> can take still ends its item the same way: completed, pending, faulted or cancelled when
/// returned, or thrown before returning one.
/// </summary>
public sealed class ForEachValueTaskShapesTests
{
    [Theory]
    [InlineData("sequential")]
    [InlineData("threadpool")]
    [InlineData("async")]
    public async Task ForEach_EveryValueTaskShape_EndsItsItemAsItShould(string engine)
    {
        var ran = new int[6];
        var report = await Runner.ForEachAsync(Enumerable.Range(0, 6), (int x, CancellationToken _) =>
        {
            Interlocked.Increment(ref ran[x]);
            return x switch
            {
                0 => ValueTask.CompletedTask,
                1 => new ValueTask(Task.Run(() => { }, CancellationToken.None)),
                2 => ValueTask.FromException(new InvalidOperationException("faulted")),
                3 => ValueTask.FromCanceled(new CancellationToken(canceled: true)),
                4 => throw new ArgumentException("thrown"),
                _ => Pending(),
            };
        }, new RunOptions { Engine = engine switch { "sequential" => Engine.Sequential, "threadpool" => Engine.ThreadPool, _ => Engine.Async }, BatchSize = 1 });

        Assert.All(ran, n => Assert.Equal(1, n));
        Assert.Equal(3, report.Succeeded);
        var failures = report.Failures.OrderBy(f => f.Index).ToArray();
        Assert.Equal([2L, 3L, 4L], failures.Select(f => f.Index));
        Assert.IsType<InvalidOperationException>(failures[0].Exception);
        Assert.IsAssignableFrom<OperationCanceledException>(failures[1].Exception);
        Assert.IsType<ArgumentException>(failures[2].Exception);
    }

    private static async ValueTask Pending() => await Task.Delay(1);
}
