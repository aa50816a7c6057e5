using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review62Run;

/// <summary>run62: a GNU parallel script's output options (<c>--tag</c>, <c>--line-buffer</c>) were "unknown option" alone,
/// where run60's other GNU parallel options say what brigade run does instead.</summary>
public sealed class ParallelOutputOptionTests
{
    [Theory]
    [InlineData("--tag", "no --tag")]
    [InlineData("--tagstring", "no --tag")]
    [InlineData("--line-buffer", "output whole")]
    [InlineData("--lb", "output whole")]
    [InlineData("--ungroup", "output whole")]
    public void GnuParallelsOutputOptions_SayWhatBrigadeDoes(string option, string expected)
    {
        var advice = ForeignOptions.Advice(option);

        Assert.NotNull(advice);
        Assert.Contains(expected, advice, StringComparison.Ordinal);
    }
}
