using System.Collections.Concurrent;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Brigade.Orleans.Grains;

/// <summary>A silo's work types: resolved by name only among the silo's work assemblies, checked once, cached.</summary>
internal sealed class WorkerRegistry(IOptions<BrigadeWorkerOptions> options)
{
    private readonly Assembly[] _assemblies = [.. options.Value.WorkAssemblies.Distinct()];
    private readonly ConcurrentDictionary<string, (WorkDescriptor? Descriptor, string? Error)> _cache = new(StringComparer.Ordinal);

    // Worker grains alive per run (what `brigade cluster status` shows as the runs a silo holds).
    private readonly ConcurrentDictionary<string, int> _runs = new(StringComparer.Ordinal);
    private long _itemsRunning;
    private long _itemsCompleted;

    public int ActiveRuns => _runs.Count(r => r.Value > 0);

    public long ItemsRunning => Interlocked.Read(ref _itemsRunning);

    public long ItemsCompleted => Interlocked.Read(ref _itemsCompleted);

    public void Activated(string run) => _runs.AddOrUpdate(run, 1, (_, n) => n + 1);

    public void Deactivated(string run)
    {
        if (_runs.AddOrUpdate(run, 0, (_, n) => n - 1) <= 0)
        {
            _runs.TryRemove(new KeyValuePair<string, int>(run, 0));
        }
    }

    public void BatchStarted(int items) => Interlocked.Add(ref _itemsRunning, items);

    public void BatchFinished(int items, int ran)
    {
        Interlocked.Add(ref _itemsRunning, -items);
        Interlocked.Add(ref _itemsCompleted, ran);
    }

    public IReadOnlyList<Assembly> Assemblies => _assemblies;

    /// <summary>Finds a work type; the error says why the silo cannot run it.</summary>
    public (WorkDescriptor? Descriptor, string? Error) Resolve(string name) => _cache.GetOrAdd(name, Find, this);

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
