using Verifier2002 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;
using Verifier2004 = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2004AsyncLambdaToSyncParallelApiAnalyzer>;

namespace Brigade.Analyzers.Tests.Review64;

// Review 64: a System.Timers.Timer declared in a base class of the compilation (`protected readonly Timer Clock = new(1000)`)
// and given an Elapsed handler by a subclass was not read: only a timer of the type adding the handler was, so neither
// `_elapsed++` (BRG2002) nor `Clock.Elapsed += async ...` (BRG2004) was reported. The base class's code is read too
// now, for AutoReset and SynchronizingObject, from the subclass up to the type declaring the timer. Not reported, and
// right: a base class that marshals its timer to a UI object or makes it a one-shot.
public sealed class BaseClassTimerTests
{
    private const string Source = """
        abstract class TimedBase
        {
            protected readonly System.Timers.Timer Clock = new(1000);
        }

        abstract class OneShotBase
        {
            protected readonly System.Timers.Timer Clock = new(1000) { AutoReset = false };
        }

        sealed class Poller : TimedBase
        {
            int _elapsed;
            static Task PollAsync() => Task.Delay(1);
            void Start() => Clock.Elapsed += {|#1:async (s, e) =>|} { {|#0:_elapsed++|}; await PollAsync(); };
        }

        sealed class OneShot : OneShotBase
        {
            int _elapsed;
            void Start() => Clock.Elapsed += (s, e) => { _elapsed++; Clock.Start(); };
        }
        """;

    [Fact]
    public Task BRG2002_reads_a_timer_of_a_base_class() => Verifier2002.AnalyzerAsync(
        Source.Replace("{|#1:async (s, e) =>|}", "async (s, e) =>", StringComparison.Ordinal),
        Verifier2002.Diagnostic().WithLocation(0).WithArguments("_elapsed", "incremented", "Timer.Elapsed"));

    [Fact]
    public Task BRG2004_reads_a_timer_of_a_base_class() => Verifier2004.AnalyzerAsync(
        Source.Replace("{|#0:_elapsed++|}", "_elapsed++", StringComparison.Ordinal),
        Verifier2004.Diagnostic().WithLocation(1).WithArguments(
            "lambda", "Timer.Elapsed", "the Elapsed handler returns at the lambda's first await",
            "a try with a catch-all (catch (Exception)) around the whole body after the first await, or as the whole body of an async method it awaits, or a loop over a PeriodicTimer (await timer.WaitForNextTickAsync())"));
}
