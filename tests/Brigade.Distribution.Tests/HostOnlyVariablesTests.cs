using Brigade.TestSupport;

namespace Brigade.Distribution.Tests;

/// <summary>
/// The variables ../Shared/HostJit.runsettings sets for this project's test host (call counting off) reach the host and
/// nothing it starts: the builds, packs, tool installs and programs of these tests run with the environment they had.
/// </summary>
public sealed class HostOnlyVariablesTests
{
    [SkippableFact]
    public async Task TheHostStartedWithCallCountingOff_AndWhatItStartsDoesNotInheritIt()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "the host's start-up environment is read from /proc");
        var startup = (await File.ReadAllTextAsync("/proc/self/environ")).Split('\0');
        Skip.IfNot(startup.Any(v => v.StartsWith(HostOnlyVariables.ListVariable + "=", StringComparison.Ordinal)),
            "the run was given other run settings than the project's (HostJit.runsettings)");

        Assert.Contains("DOTNET_TC_CallCounting=0", startup);
        Assert.Null(Environment.GetEnvironmentVariable("DOTNET_TC_CallCounting"));
        Assert.Null(Environment.GetEnvironmentVariable(HostOnlyVariables.ListVariable));

        var (exit, output) = await Dotnet.RunProgramAsync("env", Path.GetTempPath(), TimeSpan.FromMinutes(1));
        Assert.Equal(0, exit);
        var inherited = output.Split('\n').Where(l => l.StartsWith("DOTNET_TC_CallCounting=", StringComparison.Ordinal) || l.StartsWith(HostOnlyVariables.ListVariable + "=", StringComparison.Ordinal)).ToList();
        Assert.True(inherited.Count == 0, $"a process the tests started inherited {string.Join(", ", inherited)}");
    }
}
