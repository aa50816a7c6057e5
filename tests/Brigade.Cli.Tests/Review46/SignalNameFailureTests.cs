using Brigade.Cli.Run;

namespace Brigade.Cli.Tests.Review46;

/// <summary>
/// A command killed by a signal failed with "exit code 137 (signal 9)": the number only, which users had to look up
/// (and which differs between Linux and the BSDs: 10 is SIGUSR1 on one, SIGBUS on the other). Now the name comes too
/// (the tables: tests/Brigade.Tests/Review46/SignalNameTests.cs).
/// </summary>
public sealed class SignalNameFailureTests
{
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
