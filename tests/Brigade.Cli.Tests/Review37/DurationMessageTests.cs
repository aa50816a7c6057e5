using Brigade.Cli.Commands;

namespace Brigade.Cli.Tests.Review37;

// Review 37 (first use): `--timeout 0` said "'0' is not a duration": it is one, just not one the option takes. A value
// that reads as a duration but is out of range now says which bound it breaks.
public sealed class DurationMessageTests
{
    [Theory]
    [InlineData("0", "'0' must be more than 0")]
    [InlineData("0s", "'0s' must be more than 0")]
    [InlineData("-5s", "'-5s' must be more than 0")]
    [InlineData("25h", "'25h' is more than a day")]
    [InlineData("abc", "'abc' is not a duration")]
    [InlineData("NaN", "'NaN' is not a duration")]
    [InlineData("2d", "'2d' is not a duration")]
    public void OutOfRangeOrUnreadable_SaysWhich(string text, string expected)
    {
        var error = Assert.Throws<CliUsageException>(() => RunCommand.ParseDuration(text));

        Assert.Contains("--timeout: " + expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ZeroWhereAllowed_AndInRange_AreRead()
    {
        Assert.Equal(TimeSpan.Zero, RunCommand.ParseDuration("0", allowZero: true));
        Assert.Equal(TimeSpan.FromMilliseconds(500), RunCommand.ParseDuration("500ms"));
        Assert.Equal(TimeSpan.FromDays(1), RunCommand.ParseDuration("24h"));
    }
}
