using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review46;

/// <summary>
/// A command killed by a signal failed with "exit code 137 (signal 9)": the number only, which users had to look up
/// (and which differs between Linux and the BSDs: 10 is SIGUSR1 on one, SIGBUS on the other). Now the name comes too.
/// </summary>
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

    [Fact(Timeout = 30_000)]
    public async Task ACommandKilledBySigkill_FailsNamingTheSignal()
    {
        if (!ExecSpawner.IsAvailable)
        {
            return;
        }

        var e = await Assert.ThrowsAsync<ExecFailedException>(() => ExecRunner.RunAsync("perl -e 'kill 9, $$; sleep 5'", null, CancellationToken.None));
        Assert.Equal("exit code 137 (signal 9, SIGKILL)", e.Message);
    }
}
