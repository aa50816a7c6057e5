using Brigade.Testing.Conformance;

namespace Brigade.Testing.Tests.Conformance;

/// <summary>The suite itself: it passes a correct engine, and fails each broken one on the cases that check what it breaks.</summary>
public sealed class EngineConformanceTests
{
    [Fact]
    public async Task ReferenceEngine_PassesEveryCase()
    {
        var report = await EngineConformance.RunAllAsync(() => new TestEngines.Reference());

        report.ThrowIfFailed();
        Assert.True(report.Passed);
        Assert.Equal(EngineConformance.CasesFor(new TestEngines.Reference().Capabilities).Count, report.Results.Count(r => r.Outcome == ConformanceOutcome.Passed));
    }

    [Theory]
    [InlineData("Ordering.Map_AnyInput_ResultsInInputOrder")]
    [InlineData("Report.AfterRun_CountsWorkersAndTimelineAddUp")]
    public async Task EngineThatDropsItsLastBatch_FailsOrderingAndReport(string name)
    {
        var result = await EngineConformance.RunAsync(name, () => new TestEngines.DropsLastBatch());

        Assert.Equal(ConformanceOutcome.Failed, result.Outcome);
        var ex = Assert.Throws<ConformanceFailedException>(result.ThrowIfFailed);
        Assert.Same(result, ex.Result);
        Assert.StartsWith(name + ": Failed: ", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EngineThatReturnsBeforeItsWorkersExit_FailsCancellation()
    {
        // Its workers find the job over and never start an item, so the case waits for them until it times out (or, should
        // one start, fails on the call returning while it runs). A short case timeout fails it just the same, without
        // waiting out the suite's 30 s bound on each wait.
        var result = await EngineConformance.RunAsync("Cancellation.CancelledMidRun_NoItemStartsAfterCancel_ThrowsOnlyAfterRunningItemsFinish", () => new TestEngines.ReturnsBeforeWorkersExit(),
            new ConformanceOptions { CaseTimeout = TimeSpan.FromSeconds(3) });

        Assert.Equal(ConformanceOutcome.Failed, result.Outcome);
        var message = result.Message ?? "";
        Assert.True(message.Contains("did not finish in time", StringComparison.Ordinal) || message.Contains("still running", StringComparison.Ordinal),
            $"failed for another reason: {result.Message}");
    }

    [Fact]
    public async Task EngineThatLosesFailures_FailsFailures()
    {
        var result = await EngineConformance.RunAsync("Failures.Map_ItemsThrow_FailuresCarryIndexAndException_OtherItemsComplete", () => new TestEngines.LosesFailures());

        Assert.Equal(ConformanceOutcome.Failed, result.Outcome);
        Assert.StartsWith("[sync work] the run is not a success", result.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Resilience.Retry_TransientFailure_SucceedsAfterItsAttempts", "[sync work] the run is a success")]
    [InlineData("Resilience.Retry_Exhausted_FailsWithIndexAndAttempts", "[sync work] the failure's attempts")]
    public async Task EngineThatIgnoresItemRetry_FailsResilience(string name, string message)
    {
        var result = await EngineConformance.RunAsync(name, () => new TestEngines.IgnoresItemRetry());

        Assert.Equal(ConformanceOutcome.Failed, result.Outcome);
        Assert.StartsWith(message, result.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task EngineWithoutItemRetry_PassesResilience_ByRejectingTheOptions()
    {
        var result = await EngineConformance.RunAsync("Resilience.Retry_TransientFailure_SucceedsAfterItsAttempts", () => new TestEngines.LosesFailures());

        Assert.Equal(ConformanceOutcome.Passed, result.Outcome);
    }

    [Fact]
    public async Task CaseNeedingDelegates_OnEngineOfWorkTypes_IsNotApplicable()
    {
        var result = await EngineConformance.RunAsync("Ordering.ForEach_AnyInput_RunsEveryItemExactlyOnce", () => new TestEngines.LosesFailures());

        Assert.Equal(ConformanceOutcome.NotApplicable, result.Outcome);
        Assert.DoesNotContain(EngineConformance.CasesFor(EngineCapabilities.None), c => c.Requires.HasFlag(EngineCapabilities.RunsDelegates));
    }

    [Fact]
    public async Task UnknownCase_IsAnArgumentError()
    {
        await Assert.ThrowsAsync<ArgumentException>(() => EngineConformance.RunAsync("No.Such_Case", () => new TestEngines.Reference()));
    }

    [Fact]
    public void Cases_HaveUniqueNamesAndCoverEveryArea()
    {
        var names = EngineConformance.Cases.Select(c => c.Name).ToList();
        Assert.Equal(names.Count, names.Distinct(StringComparer.Ordinal).Count());
        Assert.Equal(["Cancellation", "Failures", "Ordering", "Report", "Resilience", "Sources", "Types"], EngineConformance.Cases.Select(c => c.Area).Distinct().Order(StringComparer.Ordinal));
    }
}
