namespace Brigade.Cli.Tests.Review65Advise;

/// <summary>A work type that writes the name of each thread it runs on to the file <see cref="Variable"/> names: advise loads
/// it in a load context of its own, so a static would not be this assembly's.</summary>
public sealed class R65ThreadLogWork : IWork<int, int>
{
    public const string Variable = "BRIGADE_R65_THREAD_LOG";

    private static readonly Lock Gate = new();
    private static int s_running;

    public int Execute(int input)
    {
        // Each line: the thread's name, then how many items were running when this one began (review 65: under --engines
        // sequential advise's warm-up ran eight items on an unrestricted auto engine, several at once). A short wait gives
        // items run at once the time to meet.
        var running = Interlocked.Increment(ref s_running);
        try
        {
            if (Environment.GetEnvironmentVariable(Variable) is { } path)
            {
                lock (Gate)
                {
                    File.AppendAllText(path, (Thread.CurrentThread.Name ?? (Thread.CurrentThread.IsThreadPoolThread ? "(pool)" : "(unnamed)")) + " " + running + "\n");
                }

                Thread.Sleep(2);
            }

            return input * 2;
        }
        finally
        {
            Interlocked.Decrement(ref s_running);
        }
    }
}
