using System.Diagnostics;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 46: the classic pipe pair. A feeder writes to a child's (<c>cat</c>'s) redirected standard input before
/// reading its standard output; the child, blocked writing its output, stops reading, and the feeder blocks on the full
/// pipe. Listed (I/O, not a pitfall the dump can prove); the feeder's wait was shown as <c>Socket.Send</c> (a pipe's write
/// on Unix), now as a write to the child's standard input, with the child.</summary>
public sealed class ChildStandardInputFull : Scenario
{
    public override string Name => "child-standard-input-full";

    public override Expectation Expected => new(Finding.None)
    {
        TextContains = "waits in Process.StandardInput.Write, the standard input of process ",
    };

    public override void Start()
    {
        var writing = 0;
        var feeder = Run("feeder", () =>
        {
            var cat = Process.Start(new ProcessStartInfo("cat") { RedirectStandardInput = true, RedirectStandardOutput = true })!;
            var line = new string('x', 1000);
            Volatile.Write(ref writing, 1);
            for (var i = 0; i < 10_000; i++)
            {
                cat.StandardInput.WriteLine(line);
            }

            cat.StandardInput.Close();
            Console.Error.WriteLine(cat.StandardOutput.ReadToEnd().Length);
        });
        WaitUntil(() => Volatile.Read(ref writing) == 1);
        Thread.Sleep(1000);
        _ = feeder;
    }
}
