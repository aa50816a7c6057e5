using V2002 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;
using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review47;

// Review 47 (left by review 46): Math.NET's parallel code goes through its own `CommonParallel.For(0, n, (a, b) => ...)`
// (171 calls), whose body hands the delegate to `Parallel.ForEach` inside a lambda (`range => body(range.Item1,
// range.Item2)`); a lambda given to it was not a body the rules knew, so `sum += ...` in it went unreported. A method of
// the compilation that hands a delegate parameter to Parallel.*, PLINQ, Task.Run or new Thread (itself, or inside a
// lambda that calls it), or to such a wrapper of its own (two deep), runs a lambda given for that parameter as they do.
public sealed class ParallelWrapperTests
{
    private const string Wrappers = """
        static class CommonParallel
        {
            public static void For(int fromInclusive, int toExclusive, int rangeSize, Action<int, int> body)
            {
                if (toExclusive - fromInclusive <= rangeSize)
                {
                    body(fromInclusive, toExclusive);
                    return;
                }

                Parallel.ForEach(Partitioner.Create(fromInclusive, toExclusive, rangeSize), range => body(range.Item1, range.Item2));
            }

            // Two deep: hands the delegate to the wrapper above.
            public static void For(int fromInclusive, int toExclusive, Action<int, int> body) => For(fromInclusive, toExclusive, 64, body);

            public static void Each<T>(IEnumerable<T> items, Action<T> body) => Parallel.ForEach(items, body);

            public static Task Spawn(Action work) => Task.Run(work);

            public static void Sequential(int n, Action<int> body)
            {
                for (var i = 0; i < n; i++) body(i);
            }

            // The delegate is not the one handed to Parallel.
            public static void After(Action first, Action then)
            {
                first();
                Parallel.Invoke(() => { }, () => { });
                then();
            }
        }

        """;

    [Fact]
    public async Task BRG2002_sees_a_lambda_given_to_a_wrapper_of_Parallel_as_a_parallel_body()
    {
        await V2002.AnalyzerAsync(Wrappers + """
            class C
            {
                double _sum;

                void M(double[] a)
                {
                    CommonParallel.For(0, a.Length, 64, (s, e) => { for (var i = s; i < e; i++) [|_sum += a[i]|]; });
                    CommonParallel.For(0, a.Length, (s, e) => { [|_sum += 1|]; });
                    var count = 0;
                    CommonParallel.Each(a, x => [|count++|]);
                    var started = 0;
                    foreach (var x in a) CommonParallel.Spawn(() => [|started++|]);
                    CommonParallel.Spawn(() => started++);
                    CommonParallel.Sequential(3, i => _sum += i);
                    CommonParallel.After(() => _sum += 1, () => _sum += 2);
                    CommonParallel.For(0, a.Length, (s, e) => { lock (a) { _sum += 1; } });
                    CommonParallel.For(0, a.Length, (s, e) => { var local = 0; local++; a[s] = local; });
                }
            }
            """);
    }

    [Fact]
    public async Task BRG2003_sees_a_lambda_given_to_a_wrapper_of_Parallel_on_the_pool()
    {
        await V2003.AnalyzerAsync(Wrappers + """
            class C
            {
                void M(int[] a)
                {
                    CommonParallel.For(0, a.Length, (s, e) => [|Thread.Sleep(10)|]);
                    CommonParallel.Sequential(3, i => Thread.Sleep(10));
                }
            }
            """);
    }
}
