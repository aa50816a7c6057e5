using Brigade.Reporting;

namespace Brigade.Tests.Review70Losses;

/// <summary>
/// Every loss cause has a colour in the HTML report's bar (review 70: the shared-resource cause, added without one, would
/// have thrown KeyNotFoundException while writing the report of any run that had it).
/// </summary>
public sealed class EveryCauseShownTests
{
    [Fact]
    public void EveryLossCause_HasAColourInTheHtmlReport()
    {
        var missing = Enum.GetValues<LossCause>().Where(c => !HtmlReport.LossColors.ContainsKey(c)).ToArray();

        Assert.True(missing.Length == 0, "no colour for: " + string.Join(", ", missing));
    }
}
