using System.Diagnostics;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 44: an exporter waits for a child whose standard output it redirected and never reads; the child blocks
/// writing to the full pipe and never exits. Not a deadlock of this process (listed), but the wait says the output was
/// never read. Before: only "it ends when that process exits".</summary>
public sealed class ProcessRedirectedOutputUnread : Scenario
{
    public override string Name => "process-redirected-output-unread";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["exporter"],
        WaitKinds = ["WaitHandle"],
        TextContains = "its standard output is redirected and nothing has read it (neither StandardOutput/StandardError nor BeginOutputReadLine/BeginErrorReadLine was used): a child that fills the pipe blocks writing and never exits",
    };

    public override void Start()
    {
        var child = Process.Start(new ProcessStartInfo("sh", ["-c", "head -c 1000000 /dev/zero"]) { RedirectStandardOutput = true })!;
        WaitUntilBlocked(Run("exporter", child.WaitForExit));
    }
}
