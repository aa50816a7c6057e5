namespace Brigade.Doctor.Tests;

/// <summary>Review 21, D5: only a literal string is one lock process-wide; a string built at run time is its own object.</summary>
public sealed class StringLockTests
{
    [Fact]
    public async Task ALockOnAStringBuiltAtRunTime_IsNotCalledALiteral()
    {
        // Before: every string lock read "a literal is one object process-wide", which sends the fix the wrong way.
        var outcome = await CorpusFixture.DiagnoseAsync("runtime-string-lock-pair");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;

        Assert.Single(diagnosis.Deadlocks);
        var message = Assert.Single(diagnosis.Reports).Message;
        Assert.DoesNotContain("a literal is one object process-wide", message, StringComparison.Ordinal);
        Assert.Contains("(the string \"user-17\": not a literal of loaded code; built at run time, it is its own object", message, StringComparison.Ordinal);
    }
}
