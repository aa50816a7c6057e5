using Brigade.Diagnostics;
using Brigade.Synchronization;

namespace Brigade.Testing.Tests.Corpus;

/// <summary>Runs a corpus program on real threads (thread-pool flows started with <see cref="RaceDetector.Run(Action, string?)"/>).</summary>
public sealed class RealPar(PitfallDiagnostics locks) : IPar
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    public List<Exception> Failures { get; } = [];

    public bool Explored => false;

    public object Fork(Action body, string name) => RaceDetector.Run(body, name);

    public void Join(object flow)
    {
        var task = (Task)flow;
        try
        {
            if (!task.Wait(Bound))
            {
                throw new TimeoutException("a flow of the program did not finish");
            }
        }
        catch (AggregateException e)
        {
            lock (Failures)
            {
                Failures.Add(e.InnerException!);
            }
        }

        RaceDetector.Joined(task);
    }

    public void Yield() => Thread.Yield();

    public DetectingLock Lock(string name) => new(new LockOptions { Name = name, Diagnostics = locks });

    public DetectingReaderWriterLock ReaderWriterLock(string name) => new(new LockOptions { Name = name, Diagnostics = locks });

    public DetectingSemaphore Semaphore(int count, string name) => new(count, new LockOptions { Name = name, Diagnostics = locks });
}
