using System.Collections.Concurrent;
using System.Globalization;
using System.Reflection;
using Brigade.Processes.Internal;
using Brigade.Processes.Protocol;

namespace Brigade.Processes.Tests.Leftover39;

/// <summary>
/// A worker that stops itself says why in a <c>Fatal</c> frame, then exits with code 2. Its item's failure said only
/// "pid N exited with code 2" (the reason was read, thrown as a <see cref="ProtocolException"/>, and dropped when the
/// worker was seen to exit): it now says "stopped itself, reporting: ..." with the worker's reason (leftover of review 39).
/// </summary>
public sealed class WorkerStoppedMessageTests
{
    [Fact(Timeout = 30_000)]
    public async Task WorkerThatStopsWithAFatalReport_ItsItemsFailureGivesTheReason_NotAnExitCode()
    {
        var directory = Directory.CreateTempSubdirectory("brigade-fatal-").FullName;
        try
        {
            await using var engine = TestEngines.Create(o => o.MaxCrashesPerItem = 1);
            var run = Runner.MapAsync([new CrashInput(0, "kill-always", 0, directory)], new Crasher(), TestEngines.Run(engine));

            // The item says it runs (its worker's pid); the host then sends that worker a frame no host sends, which the
            // worker's reader answers as a broken protocol: a Fatal frame, then exit code 2.
            var pid = await StartedWorkerAsync(directory, run);
            var frame = new FrameBuffer(16);
            frame.BeginFrame(MessageType.Ready);
            frame.EndFrame();
            LiveWorker(pid).Send(frame);

            var result = await run;

            var crash = Assert.IsType<WorkerCrashedException>(Assert.Single(result.Report.Failures).Exception);
            Assert.Contains($"pid {pid} stopped itself, reporting: protocol error: unexpected message Ready from the host", crash.Message, StringComparison.Ordinal);
            Assert.DoesNotContain("exited with code", crash.Message, StringComparison.Ordinal);
            Assert.Equal(2, crash.ExitCode);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static async Task<int> StartedWorkerAsync(string directory, Task run)
    {
        while (true)
        {
            if (Directory.GetFiles(directory, "*.pid") is [var file, ..])
            {
                return int.Parse(Path.GetFileNameWithoutExtension(file), CultureInfo.InvariantCulture);
            }

            Assert.False(run.IsCompleted, "the run ended before its item started");
            await Task.Delay(10);
        }
    }

    private static WorkerProcess LiveWorker(int pid)
    {
        var live = (ConcurrentDictionary<WorkerProcess, byte>?)typeof(WorkerProcess).GetField("Live", BindingFlags.NonPublic | BindingFlags.Static)?.GetValue(null);
        Assert.NotNull(live);
        return Assert.Single(live.Keys, w => w.Pid == pid);
    }
}
