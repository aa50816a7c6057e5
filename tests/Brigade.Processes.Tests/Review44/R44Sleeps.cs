namespace Brigade.Processes.Tests.Review44;

/// <summary>Sleeps 50 ms, then returns its input.</summary>
public sealed class R44Sleeps : IWork<int, int>
{
    public int Execute(int input)
    {
        Thread.Sleep(50);
        return input;
    }
}
