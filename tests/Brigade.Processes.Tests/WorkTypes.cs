namespace Brigade.Processes.Tests;

public sealed class Square : IWork<int, long>
{
    public long Execute(int input) => (long)input * input;
}
