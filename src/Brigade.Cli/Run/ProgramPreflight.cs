namespace Brigade.Cli.Run;

/// <summary>
/// Before anything runs: the program a command names in its own text (<see cref="CommandTemplate.FixedProgram"/>) is
/// looked up once, as <c>execvp</c> will look it up for every item, and a program that no item can start (not on
/// <c>PATH</c>, no such file, not executable, a directory) is a usage error in one line instead of one failure per item
/// (run56: <c>--exec 'nosuchprog {}'</c> over 1,000 lines made 1,000 failures, each "command not found").
/// </summary>
/// <remarks>
/// <para>Only what cannot succeed for any item is refused. A command whose program a placeholder names, or that the shell
/// runs (a builtin, a function, <c>a || b</c>, <c>cd x &amp;&amp; ./tool</c>, where an earlier part may create the program),
/// is not checked: <see cref="CommandTemplate.FixedProgram"/> is null for it. Nor are the names some shells know as builtins
/// whatever <c>PATH</c> holds (<c>echo</c>, <c>true</c>, <c>false</c>, bash's <c>compopt</c> and <c>coproc</c>). A name
/// exported as a bash function (<c>BASH_FUNC_name%%</c>) passes where <c>/bin/sh</c> is bash (which imports it) or a
/// program of that name is on <c>PATH</c>; elsewhere it is refused with the way to run it through bash (run60).</para>
/// <para>A program installed by another process after this check and before the items run is refused all the same: the
/// run is refused before anything is created, and runs once the program is there.</para>
/// </remarks>
internal static class ProgramPreflight
{
    private static readonly HashSet<string> Builtins = new(StringComparer.Ordinal) { "echo", "true", "false", "compopt", "coproc" };

    /// <summary>Throws when no item's command can start <paramref name="program"/> (see remarks).</summary>
    /// <exception cref="CliUsageException">The program is not found, not executable, or a directory.</exception>
    /// <param name="program">The program as the command names it.</param>
    /// <param name="searchPath">The <c>PATH</c> the commands get (null: unset, glibc's default).</param>
    /// <param name="environment">Whether a variable is set in the commands' environment (an exported function's).</param>
    public static void Check(string program, string? searchPath, Func<string, bool> environment)
    {
        if (OperatingSystem.IsWindows() || Builtins.Contains(program))
        {
            return;
        }

        const string Ending = "no item could start it; nothing was run";
        if (environment($"BASH_FUNC_{program}%%") || environment($"BASH_FUNC_{program}()"))
        {
            // An exported bash function (GNU parallel's way to run one): the command goes to /bin/sh (ExecSpawner), which
            // runs it when it is bash. dash (Debian's /bin/sh) does not import functions: unless a program of that name is
            // on PATH (which dash then runs), every item would fail with "command not found" (run60).
            if (ShellImportsFunctions() || program.Contains('/', StringComparison.Ordinal) || Found(program, searchPath ?? ProgramPathCache.DefaultSearchPath))
            {
                return;
            }

            throw new CliUsageException($"--exec: {program} is a bash function (export -f), which /bin/sh ({ShellName()}) does not run; run it through bash (the command: bash -c '{program} \"$1\"' _ {{}}); {Ending}");
        }
        if (program.Contains('/', StringComparison.Ordinal))
        {
            // No search: the path itself, from brigade's working directory (where the commands start).
            var why = WhyNot(program);
            if (why is not null)
            {
                throw new CliUsageException($"--exec: {program}: {why}; {Ending}");
            }

            return;
        }

        // execvp's search: the first executable regular file in PATH order; an empty entry is the working directory.
        searchPath ??= ProgramPathCache.DefaultSearchPath;
        string? denied = null;
        foreach (var directory in searchPath.Split(':'))
        {
            var candidate = directory.Length == 0 ? program : directory.EndsWith('/') ? directory + program : directory + "/" + program;
            var why = WhyNot(candidate);
            if (why is null)
            {
                return;
            }

            // execvp answers EACCES (the shell's 126) when a file was there but could not run, else ENOENT (127).
            if (why != NotFound)
            {
                denied ??= $"{candidate}: {why}";
            }
        }

        throw new CliUsageException(denied is null
            ? $"--exec: command not found: {program} (not in any directory of PATH={searchPath}); {Ending}"
            : $"--exec: {program} cannot run ({denied}); {Ending}");
    }

    /// <summary>Gets whether <paramref name="program"/> is exported as a bash function in brigade's environment (and so in its commands').</summary>
    public static bool IsExportedFunction(string program) =>
        !OperatingSystem.IsWindows() && (Environment.GetEnvironmentVariable($"BASH_FUNC_{program}%%") is not null || Environment.GetEnvironmentVariable($"BASH_FUNC_{program}()") is not null);

    private static bool ShellImportsFunctions() => ShellName().StartsWith("bash", StringComparison.Ordinal);

    // /bin/sh's program, through its links (dash, bash, busybox).
    private static string ShellName()
    {
        try
        {
            return Path.GetFileName(new FileInfo("/bin/sh").ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? "/bin/sh") is { Length: > 0 } name ? name : "sh";
        }
        catch (IOException)
        {
            return "sh";
        }
    }

    private static bool Found(string program, string searchPath) =>
        searchPath.Split(':').Any(d => WhyNot(d.Length == 0 ? program : d.EndsWith('/') ? d + program : d + "/" + program) is null);

    private const string NotFound = "no such file";

    // Why execve could not start the file, or null when it can (a script without '#!' included: the shell runs those).
    private static unsafe string? WhyNot(string path)
    {
        if (Directory.Exists(path))
        {
            return "is a directory";
        }

        if (!File.Exists(path))
        {
            return NotFound;
        }

        var bytes = System.Text.Encoding.UTF8.GetBytes(path + "\0");
        fixed (byte* p = bytes)
        {
            return ExecNative.access(p, ExecNative.XOk) == 0 ? null : "permission denied (not executable)";
        }
    }
}
