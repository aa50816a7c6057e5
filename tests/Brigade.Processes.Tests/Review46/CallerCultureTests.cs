using System.Diagnostics;
using System.Text.Json.Nodes;
using Brigade.Processes.Internal;

namespace Brigade.Processes.Tests.Review46;

/// <summary>
/// Review 46 (left by review 45): a worker process ran under its own culture, not the one the caller set in code, so the
/// same work formatted numbers differently on the process engine than on threads. The run now carries the caller's
/// <c>CurrentCulture</c> and <c>CurrentUICulture</c> names to the worker (protocol version 5). The tests run in a host
/// with globalization (this test host, like every project here, runs invariant and cannot create de-DE).
/// </summary>
public sealed class CallerCultureTests
{
    [Fact(Timeout = 90_000)]
    public async Task CultureSetInCode_TheWorkerFormatsAsTheCallerDoes()
    {
        var (lines, _) = await RunHostAsync(workerInvariant: false);

        Assert.Equal("here|1.234,5 de-DE fr-FR|0,25 de-DE fr-FR", lines["here"]);
        Assert.Equal("worker|1.234,5 de-DE fr-FR|0,25 de-DE fr-FR", lines["worker"]);

        // The same worker, a later run under other cultures: each run carries its own.
        Assert.Equal("again|1,234.5  en-US|0.25  en-US", lines["again"]);
    }

    [Fact(Timeout = 90_000)]
    public async Task ACultureTheWorkerLacks_RunsUnderTheInvariantCulture_AndSaysSo()
    {
        var (lines, stderr) = await RunHostAsync(workerInvariant: true);

        Assert.Equal("worker|1,234.5  |0.25  ", lines["worker"]);
        Assert.Contains("culture 'de-DE' is not available here (this worker runs with invariant globalization); items run under the invariant culture", stderr, StringComparison.Ordinal);
        Assert.Equal("again|1,234.5  |0.25  ", lines["again"]);
    }

    private static async Task<(Dictionary<string, string> Lines, string Stderr)> RunHostAsync(bool workerInvariant)
    {
        var bin = Path.GetDirectoryName(typeof(CallerCultureTests).Assembly.Location)!;
        var host = Path.Combine(bin, "Brigade.Processes.TestHost.dll");
        var config = JsonNode.Parse(await File.ReadAllTextAsync(Path.ChangeExtension(host, ".runtimeconfig.json")))!;
        config["runtimeOptions"]!["configProperties"]!["System.Globalization.Invariant"] = false;
        var configPath = Path.Combine(Path.GetTempPath(), $"brigade-review46-{Guid.NewGuid():N}.runtimeconfig.json");
        await File.WriteAllTextAsync(configPath, config.ToJsonString());
        try
        {
            var info = new ProcessStartInfo(WorkerLauncher.Resolve(new ProcessEngineOptions()).DotnetPath) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in new[] { "exec", "--runtimeconfig", configPath, host, "culture", workerInvariant ? "1" : "0" })
            {
                info.ArgumentList.Add(arg);
            }

            using var process = Process.Start(info)!;
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(80));
            var output = await stdout;
            Assert.True(process.ExitCode == 0, $"exit {process.ExitCode}: {output} {await stderr}");
            return (output.Split('\n', StringSplitOptions.RemoveEmptyEntries).ToDictionary(l => l.Split('|')[0]), await stderr);
        }
        finally
        {
            File.Delete(configPath);
        }
    }
}
