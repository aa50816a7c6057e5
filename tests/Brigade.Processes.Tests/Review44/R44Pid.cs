namespace Brigade.Processes.Tests.Review44;

/// <summary>Returns the pid of the worker process that ran the item.</summary>
public sealed class R44Pid : IWork<int, int>
{
    public int Execute(int input) => Environment.ProcessId;
}
