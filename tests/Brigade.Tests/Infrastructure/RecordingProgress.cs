namespace Brigade.Tests.Infrastructure;

/// <summary>An <see cref="IProgress{T}"/> that records every report synchronously (unlike <see cref="Progress{T}"/>, which posts).</summary>
internal sealed class RecordingProgress : IProgress<RunProgress>
{
    private readonly Lock _gate = new();
    private readonly List<RunProgress> _reports = [];

    public IReadOnlyList<RunProgress> Reports
    {
        get
        {
            lock (_gate)
            {
                return [.. _reports];
            }
        }
    }

    public void Report(RunProgress value)
    {
        lock (_gate)
        {
            _reports.Add(value);
        }
    }
}
