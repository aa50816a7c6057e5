using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2004AsyncLambdaToSyncParallelApiAnalyzer>;

namespace Brigade.Analyzers.Tests.Review60;

// Review 60: `new Thread(async () => ...)` and `ThreadPool.QueueUserWorkItem(async _ => ...)` are async void, which BRG2004
// reports (BRG2008 takes StartNew's Task<Task>, which is not async void). Async void event handlers, which are what async
// void is for, are not a thread's start and stay unreported.
public sealed class BRG2004ThreadAndQueueTests
{
    private const string Prelude = """
        sealed class Button { public event EventHandler? Click; public void Raise() => Click?.Invoke(this, EventArgs.Empty); }
        class C
        {
            static Task SaveAsync() => Task.Delay(1);
            async void OnTick() => await SaveAsync();
            async void OnClick(object? sender, EventArgs e) => await SaveAsync();

        """;

    public static TheoryData<string> Buggy =>
    [
        Prelude + "void M() { new Thread([|async () =>|] { await SaveAsync(); throw new InvalidOperationException(); }).Start(); } }",
        Prelude + "void M() { new Thread([|OnTick|]) { IsBackground = true }.Start(); } }",
        Prelude + "void M() { new Thread(new ThreadStart([|async () =>|] await SaveAsync())).Start(); } }",
        Prelude + "void M() { new Thread([|async o =>|] await SaveAsync()).Start(1); } }",
        Prelude + "void M() { ThreadPool.QueueUserWorkItem([|async _ =>|] await SaveAsync()); } }",
        Prelude + "void M() { ThreadPool.QueueUserWorkItem([|async s =>|] await SaveAsync(), 1, preferLocal: false); } }",
        Prelude + "void M() { ThreadPool.UnsafeQueueUserWorkItem([|async _ =>|] await SaveAsync(), null); } }",
    ];

    public static TheoryData<string> Correct =>
    [
        Prelude + "void M(Button b) { b.Click += async (s, e) => await SaveAsync(); } }",
        Prelude + "void M(Button b) { b.Click += OnClick; } }",
        Prelude + "void M(Button b) { b.Click += new EventHandler(OnClick); } }",
        Prelude + "void M(Button b) { b.Click += async delegate { await SaveAsync(); }; } }",
        Prelude + "Task M() => Task.Run(async () => await SaveAsync()); }",
        Prelude + "Task M() => Task.Run(OnTickAsync); static async Task OnTickAsync() => await SaveAsync(); }",
        Prelude + "void M() { new Thread(() => SaveAsync().GetAwaiter().GetResult()).Start(); } }",
        Prelude + "void M() { ThreadPool.QueueUserWorkItem(_ => SaveAsync().Wait()); } }",
    ];

    [Theory]
    [MemberData(nameof(Buggy))]
    public Task Flags_async_void_thread_starts_and_work_items(string source) => Verifier.AnalyzerAsync(source);

    [Theory]
    [MemberData(nameof(Correct))]
    public Task Leaves_event_handlers_and_Task_Run_alone(string source) => Verifier.AnalyzerAsync(source);
}
