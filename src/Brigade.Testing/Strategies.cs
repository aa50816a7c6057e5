namespace Brigade.Testing;

/// <summary>Picks the next flow among those that can run.</summary>
internal interface IStrategy
{
    void OnNewTask(ControlledTask task);

    ControlledTask Pick(List<ControlledTask> enabled, ControlledTask? current, int step);
}

internal sealed class RandomStrategy(int seed) : IStrategy
{
    private readonly Random _random = new(seed);

    public void OnNewTask(ControlledTask task)
    {
    }

    public ControlledTask Pick(List<ControlledTask> enabled, ControlledTask? current, int step) => enabled[_random.Next(enabled.Count)];
}

/// <summary>PCT: random distinct priorities above d; at each of d − 1 random steps in [1, k] the running flow drops to a
/// priority below every initial one; the highest-priority flow that can run runs.</summary>
internal sealed class PctStrategy : IStrategy
{
    private readonly Random _random;
    private readonly Dictionary<int, int> _changePoints = [];
    private readonly int _depth;

    public PctStrategy(int seed, int depth, int steps)
    {
        _random = new Random(seed);
        _depth = depth;
        for (var i = 1; i < depth; i++)
        {
            _changePoints.TryAdd(_random.Next(1, Math.Max(2, steps + 1)), i);
        }
    }

    public void OnNewTask(ControlledTask task) => task.Priority = _depth + _random.NextDouble();

    public ControlledTask Pick(List<ControlledTask> enabled, ControlledTask? current, int step)
    {
        if (current is not null && _changePoints.TryGetValue(step, out var index))
        {
            current.Priority = _depth - index - _random.NextDouble() * 0.5;
        }

        var best = enabled[0];
        foreach (var task in enabled)
        {
            if (task.Priority > best.Priority)
            {
                best = task;
            }
        }

        return best;
    }
}
