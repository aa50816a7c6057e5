using System.Collections.Concurrent;
using System.Diagnostics;
using Brigade.Doctor.Corpus;

namespace Brigade.Doctor.Tests;

/// <summary>
/// Runs every labelled corpus program as a child process (a few at a time), waits until it is in its state, diagnoses it
/// from outside with <see cref="Doctor.DiagnoseProcessAsync"/>, checks it was left running, and kills it. The tests then
/// assert each diagnosis against its label.
/// </summary>
public sealed class CorpusFixture : IAsyncLifetime
{
    // Six at a time (three until 2026-12-05): a diagnosis mostly waits (the program reaching its state, its dump written
    // to /dev/shm), and the fixture was most of this project's wall, on a lane of its own. Dumps are ~22 MB each since
    // SmallChildStacks (85-170 MB before), so six fit in memory where three did then.
    private const int Concurrency = 6;

    public static IReadOnlyList<Scenario> Scenarios { get; } = typeof(Scenario).Assembly.GetTypes()
        .Where(t => t.IsSubclassOf(typeof(Scenario)) && !t.IsAbstract)
        .Select(t => (Scenario)Activator.CreateInstance(t)!)
        .OrderBy(s => s.Name, StringComparer.Ordinal)
        .ToList();

    private static readonly ConcurrentDictionary<string, Lazy<Task<Outcome>>> Diagnosed = new(StringComparer.Ordinal);

    public ConcurrentDictionary<string, Outcome> Outcomes { get; } = new(StringComparer.Ordinal);

    public TimeSpan Elapsed { get; private set; }

    /// <summary>Where dumps go: memory-backed when the machine has /dev/shm (dumps of the corpus programs are ~23 MB each).</summary>
    public static string? DumpDirectory => Directory.Exists("/dev/shm") ? "/dev/shm" : null;

    public async Task InitializeAsync()
    {
        var watch = Stopwatch.StartNew();
        using var gate = new SemaphoreSlim(Concurrency);
        await Task.WhenAll(Scenarios.Select(async scenario =>
        {
            await gate.WaitAsync();
            try
            {
                Outcomes[scenario.Name] = await DiagnoseAsync(scenario.Name);
            }
            finally
            {
                gate.Release();
            }
        }));
        Elapsed = watch.Elapsed;
    }

    public Task DisposeAsync() => Task.CompletedTask;

    /// <summary>
    /// Diagnoses the scenario's program, once per test run: the fixture and the tests that look closer at one scenario
    /// share that diagnosis (each took its own: ~30 of the ~135 dumps the corpus cost were of a program diagnosed already).
    /// An outcome that failed (a time-out under load) is not kept: the next caller tries again.
    /// </summary>
    public static async Task<Outcome> DiagnoseAsync(string scenario)
    {
        var once = Diagnosed.GetOrAdd(scenario, name => new Lazy<Task<Outcome>>(() => DiagnoseOnceAsync(name)));
        var outcome = await once.Value;
        if (outcome.Error is not null)
        {
            Diagnosed.TryRemove(KeyValuePair.Create(scenario, once));
        }

        return outcome;
    }

    private static async Task<Outcome> DiagnoseOnceAsync(string scenario)
    {
        try
        {
            await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, [scenario]);
            // The dump's bound is 120 s here, not the default 30 s: six programs are dumped at once, and at load 120 six of
            // them (~50 MB each) took longer (flake48); what the tests check is the diagnosis, not how fast the dump was.
            var diagnosis = await Doctor.DiagnoseProcessAsync(child.Id, new DoctorOptions { DumpDirectory = DumpDirectory, DumpTimeout = TimeSpan.FromSeconds(120) });
            return new Outcome(diagnosis, null, LeftRunning: !child.HasExited, child.Output);
        }
        catch (Exception e)
        {
            return new Outcome(null, e, LeftRunning: false, "");
        }
    }

    public sealed record Outcome(Diagnosis? Diagnosis, Exception? Error, bool LeftRunning, string ChildOutput);
}
