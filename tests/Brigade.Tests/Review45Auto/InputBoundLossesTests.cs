using System.Runtime.CompilerServices;
using Brigade.Reporting;

namespace Brigade.Tests.Review45Auto;

/// <summary>
/// Review 45, work auto mode had never seen: an <see cref="IAsyncEnumerable{T}"/> input that is the bottleneck (items arrive
/// every few milliseconds, the work takes almost nothing). Its workers wait for the input between batches, and
/// <see cref="RunReport.Losses"/> read that as dispatch cost ("items are small for their dispatch cost: raise BatchSize").
/// Now the wait for the input's next items is timed per take and named. No timing bound: the input's waits are all there is.
/// </summary>
public sealed class InputBoundLossesTests
{
    private static async IAsyncEnumerable<int> Slow(int count, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        for (var i = 0; i < count; i++)
        {
            await Task.Delay(3, cancellationToken);
            yield return i;
        }
    }

    private static async IAsyncEnumerable<int> Ready(int count)
    {
        for (var i = 0; i < count; i++)
        {
            yield return i;
        }

        await Task.CompletedTask;
    }

    [Fact]
    public async Task ASlowAsyncInput_IsNamed_NotTheDispatchCost()
    {
        var result = await Runner.MapAsync(Slow(40), i => i + 1, new RunOptions { Engine = Engine.Sequential });

        var losses = result.Report.Losses;
        var overhead = Assert.Single(losses.Causes, c => c.Cause == LossCause.Overhead);
        Assert.Contains("waiting for the input's next items", overhead.Description, StringComparison.Ordinal);
        // The cause's own advice (whether it leads the run's advice depends on the machine's load: at load 40 the run queue
        // and the first take, start-up's, came first).
        Assert.Contains("the input is slower than the work", overhead.Advice, StringComparison.Ordinal);
        Assert.DoesNotContain("dispatch cost", overhead.Advice, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnInputThatIsThere_IsNotBlamed()
    {
        // An in-memory input completes every take at once: nothing is timed, the text is as before.
        var result = await Runner.MapAsync(Ready(20_000), i => i + 1, new RunOptions { Engine = Engine.Sequential });

        Assert.All(result.Report.Losses.Causes, c =>
        {
            Assert.DoesNotContain("the input's next items", c.Description, StringComparison.Ordinal);
            Assert.DoesNotContain("the input is slower", c.Advice ?? "", StringComparison.Ordinal);
        });
    }
}
