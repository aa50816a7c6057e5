namespace Brigade.Cli;

/// <summary>
/// A reader that went away (<c>brigade run ... | head -1</c>, <c>brigade run --help | head -3</c>): the end of a pipeline,
/// not an error. brigade then ends as the tools around it do when SIGPIPE kills them: quietly, with exit code 141
/// (128 + SIGPIPE), which shells and <c>pipefail</c> already know.
/// </summary>
/// <remarks>
/// The .NET runtime ignores SIGPIPE, so a write into a pipe whose reader is gone fails with EPIPE instead of ending the
/// process. Before review 39 a run said <c>brigade: cannot write --output '-': Broken pipe</c> and exited 1, as if the
/// run had failed, and help piped into <c>head</c> said <c>brigade: IOException: Broken pipe</c>. The other commands
/// write to .NET's console, which drops such writes without a word: their help is written through
/// <see cref="PipeOutput"/> too (CliApp), or <c>brigade --help | head -1</c> exited 0 where <c>brigade run --help | head -1</c>
/// exited 141 (leftover of review 39). Since review 41 their other output into a pipe goes through <see cref="BrokenPipeWatch"/>
/// too: <c>brigade demo --quick | head -1</c> and <c>brigade doctor PID | head -1</c> exited 0. (<c>brigade silo</c> writes its log
/// to stderr, whose failed writes every command drops, as a run's do: it writes nothing to stdout.)
/// </remarks>
internal static class BrokenPipe
{
    // EPIPE is 32 on Linux and macOS; .NET's IOException for a failed write carries the errno as its HResult.
    private const int EPipe = 32;

    /// <summary>Gets whether <paramref name="exception"/>, or one it wraps, is a write into a pipe whose reader went away.</summary>
    public static bool Caused(Exception? exception)
    {
        for (var e = exception; e is not null; e = e.InnerException)
        {
            if (e is IOException { HResult: EPipe } && !OperatingSystem.IsWindows())
            {
                return true;
            }
        }

        return false;
    }
}
