namespace Brigade.Orleans.Tests.Review68Cluster;

/// <summary>An item that sleeps 5 ms and returns a string of 256 KB: its batches cost serialization and transport beyond
/// the items' own time on the silo (the response's bytes, and the engine's reading of them).</summary>
public sealed class R68Bulky : IWork<int, string>
{
    public string Execute(int input)
    {
        Thread.Sleep(5);
        return new string((char)('a' + (input % 26)), 256 * 1024);
    }
}
