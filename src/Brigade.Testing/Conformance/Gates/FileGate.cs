namespace Brigade.Testing.Conformance.Gates;

/// <summary>
/// A gate as files in a directory, for items that run in other processes on this machine: an item creates
/// <c>s.VALUE.ID</c> when it starts and <c>f.VALUE.ID</c> when it finishes; the case creates <c>r.VALUE</c> or
/// <c>r.all</c> to release. Waits poll, first every millisecond, then less and less often, up to every 25 ms: items waiting
/// seconds in worker processes then cost little CPU, and a quick condition is still seen quickly.
/// </summary>
internal sealed class FileGate(string directory) : Gate
{
    private const int FirstPollMs = 1;
    private const int LongestPollMs = 25;
    private readonly bool _owner;

    private FileGate(string directory, bool owner)
        : this(directory) => _owner = owner;

    public override string Key => FileKey(directory);

    public override int Started => Count("s.*");

    public override int Finished => Count("f.*");

    public override IReadOnlyList<int> StartedValues =>
        [.. Directory.EnumerateFiles(directory, "s.*").Select(f => int.Parse(Path.GetFileName(f).Split('.')[1], System.Globalization.CultureInfo.InvariantCulture))];

    public static FileGate Create(string parent)
    {
        var path = Path.Combine(parent, "gate-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return new FileGate(path, owner: true);
    }

    public override void OnStarted(int value) => Touch($"s.{value}.{Guid.NewGuid():N}");

    public override void OnFinished(int value) => Touch($"f.{value}.{Guid.NewGuid():N}");

    public override void Release(int value) => Touch($"r.{value}");

    public override void ReleaseAll() => Touch("r.all");

    public override bool IsReleased(int value) =>
        File.Exists(Path.Combine(directory, "r.all")) || File.Exists(Path.Combine(directory, $"r.{value}"));

    public override void Dispose()
    {
        base.Dispose();
        if (_owner)
        {
            // Items still running elsewhere may touch files for a moment after the case: a cleanup that fails is harmless.
            try
            {
                Directory.Delete(directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    protected override void WaitUntil(Func<bool> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        for (var poll = FirstPollMs; !condition(); poll = Math.Min(poll * 2, LongestPollMs))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(what);
            }

            Thread.Sleep(poll);
        }
    }

    protected override async Task WaitUntilAsync(Func<bool> condition, TimeSpan bound, string what)
    {
        var deadline = DateTime.UtcNow + bound;
        for (var poll = FirstPollMs; !condition(); poll = Math.Min(poll * 2, LongestPollMs))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException(what);
            }

            await Task.Delay(poll).ConfigureAwait(false);
        }
    }

    private int Count(string pattern) => Directory.Exists(directory) ? Directory.EnumerateFiles(directory, pattern).Count() : 0;

    private void Touch(string name)
    {
        try
        {
            using (File.Create(Path.Combine(directory, name)))
            {
            }
        }
        catch (DirectoryNotFoundException)
        {
            // The case is over and has removed its gate.
        }
    }
}
