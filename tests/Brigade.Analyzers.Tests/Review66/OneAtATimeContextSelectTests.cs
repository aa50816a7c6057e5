using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review66;

// Review 66: `await Task.WhenAll(skus.Select(async sku => { var p = await LoadAsync(sku); _total += p; }))` in an Orleans
// grain, or in a Blazor component, was reported ("'_total' is updated with += in a body that Task.WhenAll of
// Select(async ...) runs concurrently"), but each lambda's continuations return to the context that started it: the
// grain's activation scheduler, the renderer's dispatcher, a UI thread, each of which runs one thing at a time. The
// lambdas interleave at their awaits; they never run at once. Still reported, and right: a lambda whose await leaves
// the context (`ConfigureAwait(false)`), a Select in a body given to the pool (`Task.Run`), the same code in a class
// that is none of these.
public sealed class OneAtATimeContextSelectTests
{
    [Fact]
    public Task Skips_async_selects_whose_continuations_return_to_a_grain_or_component() => Verifier.AnalyzerAsync(
        """
        namespace Orleans { public abstract class Grain { } public abstract class Grain<TState> : Grain { } }
        namespace Microsoft.AspNetCore.Components { public abstract class ComponentBase { } }

        namespace Shop
        {
            using Microsoft.AspNetCore.Components;
            using Orleans;

            static class Prices
            {
                public static async Task<decimal> LoadAsync(string sku) { await Task.Yield(); return sku.Length; }
            }

            sealed class PriceGrain : Grain<int>
            {
                decimal _total;
                int _loads;

                public async Task<decimal> Total(string[] skus)
                {
                    await Task.WhenAll(skus.Select(async sku => { var p = await Prices.LoadAsync(sku); _total += p; _loads++; }));
                    var n = 0;
                    await Task.WhenAll(skus.Select(async sku => { await Prices.LoadAsync(sku).ConfigureAwait(false); [|n++|]; }));
                    await Task.Run(() => Task.WhenAll(skus.Select(async sku => { await Prices.LoadAsync(sku); [|_loads++|]; })));
                    return _total + n;
                }
            }

            sealed class Dashboard : ComponentBase
            {
                readonly List<string> _rows = new();

                async Task LoadAsync(string[] skus) =>
                    await Task.WhenAll(skus.Select(async sku => { var p = await Prices.LoadAsync(sku); _rows.Add(sku + p); }));
            }

            sealed class Service
            {
                decimal _total;

                async Task TotalAsync(string[] skus) =>
                    await Task.WhenAll(skus.Select(async sku => { var p = await Prices.LoadAsync(sku); [|_total += p|]; }));
            }
        }
        """);
}
