namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>The classic UI deadlock: a click handler on a one-thread <see cref="SynchronizationContext"/> blocks in
/// <c>.Result</c> on an async method whose continuation was posted back to that same context.</summary>
public sealed class UiThreadResult : Scenario
{
    private static int _blocked;

    public override string Name => "ui-thread-result";

    public override Expectation Expected => new(Finding.Deadlock) { Cycles = [["ui"]], WaitKinds = ["Task"] };

    public override void Start()
    {
        var context = new SingleThreadContext();
        context.Post(_ => OnClick(), null);
        var ui = Run("ui", context.RunLoop);
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
        await Task.Delay(50);
        return 42;
    }
}
