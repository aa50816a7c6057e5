using Brigade.Internal;

namespace Brigade.Tests.Review66Lead;

// Review 66 (the review of lib66): ExceptionText.Brief cut a long message after 500 characters even between the halves of
// a surrogate pair, leaving a lone high surrogate in RunFailedException's message (not text: JSON writers and loggers
// replace or refuse it). It cuts before the pair.
public sealed class BriefSurrogateTests
{
    [Fact]
    public void PairAcrossTheCut_IsNotSplit()
    {
        var brief = ExceptionText.Brief(new InvalidOperationException(new string('a', ExceptionText.BriefLength - 1) + "\U0001F600" + new string('b', 1000)));

        var cut = brief[..brief.IndexOf('…', StringComparison.Ordinal)];
        Assert.Equal(ExceptionText.BriefLength - 1, cut.Length);
        Assert.False(char.IsSurrogate(cut[^1]));
        Assert.EndsWith("(1,501 characters)", brief, StringComparison.Ordinal);
    }
}
