namespace Brigade.Processes.Tests.WorkerHostLoad;

/// <summary>
/// A worker host that cannot load one of its own assemblies (Brigade.dll missing beside it: a publish that bundled it,
/// a hand-copied host) said nothing and exited 0, so the engine reported "did not start: pid N exited with code 0"
/// (leftover39's finding): the worker's "the channel broke" handler caught the <see cref="FileNotFoundException"/>, an
/// <see cref="IOException"/>. The start failure must name the file, and the worker's preload thread must not crash the process on it.
/// </summary>
public sealed class MissingBrigadeAssemblyTests
{
    [Fact(Timeout = 60_000)]
    public async Task WorkerHostWithoutBrigadeDll_FailsNamingTheAssembly()
    {
        var source = Path.GetDirectoryName(typeof(ProcessEngine).Assembly.Location)!;
        var dir = Directory.CreateTempSubdirectory("brigade-host-no-brigade-");
        try
        {
            // The host alone: no deps.json (which would make the runtime refuse to start, with its own message) and no
            // Brigade.dll.
            foreach (var name in new[] { "Brigade.Processes.Worker.dll", "Brigade.Processes.Worker.runtimeconfig.json" })
            {
                File.Copy(Path.Combine(source, name), Path.Combine(dir.FullName, name));
            }

            await using var engine = TestEngines.Create(o => o.WorkerPath = Path.Combine(dir.FullName, "Brigade.Processes.Worker.dll"));
            var error = await Assert.ThrowsAnyAsync<Exception>(() => Runner.MapAsync(new[] { 1, 2, 3 }, new Square(), TestEngines.Run(engine)));
            var text = error.ToString();
            Assert.Contains("brigade worker: could not load 'Brigade,", text, StringComparison.Ordinal);
            Assert.DoesNotContain("exited with code 0", text, StringComparison.Ordinal);

            // Not a crash of the worker's preload thread either (it compiled code needing Brigade.dll outside its handler).
            Assert.DoesNotContain("SIGABRT", text, StringComparison.Ordinal);
            Assert.DoesNotContain("Unhandled exception", text, StringComparison.Ordinal);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
