namespace Brigade.Doctor.Tests.Review41;

/// <summary>Audit 4: <c>CancellationTokenRegistration.Dispose</c> waits for the callback that <c>Cancel()</c> runs on
/// another thread; under a lock that callback takes, the two threads deadlock.</summary>
public sealed class CancellationCallbackWaitTests
{
    [Fact]
    public async Task DisposingARegistrationUnderTheLockItsRunningCallbackTakes_IsADeadlockNamingTheCallbacksThread()
    {
        // Before: "thread 'stopper' waits in Thread.Sleep", the canceller "held by thread 'stopper'", and "No pitfall found".
        var outcome = await CorpusFixture.DiagnoseAsync("cancellation-registration-disposed-under-lock");
        Assert.True(outcome.Error is null, $"{outcome.Error}\n{outcome.ChildOutput}");
        var diagnosis = outcome.Diagnosis!;

        var cycle = Assert.Single(diagnosis.Deadlocks);
        Assert.False(cycle.IsPossible);
        Assert.Equal(["canceller", "stopper"], cycle.Threads.Select(t => t.Name).Order());
        var dispose = Assert.Single(cycle.Links, l => l.Wait.Kind == WaitKind.CancellationCallback);
        Assert.Equal("stopper", dispose.Waiter.Name);
        Assert.Equal("canceller", dispose.Holder.Name);
        Assert.Equal("System.Threading.CancellationTokenSource", dispose.Wait.Target?.TypeName);
        var message = Assert.Single(diagnosis.Reports).Message;
        Assert.Contains("waits in CancellationTokenRegistration.Dispose on System.Threading.CancellationTokenSource (field Brigade.Doctor.Corpus.Scenarios.CancellationRegistrationDisposedUnderLock.Subscription._cts), until the callback Cancel() is running returns", message, StringComparison.Ordinal);
        Assert.Contains("whose callback runs on thread 'canceller'", message, StringComparison.Ordinal);
        Assert.Contains("call Unregister(), which does not wait", message, StringComparison.Ordinal);
        Assert.DoesNotContain("waits in Thread.Sleep", diagnosis.ToString(), StringComparison.Ordinal);
        Assert.Contains("\"kind\": \"CancellationCallback\"", diagnosis.ToJson(), StringComparison.Ordinal);
    }
}
