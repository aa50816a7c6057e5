namespace Brigade.Processes.TestHost;

/// <summary>An item that never finishes.</summary>
internal sealed class SleepForever : IWork<int, int>
{
    public int Execute(int input)
    {
        Thread.Sleep(Timeout.Infinite);
        return input;
    }
}
