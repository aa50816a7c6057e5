namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Correct twin (review 21, D2): the async method's continuation is queued on ANOTHER context (thread ui-b, busy for now, will run
/// it). Thread ui-a blocks in .Result; its own queue merely holds a callback that captured the task. No deadlock of ui-a.</summary>
public sealed class ContinuationOnAnotherContext : Scenario
{
    private static int _blocked;
    private static Task<int>? _task;

    public override string Name => "twin-continuation-on-another-context";

    public override Expectation Expected => new(Finding.None);

    public override void Start()
    {
        var b = new SingleThreadContext();
        b.Post(_ => { _task = LoadAsync(); Thread.Sleep(TimeSpan.FromMinutes(10)); }, null);
        var uiB = Run("ui-b", b.RunLoop);
        WaitUntil(() => Volatile.Read(ref _task) is not null);

        var a = new SingleThreadContext();
        a.Post(_ =>
        {
            var task = _task!;
            _task = null;
            SynchronizationContext.Current!.Post(_ => Console.WriteLine(task.Status), null);
            Volatile.Write(ref _blocked, 1);
            _ = task.Result;
        }, null);
        var uiA = Run("ui-a", a.RunLoop);
        WaitUntil(() => Volatile.Read(ref _blocked) == 1);
        WaitUntilBlocked(uiA, uiB);
    }

    private static async Task<int> LoadAsync()
    {
        await Task.Delay(50);
        return 42;
    }
}
