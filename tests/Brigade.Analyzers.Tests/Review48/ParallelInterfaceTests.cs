using V2002 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;
using V2003 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review48;

// Review 48 (left by reviews 46 and 47): ImageSharp runs its row operations through
// `ParallelRowIterator.IterateRows<T>(..., in T operation) where T : struct, IRowOperation`, which hands a wrapper
// struct's `Invoke` to Parallel.For, and the wrapper calls `operation.Invoke(y)` for each row: a struct's method, not a
// lambda, so its writes and waits were not seen. An interface method that a generic method of the compilation calls on a
// type parameter in a parallel body makes every implementation of it a body of that kind.
public sealed class ParallelInterfaceTests
{
    // ImageSharp's shape (src/ImageSharp/Advanced/ParallelRowIterator.cs), cut down.
    private const string Iterator = """
        interface IRowOperation { void Invoke(int y); }
        interface IOther { void Invoke(int y); }

        static class ParallelRowIterator
        {
            public static void IterateRows<T>(int height, in T operation) where T : struct, IRowOperation
            {
                var wrapper = new RowOperationWrapper<T>(height, in operation);
                _ = Parallel.For(0, 4, wrapper.Invoke);
            }

            public static void Each<T>(in T operation) where T : struct, IOther => operation.Invoke(0);

            // An interface of another assembly called in parallel: not every Dispose runs in parallel.
            public static void DisposeAll<T>(T[] items) where T : IRowOperation, IDisposable => Parallel.ForEach(items, x => x.Dispose());
        }

        readonly struct RowOperationWrapper<T> where T : struct, IRowOperation
        {
            private readonly int _height;
            private readonly T _action;

            public RowOperationWrapper(int height, in T action) { _height = height; _action = action; }

            public void Invoke(int i) { for (var y = i; y < _height; y += 4) _action.Invoke(y); }
        }

        """;

    [Fact]
    public async Task BRG2002_and_BRG2003_see_a_row_operation_as_a_parallel_body()
    {
        await V2002.AnalyzerAsync(Iterator + """
            sealed class Stats { public int Count; }

            readonly struct CountRows : IRowOperation
            {
                private readonly Stats _stats;
                private readonly int[] _counts;
                private readonly List<int> _rows;
                private readonly object _gate;

                public void Invoke(int y)
                {
                    [|_stats.Count++|];
                    _counts[y] = y;
                    [|_rows.Add(y)|];
                    lock (_gate) { _rows.Add(y); }
                    var local = 0;
                    local++;
                }
            }

            // Not run in parallel: another interface, a method of no interface, an interface of another assembly.
            struct Sequential : IOther, IDisposable
            {
                private int _n;
                public void Invoke(int y) => _n++;
                public void Other() => _n++;
                public void Dispose() => _n++;
            }
            """);
        await V2003.AnalyzerAsync(Iterator + """
            readonly struct Waits : IRowOperation
            {
                private readonly Task<int> _t;
                public void Invoke(int y) { [|Thread.Sleep(1)|]; _ = [|_t.Result|]; }
            }

            readonly struct Sequential : IOther
            {
                public void Invoke(int y) => Thread.Sleep(1);
            }
            """);
    }
}
