using Brigade.Cli.Demo.Model;

namespace Brigade.Cli.Advise;

/// <summary>The document <c>brigade advise --json</c> prints: extended, never broken.</summary>
internal sealed class AdviseDocument
{
    public int Version { get; init; } = 1;

    public required MachineInfo Machine { get; init; }

    public bool Quick { get; init; }

    public int Repetitions { get; init; }

    /// <summary>Runs of each configuration before its measured ones, left out of every figure (review 65b): 1 when
    /// <see cref="Repetitions"/> is more than 1, else 0.</summary>
    public int UnmeasuredRounds { get; init; }

    /// <summary>The engines <c>--engines</c> named, the only ones auto mode was compared with; null without it (every engine).</summary>
    public List<string>? Engines { get; init; }

    /// <summary>The engines auto mode planned among under <c>--engines</c>: the in-process ones named, or <c>processes</c>
    /// alone when it is the only one (review 64); null without <c>--engines</c> (every engine).</summary>
    public List<string>? AutoEngines { get; set; }

    /// <summary>What every <c>forecastSpeedup</c> and <c>measuredSpeedup</c> is a speedup over: <c>one worker on an idle
    /// machine</c> (the items' own time, waits for a core left out, over the wall time; review 66b). On a busy machine both
    /// can be below 1.</summary>
    public string SpeedupOver { get; init; } = "";

    public List<AdviseWorkload> Workloads { get; init; } = [];

    public double TotalSeconds { get; set; }
}
