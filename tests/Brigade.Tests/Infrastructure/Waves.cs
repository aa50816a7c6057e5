using System.Diagnostics;

namespace Brigade.Tests.Infrastructure;

/// <summary>
/// When each item started and finished (the test's own clock): "the items overlapped in one wave" read as an order of
/// events (every item started before the first finished), not as a wall time, which a loaded machine stretches whatever
/// the plan was.
/// </summary>
internal sealed class Waves
{
    private readonly List<long> _starts = [];
    private readonly List<long> _ends = [];
    private readonly Lock _gate = new();

    /// <summary>An item starts.</summary>
    public void Enter()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _starts.Add(now);
        }
    }

    /// <summary>An item finishes.</summary>
    public void Leave()
    {
        var now = Stopwatch.GetTimestamp();
        lock (_gate)
        {
            _ends.Add(now);
        }
    }

    /// <summary>Gets how many items started before the <paramref name="nth"/> finish (1: the first).</summary>
    public int StartedBeforeFinish(int nth)
    {
        lock (_gate)
        {
            var ends = _ends.Order().ToArray();
            var end = ends.Length >= nth ? ends[nth - 1] : long.MaxValue;
            return _starts.Count(s => s < end);
        }
    }
}
