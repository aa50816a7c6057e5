namespace Brigade.Doctor.Corpus;

/// <summary>One small program: <see cref="Start"/> sets up its state (threads that hang, or do not) and returns once it is in place.</summary>
public abstract class Scenario
{
    /// <summary>Gets the id given on the command line.</summary>
    public abstract string Name { get; }

    /// <summary>Gets what brigade doctor must find.</summary>
    public abstract Expectation Expected { get; }

    /// <summary>Sets the scenario up; returns when its threads are in the labelled state.</summary>
    public abstract void Start();

    /// <summary>Starts a named background thread.</summary>
    protected static Thread Run(string name, Action body)
    {
        var thread = new Thread(() => body()) { IsBackground = true, Name = name };
        thread.Start();
        return thread;
    }

    /// <summary>Waits until every thread is blocked (in WaitSleepJoin) and stays so, so the dump sees them waiting.</summary>
    /// <remarks>
    /// A thread reads WaitSleepJoin for a moment before its wait proper: <c>SemaphoreSlim.Wait</c> and <c>Monitor.Enter</c>
    /// spin first, sleeping a millisecond now and then, and a busy machine can stretch that spin past any fixed pause (the
    /// dump then saw the thread running). So every thread must read WaitSleepJoin on 20 samples in a row, 5 ms apart.
    /// </remarks>
    protected static void WaitUntilBlocked(params Thread[] threads)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        var steady = 0;
        while (steady < 20)
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the scenario's threads did not block");
            }

            steady = threads.All(t => (t.ThreadState & ThreadState.WaitSleepJoin) != 0) ? steady + 1 : 0;
            Thread.Sleep(5);
        }
    }

    /// <summary>Waits until <paramref name="condition"/> holds.</summary>
    protected static void WaitUntil(Func<bool> condition)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("the scenario did not reach its state");
            }

            Thread.Sleep(5);
        }

        Thread.Sleep(100);
    }
}
