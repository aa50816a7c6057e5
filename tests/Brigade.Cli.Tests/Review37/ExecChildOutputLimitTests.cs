using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review37;

/// <summary>
/// A command that writes more stdout than one array can hold (about 2 GiB) is failed, its output dropped, instead of
/// ending brigade: the length overflowed an int and the copy threw <c>ArgumentException</c> on the event loop's thread
/// (review 37, found by reading; the limit is lowered here so the test is fast).
/// </summary>
public sealed class ExecChildOutputLimitTests
{
    [Fact]
    public void AppendOutput_PastTheLimit_DropsTheOutput_AndSaysSo_WithoutThrowing()
    {
        var child = new ExecChild(1, 0, 0, -1, -1, -1) { MaxOutput = 10 };

        child.AppendOutput("123456"u8);
        Assert.False(child.OutputTooLong);
        child.AppendOutput("789012"u8);
        child.AppendOutput("345"u8);

        Assert.True(child.OutputTooLong);
        Assert.Empty(child.TakeOutput());
    }

    [Fact]
    public void AppendOutput_UpToTheLimit_KeepsEverything()
    {
        var child = new ExecChild(1, 0, 0, -1, -1, -1) { MaxOutput = 10 };

        child.AppendOutput("12345"u8);
        child.AppendOutput("67890"u8);

        Assert.False(child.OutputTooLong);
        Assert.Equal("1234567890"u8.ToArray(), child.TakeOutput());
    }
}
