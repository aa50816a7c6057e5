using System.CommandLine;
using Brigade.Doctor;

namespace Brigade.Cli.Commands;

/// <summary>
/// <c>brigade doctor</c>: why is this .NET process stuck? Dumps a live process (or reads a dump), finds deadlock cycles,
/// sync-over-async and thread-pool starvation, and prints the report (see docs/doctor.md).
/// </summary>
/// <remarks>Exit codes: 0 nothing wrong, <see cref="ExitCodes.PitfallFound"/> a pitfall found, 2 bad input (one line), 1 the dump failed.</remarks>
internal static class DoctorCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var pid = new Option<int?>("--pid") { Description = "The live .NET process to diagnose: it is dumped (stopped only while the dump is written), analyzed, and left running.", HelpName = "PID" };
        var dump = new Option<string?>("--dump") { Description = "A dump to analyze instead (from --keep-dump, dotnet-dump collect, or a core file with the heap).", HelpName = "FILE" };
        var json = new Option<bool>("--json") { Description = "Print the diagnosis as one JSON document (see docs/doctor.md for its shape)." };
        var keep = new Option<string?>("--keep-dump") { Description = "Keep the dump of --pid at PATH (it is deleted otherwise).", HelpName = "PATH" };
        var timeout = new Option<string?>("--timeout") { Description = "How long to wait for the process to write its dump (e.g. 30s, 2m; default 30s). A process that does not answer (stopped, or hung) is reported after it.", HelpName = "DURATION" };
        var dac = new Option<string?>("--dac") { Description = "The data-access library (libmscordaccore.so) of the dump's runtime, when that runtime is not installed here.", HelpName = "PATH" };

        // `brigade doctor 4242`, `brigade doctor core.4242` and `brigade doctor Hangs`, as one types them first: a file, a
        // number (a process), else the name of a running .NET process, as dotnet-dump's -n (review 71; DoctorTarget).
        var target = new Argument<string?>("target")
        {
            Description = "The process id, the dump file (the same as --pid PID or --dump FILE), or the name of the one running .NET process to diagnose, as dotnet-dump collect -n NAME (its process name, or APP for dotnet APP.dll).",
            Arity = ArgumentArity.ZeroOrOne,
            HelpName = "PID|FILE|NAME",
        };

        var command = new Command("doctor", "Diagnose a hung .NET process (or a dump): deadlock cycles across lock/Monitor, Lock, ReaderWriterLockSlim and Thread.Join, sync-over-async, thread-pool starvation.")
        {
            target, pid, dump, json, keep, timeout, dac,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var (processId, dumpPath, keepPath) = (parse.GetValue(pid), parse.GetValue(dump), parse.GetValue(keep));
            string? name = null;
            if (parse.GetValue(target) is { } given)
            {
                if (processId is not null || dumpPath is not null)
                {
                    throw new CliUsageException($"doctor: '{given}' and --pid/--dump: give the process or the dump once");
                }

                (processId, dumpPath, name) = DoctorTarget.Resolve(given);
            }

            if (processId is null == dumpPath is null)
            {
                throw new CliUsageException("doctor: give exactly one of --pid PID (a live process) or --dump FILE (a dump), or the one of them alone: brigade doctor PID");
            }

            if (keepPath is not null && processId is null)
            {
                throw new CliUsageException("doctor: --keep-dump goes with --pid (a --dump file is already kept)");
            }

            if (keepPath is not null && Path.GetDirectoryName(Path.GetFullPath(keepPath)) is { } directory && !Directory.Exists(directory))
            {
                throw new CliUsageException($"--keep-dump: directory '{directory}' does not exist");
            }

            if (parse.GetValue(timeout) is not null && processId is null)
            {
                throw new CliUsageException("doctor: --timeout goes with --pid (it bounds the wait for a live process's dump)");
            }

            var options = new DoctorOptions { KeepDumpPath = keepPath, DacPath = parse.GetValue(dac) };
            if (parse.GetValue(timeout) is { } text)
            {
                options.DumpTimeout = RunCommand.ParseDuration(text);
            }

            // The analysis does not take the token: a signal stops the wait for it (and so the command) at once, and the
            // analysis is dropped with the process.
            Diagnosis diagnosis;
            try
            {
                diagnosis = processId is { } id
                    ? await Doctor.Doctor.DiagnoseProcessAsync(id, options, cancellationToken).ConfigureAwait(false)
                    : await Task.Run(() => Doctor.Doctor.AnalyzeDump(dumpPath!, options), cancellationToken).WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (DoctorException e)
            {
                await stderr.WriteLineAsync($"brigade: doctor: {e.Message}").ConfigureAwait(false);
                return e.Kind == DoctorErrorKind.DumpFailed ? ExitCodes.Failure : ExitCodes.Usage;
            }

            if (name is not null)
            {
                // Which process the name was (the report's own first line says its id only); beside --json's document, not in it.
                var found = $"process '{name}' (pid {processId}), the one running .NET process of that name";
                await (parse.GetValue(json) ? stderr.WriteLineAsync($"brigade: doctor: {found}") : stdout.WriteLineAsync(found)).ConfigureAwait(false);
            }

            await stdout.WriteAsync(parse.GetValue(json) ? diagnosis.ToJson() + Environment.NewLine : diagnosis.ToString()).ConfigureAwait(false);
            return diagnosis.HasPitfalls ? ExitCodes.PitfallFound : ExitCodes.Success;
        });
        return command;
    }
}
