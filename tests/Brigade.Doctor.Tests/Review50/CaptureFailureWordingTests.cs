using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests.Review50;

/// <summary>
/// Review 50: every dump that failed ended with "in a container, ptrace must be allowed", a full disk and a read-only
/// directory included. Each message now names its cause, with the ptrace hint only where ptrace can be it. The runtime's
/// messages below are createdump's own, as .NET 10 returned them (2026-12-05) for a missing directory, a full tmpfs and a
/// read-only one.
/// </summary>
public sealed class CaptureFailureWordingTests
{
    [Theory]
    [InlineData("[createdump] Error writing data to dump file: No space left on device (28) [createdump] Writing dump FAILED [createdump] Failure took 4189ms", "the dump's file system is full")]
    [InlineData("[createdump] Could not create output file '/tmp/ro/core.dmp': Read-only file system (30) [createdump] Failure took 3088ms", "read-only file system")]
    [InlineData("[createdump] Could not create output file '/tmp/gone/core.dmp': No such file or directory (2) [createdump] Failure took 3869ms", "its directory does not exist")]
    [InlineData("[createdump] Could not create output file '/srv/dumps/core.dmp': Permission denied (13)", "may not write to its directory")]
    public void FileTrouble_NamesItsCause_WithoutThePtraceHint(string runtime, string cause)
    {
        var message = DumpCapture.DumpFailedMessage(4242, runtime, fromRuntime: true, inContainer: true);

        Assert.Contains(cause, message, StringComparison.Ordinal);
        Assert.Contains(runtime, message, StringComparison.Ordinal);
        Assert.DoesNotContain("ptrace", message, StringComparison.OrdinalIgnoreCase);
        Assert.False(DumpCapture.PtraceMayBeTheCause(runtime, fromRuntime: true));
    }

    [Fact]
    public void PtraceInTheRuntimesError_InAContainer_GetsTheHint()
    {
        const string Runtime = "[createdump] ptrace(ATTACH, 4242) FAILED Operation not permitted (1)";

        Assert.Contains("in a container, ptrace must be allowed: run it with --cap-add=SYS_PTRACE", DumpCapture.DumpFailedMessage(4242, Runtime, fromRuntime: true, inContainer: true), StringComparison.Ordinal);
        Assert.True(DumpCapture.PtraceMayBeTheCause(Runtime, fromRuntime: true));
        Assert.DoesNotContain("cap-add", DumpCapture.DumpFailedMessage(4242, Runtime, fromRuntime: true, inContainer: false), StringComparison.Ordinal);
    }

    [Fact]
    public void AnErrorThatNamesNoCause_InAContainer_MentionsPtraceAsAPossibility()
    {
        const string Runtime = "Writing dump failed (HRESULT: 0x80004005)";

        Assert.Contains("if ptrace was refused", DumpCapture.DumpFailedMessage(4242, Runtime, fromRuntime: true, inContainer: true), StringComparison.Ordinal);
        Assert.True(DumpCapture.PtraceMayBeTheCause(Runtime, fromRuntime: true));
    }

    [Fact]
    public void ALostConnection_IsNotBlamedOnPtrace()
    {
        var message = DumpCapture.DumpFailedMessage(4242, "Unable to read beyond the end of the stream.", fromRuntime: false, inContainer: true);

        Assert.Contains("the diagnostics connection to its runtime failed", message, StringComparison.Ordinal);
        Assert.DoesNotContain("ptrace", message, StringComparison.OrdinalIgnoreCase);
        Assert.False(DumpCapture.PtraceMayBeTheCause("Unable to read beyond the end of the stream.", fromRuntime: false));
    }

    [Fact]
    public void ADumpReportedButNotWritten_IsNotBlamedOnPtrace()
    {
        var message = DumpCapture.NoDumpWrittenMessage(4242, "/dev/shm/brigade-doctor-4242-x/core.4242.dmp");

        Assert.Contains("reported a dump but wrote none to /dev/shm/brigade-doctor-4242-x/core.4242.dmp: the file is missing or empty", message, StringComparison.Ordinal);
        Assert.DoesNotContain("ptrace", message, StringComparison.OrdinalIgnoreCase);
    }
}
