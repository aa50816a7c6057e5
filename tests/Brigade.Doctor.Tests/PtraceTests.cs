using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests;

/// <summary>When the runtime cannot write a dump, the error says whether ptrace is forbidden, and what to do.</summary>
public sealed class PtraceTests
{
    [Theory]
    [InlineData("3", false, true, "kernel.yama.ptrace_scope = 3")]
    [InlineData("2", true, false, "run the container with --cap-add=SYS_PTRACE")]
    [InlineData("2", false, false, "run as root, or set kernel.yama.ptrace_scope to 1")]
    [InlineData("1", true, false, "this container forbids ptrace")]
    [InlineData(null, true, false, "--cap-add=SYS_PTRACE")]
    public void Forbidden_SaysWhyAndHowToAllowIt(string? scope, bool container, bool capability, string expected) =>
        Assert.Contains(expected, DumpCapture.ExplainPtrace(scope, container, capability), StringComparison.Ordinal);

    [Theory]
    [InlineData("1", false, false)]
    [InlineData("0", false, false)]
    [InlineData("1", true, true)]
    [InlineData(null, false, false)]
    public void Allowed_SaysNothing(string? scope, bool container, bool capability) =>
        Assert.Null(DumpCapture.ExplainPtrace(scope, container, capability));
}
