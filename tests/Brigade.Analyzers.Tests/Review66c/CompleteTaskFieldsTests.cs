using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2003BlockingOnThreadPoolAnalyzer>;

namespace Brigade.Analyzers.Tests.Review66c;

// Review 66c. `_loaded.Result`, `_loaded` being `private readonly Task<int> _loaded = Task.FromResult(3);` and never
// assigned elsewhere, was reported in a synchronous grain method and in an async method ("'Task.Result' blocks ..."):
// the task is complete when it is made, and a readonly field holds only what its initialiser and constructors store.
// Only locals holding such a task were followed (review 65b). Now a readonly field, instance or static, whose every
// assignment (initialiser, constructors, init accessors) is a task complete when made is complete too. Still reported:
// a field that is not readonly, one a constructor gives a running task (in any one constructor, or on one branch), one
// initialised from a call, one passed by ref or out, one assigned in an init accessor, one never assigned.
public sealed class CompleteTaskFieldsTests
{
    [Fact]
    public Task Does_not_report_results_of_readonly_fields_holding_only_tasks_complete_when_made() => Verifier.AnalyzerAsync(
        """
        namespace Orleans
        {
            public interface IGrainBase { }
            public interface IGrainWithStringKey { }
            public abstract class Grain : IGrainBase { }
        }
        namespace Shop
        {
            using Orleans;

            static class Remote
            {
                public static async Task<int> LoadAsync() { await Task.Yield(); return 1; }
                public static void Swap(ref Task<int> t) => t = LoadAsync();
                public static void Make(out Task<int> t) => t = LoadAsync();
            }

            public interface IBankGrain : IGrainWithStringKey { Task<int> Balance(); }

            public sealed class BankGrain : Grain, IBankGrain
            {
                private readonly Task<int> _loaded = Task.FromResult(3);
                private int _balance;

                public Task<int> Balance() => Task.FromResult(_balance + _loaded.Result + this._loaded.GetAwaiter().GetResult());
            }

            sealed partial class Cache
            {
                private static readonly Task<string> s_empty = Task.FromResult("");
                private static readonly Task s_done;
                private readonly ValueTask<int> _zero = new(0);
                private readonly Task<int> _ready;
                private readonly Task<int> _both;

                static Cache() => s_done = Task.CompletedTask;

                public Cache() { _ready = Task.FromResult(2); _both = Task.FromResult(0); }
                public Cache(int n) : this() { _both = Task.FromResult(n); }

                public async Task<int> ReadAsync()
                {
                    await Task.Yield();
                    s_done.Wait();
                    return _ready.Result + _zero.Result + s_empty.Result.Length + _both.ConfigureAwait(false).GetAwaiter().GetResult();
                }
            }

            sealed partial class Cache
            {
                public Cache(string s) : this() => _both = Task.FromResult(s.Length);
            }

            sealed class Wrong
            {
                private Task<int> _mutable = Task.FromResult(1);
                private readonly Task<int> _warm = Task.FromResult(0);
                private readonly Task<int> _branch;
                private readonly Task<int> _called = Remote.LoadAsync();
                private readonly Task<int> _byRef = Task.FromResult(1);
                private readonly Task<int> _byOut;
                private readonly Task<int> _init = Task.FromResult(1);
                private readonly Task<int> _never;

                public Wrong() { _branch = Task.FromResult(1); Remote.Make(out _byOut); }
                public Wrong(bool slow) { _warm = Task.Run(() => 9); _branch = slow ? Remote.LoadAsync() : Task.FromResult(0); Remote.Swap(ref _byRef); _byOut = Task.FromResult(2); }

                public Task<int> Init { init => _init = value; }

                public void Swap(Task<int> t) => _mutable = t;

                public async Task<int> ReadAsync()
                {
                    await Task.Yield();
                    return [|_mutable.Result|] + [|_warm.Result|] + [|_branch.Result|] + [|_called.Result|] + [|_byRef.Result|]
                        + [|_byOut.Result|] + [|_init.Result|] + [|_never.Result|];
                }
            }
        }
        """);
}
