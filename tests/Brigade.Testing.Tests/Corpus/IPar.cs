using Brigade.Synchronization;

namespace Brigade.Testing.Tests.Corpus;

/// <summary>What a corpus program uses to start and join flows: real threads under the race detector, or controlled
/// flows under the explorer. The same program text runs both ways.</summary>
public interface IPar
{
    bool Explored { get; }

    object Fork(Action body, string name);

    void Join(object flow);

    void Yield();

    DetectingLock Lock(string name);

    DetectingReaderWriterLock ReaderWriterLock(string name);

    DetectingSemaphore Semaphore(int count, string name);
}
