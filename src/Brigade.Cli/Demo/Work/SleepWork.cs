namespace Brigade.Cli.Demo.Work;

/// <summary>The sleeping task as a work type, so that worker processes can run it: sleeps the item's milliseconds.</summary>
internal sealed class SleepWork : IWork<int, int>
{
    public int Execute(int input)
    {
        Thread.Sleep(input);
        return input;
    }
}
