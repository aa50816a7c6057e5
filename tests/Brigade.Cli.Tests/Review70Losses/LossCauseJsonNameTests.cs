using Brigade.Cli.Demo.Model;
using Brigade.Reporting;

namespace Brigade.Cli.Tests.Review70Losses;

/// <summary>
/// Every loss cause has its own stable name in demo --json's `losses.causes` (review 70: the shared-resource cause, added to
/// the library, would have read "unexplained" there).
/// </summary>
public sealed class LossCauseJsonNameTests
{
    [Fact]
    public void EveryLossCause_HasItsOwnJsonName()
    {
        var names = Enum.GetValues<LossCause>().ToDictionary(c => c, LossRecord.Name);

        Assert.All(names.Where(n => n.Key != LossCause.Unexplained), n => Assert.NotEqual("unexplained", n.Value));
        Assert.Equal(names.Count, names.Values.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal("shared-resource", names[LossCause.SharedResource]);
    }
}
