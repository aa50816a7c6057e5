using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace Brigade.Orleans.Tests.Deployment;

/// <summary>
/// <c>brigade silo --failure-detection default|fast</c>: Orleans' membership probes as the silo configures them (its
/// options logger prints them with <c>--verbose</c>): the default leaves Orleans' timings alone, fast shortens the probe
/// timeout only; any other value is a one-line usage error.
/// </summary>
public sealed class FailureDetectionOptionTests
{
    private const string MembershipOptionsLine = "Configuration Orleans.Configuration.ClusterMembershipOptions:";

    [Fact(Timeout = 120_000)]
    public async Task Silo_FailureDetection_Fast_ShortensTheProbes_TheDefaultKeepsOrleansTimings()
    {
        var ports = FreePorts.On([IPAddress.Loopback], 4).Select(p => p.ToString(CultureInfo.InvariantCulture)).ToArray();

        // Two unrelated localhost clusters of one silo each, side by side.
        var fast = StartVerboseSiloAsync(ports[0], ports[1], "--failure-detection", "fast");
        var standard = StartVerboseSiloAsync(ports[2], ports[3]);
        var (fastOptions, standardOptions) = (await fast, await standard);

        Assert.Contains("ProbeTimeout: 00:00:02 MinProbeTimeout: 00:00:01 MaxProbeTimeout: 00:00:08 ", fastOptions, StringComparison.Ordinal);
        Assert.Contains("ProbeTimeout: 00:00:05 MinProbeTimeout: 00:00:02.5000000 MaxProbeTimeout: 00:00:20 ", standardOptions, StringComparison.Ordinal);

        // Everything else is Orleans' in both.
        Assert.Equal(WithoutProbeTimeouts(standardOptions), WithoutProbeTimeouts(fastOptions));
        Assert.Contains("NumMissedProbesLimit: 3 NumVotesForDeathDeclaration: 2 ", fastOptions, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task Silo_FailureDetection_AnotherValue_IsAOneLineUsageError_NamingTheChoices()
    {
        var (code, _, stderr, _) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(50), "silo", "--failure-detection", "instant");

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal("brigade: --failure-detection: 'instant' is not one of default, fast", line.TrimEnd('\r'));
    }

    [Fact(Timeout = 60_000)]
    public async Task SiloHelp_DescribesFailureDetection()
    {
        var (code, stdout, stderr, _) = await BrigadeCli.RunAsync(TimeSpan.FromSeconds(50), "silo", "--help");

        Assert.True(code == 0, stderr);
        Assert.Contains("--failure-detection <default|fast>", stdout, StringComparison.Ordinal);
    }

    // The ClusterMembershipOptions line that Orleans' options logger writes as the silo starts. It is all this test reads,
    // so the silo is killed once it is written, not started to the end (joining the cluster, the gateway) and stopped
    // gracefully: about 0.3 s of CPU less per silo (the test alone, 2026-12-05 at load 72-85: 8.1 and 7.6 s, then 7.1 and
    // 7.4 s, test host included).
    private static async Task<string> StartVerboseSiloAsync(string port, string gatewayPort, params string[] options)
    {
        var info = BrigadeCli.StartInfo(["silo", "--port", port, "--gateway-port", gatewayPort, "--primary-port", port, "--verbose", "--exit-on-stdin-close", .. options]);
        info.RedirectStandardInput = true;
        info.RedirectStandardOutput = true;
        info.RedirectStandardError = true;
        using var process = new Process { StartInfo = info };
        var logged = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (log)
            {
                log.AppendLine(e.Data);
            }

            if (e.Data?.Contains(MembershipOptionsLine, StringComparison.Ordinal) == true)
            {
                logged.TrySetResult();
            }
        };
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await Task.WhenAny(logged.Task, process.WaitForExitAsync()).WaitAsync(TimeSpan.FromSeconds(90));
            Assert.True(logged.Task.IsCompleted, $"the silo exited before it wrote its membership options:\n{Text(log)}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }

            process.WaitForExit();   // also waits for the output readers to reach the end
        }

        var membership = Text(log).Split('\n').SingleOrDefault(l => l.Contains(MembershipOptionsLine, StringComparison.Ordinal));
        Assert.True(membership is not null, $"no ClusterMembershipOptions line in the silo's log:\n{Text(log)}");
        return membership!.Trim();

        static string Text(System.Text.StringBuilder log)
        {
            lock (log)
            {
                return log.ToString();
            }
        }
    }

    private static string WithoutProbeTimeouts(string options) =>
        System.Text.RegularExpressions.Regex.Replace(options, @"(Min|Max)?ProbeTimeout: \S+ ", "");
}
