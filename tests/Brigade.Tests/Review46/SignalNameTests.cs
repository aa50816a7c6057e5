using Brigade.Internal;

namespace Brigade.Tests.Review46;

/// <summary>Signal names by number, as a failed command of <c>brigade run</c> and a dead worker process name them (one
/// table for both since review 46; the worker's own knew eleven signals, Linux numbering only).</summary>
public sealed class SignalNameTests
{
    [Theory]
    [InlineData(1, "SIGHUP")]
    [InlineData(9, "SIGKILL")]
    [InlineData(10, "SIGUSR1")]
    [InlineData(11, "SIGSEGV")]
    [InlineData(15, "SIGTERM")]
    [InlineData(31, "SIGSYS")]
    [InlineData(34, "SIGRTMIN")]
    [InlineData(37, "SIGRTMIN+3")]
    [InlineData(64, "SIGRTMAX")]
    public void Linux_NamesEverySignal(int signal, string name) => Assert.Equal(name, SignalName.Of(signal, SignalName.LinuxTable));

    [Theory]
    [InlineData(0)]
    [InlineData(32)]
    [InlineData(65)]
    public void Linux_NumbersWithoutASignal_HaveNoName(int signal) => Assert.Null(SignalName.Of(signal, SignalName.LinuxTable));

    [Theory]
    [InlineData(7, "SIGEMT")]
    [InlineData(10, "SIGBUS")]
    [InlineData(12, "SIGSYS")]
    [InlineData(30, "SIGUSR1")]
    [InlineData(34, null)]
    public void Bsd_UsesItsOwnNumbering(int signal, string? name) => Assert.Equal(name, SignalName.Of(signal, SignalName.BsdTable));

    [Fact]
    public void NoTable_NoName() => Assert.Null(SignalName.Of(9, null));
}
