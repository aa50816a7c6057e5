using Brigade.Engines.Remote;

namespace Brigade.Tests.Engines.Remote;

/// <summary>The remote item loop on its own: chunks, failures with attempts, stops, and a transport that fails.</summary>
public sealed class RemoteItemExecutorTests
{
    private static readonly ItemPolicySpec RetryTwice = new(null, 2, TimeSpan.Zero, TimeSpan.FromSeconds(1), RetryBackoff.Constant, UseJitter: false);

    [Fact]
    public void Run_FlushEachItem_OneChunkPerItem_FailuresKeepOffsetAndStatus()
    {
        using var executor = Create<FailOdd>(policy: null);
        var writer = new Recorder();

        Run(executor, [0, 1, 2], writer, flushEach: true);

        Assert.Equal(["0+1 s0", "1+1 s1 f1x1", "2+1 s0 final"], writer.Chunks);
    }

    [Fact]
    public void Run_OneChunk_HoldsEveryItemInOrder()
    {
        using var executor = Create<FailOdd>(policy: null);
        var writer = new Recorder();

        Run(executor, [4, 5, 6, 7], writer, flushEach: false);

        Assert.Equal(["0+4 s0101 f1x1 f3x1 final"], writer.Chunks);
        Assert.Equal(2, writer.SucceededValues);
    }

    [Fact]
    public void Run_WithRetry_TransientFailureSucceeds_PersistentOneReportsItsAttempts()
    {
        FailFirstRuns.Reset();
        using var executor = Create<FailFirstRuns>(RetryTwice);
        var writer = new Recorder();

        // 1 fails once then succeeds; 9 always fails: 3 attempts (1 + 2 retries).
        Run(executor, [1, 9, 0], writer, flushEach: false);

        Assert.Equal(["0+3 s010 f1x3 final"], writer.Chunks);
        Assert.True(writer.ReportedAttempts);
        Assert.Equal(2, FailFirstRuns.RunsOf(1));
        Assert.Equal(3, FailFirstRuns.RunsOf(9));
    }

    [Fact]
    public async Task RunAsync_WithRetry_SameOutcomeAsRun()
    {
        FailFirstRuns.Reset();
        using var executor = Create<FailFirstRuns>(RetryTwice with { Delay = TimeSpan.FromMilliseconds(1) });
        var writer = new Recorder();
        Assert.True(executor.IsAsync, "retries that wait are awaited");

        executor.ReadInputs(Inputs([1, 9, 0]), 3);
        await executor.RunAsync(writer, new RemoteBatchControl(long.MaxValue, false, RemoteCpuClock.Thread, CancellationToken.None));

        Assert.Equal(["0+3 s010 f1x3 final"], writer.Chunks);
    }

    [Fact]
    public void Run_TokenCancelled_NothingRuns_OneEmptyFinalChunk()
    {
        using var executor = Create<FailOdd>(policy: null);
        var writer = new Recorder();

        executor.ReadInputs(Inputs([0, 2]), 2);
        executor.Run(writer, new RemoteBatchControl(long.MaxValue, false, RemoteCpuClock.Process, new CancellationToken(canceled: true)));

        Assert.Equal(["0+0 s final"], writer.Chunks);
    }

    [Fact]
    public void Run_TransportFailsMidBatch_EndsTheBatchWithItsError_NotAnItemFailure()
    {
        using var executor = Create<FailOdd>(policy: null);
        var writer = new Recorder { FailOnChunk = 1 };

        executor.ReadInputs(Inputs([0, 2, 4]), 3);
        var error = Assert.Throws<IOException>(() => executor.Run(writer, new RemoteBatchControl(0, true, RemoteCpuClock.Process, CancellationToken.None)));

        Assert.Equal("pipe gone", error.Message);
        Assert.Equal(["0+1 s0"], writer.Chunks);
    }

    private static RemoteItemExecutor Create<TWork>(ItemPolicySpec? policy) => RemoteItemExecutor.Create(WorkDescriptor.For(typeof(TWork)), policy, allowRaw: true);

    private static void Run(RemoteItemExecutor executor, int[] items, Recorder writer, bool flushEach)
    {
        executor.ReadInputs(Inputs(items), items.Length);
        executor.Run(writer, new RemoteBatchControl(long.MaxValue, flushEach, RemoteCpuClock.Process, CancellationToken.None));
    }

    private static byte[] Inputs(int[] items)
    {
        using var codec = new RemoteValueCodec<int>(WorkDescriptor.For(typeof(FailOdd)).InputTypeInfo, allowRaw: true);
        var buffer = new RemoteValueBuffer();
        Assert.Null(codec.Write(buffer, items, items.Length));
        return buffer.ToArray();
    }

    public sealed class FailOdd : IWork<int, int>
    {
        public int Execute(int input) => input % 2 == 1 ? throw new InvalidOperationException($"odd {input}") : input * 10;
    }

    /// <summary>Fails item 1's first run, and item 9 always.</summary>
    public sealed class FailFirstRuns : IWork<int, int>
    {
        private static readonly Dictionary<int, int> Runs = [];

        public static void Reset()
        {
            lock (Runs)
            {
                Runs.Clear();
            }
        }

        public static int RunsOf(int item)
        {
            lock (Runs)
            {
                return Runs.GetValueOrDefault(item);
            }
        }

        public int Execute(int input)
        {
            int run;
            lock (Runs)
            {
                run = Runs[input] = Runs.GetValueOrDefault(input) + 1;
            }

            return input == 9 || (input == 1 && run == 1) ? throw new InvalidOperationException($"item {input} broke") : input;
        }
    }

    private sealed class Recorder : IRemoteResultWriter
    {
        public List<string> Chunks { get; } = [];

        public int SucceededValues { get; private set; }

        public bool ReportedAttempts { get; private set; }

        public int FailOnChunk { get; init; } = -1;

        public void WriteChunk(in RemoteResultChunk chunk)
        {
            if (Chunks.Count == FailOnChunk)
            {
                throw new IOException("pipe gone");
            }

            var statuses = string.Concat(chunk.Statuses.ToArray().Select(s => s.ToString(System.Globalization.CultureInfo.InvariantCulture)));
            var failures = string.Concat(chunk.Failures.Select(f => $" f{f.Offset}x{f.Attempts}"));
            Chunks.Add($"{chunk.Offset}+{chunk.Count} s{statuses}{failures}{(chunk.Final ? " final" : "")}");
            SucceededValues += chunk.SucceededCount;
            ReportedAttempts |= chunk.ReportsAttempts;
        }
    }
}
