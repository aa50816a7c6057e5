namespace Brigade.Testing.Conformance.Gates;

/// <summary>
/// Where a case and its items meet: items say when they start and finish and wait to be released; the case counts them
/// and releases them. In memory (this process, and silos of an in-process cluster) or as files (worker processes),
/// named by the key each item carries.
/// </summary>
internal abstract class Gate : IDisposable
{
    private const string MemoryPrefix = "mem:";
    private const string FilePrefix = "file:";

    public abstract string Key { get; }

    /// <summary>Gets how many item runs have started (an item that runs twice counts twice).</summary>
    public abstract int Started { get; }

    /// <summary>Gets how many item runs have finished, normally or not.</summary>
    public abstract int Finished { get; }

    public int Running => Started - Finished;

    /// <summary>Gets how many times the item of <paramref name="value"/> has started (its attempts, with a retry).</summary>
    public int StartsOf(int value) => StartedValues.Count(v => v == value);

    /// <summary>Gets the values of the items that started, once per start.</summary>
    public abstract IReadOnlyList<int> StartedValues { get; }

    public static Gate CreateInMemory() => MemoryGate.Create();

    public static Gate CreateInDirectory(string parent) => FileGate.Create(parent);

    /// <summary>Opens the gate an item names; null for none.</summary>
    public static Gate? Open(string? key) =>
        key is null ? null
        : key.StartsWith(MemoryPrefix, StringComparison.Ordinal) ? MemoryGate.Find(key)
        : key.StartsWith(FilePrefix, StringComparison.Ordinal) ? new FileGate(key[FilePrefix.Length..])
        : throw new ArgumentException($"'{key}' is not a conformance gate.", nameof(key));

    internal static string MemoryKey(Guid id) => MemoryPrefix + id.ToString("N");

    internal static string FileKey(string directory) => FilePrefix + directory;

    public abstract void OnStarted(int value);

    public abstract void OnFinished(int value);

    public abstract void Release(int value);

    public abstract void ReleaseAll();

    public abstract bool IsReleased(int value);

    /// <summary>Blocks until the item is released; throws <see cref="TimeoutException"/> after <paramref name="bound"/>.</summary>
    public void WaitReleased(int value, TimeSpan bound) => WaitUntil(() => IsReleased(value), bound, $"item {value} was never released");

    public Task WaitReleasedAsync(int value, TimeSpan bound) => WaitUntilAsync(() => IsReleased(value), bound, $"item {value} was never released");

    public void WaitStarted(int count, TimeSpan bound) => WaitUntil(() => Started >= count, bound, $"{count} items never started at once");

    public Task WaitStartedAsync(int count, TimeSpan bound) => WaitUntilAsync(() => Started >= count, bound, $"{count} items never started (only {Started})");

    public Task WaitFinishedAsync(int count, TimeSpan bound) => WaitUntilAsync(() => Finished >= count, bound, $"{count} items never finished (only {Finished})");

    public virtual void Dispose() => ReleaseAll();

    protected abstract void WaitUntil(Func<bool> condition, TimeSpan bound, string what);

    protected abstract Task WaitUntilAsync(Func<bool> condition, TimeSpan bound, string what);
}
