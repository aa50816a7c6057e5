namespace Brigade.Processes.Tests.Review43;

/// <summary>Marks its worker's pid in the directory it is given, then waits (at most 30 s) until another process has marked
/// it too: returns its pid when they met, -1 when the other never came.</summary>
public sealed class R43Rendezvous : IWork<string, int>
{
    public int Execute(string input)
    {
        File.WriteAllText(Path.Combine(input, $"{Environment.ProcessId}.pid"), "");
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.GetFiles(input, "*.pid").Length >= 2)
            {
                return Environment.ProcessId;
            }

            Thread.Sleep(20);
        }

        return -1;
    }
}
