using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review42;

/// <summary>How a failure line on stderr cuts a long item or error (<see cref="FailureRecord.ForDisplay"/>).</summary>
public sealed class FailureRecordDisplayTests
{
    [Fact]
    public void ShortItemAndError_AreShownWhole()
    {
        var record = new FailureRecord { Index = 1, Line = 2, Input = "x", Error = "exit code 1" };

        Assert.Same(record, record.ForDisplay());
    }

    [Fact]
    public void Cut_NeverSplitsASurrogatePair_NorALongError()
    {
        // 1,023 ASCII characters, then an emoji whose halves sit at 1,023 and 1,024.
        var input = new string('x', FailureRecord.DisplayedInput - 1) + "😀" + "tail";
        var record = new FailureRecord { Input = input, Error = new string('e', 10_000) };

        var shown = record.ForDisplay();

        Assert.Equal(new string('x', FailureRecord.DisplayedInput - 1) + "…", shown.Input);
        Assert.Equal(new string('e', FailureRecord.DisplayedError) + "…", shown.Error);
        Assert.Equal(
            "input of 1,029 characters, its first 1,023 shown; error of 10,000 characters, its first 4,096 shown (give --failures FILE to keep failures whole)",
            shown.Truncated);
        Assert.Equal(input, record.Input); // the record itself is untouched
    }
}
