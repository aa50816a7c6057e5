using Brigade.Tests.Infrastructure;

namespace Brigade.Tests.Review40;

/// <summary>
/// Review 40: the progress timer fired every 100 ms whether the last call had returned or not, so a slow synchronous
/// <see cref="IProgress{T}"/> was called again beside itself (up to three at once for a 1.5 s callback).
/// </summary>
public sealed class SlowProgressCallbackTests
{
    [Fact]
    public async Task SlowCallback_IsNeverCalledBesideItself_AndStillGetsTheFinalReport()
    {
        var progress = new BlockingProgress();
        var options = new RunOptions { Engine = Engine.Sequential, BatchSize = 1, Progress = progress };

        await Runner.MapAsync(Enumerable.Range(0, 3).ToArray(), x =>
        {
            if (x == 0)
            {
                // The first call blocks; three or more ticks pass before it is let go (each a second call, before the fix).
                Assert.True(progress.FirstEntered.Wait(TimeSpan.FromSeconds(30)), "no progress call came");
                Thread.Sleep(450);
                progress.Gate.Set();
            }

            return x;
        }, options).Bounded();

        Assert.Equal(1, progress.MostAtOnce);
        Assert.Equal(3, progress.Last?.Completed);
    }

    private sealed class BlockingProgress : IProgress<RunProgress>
    {
        private int _active;
        private int _calls;
        private int _most;

        public ManualResetEventSlim FirstEntered { get; } = new();

        public ManualResetEventSlim Gate { get; } = new();

        public int MostAtOnce => Volatile.Read(ref _most);

        public RunProgress? Last { get; private set; }

        public void Report(RunProgress value)
        {
            var active = Interlocked.Increment(ref _active);
            Peak.Raise(ref _most, active);
            if (Interlocked.Increment(ref _calls) == 1)
            {
                FirstEntered.Set();
                Gate.Wait(TimeSpan.FromSeconds(30));
            }

            Last = value;
            Interlocked.Decrement(ref _active);
        }
    }
}
