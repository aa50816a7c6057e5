using System.Diagnostics;
using Brigade.Doctor.Analysis;
using Brigade.Doctor.Capture;

namespace Brigade.Doctor;

/// <summary>
/// Answers "why is my .NET process stuck?": takes a dump of a live process (it is stopped only while the dump is
/// written) or reads a dump file, and finds deadlock cycles across <c>lock</c>/<c>Monitor</c>,
/// <c>System.Threading.Lock</c>, <c>ReaderWriterLockSlim</c>, <c>Thread.Join</c>, blocking waits on tasks and Brigade's
/// primitives; threads blocked on tasks (sync-over-async); and thread-pool starvation.
/// </summary>
/// <remarks>Linux (and dumps from Linux). The process is read with ClrMD through the data-access library of its own runtime.</remarks>
/// <example>
/// <code>
/// var diagnosis = await Doctor.DiagnoseProcessAsync(pid);
/// Console.WriteLine(diagnosis);                      // the report: cycles, who holds what, stacks with file:line
/// foreach (var cycle in diagnosis.Deadlocks) { ... } // as data
/// </code>
/// </example>
public static class Doctor
{
    /// <summary>Dumps a live .NET process, analyzes the dump and deletes it (unless <see cref="DoctorOptions.KeepDumpPath"/> says where to keep it).</summary>
    /// <param name="processId">The process.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <param name="cancellationToken">Cancels the dump, or the wait for its analysis (the captured dump is deleted unless kept).</param>
    /// <returns>The diagnosis.</returns>
    /// <exception cref="DoctorException">The process cannot be diagnosed: no such process, not .NET, permission denied, ptrace forbidden, ...</exception>
    public static async Task<Diagnosis> DiagnoseProcessAsync(int processId, DoctorOptions? options = null, CancellationToken cancellationToken = default)
    {
        var settings = (options ?? new DoctorOptions()).Clone();
        var watch = Stopwatch.StartNew();
        // What earlier runs killed by a signal left (a named dump: --keep-dump's, or root's of another user's process).
        DumpCapture.SweepStale(settings.DumpDirectory);
        var ((path, directory, file), route) = await DumpCapture.CaptureWithRouteAsync(processId, settings, cancellationToken).ConfigureAwait(false);
        var dumpDuration = watch.Elapsed;
        try
        {
            string? kept = null;
            if (settings.KeepDumpPath is { } keep)
            {
                kept = Path.GetFullPath(keep);
                File.Move(path, kept, overwrite: true);
                path = kept;
            }

            // The analysis does not take the token: cancelling stops the wait for it at once, and the finally below deletes
            // the captured dump (unlinked while the abandoned analysis may still read it).
            return await Task.Run(() => DumpAnalyzer.Analyze(path, settings, processId, dumpDuration, kept, route), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // A dump with no name is freed when its last descriptor closes (this one, and the analysis's own).
            file?.Dispose();
            DumpCapture.TryDelete(directory);
        }
    }

    /// <summary>Analyzes a dump file (from <c>brigade doctor --keep-dump</c>, <c>dotnet-dump collect</c>, or a core file with the heap).</summary>
    /// <param name="dumpPath">The dump.</param>
    /// <param name="options">Options; null for the defaults.</param>
    /// <returns>The diagnosis.</returns>
    /// <exception cref="DoctorException">Not a dump, not a .NET process's dump, or a dump of a runtime whose data-access library is not here.</exception>
    public static Diagnosis AnalyzeDump(string dumpPath, DoctorOptions? options = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(dumpPath);
        return DumpAnalyzer.Analyze(dumpPath, (options ?? new DoctorOptions()).Clone(), processId: null, TimeSpan.Zero, keptAt: null);
    }
}
