using Brigade.Auto;

namespace Brigade.Tests.Auto;

/// <summary>What auto mode takes a dedicated thread's start to cost: measured starts, the usual figure as a floor.</summary>
[Collection(AutoCollection.Name)]
public sealed class AutoThreadsStartCostTests
{
    [Fact]
    public void StartCost_IsTheQuickestRecentStarterPlusTheQuickestRecentSetUp()
    {
        try
        {
            // Eight of each fill the rings: what earlier runs in this process recorded is gone.
            for (var i = 0; i < 8; i++)
            {
                AutoThreads.RecordStarter(TimeSpan.FromMicroseconds(i == 3 ? 250 : 900).Ticks);
                AutoThreads.RecordStarted(TimeSpan.FromMicroseconds(i == 5 ? 150 : 700).Ticks);
            }

            Assert.Equal(TimeSpan.FromMicroseconds(400), AutoThreads.StartCost());
        }
        finally
        {
            Reset();
        }
    }

    [Fact]
    public void StartCost_NeverBelowThePlannersUsualFigure()
    {
        try
        {
            // A machine that starts threads in 50 µs: the plan still weighs the usual 100 µs (widths stay as before).
            for (var i = 0; i < 8; i++)
            {
                AutoThreads.RecordStarter(TimeSpan.FromMicroseconds(20).Ticks);
                AutoThreads.RecordStarted(TimeSpan.FromMicroseconds(30).Ticks);
            }

            Assert.Equal(AutoPlanner.ThreadStartCost, AutoThreads.StartCost());
        }
        finally
        {
            Reset();
        }
    }

    // Back to starts quicker than the floor: the usual figure for the auto tests that follow in this process.
    private static void Reset()
    {
        for (var i = 0; i < 8; i++)
        {
            AutoThreads.RecordStarter(1);
            AutoThreads.RecordStarted(1);
        }
    }
}
