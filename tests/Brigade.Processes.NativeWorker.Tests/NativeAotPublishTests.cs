using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Brigade.Processes.NativeWorker.Tests;

/// <summary>
/// The test worker published NativeAOT (ILC: about a minute, so on demand only:
/// BRIGADE_TEST_NATIVE_WORKER=1 dotnet test tests/Brigade.Processes.NativeWorker.Tests -c Release), then the engine's
/// values, failures and unknown work types through it: what a trimmed, ahead-of-time compiled worker must still do
/// (source-generated JSON, the catalog's generic executors, the worker's P/Invokes).
/// </summary>
public sealed class NativeAotPublishTests
{
    public const string Variable = "BRIGADE_TEST_NATIVE_WORKER";

    [SkippableFact(Timeout = 600_000)]
    public async Task PublishedNativeAot_RunsTheCatalog()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable(Variable) == "1", $"ILC takes about a minute: {Variable}=1 dotnet test tests/Brigade.Processes.NativeWorker.Tests -c Release");
        Skip.IfNot(OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64, "published for linux-x64");
        var output = Path.Combine(Path.GetTempPath(), $"brigade-native-worker-{Environment.ProcessId}");
        try
        {
            var project = Path.Combine(TestWorker.RepositoryRoot, "tests", "Brigade.Processes.NativeWorker.TestWorker");
            var publish = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var arg in (string[])["publish", project, "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo"])
            {
                publish.ArgumentList.Add(arg);
            }

            using (var process = Process.Start(publish)!)
            {
                var stdout = process.StandardOutput.ReadToEndAsync();
                var stderr = process.StandardError.ReadToEndAsync();
                await process.WaitForExitAsync();
                Assert.True(process.ExitCode == 0, $"dotnet publish failed:\n{await stdout}\n{await stderr}");
            }

            var exe = Path.Combine(output, "Brigade.Processes.NativeWorker.TestWorker");
            Assert.False(File.Exists(Path.Combine(output, "Brigade.Processes.NativeWorker.TestWorker.dll")), "not a NativeAOT publish");
            await using var engine = TestWorker.Engine(o => o.WorkerPath = exe);
            var items = Enumerable.Range(0, 100).ToArray();
            var shapes = items.Select(i => new Shape($"box {i}", i, 0.5, [.. Enumerable.Range(0, i % 4)])).ToArray();

            var squares = await Runner.MapAsync(items, new Square(), TestWorker.Run(engine));
            var labels = await Runner.MapAsync(shapes, new Describe(), TestWorker.Run(engine));
            var shouted = await Runner.MapAsync(["ä", "b"], new Shout(), TestWorker.Run(engine));
            var halves = await Runner.MapAsync(items, new HalveLater(), TestWorker.Run(engine));
            var sevens = await Runner.MapAsync(items, new ThrowOnSevens(), TestWorker.Run(engine));
            var unknown = await Assert.ThrowsAsync<ArgumentException>(() => Runner.MapAsync(items, new NotInCatalog(), TestWorker.Run(engine)));

            Assert.Equal(items.Select(i => (long)i * i), squares.Values);
            Assert.Equal(shapes.Select(s => new Describe().Execute(s)), labels.Values);
            Assert.Equal(["Ä!", "B!"], shouted.Values);
            Assert.Equal(items.Select(i => i / 2.0), halves.Values);
            Assert.Equal(items.Where(i => i % 7 == 0).Select(i => (long)i), sevens.Report.Failures.Select(f => f.Index).Order());
            Assert.Contains("multiple of 7", sevens.Report.Failures[0].Exception.Message, StringComparison.Ordinal);
            Assert.Contains("is not in the catalog of the worker executable", unknown.Message, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    [SkippableFact(Timeout = 600_000)]
    public async Task PublishedNativeAotApp_IsItsOwnWorker_WithoutTrimOrAotWarnings()
    {
        Skip.IfNot(Environment.GetEnvironmentVariable(Variable) == "1", $"ILC takes about a minute: {Variable}=1 dotnet test tests/Brigade.Processes.NativeWorker.Tests -c Release");
        Skip.IfNot(OperatingSystem.IsLinux() && RuntimeInformation.OSArchitecture == Architecture.X64, "published for linux-x64");
        var output = Path.Combine(Path.GetTempPath(), $"brigade-native-app-{Environment.ProcessId}");
        try
        {
            // The engine's side in a NativeAOT application: Brigade and Brigade.Processes must publish without a trim or
            // AOT warning (the sample's own code has none), and run with the application as its own worker.
            var project = Path.Combine(TestWorker.RepositoryRoot, "samples", "Brigade.Samples.NativeAotApp");
            var (code, log) = await RunAsync("dotnet", "publish", project, "-c", "Release", "-r", "linux-x64", "-o", output, "-nologo", "-p:TreatWarningsAsErrors=false");
            Assert.True(code == 0, $"dotnet publish failed:\n{log}");
            Assert.DoesNotContain("warning IL", log, StringComparison.Ordinal);

            var exe = Path.Combine(output, "Brigade.Samples.NativeAotApp");
            Assert.False(File.Exists(Path.Combine(output, "Brigade.Samples.NativeAotApp.dll")), "not a NativeAOT publish");
            var (runCode, text) = await RunAsync(exe);
            var (jsonCode, json) = await RunAsync(exe, "--json");
            var (usageCode, usage) = await RunAsync(exe, "--nonsense");

            Assert.True(runCode == 0, text);
            Assert.Contains("1,000 quotes, 351,356.25 in all", text, StringComparison.Ordinal);
            Assert.Contains("10,000 items", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
            var line = text.Split('\n').Single(l => l.Contains("from worker processes", StringComparison.Ordinal));
            var self = line[(line.LastIndexOf("this process is ", StringComparison.Ordinal) + 16)..].TrimEnd(')', '\r');
            Assert.DoesNotContain(self, line[..line.LastIndexOf('(')], StringComparison.Ordinal);
            Assert.True(jsonCode == 0, json);
            using var figures = System.Text.Json.JsonDocument.Parse(json);
            Assert.True(figures.RootElement.GetProperty("firstRunMs").GetDouble() > 0);
            Assert.Equal(2, usageCode);
            Assert.Contains("usage:", usage, StringComparison.Ordinal);
        }
        finally
        {
            if (Directory.Exists(output))
            {
                Directory.Delete(output, recursive: true);
            }
        }
    }

    private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
    {
        var info = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        using var process = Process.Start(info)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, await stdout + await stderr);
    }
}
