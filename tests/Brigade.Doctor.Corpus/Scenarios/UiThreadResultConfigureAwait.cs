namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin of <see cref="UiThreadResult"/>: the UI thread blocks in <c>.Result</c>, but the awaited method
/// uses <c>ConfigureAwait(false)</c> and is still waiting for its (long) delay: nothing is posted back to the UI thread.</summary>
public sealed class UiThreadResultConfigureAwait : Scenario
{
    private static int _blocked;

    public override string Name => "twin-ui-configure-await";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var context = new SingleThreadContext();
        context.Post(_ => OnClick(), null);
        var ui = Run("ui-ok", context.RunLoop);
        WaitUntil(() => Volatile.Read(ref _blocked) == 1);
        WaitUntilBlocked(ui);
    }

    private static void OnClick()
    {
        Volatile.Write(ref _blocked, 1);
        _ = LoadAsync().Result;
    }

    private static async Task<int> LoadAsync()
    {
        await Task.Delay(TimeSpan.FromMinutes(10)).ConfigureAwait(false);
        return 42;
    }
}
