namespace Brigade.Cli;

/// <summary>
/// The command that runs this brigade again, for the hints that tell the user what to type (<c>Resume with: ...</c>):
/// <c>brigade</c> when it is the installed tool, the program's own path when it runs from a build of the repository.
/// </summary>
/// <remarks>
/// From a clone, brigade runs as <c>dotnet run --project src/Brigade.Cli --</c> (docs/run.md) or as the build's program;
/// there was no <c>brigade</c> command to type, and the resume hint said <c>brigade run ... --resume</c> (review 39).
/// </remarks>
internal static class InvokedAs
{
    /// <summary>Gets the command for this process (see <see cref="Find"/>).</summary>
    public static string Command { get; } = Find(Environment.ProcessPath, AppContext.BaseDirectory, WorkingDirectory());

    /// <summary>
    /// Gets <c>brigade</c>, or, when <paramref name="baseDirectory"/> is a build output of the CLI's project
    /// (<c>PROJECT/bin/CONFIGURATION/TFM/</c> beside <c>Brigade.Cli.csproj</c>), the way to start that build: its program
    /// (what <c>dotnet run</c> starts), or <c>dotnet</c> with its assembly when the process is <c>dotnet</c>.
    /// </summary>
    /// <param name="processPath">The process's executable (<see cref="Environment.ProcessPath"/>).</param>
    /// <param name="baseDirectory">The directory of the tool's assembly (<see cref="AppContext.BaseDirectory"/>).</param>
    /// <param name="workingDirectory">The directory the path is given relative to, when it lies below it (null: none, it was deleted).</param>
    internal static string Find(string? processPath, string baseDirectory, string? workingDirectory)
    {
        var directory = Path.TrimEndingDirectorySeparator(baseDirectory);
        var project = Path.GetDirectoryName(Path.GetDirectoryName(Path.GetDirectoryName(directory)));
        if (processPath is null || project is null || Path.GetFileName(Path.GetDirectoryName(Path.GetDirectoryName(directory))) != "bin" ||
            !File.Exists(Path.Combine(project, "Brigade.Cli.csproj")))
        {
            return "brigade";
        }

        if (string.Equals(Path.GetDirectoryName(processPath), directory, StringComparison.Ordinal))
        {
            return Shown(processPath, workingDirectory);
        }

        var assembly = Path.Combine(directory, "Brigade.Cli.dll");
        return Path.GetFileNameWithoutExtension(processPath) == "dotnet" && File.Exists(assembly)
            ? "dotnet " + Shown(assembly, workingDirectory)
            : "brigade";
    }

    // The working directory, or null when it was deleted (getcwd fails): the path is then shown whole (review 45: the
    // exception stopped every command, `brigade --help` included).
    private static string? WorkingDirectory()
    {
        try
        {
            return Environment.CurrentDirectory;
        }
        catch (IOException)
        {
            return null;
        }
    }

    // Relative to the working directory when below it (src/Brigade.Cli/bin/...), else absolute; quoted for the shell.
    private static string Shown(string path, string? workingDirectory)
    {
        var relative = workingDirectory is null ? path : Path.GetRelativePath(workingDirectory, path);
        var shown = relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? path : relative.Contains('/', StringComparison.Ordinal) ? relative : "./" + relative;
        return Run.CommandTemplate.Quote(shown);
    }
}
