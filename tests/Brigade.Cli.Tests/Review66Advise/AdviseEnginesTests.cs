using Brigade.Cli.Advise;

namespace Brigade.Cli.Tests.Review66Advise;

// Review 66: the in-process engines auto plans among under `advise --engines` were worked out twice, in AdviseCommand
// (the measured auto engine) and in UserWorkload (the warm-up of a user's work); now both ask AdviseEngines. In process, no CLI run.
public sealed class AdviseEnginesTests
{
    [Theory]
    [InlineData("threads,processes", "threads")]
    [InlineData("sequential,threadpool", "sequential,threadpool")]
    [InlineData("processes", "processes")]
    public void AutoPlansOn_TheInProcessEnginesNamed_ElseWorkerProcessesAlone(string named, string plans)
    {
        Assert.Equal(plans.Split(','), AdviseEngines.AutoPlansOn(named.Split(',')));
    }

    [Fact]
    public void InProcessAuto_WithAnInProcessEngineNamed_IsAnAutoEngine()
    {
        Assert.Equal("auto", AdviseEngines.InProcessAuto(["threads", "processes"])?.Name);
        Assert.True(AdviseEngines.AutoRunsInProcess(["threads", "processes"]));
    }

    [Fact]
    public void InProcessAuto_WithWorkerProcessesAlone_IsNone()
    {
        Assert.Null(AdviseEngines.InProcessAuto(["processes"]));
        Assert.False(AdviseEngines.AutoRunsInProcess(["processes"]));
    }

    [Fact]
    public void InProcessAuto_WithoutEnginesNamed_IsAnAutoEngine()
    {
        Assert.Equal("auto", AdviseEngines.InProcessAuto(null)?.Name);
        Assert.True(AdviseEngines.AutoRunsInProcess(null));
    }
}
