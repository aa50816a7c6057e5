namespace Brigade.Cli.Run;

/// <summary>
/// What an xargs or GNU parallel option is in <c>brigade run</c>, for the line that refuses it: a user switching tools types
/// the options they know, and "unknown option" alone sent them to the help (run60: <c>-P 4</c>, <c>--halt now,fail=1</c>,
/// <c>-a FILE</c>; GNU parallel's <c>::: a b c</c> was told to quote its command).
/// </summary>
internal static class ForeignOptions
{
    /// <summary>Gets what to say after <c>unknown option 'OPTION'</c>, or null for an option no other tool has.</summary>
    /// <param name="option">The option as typed (<c>-P</c>, <c>--halt</c>); a value joined to it (<c>-P4</c>) is read too.</param>
    public static string? Advice(string option)
    {
        var name = option.StartsWith("--", StringComparison.Ordinal) ? option.Split('=')[0] : option.Length > 2 ? option[..2] : option;
        return name switch
        {
            "-P" or "--max-procs" => "brigade run's is --jobs N (-j N)",
            "--halt" or "--halt-on-error" => "brigade run's is --fail-fast (GNU parallel's --halt now,fail=1); without it every item runs and each failure is reported",
            "-a" or "--arg-file" => "the input file is brigade run's first argument (brigade run FILE -x 'COMMAND {}')",
            "-I" or "-i" or "--replace" => "brigade run's placeholder is always {} (and {.} {/} {//} {/.} {#} {%}); write it in the command",
            "-n" or "-L" or "-l" or "-X" or "-m" or "-N" or "--max-args" or "--max-lines" or "--xargs" => "brigade run starts one command per item; it does not put several items on one command line",
            "--colsep" or "-C" => "for comma-separated fields give --format csv (a header row names them: {1} {2}, or {column})",
            "--joblog" => "--report run.html and --trace run.json record each item's start and time, and failed items go to the failures file (--failures FILE)",
            "--dry-run" or "-t" or "--verbose" or "-p" or "--interactive" => "brigade run does not print or ask before each command",
            // run62: GNU parallel scripts' output options were "unknown option" alone.
            "--tag" or "--tagstring" => "brigade run has no --tag: have the command put the item before its lines ({} is one shell word: COMMAND {} | awk -v t={} '{print t \"\\t\" $0}')",
            "--line-buffer" or "--lb" or "--group" or "--ungroup" => "brigade run writes each command's output whole when it ends, never interleaved with another's, in input order (--unordered: in the order they end); for lines as they come, have each command write its own file",
            _ => null,
        };
    }

    /// <summary>Gets the line for GNU parallel's <c>:::</c> or <c>::::</c> among a run's arguments, or null.</summary>
    public static string? ArgumentSeparator(IReadOnlyList<string> args) =>
        args.FirstOrDefault(a => a is ":::" or "::::" or ":::+" or "::::+") is { } separator
            ? $"GNU parallel's {separator} is not brigade's: give the items one per line, in a file (brigade run FILE -x ...) or on stdin (printf '%s\\n' a b c | brigade run - -x ...)"
            : null;
}
