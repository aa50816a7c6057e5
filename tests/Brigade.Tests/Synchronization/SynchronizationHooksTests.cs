using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Tests.Synchronization;

/// <summary>The hook tools build on (race detection, systematic exploration): every synchronization point, in order.</summary>
[Collection(nameof(SynchronizationHooksTests))]
[CollectionDefinition(nameof(SynchronizationHooksTests), DisableParallelization = true)]
public sealed class SynchronizationHooksTests
{
    [Fact]
    public async Task TheObserver_SeesAcquiringWaitingAcquiredAndReleasing_InTheActingFlow()
    {
        var observed = new DetectingLock(new LockOptions { Name = "observed", Diagnostics = new PitfallDiagnostics() });
        var observer = new RecordingObserver(observed);
        SynchronizationHooks.Observer = observer;
        try
        {
            using (observed.Acquire())
            {
            }

            Assert.Equal(["acquiring", "acquired thread", "releasing thread"], observer.Take());

            var first = await observed.AcquireAsync();
            var second = TestThreads.Detached(async () =>
            {
                var scope = await observed.AcquireAsync();
                var flowSawItself = observed.CurrentOwner;
                scope.Dispose();
                return flowSawItself;
            });
            TestThreads.Until(() => observer.Saw("waiting async"), "the second flow reported its wait");
            first.Dispose();
            Assert.StartsWith("async flow #", await second.Bounded(), StringComparison.Ordinal);

            Assert.Equal(
                ["acquiring", "acquired async", "acquiring", "waiting async", "releasing async", "acquired async", "releasing async"],
                observer.Take());
        }
        finally
        {
            SynchronizationHooks.Observer = null;
        }
    }

    private sealed class RecordingObserver(SynchronizationPrimitive only) : ISynchronizationObserver
    {
        private readonly List<string> _events = [];

        public bool Saw(string what)
        {
            lock (_events)
            {
                return _events.Contains(what);
            }
        }

        public string[] Take()
        {
            lock (_events)
            {
                var events = _events.ToArray();
                _events.Clear();
                return events;
            }
        }

        public void OnAcquiring(SynchronizationPrimitive primitive, AccessMode mode) => Record(primitive, "acquiring");

        public void OnWaiting(SynchronizationPrimitive primitive, AccessMode mode, Holder waiter) => Record(primitive, "waiting " + Kind(waiter));

        public void OnAcquired(SynchronizationPrimitive primitive, AccessMode mode, Holder holder) => Record(primitive, "acquired " + Kind(holder));

        public void OnReleasing(SynchronizationPrimitive primitive, AccessMode mode, Holder holder) => Record(primitive, "releasing " + Kind(holder));

        private static string Kind(Holder holder) => holder.AsThread is not null ? "thread" : "async";

        private void Record(SynchronizationPrimitive primitive, string what)
        {
            if (ReferenceEquals(primitive, only))
            {
                lock (_events)
                {
                    _events.Add(what);
                }
            }
        }
    }
}
