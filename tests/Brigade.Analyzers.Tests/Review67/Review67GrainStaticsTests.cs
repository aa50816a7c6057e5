using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review67;

// Review 67 (found by its snippets). An Orleans grain's write to a static (`s_quotes++` in a [StatelessWorker] grain, a
// static cache `s_prices[sku] = p`) was not reported: each activation runs one turn at a time, which keeps its own fields
// safe, but a static is one for every activation of the class (a stateless worker has several per silo, a keyed grain one
// per key), and activations run their turns at once on the thread pool. Not reported, and right: the grain's own fields
// (also across awaits in a [Reentrant] grain), a locked or Interlocked static write, a static constructor's writes, a
// plain store (`s_last = sku`), a [ThreadStatic] static, a class that is not a grain, lazy initialisation (`s_pattern ??=
// new Regex(...)`: racing activations store equal values; not an empty collection, `s_seen ??= new List<string>()`).
public sealed class Review67GrainStaticsTests
{
    [Fact]
    public Task Reports_a_grains_static_writes() => Verifier.AnalyzerAsync(
        """
        namespace Orleans
        {
            public interface IGrainWithIntegerKey { }
            public abstract class Grain { }
            namespace Concurrency { [AttributeUsage(AttributeTargets.Class)] public sealed class StatelessWorkerAttribute : Attribute { } }
        }

        namespace Shop
        {
            using Orleans;
            using Orleans.Concurrency;

            public interface IPricingGrain : IGrainWithIntegerKey { Task<decimal> QuoteAsync(string sku); }

            [StatelessWorker]
            public sealed class PricingGrain : Grain, IPricingGrain
            {
                private static int s_quotes;
                private static int s_safe;
                private static readonly object s_gate = new();
                private static readonly Dictionary<string, decimal> s_prices = new();
                private static string s_last = "";
                private static readonly int s_seed;
                [ThreadStatic] private static int t_scratch;
                private static System.Text.RegularExpressions.Regex? s_pattern;
                private static List<string>? s_seen;
                private int _own;

                static PricingGrain() { s_seed = 3; s_quotes = s_seed; }

                public async Task<decimal> QuoteAsync(string sku)
                {
                    {|#0:s_quotes++|};
                    _own++;
                    t_scratch++;
                    s_last = sku;
                    Interlocked.Increment(ref s_safe);
                    await Task.Yield();
                    _own++;
                    if (!s_prices.TryGetValue(sku, out var price))
                    {
                        price = sku.Length;
                        {|#1:s_prices[sku] = price|};
                    }

                    lock (s_gate) { s_safe++; }
                    s_pattern ??= new System.Text.RegularExpressions.Regex("[A-Z]+");
                    {|#2:s_seen ??= new List<string>()|};
                    return price;
                }
            }

            public sealed class NotAGrain
            {
                private static int s_calls;
                public void Call() => s_calls++;
            }
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("s_quotes", "incremented", Where),
        Verifier.Diagnostic().WithLocation(1).WithArguments("s_prices[...]", "set through the Dictionary indexer", Where),
        Verifier.Diagnostic().WithLocation(2).WithArguments("s_seen", "assigned if null (??=)", Where));

    private const string Where = "Orleans (grain method PricingGrain.QuoteAsync; a static is shared by every activation of the grain, whose turns run at once on the thread pool)";
}
