using System.Diagnostics;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// <c>brigade silo</c> processes started by one test: killed with SIGKILL or stopped, and every one of them gone when the
/// set is disposed, also when the test fails.
/// </summary>
internal sealed class SiloSet : IAsyncDisposable
{
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(90);
    private readonly List<LocalSiloProcess> _silos = [];

    public IReadOnlyList<LocalSiloProcess> Silos => _silos;

    /// <summary>Starts one silo with the given <c>brigade silo</c> options (it also accepts this test assembly's work types).</summary>
    public async Task<LocalSiloProcess> StartAsync(params string[] options)
    {
        var silo = await LocalSiloProcess.StartAsync(
            BrigadeCli.StartInfo(["silo", .. options, "--assembly", BrigadeCli.WorkAssembly, "--exit-on-stdin-close"]),
            ReadyTimeout);
        _silos.Add(silo);
        return silo;
    }

    /// <summary>SIGKILL: the silo gets no chance to leave the cluster.</summary>
    public static void Kill(LocalSiloProcess silo)
    {
        using var process = Process.GetProcessById(silo.ProcessId);
        process.Kill();
        process.WaitForExit(10_000);
    }

    public async ValueTask DisposeAsync()
    {
        await Task.WhenAll(_silos.Select(s => s.StopAsync(TimeSpan.FromSeconds(5))));
    }
}
