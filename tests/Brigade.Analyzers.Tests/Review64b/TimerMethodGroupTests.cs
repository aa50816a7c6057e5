using Verifier = Brigade.Analyzers.Tests.Infrastructure.Verify<Brigade.Analyzers.BRG2002LostUpdateAnalyzer>;

namespace Brigade.Analyzers.Tests.Review64b;

// Review 64b: a method given to a periodic timer as a method group (`new Timer(DoWork, null, TimeSpan.Zero,
// TimeSpan.FromSeconds(5))` with `void DoWork(object? state) { var count = _executionCount++; ... }`, the classic
// IHostedService template) runs at each tick, two ticks at once when one outlasts the period, as the lambda form does;
// its `_executionCount++` was not reported (only lambdas were read). Now a method of the type given by name to a
// periodic System.Threading.Timer, or added to a System.Timers.Timer's Elapsed, is read as the lambda is (review 63's
// rules). Not reported, and right: a one-shot timer's method, a method that re-arms its timer (the usual guard), the
// method's own locals, and a method of the same signature given to no timer.
public sealed class TimerMethodGroupTests
{
    [Fact]
    public Task Reports_a_method_group_given_to_a_periodic_timer_as_the_lambda_form() => Verifier.AnalyzerAsync(
        """
        sealed class TimedService
        {
            int _executionCount;
            int _guarded;
            int _oneShot;
            int _elapsed;
            static int s_ticks;
            Timer? _timer, _guardedTimer, _oneShotTimer, _explicitTimer;
            readonly System.Timers.Timer _clock = new(1000);

            void Start()
            {
                _timer = new Timer(DoWork, null, TimeSpan.Zero, TimeSpan.FromSeconds(5));
                _guardedTimer = new Timer(this.Guarded, null, 0, 1000);
                _oneShotTimer = new Timer(OneShot, null, 1000, Timeout.Infinite);
                _explicitTimer = new Timer(new TimerCallback(Tick), null, 0, 1000);
                _clock.Elapsed += OnElapsed;
            }

            void DoWork(object? state)
            {
                var count = {|#0:_executionCount++|};
                var local = 0;
                local++;
            }

            void Guarded(object? state)
            {
                _guardedTimer!.Change(Timeout.Infinite, Timeout.Infinite);
                _guarded++;
                _guardedTimer.Change(1000, Timeout.Infinite);
            }

            void OneShot(object? state) => _oneShot++;

            static void Tick(object? state) => [|s_ticks++|];

            void OnElapsed(object? sender, System.Timers.ElapsedEventArgs e) => [|_elapsed++|];

            void NotGivenToATimer(object? state) => _executionCount++;
        }
        """,
        Verifier.Diagnostic().WithLocation(0).WithArguments("_executionCount", "incremented", "new Timer(...) with a period"));
}
