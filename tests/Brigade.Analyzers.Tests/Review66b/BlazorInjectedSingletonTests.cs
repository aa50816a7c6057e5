using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review66b;

// Review 66b. A Blazor Server component (a `ComponentBase` subclass in a compilation that has
// Microsoft.AspNetCore.Components.Server) that writes a field of an `[Inject]`ed service the compilation registers with
// `AddSingleton` (`Shared.Visits++`, or a call of the singleton's method that does `_visits++`) was not reported: every
// circuit's components share that one instance and each circuit runs its events on a thread of its own. Not reported,
// and right: a scoped service (one per circuit), the component's own fields, the singleton's locked method, a
// component in a Blazor WebAssembly compilation (no Components.Server: one thread; separate test).
public sealed class BlazorInjectedSingletonTests
{
    private const string Framework = """
        namespace Microsoft.Extensions.DependencyInjection
        {
            public interface IServiceCollection { }
            public static class ServiceCollectionServiceExtensions
            {
                public static IServiceCollection AddSingleton<TService>(this IServiceCollection services) where TService : class => services;
                public static IServiceCollection AddScoped<TService>(this IServiceCollection services) where TService : class => services;
            }
        }
        namespace Microsoft.AspNetCore.Components
        {
            [AttributeUsage(AttributeTargets.Property)] public sealed class InjectAttribute : Attribute { }
            public abstract class ComponentBase { protected void StateHasChanged() { } }
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

            public sealed class AppWide { public int Visits; public List<string> Log { get; } = new(); private int _hits; public void Hit() => _hits++; }
            public sealed class Locked { private readonly object _gate = new(); private int _n; public void Hit() { lock (_gate) { _n++; } } }
            public sealed class PerCircuit { public int Clicks; }

            static class Startup
            {
                public static void Configure(IServiceCollection services)
                {
                    services.AddSingleton<AppWide>();
                    services.AddSingleton<Locked>();
                    services.AddScoped<PerCircuit>();
                }
            }

            public sealed class Counter : ComponentBase
            {
                private int _count;
                [Inject] private AppWide Shared { get; set; } = default!;
                [Inject] private Locked Gate { get; set; } = default!;
                [Inject] private PerCircuit Circuit { get; set; } = default!;

                private void OnClick()
                {
                    _count++;
                    Circuit.Clicks++;
                    Gate.Hit();
                    {|#0:Shared.Visits++|};
                    {|#1:Shared.Log.Add("click")|};
                    {|#2:Shared.Hit()|};
                    StateHasChanged();
                }
            }
        }
        """;

    [Fact]
    public Task Reports_writes_to_an_injected_singleton_in_a_Blazor_Server_component() => Verifier.AnalyzerAsync(
        Framework + Server + App,
        Verifier.Diagnostic().WithLocation(0).WithArguments("Visits", "incremented", Where),
        Verifier.Diagnostic().WithLocation(1).WithArguments("Log", "modified through List.Add (not thread-safe)", Where),
        Verifier.Diagnostic().WithLocation(2).WithArguments("_hits", "incremented by the singleton's method AppWide.Hit, called", Where));

    [Fact]
    public Task Skips_a_Blazor_WebAssembly_component() => Verifier.AnalyzerAsync(
        Framework + App.Replace("{|#0:", "", StringComparison.Ordinal).Replace("{|#1:", "", StringComparison.Ordinal).Replace("{|#2:", "", StringComparison.Ordinal).Replace("|}", "", StringComparison.Ordinal));

    private const string Where = "Blazor Server (component method Counter.OnClick; the singleton is shared by every circuit, each on its own thread)";
}
