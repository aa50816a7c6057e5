using System.CommandLine;
using System.CommandLine.Parsing;
using System.Text.RegularExpressions;
using Brigade.Cli.Commands;

namespace Brigade.Cli;

/// <summary>
/// The <c>brigade</c> command line: a thin shell that maps options onto the library's own options objects.
/// </summary>
/// <remarks>
/// Output goes to the writers given, so tests run the real command in-process. Parse errors and bad values
/// print one line and exit with <see cref="ExitCodes.Usage"/>; Ctrl+C and SIGTERM cancel the command's token (<see cref="TerminationSignal"/>).
/// </remarks>
internal static class CliApp
{
    public static RootCommand BuildRoot(TextWriter stdout, TextWriter stderr)
    {
        // Help's usage lines say "brigade", the command's name, not the assembly's ("Brigade.Cli run <input>").
        var root = new RootCommand("Brigade runs work in parallel with the right kind of parallelism, measures it, and catches concurrency pitfalls.") { HelpName = "brigade" };
#if BRIGADE_NATIVE_FRONT
        // The native front parses only brigade run (Program hands everything else to the framework-dependent tool).
        root.Add(RunCommand.Create(stdout, stderr));
#else
        root.Add(DemoCommand.Create(stdout, stderr));
        root.Add(RunCommand.Create(stdout, stderr));
        root.Add(SiloCommand.Create(stdout, stderr));
        root.Add(AdviseCommand.Create(stdout, stderr));
        root.Add(ClusterCommand.Create(stdout, stderr));
        root.Add(DoctorCommand.Create(stdout, stderr));
        root.Add(DoctorDemoChildCommand.Create(stdout));
        root.Add(AnalyzersDemoChildCommand.Create(stdout));
#endif
        HelpExamples.Attach(root);
        return root;
    }

    // The words after the program's name that name the command a parse reached (" run", " cluster silo"), or "" for the
    // root itself (an unknown command, a misspelt top-level option).
    private static string CommandPath(ParseResult parse, RootCommand root)
    {
        var names = new List<string>();
        for (SymbolResult? result = parse.CommandResult; result is CommandResult command && command.Command != root; result = command.Parent)
        {
            names.Insert(0, command.Command.Name);
        }

        return names.Count == 0 ? "" : " " + string.Join(' ', names);
    }

    // The parser says a value is not a number in .NET's words ("as expected type 'System.Nullable`1[System.Int32]'"):
    // said in the user's.
    private static string Readable(string message)
    {
        var m = Regex.Match(message, @"^Cannot parse argument '(?<value>.*)' for option '(?<option>[^']+)' as expected type '(?<type>[^']+)'\.?$", RegexOptions.None, TimeSpan.FromSeconds(1));
        if (!m.Success)
        {
            return message;
        }

        var type = m.Groups["type"].Value;
        var expected = type.Contains("System.Int32", StringComparison.Ordinal) ? "a whole number (at most 2,147,483,647)"
            : type.Contains("System.Int64", StringComparison.Ordinal) ? "a whole number"
            : type.Contains("System.Double", StringComparison.Ordinal) ? "a number"
            : "a valid value";
        return $"{m.Groups["option"].Value}: '{m.Groups["value"].Value}' is not {expected}";
    }

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken cancellationToken)
    {
        var root = BuildRoot(stdout, stderr);
        var parse = root.Parse(args);
        var helpAsked = parse.CommandResult.Children.Any(r => r is System.CommandLine.Parsing.OptionResult { Option: System.CommandLine.Help.HelpOption });
        if (!helpAsked && args is [.. var path, "--version"] && path.Length > 0 && IsCommandPath(root, path))
        {
            // `brigade run --version`, where users type it (after the command they use, as git and dotnet take it): the
            // version, as `brigade --version` says it. Before run52 a usage error (run took --version for its input file:
            // "run: give the work either with --exec ...").
#if BRIGADE_NATIVE_FRONT
            return FullTool.Replace(["--version"], stderr);
#else
            args = ["--version"];
            parse = root.Parse(args);
#endif
        }

        if (parse.Errors.Count > 0 && !helpAsked)
        {
            // Some parser messages list choices on separate lines; a usage error is always one line.
            var message = Readable(string.Join(' ', parse.Errors[0].Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)));
            if (args.Length > 0 && !args[0].StartsWith('-') && root.Subcommands.All(c => c.Name != args[0]))
            {
                message = $"unknown command '{args[0]}'; the commands are {string.Join(", ", root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}";
            }
            else if (args.Length > 0 && args[0].StartsWith('-') && parse.UnmatchedTokens.Contains(args[0]))
            {
                // `brigade --frob` said "Required command was not provided.", the parser's first error, not the one that
                // explains it (review 50).
                message = $"unknown option '{args[0]}'; the commands are {string.Join(", ", root.Subcommands.Where(c => !c.Hidden).Select(c => c.Name))}";
            }
            else if (parse.UnmatchedTokens is ["--version", ..] && Array.IndexOf(args, "--version") is var versionAt && !(versionAt >= 2 && args[versionAt - 2] is "-x" or "--exec" && !args[versionAt - 1].Any(char.IsWhiteSpace)))
            {
                // --version among a command's arguments (brigade run in.txt --version): the option is the program's alone.
                // Not after a command of one word (--exec grep --version), which is the command's own: the quoting advice below.
                message = $"unknown option '--version' of{CommandPath(parse, root)}; the version: '{InvokedAs.Command} --version'";
            }
            else if (args is ["run", ..] && parse.UnmatchedTokens.Count > 0 && args.Any(a => a is "-x" or "--exec"))
            {
                // The first thing a new user types: --exec echo {} (the shell split the command into words, and the parser
                // saw '{}' as a second input). An option of brigade's misspelt (--jobz 4) is not that: before review 41 it
                // got the quoting advice too. An option right after a command of one word (--exec grep -v {}) may be the
                // command's own.
                var extra = parse.UnmatchedTokens[0];
                var at = Array.IndexOf(args, extra);
                var afterOneWord = at >= 2 && args[at - 2] is ("-x" or "--exec") && !args[at - 1].Any(char.IsWhiteSpace);
                // An xargs or GNU parallel option says what brigade run's is (run60; -k and --progress are accepted).
                message = Brigade.Cli.Run.ForeignOptions.ArgumentSeparator(args) is { } separator
                    ? "run: " + separator
                    : extra.StartsWith('-') && extra.Length > 1 && !afterOneWord
                    ? $"run: unknown option '{extra}'" + (Brigade.Cli.Run.ForeignOptions.Advice(extra) is { } advice ? ": " + advice : "")
                    : $"run: unexpected argument '{extra}': run takes one input, and the command is one argument: quote it whole (--exec 'echo {{}}', not --exec echo {{}})";
            }

            // The help to see is this program's: from a clone there is no brigade command to type (InvokedAs); and the
            // command's own, where the error is in a command's arguments (review 50: `brigade run -j abc` pointed to the
            // top-level help, which lists the commands, not run's options).
            await stderr.WriteLineAsync($"brigade: {message} (see '{InvokedAs.Command}{CommandPath(parse, root)} --help')").ConfigureAwait(false);
            return ExitCodes.Usage;
        }

        // Help into a pipe whose reader left ends as brigade run's does, 141 (BrokenPipe): the console Program gives the
        // other commands drops writes to a broken pipe without a word, and `brigade --help | head -1` exited 0. Not when
        // brigade was started without a stdout (>&-): descriptor 1 is then the runtime's own pipe (Program).
        if (helpAsked && ReferenceEquals(stdout, Console.Out) && Brigade.Cli.Run.NativeMethods.IsInherited(1) && PipeOutput.Open() is { } pipe)
        {
            stdout = pipe;
        }

        // Signals are Program's (TerminationSignal): they cancel cancellationToken. A reader of stdout that went away
        // (BrokenPipeWatch) stops the command too, and its exit code is 141 whatever the command made of the stop.
        var watch = stdout as BrokenPipeWatch;
        using var linked = watch is null ? null : CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, watch.Token);
        var config = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false, ProcessTerminationTimeout = null };
        try
        {
            var code = await parse.InvokeAsync(config, linked?.Token ?? cancellationToken).ConfigureAwait(false);
            return watch is { Broken: true } ? ExitCodes.BrokenPipe : code;
        }
        catch (Exception e) when (BrokenPipe.Caused(e) || watch is { Broken: true })
        {
            // Help or results into a pipe whose reader left: nothing more to say, to a reader that is not there.
            return ExitCodes.BrokenPipe;
        }
        catch (CliUsageException e)
        {
            await stderr.WriteLineAsync($"brigade: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (IOException) when (WorkingDirectoryIsGone())
        {
            // A relative path cannot be resolved (getcwd fails): .NET said "FileNotFoundException: Unable to find the
            // specified file." of no file in particular (review 45). Paths are resolved before anything is created.
            await stderr.WriteLineAsync("brigade: the current directory no longer exists (deleted or moved since this shell entered it): cd to one that does, or give absolute paths").ConfigureAwait(false);
            return ExitCodes.Usage;
        }
        catch (CliIOException e)
        {
            await stderr.WriteLineAsync($"brigade: {e.Message}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
        catch (OperationCanceledException)
        {
            await stderr.WriteLineAsync("brigade: interrupted").ConfigureAwait(false);
            return TerminationSignal.InterruptedExitCode;
        }
        catch (Exception e)
        {
            // One line, as every other error: some messages span two (ArgumentOutOfRangeException's "Actual value was ...").
            await stderr.WriteLineAsync($"brigade: {e.GetType().Name}: {e.Message.ReplaceLineEndings(" ")}").ConfigureAwait(false);
            return ExitCodes.Failure;
        }
    }

    // Whether the words name a command and its subcommands (run; cluster silo), with nothing else among them.
    private static bool IsCommandPath(Command root, IEnumerable<string> words)
    {
        var command = root;
        foreach (var word in words)
        {
            if (command.Subcommands.FirstOrDefault(c => c.Name == word) is not { } sub)
            {
                return false;
            }

            command = sub;
        }

        return true;
    }

    private static bool WorkingDirectoryIsGone()
    {
        try
        {
            _ = Environment.CurrentDirectory;
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
