namespace Brigade.Reporting;

/// <summary>What an engine costs beyond the items' own time, for <see cref="SpeedupForecast.Predict"/>: a fixed start-up per
/// run and a cost per item (dispatch, batching, delivering results, transport), measured by running empty items on it.</summary>
public sealed class EngineCost
{
    /// <summary>Gets the wall time a run spends starting and finishing its workers, whatever its items.</summary>
    public TimeSpan StartUp { get; init; }

    /// <summary>Gets the worker time each item costs on top of its own work (one worker's share of a batch's cost included).</summary>
    public TimeSpan PerItem { get; init; }

    /// <summary>Gets whether the figures were measured on this machine (<see langword="false"/>: <see cref="Default"/>'s assumptions).</summary>
    public bool Measured { get; init; }

    /// <summary>Returns the assumed cost of an engine when none was measured: an in-process batch costs about 4 µs
    /// (auto mode's own figure), a dedicated thread about 60 µs to start, a batch to a worker process about 50 µs.</summary>
    /// <param name="engine">The engine's name, such as <c>threadpool</c>.</param>
    /// <param name="width">The run's width (dedicated threads start one at a time).</param>
    /// <param name="batchSize">The batch size the per-batch cost is spread over.</param>
    /// <returns>The assumed cost.</returns>
    public static EngineCost Default(string engine, int width, int batchSize)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var b = Math.Max(1, batchSize);
        var w = Math.Max(1, width);
        return engine switch
        {
            "sequential" => new EngineCost { StartUp = TimeSpan.FromMicroseconds(20), PerItem = TimeSpan.FromMicroseconds(4.0 / b) },
            "threadpool" => new EngineCost { StartUp = TimeSpan.FromMicroseconds(50), PerItem = TimeSpan.FromMicroseconds(4.0 / b) },
            "threads" => new EngineCost { StartUp = TimeSpan.FromMicroseconds(60.0 * w), PerItem = TimeSpan.FromMicroseconds(4.0 / b) },
            "async" => new EngineCost { StartUp = TimeSpan.FromMicroseconds(50), PerItem = TimeSpan.FromMicroseconds(2) },
            _ => new EngineCost { StartUp = TimeSpan.FromMilliseconds(100), PerItem = TimeSpan.FromMicroseconds(50.0 / b) },
        };
    }
}
