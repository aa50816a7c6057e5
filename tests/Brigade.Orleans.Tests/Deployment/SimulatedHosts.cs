using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// Three simulated hosts on this machine: a <c>brigade silo</c> on each of 127.0.0.2, 127.0.0.3 and 127.0.0.4, all on the
/// same ports as separate machines would be, joined through a membership store; and a CPU-bound <c>brigade run --engine
/// cluster</c> over them, watched from outside while one host is lost.
/// </summary>
internal sealed class SimulatedHosts : IAsyncDisposable
{
    public static readonly IPAddress[] Addresses = [IPAddress.Parse("127.0.0.2"), IPAddress.Parse("127.0.0.3"), IPAddress.Parse("127.0.0.4")];

    private readonly SiloSet _silos = new();
    private readonly string _directory = Directory.CreateTempSubdirectory("brigade-hosts-").FullName;
    private string[] _ports = [];

    private SimulatedHosts(string membership, string clusterId)
    {
        Membership = membership;
        ClusterId = clusterId;
    }

    public string Membership { get; }

    public string ClusterId { get; }

    /// <summary>The silos, in the order of <see cref="Addresses"/>.</summary>
    public IReadOnlyList<LocalSiloProcess> Silos { get; private set; } = [];

    public string File(string name) => Path.Combine(_directory, name);

    /// <summary>Starts the three silos at once; each binds its own address, the same two ports.</summary>
    public static async Task<SimulatedHosts> StartAsync(string membership)
    {
        var hosts = new SimulatedHosts(membership, $"test-{Guid.NewGuid():N}"[..16]);
        try
        {
            hosts._ports = FreePorts.On(Addresses, 2).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();
            hosts.Silos = await Task.WhenAll(Addresses.Select(hosts.StartSiloAsync));
            return hosts;
        }
        catch
        {
            await hosts.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// Replaces the silo of <paramref name="index"/> (the one a test killed or cut off) with a new one on the same address
    /// and ports: SIGKILLed if it still runs (a silo cut off and declared dead stops by itself, later), then started again
    /// and awaited (its ready line). The new silo's entry supersedes the old one's in membership (same endpoint, newer
    /// generation), so the cluster has three active silos again, none of them the one the last test lost.
    /// </summary>
    public async Task ReplaceAsync(int index)
    {
        var old = Silos[index];
        try
        {
            if (!old.HasExited)
            {
                SiloSet.Kill(old);
            }
        }
        catch (ArgumentException)
        {
            // It ended between the check and the kill (a silo declared dead stops by itself).
        }

        var silos = Silos.ToArray();
        silos[index] = await StartSiloAsync(Addresses[index]);
        Silos = silos;
    }

    private Task<LocalSiloProcess> StartSiloAsync(IPAddress address) => _silos.StartAsync(
        "--address", address.ToString(), "--port", _ports[0], "--gateway-port", _ports[1], "--membership", Membership, "--cluster-id", ClusterId,
        // The tests wait for a failover, not for Orleans' production timings: the lost host is declared dead in
        // seconds (2 s probes, `brigade silo --failure-detection fast`), not in 15-30 s.
        "--failure-detection", "fast");

    /// <summary>
    /// Runs <paramref name="items"/> Spin items with <c>brigade run --engine cluster</c> on these hosts, calls
    /// <paramref name="fault"/> once a third of them are done, and measures the longest time the output did not grow after it.
    /// </summary>
    public Task<RunOutcome> RunAsync(int items, Action fault, TimeSpan timeout) =>
        RunCliAsync(_directory, ["--membership", Membership, "--cluster-id", ClusterId, "--cluster-timeout", "60s"], items, fault, timeout);

    /// <summary>
    /// Runs <paramref name="items"/> Spin items with <c>brigade run --engine cluster</c> and the given cluster options,
    /// calls <paramref name="fault"/> once the output holds the results of the first <paramref name="faultAfter"/> of them
    /// (a third by default), and measures the longest time the output did not grow after it.
    /// </summary>
    /// <remarks>
    /// The fault comes by the output, sampled every 50 ms (it flushes every 100 ms while results arrive), not by the run's
    /// progress line: that comes every 2 s, so a run had to be sized to last well past one on a fast machine (10,000
    /// items, 5 s of spinning, for a fault at a third) or it could end before any fault. By the output, the fault comes
    /// at its third on any machine, whatever the run's size: the items need only outlast the fault, with work left on
    /// every silo when it comes.
    /// </remarks>
    public static async Task<RunOutcome> RunCliAsync(string directory, string[] cluster, int items, Action fault, TimeSpan timeout, int? faultAfter = null)
    {
        var threshold = faultAfter ?? items / 3;
        // The output's length once it holds results 0..threshold-1: line i is 2i+1 and a newline, in input order.
        var thresholdBytes = Enumerable.Range(0, threshold).Sum(i => (long)((2 * i) + 1).ToString(CultureInfo.InvariantCulture).Length + 1);
        var input = Path.Combine(directory, $"in-{items}.txt");
        var output = Path.Combine(directory, $"out-{items}-{Guid.NewGuid():N}.txt");
        await System.IO.File.WriteAllLinesAsync(input, Enumerable.Range(0, items).Select(i => i.ToString(CultureInfo.InvariantCulture)));
        var info = BrigadeCli.StartInfo(
            ["run", input, "--assembly", BrigadeCli.WorkAssembly, "--work", typeof(Spin).FullName!, "--engine", "cluster", "-o", output, .. cluster]);
        info.RedirectStandardError = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardInput = true;
        var clock = Stopwatch.StartNew();
        using var run = Process.Start(info)!;
        run.StandardInput.Close();
        var stdout = run.StandardOutput.ReadToEndAsync();
        TimeSpan? faultAt = null;
        var stderrLines = new List<string>();
        var reader = Task.Run(async () =>
        {
            while (await run.StandardError.ReadLineAsync() is { } line)
            {
                lock (stderrLines)
                {
                    stderrLines.Add(line);
                }
            }
        });

        // The output flushes every 100 ms while results arrive: its growth, sampled, shows how long delivery stalled.
        var worstStall = TimeSpan.Zero;
        var lastLength = 0L;
        var lastGrowth = TimeSpan.Zero;
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            while (!run.HasExited)
            {
                await Task.Delay(50, deadline.Token);
                var length = System.IO.File.Exists(output) ? new FileInfo(output).Length : 0;
                if (faultAt is null && length >= thresholdBytes)
                {
                    fault();
                    faultAt = clock.Elapsed;
                }

                var now = clock.Elapsed;
                if (length != lastLength)
                {
                    if (faultAt is { } f && now - Max(lastGrowth, f) > worstStall)
                    {
                        worstStall = now - Max(lastGrowth, f);
                    }

                    lastLength = length;
                    lastGrowth = now;
                }
            }

            await run.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
            throw new TimeoutException($"brigade run did not finish within {timeout.TotalSeconds:0} s: {string.Join(" | ", stderrLines.TakeLast(5))}");
        }

        await reader;
        await stdout;
        var lines = System.IO.File.Exists(output) ? await System.IO.File.ReadAllLinesAsync(output) : [];
        var failures = System.IO.File.Exists(output + ".failures.jsonl") ? (await System.IO.File.ReadAllLinesAsync(output + ".failures.jsonl")).Length : 0;
        return new RunOutcome(run.ExitCode, lines, failures, faultAt, worstStall, clock.Elapsed, string.Join("\n", stderrLines));
    }

    public async ValueTask DisposeAsync()
    {
        await _silos.DisposeAsync();
        try
        {
            Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>How a <c>brigade run</c> over the simulated hosts ended.</summary>
internal sealed record RunOutcome(int ExitCode, string[] Lines, int Failures, TimeSpan? FaultAt, TimeSpan WorstStall, TimeSpan Elapsed, string Stderr)
{
    /// <summary>Every item exactly once, in input order: line i is Spin's result for item i, and nothing else.</summary>
    public void AssertEveryItemExactlyOnce(int items)
    {
        Assert.True(ExitCode == 0, $"exit {ExitCode}: {Stderr}");
        Assert.Equal(0, Failures);
        Assert.Equal(items, Lines.Length);
        for (var i = 0; i < items; i++)
        {
            Assert.Equal(((2 * i) + 1).ToString(CultureInfo.InvariantCulture), Lines[i]);
        }
    }

    public override string ToString() =>
        $"exit {ExitCode}, {Lines.Length} lines, {Failures} failures; fault at {FaultAt?.TotalSeconds:0.0} s; worst output stall after it {WorstStall.TotalSeconds:0.0} s; run {Elapsed.TotalSeconds:0.0} s";
}
