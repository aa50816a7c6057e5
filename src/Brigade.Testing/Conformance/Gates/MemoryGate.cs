using System.Collections.Concurrent;

namespace Brigade.Testing.Conformance.Gates;

/// <summary>A gate in this process's memory: items of in-process engines, and of silos hosted in this process.</summary>
internal sealed class MemoryGate : Gate
{
    private static readonly ConcurrentDictionary<string, MemoryGate> Gates = new(StringComparer.Ordinal);

    // Guards everything below; every change completes _changed and replaces it, waking all waiters to look again.
    private readonly Lock _lock = new();
    private readonly List<int> _startedValues = [];
    private readonly HashSet<int> _released = [];
    private bool _releasedAll;
    private int _finished;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private MemoryGate(string key) => Key = key;

    public override string Key { get; }

    public override int Started
    {
        get
        {
            lock (_lock)
            {
                return _startedValues.Count;
            }
        }
    }

    public override int Finished
    {
        get
        {
            lock (_lock)
            {
                return _finished;
            }
        }
    }

    public override IReadOnlyList<int> StartedValues
    {
        get
        {
            lock (_lock)
            {
                return [.. _startedValues];
            }
        }
    }

    public static MemoryGate Create()
    {
        var gate = new MemoryGate(MemoryKey(Guid.NewGuid()));
        Gates[gate.Key] = gate;
        return gate;
    }

    public static MemoryGate Find(string key) =>
        Gates.TryGetValue(key, out var gate) ? gate : throw new InvalidOperationException($"No conformance gate '{key}' in this process: an engine that runs items in other processes needs ConformanceGates.Files.");

    public override void OnStarted(int value) => Change(() => _startedValues.Add(value));

    public override void OnFinished(int value) => Change(() => _finished++);

    public override void Release(int value) => Change(() => _released.Add(value));

    public override void ReleaseAll() => Change(() => _releasedAll = true);

    public override bool IsReleased(int value)
    {
        lock (_lock)
        {
            return _releasedAll || _released.Contains(value);
        }
    }

    public override void Dispose()
    {
        base.Dispose();
        Gates.TryRemove(Key, out _);
    }

    protected override void WaitUntil(Func<bool> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition())
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero || !changed.Wait(left))
            {
                throw new TimeoutException(what);
            }
        }
    }

    protected override async Task WaitUntilAsync(Func<bool> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        while (true)
        {
            Task changed;
            lock (_lock)
            {
                changed = _changed.Task;
            }

            if (condition())
            {
                return;
            }

            var left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new TimeoutException(what);
            }

            try
            {
                await changed.WaitAsync(left).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                throw new TimeoutException(what);
            }
        }
    }

    private void Change(Action change)
    {
        TaskCompletionSource previous;
        lock (_lock)
        {
            change();
            previous = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        previous.TrySetResult();
    }
}
