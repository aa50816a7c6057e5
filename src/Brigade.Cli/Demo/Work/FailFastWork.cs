namespace Brigade.Cli.Demo.Work;

/// <summary>A little work per item; one item kills its process with <see cref="Environment.FailFast(string)"/>, as a native crash would.</summary>
internal sealed class FailFastWork : IWork<int, int>
{
    /// <summary>The item that pulls the plug.</summary>
    public const int Culprit = 17;

    public int Execute(int input)
    {
        if (input == Culprit)
        {
            Environment.FailFast($"item {input}: unrecoverable state in a native library");
        }

        Thread.Sleep(20);
        return Workloads.Tiny(input);
    }
}
