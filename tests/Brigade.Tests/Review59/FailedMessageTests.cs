namespace Brigade.Tests.Review59;

/// <summary>
/// <see cref="RunFailedException"/>'s message ends its sentence once: a run whose last listed failure's message ends with a
/// full stop (most .NET messages do: <c>int.Parse("twelve")</c>'s "...was not in a correct format.") read "format.." (a
/// user's program mapping a file's lines, review 59).
/// </summary>
public sealed class FailedMessageTests
{
    [Fact]
    public async Task Values_OfARunWhoseFailureMessageEndsWithAFullStop_EndsWithOne()
    {
        var result = await Runner.MapAsync(new[] { "1", "twelve" }, s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture), new RunOptions { Engine = Engine.Sequential });

        var e = Assert.Throws<RunFailedException>(() => result.Values);

        Assert.StartsWith("1 of 2 items failed; item 1: FormatException: ", e.Message, StringComparison.Ordinal);
        Assert.EndsWith("format.", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("..", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Values_OfARunWhoseFailureMessageHasNoFullStop_GetsOne()
    {
        var result = await Runner.MapAsync(new[] { 1, 2 }, int (x) => x == 2 ? throw new InvalidOperationException("no stop") : x, new RunOptions { Engine = Engine.Sequential });

        var e = Assert.Throws<RunFailedException>(() => result.Values);

        Assert.Equal("1 of 2 items failed; item 1: InvalidOperationException: no stop.", e.Message);
    }
}
