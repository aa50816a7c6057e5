using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Brigade.Orleans.Grains;

/// <summary>A silo's work types: resolved by name only among the silo's work assemblies, checked once, cached.</summary>
internal sealed class WorkerRegistry(IOptions<BrigadeWorkerOptions> options)
{
    // A run counts as held while a batch of it runs here, or one ran within this long: its grains may stay activated
    // long after (a client killed mid-run, or one whose run stalled, never releases them).
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(5);

    private readonly Assembly[] _assemblies = [.. options.Value.WorkAssemblies.Distinct()];
    private readonly ConcurrentDictionary<string, (WorkDescriptor? Descriptor, string? Error)> _cache = new(StringComparer.Ordinal);

    // Per run (what `brigade cluster status` shows as the runs a silo holds): worker grains alive, batches running, and
    // when a batch last started or finished.
    private readonly ConcurrentDictionary<string, RunActivity> _runs = new(StringComparer.Ordinal);
    private long _itemsRunning;
    private long _itemsCompleted;

    public int ActiveRuns => _runs.Values.Count(r => r.IsHeld);

    public long ItemsRunning => Interlocked.Read(ref _itemsRunning);

    public long ItemsCompleted => Interlocked.Read(ref _itemsCompleted);

    public void Activated(string run) => _runs.GetOrAdd(run, _ => new RunActivity()).AddGrain();

    public void Deactivated(string run)
    {
        if (_runs.TryGetValue(run, out var activity) && activity.RemoveGrain() <= 0)
        {
            _runs.TryRemove(new KeyValuePair<string, RunActivity>(run, activity));
        }
    }

    public void BatchStarted(string? run, int items)
    {
        Interlocked.Add(ref _itemsRunning, items);
        if (run is not null && _runs.TryGetValue(run, out var activity))
        {
            activity.BatchStarted();
        }
    }

    public void BatchFinished(string? run, int items, int ran)
    {
        Interlocked.Add(ref _itemsRunning, -items);
        Interlocked.Add(ref _itemsCompleted, ran);
        if (run is not null && _runs.TryGetValue(run, out var activity))
        {
            activity.BatchFinished();
        }
    }

    public IReadOnlyList<Assembly> Assemblies => _assemblies;

    /// <summary>Finds a work type; the error says why the silo cannot run it.</summary>
    public (WorkDescriptor? Descriptor, string? Error) Resolve(string name) => _cache.GetOrAdd(name, Find, this);

    private sealed class RunActivity
    {
        private int _grains;
        private int _batches;
        private long _last = System.Diagnostics.Stopwatch.GetTimestamp();

        public bool IsHeld => Volatile.Read(ref _grains) > 0 &&
            (Volatile.Read(ref _batches) > 0 || System.Diagnostics.Stopwatch.GetElapsedTime(Interlocked.Read(ref _last)) < Idle);

        public void AddGrain() => Interlocked.Increment(ref _grains);

        public int RemoveGrain() => Interlocked.Decrement(ref _grains);

        public void BatchStarted()
        {
            Interlocked.Increment(ref _batches);
            Touch();
        }

        public void BatchFinished()
        {
            Interlocked.Decrement(ref _batches);
            Touch();
        }

        private void Touch() => Interlocked.Exchange(ref _last, System.Diagnostics.Stopwatch.GetTimestamp());
    }

    private static (WorkDescriptor?, string?) Find(string name, WorkerRegistry self)
    {
        try
        {
            var descriptor = WorkDescriptor.Find(name, self._assemblies);
            if (descriptor is null)
            {
                return (null, $"work type {name} is not defined in the silo's work assemblies ({string.Join(", ", self._assemblies.Select(a => a.GetName().Name))}); start the silo with the assembly that defines it");
            }

            descriptor.EnsureSerializable();
            return (descriptor, null);
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return (null, e.Message);
        }
    }
}
