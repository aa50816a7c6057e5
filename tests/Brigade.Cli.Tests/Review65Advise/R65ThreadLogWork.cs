namespace Brigade.Cli.Tests.Review65Advise;

/// <summary>A work type that writes the name of each thread it runs on to the file <see cref="Variable"/> names: advise loads
/// it in a load context of its own, so a static would not be this assembly's.</summary>
public sealed class R65ThreadLogWork : IWork<int, int>
{
    public const string Variable = "BRIGADE_R65_THREAD_LOG";

    private static readonly Lock Gate = new();

    public int Execute(int input)
    {
        if (Environment.GetEnvironmentVariable(Variable) is { } path)
        {
            lock (Gate)
            {
                File.AppendAllText(path, (Thread.CurrentThread.Name ?? (Thread.CurrentThread.IsThreadPoolThread ? "(pool)" : "(unnamed)")) + "\n");
            }
        }

        return input * 2;
    }
}
