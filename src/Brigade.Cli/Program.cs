using Brigade.Cli;

#if BRIGADE_NATIVE_FRONT
// The native front (src/Brigade.Cli.Native) runs brigade run; any other command or option is the framework-dependent
// tool's, which replaces this process (FullTool).
if (args is not ["run", ..])
{
    return FullTool.Replace(args, Console.Error);
}

FullTool.Arguments = args;
#else
// The commands that measure code within a second of start-up run with tiered compilation off (optimized code from the
// first item, not tier-0 code that tiers up halfway through a measurement); everything else starts fast with it on.
// A restarted image takes the measuring switches out of its environment again, so that what it starts does not inherit them.
if (!MeasuringProcess.TakeRestart() && MeasuringProcess.ShouldRestart(args))
{
    MeasuringProcess.Restart(args);
}
#endif

// brigade's own lines, reports and traces read the same whatever the user's locale, and users' work sees the invariant
// culture as its current one, as when the CLI ran in globalization-invariant mode; the named cultures are there for the
// work that asks for one (the machine's ICU: Brigade.Cli.csproj, review 46).
System.Globalization.CultureInfo.DefaultThreadCurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.DefaultThreadCurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.CurrentCulture = System.Globalization.CultureInfo.InvariantCulture;
System.Globalization.CultureInfo.CurrentUICulture = System.Globalization.CultureInfo.InvariantCulture;

// Each invocation makes its own engine, which its user cannot keep for the next one: a run's "why not faster" advises
// giving one invocation more items, not reusing the engine (LossBreakdown.CallerKeepsEngine; the native front too).
Brigade.Reporting.LossBreakdown.CallerKeepsEngine = false;

// A long brigade run restarts itself once, with call counting off, after parsing its command line (RunRestart).
Brigade.Cli.Run.RunRestart.Arm(args);

// Ctrl+C and SIGTERM cancel the command's token; an interrupted command exits 130 or 143 (TerminationSignal).
// A run's results written to a pipe whose reader went away stop the run, said in one line (PipeOutput); they reach
// stdout as the commands' bytes (ByteStdout), not re-encoded. A redirected stderr that cannot be written (2>&-,
// 2>/dev/full) loses its lines, not the run (BestEffortWriter). Other commands keep Console.Error (on Windows, a run too).
// A descriptor brigade was started without (>&-, 2>&-) has been reused by the runtime for a pipe of its own, whose
// reader takes every byte for a signal number: nothing may be written there (review 22 R5). brigade run refuses a
// closed stdout for its results (BatchJob); everything else written to a closed stdout or stderr goes nowhere.
if (!Brigade.Cli.Run.NativeMethods.IsInherited(2))
{
    Console.SetError(TextWriter.Null);
}

if (!Brigade.Cli.Run.NativeMethods.IsInherited(1))
{
    Console.SetOut(TextWriter.Null);
}

// The other commands' output into a pipe whose reader went away ends them as it ends a run, 141 (BrokenPipeWatch).
var stdout = args is ["run", ..] ? PipeOutput.Open() ?? (OperatingSystem.IsWindows() ? Console.Out : new ByteStdout(Console.OpenStandardOutput()))
    : Brigade.Cli.Run.NativeMethods.IsInherited(1) && PipeOutput.Open() is { } pipe ? new BrokenPipeWatch(pipe) : Console.Out;
// A run's stderr also carries its commands' stderr, as the bytes they wrote (CommandStderr): a bytes writer of its own,
// one lock for brigade's lines and theirs, so neither is cut by the other. When stdout is the same file (2>&1 into a
// pipe, a terminal, &> log), that lock is stdout's too: a pipe takes writes over 4 KB in pieces, and a result and a
// command's stderr chunk written at once came out mixed (review 23 S1).
var stderrWriter = args is ["run", ..] && !OperatingSystem.IsWindows() && Brigade.Cli.Run.NativeMethods.IsInherited(2)
    ? new ByteStdout(Console.OpenStandardError(), stdout is ByteStdout results && Brigade.Cli.Run.NativeMethods.IsInherited(1) && StandardStreams.SameFile(1, 2) ? results : null)
    : Console.Error;
var stderr = Console.IsErrorRedirected ? new BestEffortWriter(stderrWriter) : stderrWriter;
// A run that may still replace itself handles the signals only once it knows it will not (RunRestart.SignalsDeferred).
var signals = Brigade.Cli.Run.RunRestart.SignalsDeferred ? TerminationSignal.Token : TerminationSignal.Arm();
return await CliApp.RunAsync(args, stdout, stderr, signals).ConfigureAwait(false);
