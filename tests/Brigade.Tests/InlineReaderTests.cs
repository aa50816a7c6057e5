using Brigade.Auto;

namespace Brigade.Tests;

/// <summary>
/// A stream read with <see cref="RunOptions.AllowSynchronousContinuations"/>: the reader's loop body may run on the
/// worker that delivered the result. Leaving early, cancelling or throwing there must end the run as it does without
/// the option: no hang, the reader gets what it caused, and no item starts after the stream is disposed.
/// </summary>
public sealed class InlineReaderTests
{
    public static TheoryData<string, bool> EnginesAndOrders
    {
        get
        {
            var data = new TheoryData<string, bool>();
            foreach (var engine in (string[])["threadpool", "threads", "auto"])
            {
                data.Add(engine, true);
                data.Add(engine, false);
            }

            return data;
        }
    }

    private static RunOptions Options(string engine, bool ordered) => new()
    {
        Engine = engine == "auto" ? Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false }) : Engine.TryGetBuiltIn(engine, out var e) ? e : throw new ArgumentException(engine),
        PreserveOrder = ordered,
        MaxDegreeOfParallelism = 4,
        BatchSize = 1,
        AllowSynchronousContinuations = true,
    };

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(EnginesAndOrders))]
    public async Task ReaderThatLeavesEarly_StopsTheRun_AndNoItemStartsAfterDisposal(string engine, bool ordered)
    {
        var started = 0;
        var seen = new List<long>();
        await foreach (var r in Runner.StreamAsync(Enumerable.Range(0, 100_000), x =>
        {
            Interlocked.Increment(ref started);
            Thread.SpinWait(200);
            return x;
        }, Options(engine, ordered)))
        {
            seen.Add(r.Index);
            if (seen.Count == 50)
            {
                break;
            }
        }

        Assert.Equal(50, seen.Count);
        if (ordered)
        {
            Assert.Equal(Enumerable.Range(0, 50).Select(i => (long)i), seen);
        }

        await Task.Delay(100); // the abort reaches the workers after the reader left; items already taken finish
        var afterDisposal = Volatile.Read(ref started);
        await Task.Delay(300);
        Assert.Equal(afterDisposal, Volatile.Read(ref started));
        Assert.True(afterDisposal < 100_000, "the run went on to the end of the input");
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(EnginesAndOrders))]
    public async Task ReaderThatCancels_GetsOperationCanceled_AndTheRunStops(string engine, bool ordered)
    {
        using var cts = new CancellationTokenSource();
        var started = 0;
        var seen = 0;
        var stream = Runner.StreamAsync(Enumerable.Range(0, 100_000), x =>
        {
            Interlocked.Increment(ref started);
            Thread.SpinWait(200);
            return x;
        }, Options(engine, ordered));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var r in stream.WithCancellation(cts.Token))
            {
                if (++seen == 50)
                {
                    await cts.CancelAsync();
                }
            }
        });

        await Task.Delay(100); // the abort reaches the workers after the reader left; items already taken finish
        var afterCancel = Volatile.Read(ref started);
        await Task.Delay(300);
        Assert.Equal(afterCancel, Volatile.Read(ref started));
        Assert.True(seen is >= 50 and < 100_000, $"the reader saw {seen} results");
    }

    [Theory(Timeout = 30_000)]
    [MemberData(nameof(EnginesAndOrders))]
    public async Task ReaderThatThrows_GetsItsOwnException_AndTheRunStops(string engine, bool ordered)
    {
        var started = 0;
        var seen = 0;
        var thrown = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var r in Runner.StreamAsync(Enumerable.Range(0, 100_000), x =>
            {
                Interlocked.Increment(ref started);
                Thread.SpinWait(200);
                return x;
            }, Options(engine, ordered)))
            {
                if (++seen == 50)
                {
                    throw new InvalidOperationException("the reader's own failure");
                }
            }
        });

        Assert.Equal("the reader's own failure", thrown.Message);
        await Task.Delay(100); // the abort reaches the workers after the reader left; items already taken finish
        var afterThrow = Volatile.Read(ref started);
        await Task.Delay(300);
        Assert.Equal(afterThrow, Volatile.Read(ref started));
        Assert.Equal(50, seen);
    }
}
