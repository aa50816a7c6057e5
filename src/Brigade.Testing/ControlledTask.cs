using Brigade.Diagnostics;

namespace Brigade.Testing;

/// <summary>A flow started under the explorer's control with <see cref="ExplorationContext.Spawn"/>; <see cref="Join"/> waits for it.</summary>
public sealed class ControlledTask
{
    internal ControlledTask(Schedule schedule, int id, string name)
    {
        Schedule = schedule;
        Id = id;
        Name = name;
    }

    /// <summary>Gets the flow's name.</summary>
    public string Name { get; }

    /// <summary>Gets whether the flow has finished.</summary>
    public bool IsCompleted => Done;

    internal Schedule Schedule { get; }

    internal int Id { get; }

    internal SemaphoreSlim Gate { get; } = new(0);

    internal Thread? Thread { get; set; }

    internal RaceFlow? Flow { get; set; }

    internal volatile bool Done;

    internal Brigade.Synchronization.SynchronizationPrimitive? BlockedOn { get; set; }

    internal Brigade.Synchronization.AccessMode BlockedMode { get; set; }

    internal ControlledTask? JoinTarget { get; set; }

    internal double Priority { get; set; }

    /// <summary>Waits (a scheduling point) until the flow has finished; what it did is then ordered before what follows.</summary>
    public void Join() => Schedule.Join(this);

    /// <inheritdoc/>
    public override string ToString() => $"'{Name}'";
}
