namespace Brigade.Processes.Tests;

/// <summary>In a worker, its constructor writes DIR/PID.pid (DIR from <see cref="DirectoryVariable"/>) and then hangs for
/// five minutes: a work type whose creation never ends, as a constructor stuck on a lock or a network call would.</summary>
public sealed class HangsWhenCreated : IWork<int, long>
{
    /// <summary>The environment variable naming the directory the constructor writes its pid file to.</summary>
    public const string DirectoryVariable = "BRIGADE_TEST_HANG_DIR";

    public HangsWhenCreated()
    {
        if (InWorker.Now && Environment.GetEnvironmentVariable(DirectoryVariable) is { Length: > 0 } directory)
        {
            File.WriteAllText(Path.Combine(directory, $"{Environment.ProcessId}.pid"), "");
            Thread.Sleep(TimeSpan.FromMinutes(5));
        }
    }

    public long Execute(int input) => input;
}
