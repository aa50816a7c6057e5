using System.Diagnostics;

namespace Brigade.Doctor.Corpus.Scenarios;

/// <summary>Review 37: a build step waits for a child process that never exits (it reads a line nobody writes; it ends
/// when this program does, its standard input closing). Not a deadlock of this process: the wait names the child.</summary>
public sealed class ProcessWaitForExit : Scenario
{
    public override string Name => "process-wait-for-exit";

    public override Expectation Expected => new(Finding.None)
    {
        Blocked = ["build-step"],
        WaitKinds = ["WaitHandle"],
        TextContains = "waits in Process.WaitForExit on System.Diagnostics.Process",
    };

    public override void Start()
    {
        var child = Process.Start(new ProcessStartInfo("sh", ["-c", "read line"]) { RedirectStandardInput = true })!;
        WaitUntilBlocked(Run("build-step", child.WaitForExit));
    }
}
