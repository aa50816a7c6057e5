using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review67;

// Review 67. (1) A Blazor Server component's write inside `InvokeAsync(() => ...)` was never read: the dispatched lambda was
// left out of every body (review 66), right for the component's own fields (its circuit's dispatcher runs one work item at
// a time) but not for a singleton's or a static's, which every circuit writes at once from its own dispatcher. (2) A Blazor
// Server component's write to a static (`s_online++`, `s_log.Add(...)`) was not reported: a static is one for every circuit,
// that is every user. Not reported, and right: the component's own fields (in `InvokeAsync` too), a static constructor's
// writes, `[ThreadStatic]` statics, a locked or `Interlocked` write, a plain store of a value (`s_lastUser = name`), a
// component of a Blazor WebAssembly app (one user, one thread).
public sealed class Review67BlazorSharedStateTests
{
    private const string Framework = """
        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }
            public static class ServiceCollectionServiceExtensions
            {
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class => services;
            }
        }
        namespace Microsoft.AspNetCore.Components
        {
            [AttributeUsage(AttributeTargets.Property)] public sealed class InjectAttribute : Attribute { }
            public abstract class ComponentBase
            {
                protected Task InvokeAsync(Action workItem) => Task.CompletedTask;
                protected Task InvokeAsync(Func<Task> workItem) => Task.CompletedTask;
                protected void StateHasChanged() { }
                protected virtual void OnInitialized() { }
            }
        }
        """;

    private const string Server = """
        namespace Microsoft.AspNetCore.Components.Server.Circuits { public abstract class CircuitHandler { } }
        """;

    private const string App = """
        namespace Shop
        {
            using Microsoft.AspNetCore.Components;
            using Microsoft.Extensions.DependencyInjection;

            public sealed class AppWide { public int Visits; public event Action? Changed; private int _hits; public void Hit() => _hits++; }

            static class Startup
            {
                public static void Configure(IServiceCollection services) => services.AddSingleton<AppWide>();
            }

            public sealed class Clock : ComponentBase, IDisposable
            {
                private static int s_online;
                private static readonly List<string> s_log = new();
                private static readonly object s_gate = new();
                private static int s_ticks;
                private static int s_locked;
                private static string s_lastUser = "";
                private static readonly int s_seed;
                [ThreadStatic] private static int t_scratch;
                private const int Limit = 3;
                private int _renders;
                private int _count;
                private Timer? _timer;
                [Inject] private AppWide Shared { get; set; } = default!;

                static Clock() { s_seed = 7; s_ticks = s_seed; }

                protected override void OnInitialized()
                {
                    {|#0:s_online++|};
                    _count += Limit;
                    _timer = new Timer(_ => InvokeAsync(() => { _renders++; {|#1:Shared.Visits++|}; {|#2:s_ticks++|}; {|#3:Shared.Hit()|}; StateHasChanged(); }), null, 1000, 1000);
                    Shared.Changed += () => InvokeAsync(() => { _renders++; {|#4:s_log.Add("changed")|}; });
                }

                private void OnClick(string name)
                {
                    _count++;
                    t_scratch++;
                    s_lastUser = name;
                    lock (s_gate) { s_locked++; }
                    Interlocked.Increment(ref s_ticks);
                    InvokeAsync(() => _count++);
                }

                public void Dispose() { {|#5:s_online--|}; _timer?.Dispose(); }
            }
        }
        """;

    [Fact]
    public Task Reports_a_components_static_and_singleton_writes_also_inside_InvokeAsync() => Verifier.AnalyzerAsync(
        Framework + Server + App,
        Verifier.Diagnostic().WithLocation(0).WithArguments("s_online", "incremented", Statics("Clock.OnInitialized")),
        Verifier.Diagnostic().WithLocation(1).WithArguments("Visits", "incremented", Dispatched("Clock.OnInitialized", "the singleton is")),
        Verifier.Diagnostic().WithLocation(2).WithArguments("s_ticks", "incremented", Dispatched("Clock.OnInitialized", "a static is")),
        Verifier.Diagnostic().WithLocation(3).WithArguments("_hits", "incremented by the singleton's method AppWide.Hit, called", Dispatched("Clock.OnInitialized", "the singleton is")),
        Verifier.Diagnostic().WithLocation(4).WithArguments("s_log", "modified through List.Add (not thread-safe)", Dispatched("Clock.OnInitialized", "a static is")),
        Verifier.Diagnostic().WithLocation(5).WithArguments("s_online", "decremented", Statics("Clock.Dispose")));

    [Fact]
    public Task Skips_a_Blazor_WebAssembly_components_statics() => Verifier.AnalyzerAsync(
        Framework + App.Replace("{|#0:", "", StringComparison.Ordinal).Replace("{|#1:", "", StringComparison.Ordinal).Replace("{|#2:", "", StringComparison.Ordinal)
            .Replace("{|#3:", "", StringComparison.Ordinal).Replace("{|#4:", "", StringComparison.Ordinal).Replace("{|#5:", "", StringComparison.Ordinal).Replace("|}", "", StringComparison.Ordinal));

    private static string Statics(string method) => "Blazor Server (component method " + method + "; a static is shared by every circuit, each on its own thread)";

    private static string Dispatched(string method, string what) =>
        "Blazor Server (InvokeAsync in component method " + method + ", one work item at a time for its circuit only; " + what + " shared by every circuit, each on its own thread)";
}
