using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Testing.Tests.Corpus;

/// <summary>Runs a corpus program under the explorer: flows are controlled flows, run one at a time.</summary>
public sealed class ExploredPar(ExplorationContext context) : IPar
{
    private static readonly PitfallDiagnostics Locks = new() { LockOrderMode = LockOrderMode.Off };

    public bool Explored => true;

    public object Fork(Action body, string name) => context.Spawn(body, name);

    public void Join(object flow) => ((ControlledTask)flow).Join();

    public void Yield() => context.Yield();

    public DetectingLock Lock(string name) => new(new LockOptions { Name = name, Diagnostics = Locks });

    public DetectingReaderWriterLock ReaderWriterLock(string name) => new(new LockOptions { Name = name, Diagnostics = Locks });

    public DetectingSemaphore Semaphore(int count, string name) => new(count, new LockOptions { Name = name, Diagnostics = Locks });
}
