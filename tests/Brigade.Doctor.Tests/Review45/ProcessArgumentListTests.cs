namespace Brigade.Doctor.Tests.Review45;

/// <summary>Review 45: a child started with <c>ProcessStartInfo.ArgumentList</c> is shown with its arguments (review 44
/// left it: <c>DescribeProcess</c> read <c>_arguments</c> only).</summary>
public sealed class ProcessArgumentListTests
{
    private static async Task<Diagnosis> DiagnoseAsync(string scenario)
    {
        var outcome = await CorpusFixture.DiagnoseAsync(scenario);
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        return outcome.Diagnosis!;
    }

    [Fact]
    public async Task AChildStartedWithAnArgumentList_IsShownWithItsArguments()
    {
        // Before: "process 4242 (sh)": only ProcessStartInfo._arguments (the string form) was read.
        var text = (await DiagnoseAsync("process-wait-for-exit")).ToString();
        Assert.Contains("(sh -c \"read line\")", text, StringComparison.Ordinal);
    }
}
