using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review63;

// Review 63: a periodic timer's callback runs on the thread pool once per tick, and two ticks run at once when one
// outlasts the period or the pool is late ("the callback can be executed simultaneously on two thread pool threads",
// the Timer docs; for System.Timers.Timer, "the Elapsed event might be raised again on another thread"). `_served++`
// there loses updates; it was not reported. Not reported, and right: a one-shot Timer (period Infinite or 0, re-armed
// with Change; a periodic one whose callback pauses it with Change or skips a tick while the last runs, with an
// Interlocked flag, Monitor.TryEnter or Wait(0): the author's guard, not checked), a System.Timers.Timer of a type that sets AutoReset (false: one Elapsed at a time when the handler
// restarts it) or SynchronizingObject (the handler runs on the UI thread), a local of the callback, Interlocked. An
// AutoReset set on another timer of the type by name does not make this one a one-shot.
public sealed class BRG2002TimerTests
{
    [Fact]
    public Task Reports_updates_in_periodic_timer_callbacks_only() => Verifier.AnalyzerAsync(
        """
        class Poller
        {
            readonly System.Timers.Timer _clock = new(1000);
            readonly System.Timers.Timer _single = new(1000) { AutoReset = false };
            int _served, _once, _safe, _ticks;
            Timer? _timer, _oneShot, _zero, _span, _lazy, _paused, _flagged;
            int _running;

            void Start(TimeSpan interval)
            {
                _timer = new Timer(_ => { {|#0:_served++|}; var local = 0; local++; Interlocked.Increment(ref _safe); }, null, 0, 100);
                _span = new Timer(_ => [|_served += 2|], null, TimeSpan.Zero, interval);
                _oneShot = new Timer(_ => { _once++; _oneShot!.Change(100, Timeout.Infinite); }, null, 100, Timeout.Infinite);
                _zero = new Timer(_ => _once++, null, TimeSpan.FromSeconds(1), TimeSpan.Zero);
                _lazy = new Timer(_ => _once++);
                _paused = new Timer(_ => { _paused!.Change(Timeout.Infinite, Timeout.Infinite); _once++; _paused.Change(100, 100); }, null, 0, 100);
                _flagged = new Timer(_ => { if (Interlocked.Exchange(ref _running, 1) == 1) return; _once++; Volatile.Write(ref _running, 0); }, null, 0, 100);
                _clock.Elapsed += (_, _) => {|#1:_ticks++|};
            }
        }

        class OneAtATime
        {
            readonly System.Timers.Timer _clock = new(1000) { AutoReset = false };
            int _ticks;

            void Start() => _clock.Elapsed += (_, _) => { _ticks++; _clock.Start(); };
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("_served", "incremented", "new Timer(...) with a period"),
        Verifier.Diagnostic().WithLocation(1).WithArguments("_ticks", "incremented", "Timer.Elapsed"));
}
