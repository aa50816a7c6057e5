using System.CommandLine;
using System.Globalization;
using Brigade.Cli.Engines;
using Brigade.Cli.Run;

namespace Brigade.Cli.Commands;

/// <summary><c>brigade run</c>: a batch job over an input file, one command per item, resumable, with progress and a report.</summary>
internal static class RunCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var input = new Argument<string>("input") { Description = "The input: a file (one item per line, JSON Lines or CSV), or - for stdin." };
        var exec = new Option<string?>("--exec", "-x")
        {
            Description = "The command to run per item, through the shell. Placeholders: {} item, {.} without extension, {/} basename, {//} directory, {/.} basename without extension, {#} 1-based number, {%} job slot, {index} 0-based index, {N} N-th CSV field, {name} CSV column or JSON property; other braces reach the shell as written. Substitutions are shell-quoted; without placeholders the item is appended.",
            HelpName = "COMMAND",
        };
        var assembly = new Option<string?>("--assembly") { Description = "A .NET assembly (from its build output) holding the work type given with --work.", HelpName = "PATH" };
        var work = new Option<string?>("--work") { Description = "A type implementing IWork<TIn, TOut> or IAsyncWork<TIn, TOut>: its full name, or its name alone when it is the one work type of that name; items are converted to TIn from JSON; results are written one per line, a string as it is (not quoted), other values as JSON.", HelpName = "TYPE" };
        var cluster = new ClusterClientOptions(); // --membership, --gateway, --cluster-id, --tls-*, --cluster-timeout (with --engine cluster)
        var format = InputFormatOption.Create("How to read items: auto (by extension; the default), lines, jsonlines, csv.");
        var nullSeparated = new Option<bool>("--null", "-0") { Description = "Items are separated by NUL bytes, not lines (as from find -print0; like xargs -0)." };
        var engine = new Option<string>("--engine", "-e") { Description = EngineRegistry.Default.Help, DefaultValueFactory = _ => "auto", HelpName = "ENGINE" };
        var jobs = new Option<int?>("--jobs", "-j") { Description = "How many items run at once (default: auto decides; the cluster, its worker slots; the number of cores for the other engines); with auto, a ceiling it may reach (above its own 32 commands per core). 0: as many --exec commands as the system's limits allow (ulimit -n, -u), as with GNU parallel -j 0 and xargs -P 0. GNU parallel's +N, -N and N% count from the cores (-j -1: every core but one).", HelpName = "N", CustomParser = JobsValue.Parse };
        var output = new Option<string>("--output", "-o") { Description = "Where results go, in input order: a file, or - for stdout.", DefaultValueFactory = _ => "-", HelpName = "FILE" };
        var failures = new Option<string?>("--failures") { Description = "Where failed items go (JSON Lines: index, line, input, error). Default: OUTPUT.failures.jsonl, or stderr when output is stdout (where an item longer than 1,024 characters is shown cut; a file keeps it whole).", HelpName = "FILE" };
        var journal = new Option<string?>("--journal") { Description = "The journal that makes the run resumable. Default: OUTPUT.journal when output is a file.", HelpName = "FILE" };
        var resume = new Option<bool>("--resume") { Description = "Continue an interrupted run from its journal: completed items are skipped, the output ends identical to an uninterrupted run." };
        var unordered = new Option<bool>("--unordered") { Description = "Write results as they finish instead of in input order." };
        // GNU parallel's -k asks for what brigade run does by default; refused until run60, which stopped a parallel script
        // at its first line (run56 said why, and still exited 2).
        var keepOrder = new Option<bool>("--keep-order", "-k") { Description = "Write results in input order: the default (accepted as GNU parallel's -k); --unordered writes them as they finish." };
        // Progress is shown by default (a status line on a terminal, a plain line every 2 s on redirected stderr): GNU
        // parallel's --progress, --bar and --eta ask for that (unknown options until run60).
        var progress = new Option<bool>("--progress", "--bar", "--eta") { Description = "Show progress: the default (a status line on a terminal, a line every 2 s when stderr is redirected; accepted as GNU parallel's --progress, --bar and --eta); --quiet hides it." };
        var retries = new Option<int>("--retries") { Description = "Run a failing item again up to N more times (at most 100), waiting longer before each attempt (see --retry-delay). An attempt run again shows no stderr but what it streamed past its first 64 KiB.", DefaultValueFactory = _ => 0, HelpName = "N" };
        var retryDelay = new Option<string?>("--retry-delay") { Description = "With --retries, the wait before the first retry (default 1s; 0 retries at once); each next wait doubles, randomized (jitter), at most 30s.", HelpName = "DURATION" };
        var timeout = new Option<string?>("--timeout") { Description = "Fail an attempt that runs longer than this (e.g. 30s, 500ms, 2m): an --exec command's process group is killed; with --retries it is tried again.", HelpName = "DURATION" };
        var failFast = new Option<bool>("--fail-fast") { Description = "Stop at the first failed item: commands still running are stopped, and run again on --resume (as GNU parallel's --halt now,fail=1)." };
        var strictInput = new Option<bool>("--strict-input") { Description = "Stop at the first input record that cannot run (malformed: bad JSON, a CSV record with the wrong number of fields; or over the 16 MiB record limit) instead of reporting it and going on." };
        var report = new Option<string?>("--report") { Description = "Write a self-contained HTML report of the run (timeline, utilization, throughput).", HelpName = "FILE.html" };
        var trace = new Option<string?>("--trace") { Description = "Write the run's Chrome trace (Perfetto, chrome://tracing).", HelpName = "FILE.json" };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "No progress and no summary on stderr (the commands' own stderr still passes: see --stderr)." };
        var stderrMode = new Option<string>("--stderr")
        {
            Description = "What becomes of the --exec commands' stderr: pass (default: to brigade's stderr, each command's whole when it ends, as GNU parallel's --group; past 64 KiB in chunks of whole lines, see docs/run.md) or discard (a failed command's last line is still in its failure).",
            DefaultValueFactory = _ => "pass",
            HelpName = "pass|discard",
        };
        stderrMode.Validators.Add(r =>
        {
            if (r.Tokens.Count == 1 && ParseStderrMode(r.Tokens[0].Value) is null)
            {
                r.AddError($"--stderr: '{r.Tokens[0].Value}' is not a choice; give pass (the default) or discard");
            }
        });

        // A value that is not a number is the parser's own error ("Cannot parse argument"); this checks the range (--jobs: JobsValue).
        retries.Validators.Add(r => { if (Number(r) is < 0 or > JobRetry.MaxRetries) { r.AddError($"--retries must be from 0 to {JobRetry.MaxRetries}"); } });

        var command = new Command("run", "Run a command over every item of an input file in parallel: resumable, with progress and a report.")
        {
            input, exec, assembly, work, format, nullSeparated, engine, jobs, output, failures, journal, resume, unordered, keepOrder, retries, retryDelay, timeout, failFast, strictInput, report, trace, quiet, progress, stderrMode,
        };
        cluster.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            var template = parse.GetValue(exec);
            var (assemblyPath, workType) = (parse.GetValue(assembly), parse.GetValue(work));
#if BRIGADE_NATIVE_FRONT
            if (template is null && workType is not null && FullTool.Arguments is { } arguments)
            {
                // A .NET work type is loaded and JIT-compiled: the framework-dependent tool's (nothing is written yet).
                return FullTool.Replace(arguments, stderr);
            }
#endif
            if ((template is null) == (workType is null))
            {
                throw new CliUsageException("run: give the work either with --exec 'COMMAND {}' or with --assembly PATH --work TYPE");
            }

            if (template is not null && assemblyPath is not null)
            {
                throw new CliUsageException("--assembly goes with --work TYPE; an --exec command loads no assembly");
            }

            if (workType is not null && assemblyPath is null)
            {
                throw new CliUsageException("--work needs --assembly PATH (the assembly that holds the type)");
            }

            if (parse.GetValue(keepOrder) && parse.GetValue(unordered))
            {
                throw new CliUsageException("--keep-order and --unordered contradict each other; give one (the input's order is the default)");
            }

            if (parse.GetValue(progress) && parse.GetValue(quiet))
            {
                throw new CliUsageException("--progress and --quiet contradict each other; give one (progress is shown by default)");
            }

            if (workType is not null && parse.GetResult(stderrMode) is { Implicit: false })
            {
                throw new CliUsageException("--stderr applies to --exec commands; a --work type's output is its results");
            }

            var itemTimeout = parse.GetValue(timeout) is { } t ? ParseDuration(t, "--timeout") : (TimeSpan?)null;
            var jobCount = parse.GetValue(jobs);
            var systemWide = jobCount == 0;
            if (systemWide)
            {
                // xargs -P 0 and GNU parallel -j 0: as many at once as can run. For commands that is what the open-file and
                // process limits leave room for (each holds pipes); refused before, so a script written for those tools
                // stopped at its first line. A .NET work type has no such measure: its engines' widths are threads or workers.
                jobCount = template is not null
                    ? EngineResources.SystemCommandLimit() ?? Environment.ProcessorCount * EngineResources.CommandsPerCore
                    : throw new CliUsageException("--jobs 0 (as many as the system allows) applies to --exec commands; give a --work run a number of jobs, or leave --jobs out");
            }

            var retryCount = parse.GetValue(retries);
            var delayText = parse.GetValue(retryDelay);
            if (delayText is not null && retryCount == 0)
            {
                throw new CliUsageException("--retry-delay applies with --retries N (how many times a failing item runs again)");
            }

            var retry = new JobRetry(retryCount, delayText is null ? JobRetry.DefaultDelay : ParseDuration(delayText, "--retry-delay", allowZero: true));
            // Before anything is created: a long run may start over with the runtime tuned for it (same process, same arguments).
            RunRestart.MaybeRestart(parse.GetValue(input)!, parse.GetValue(nullSeparated), commands: template is not null);
            if (template is not null && jobCount is { } asked && EngineResources.SystemCommandLimit() is { } room && asked > room)
            {
                // Each running command holds pipes: past the open-file limit its start fails, and so would every item after.
                // A notice, not an error: --quiet silences it as it does brigade's other notices (before run52 it printed).
                // Not for -j 0, which asked for that limit: the limit read again above (processes come and go) printed
                // "--jobs 4974: ... leave room for 4973" of a -j 0 the user typed (run63).
                if (!parse.GetValue(quiet) && !systemWide)
                {
                    await stderr.WriteLineAsync($"brigade run: --jobs {asked}: the open-file and process limits (ulimit -n, ulimit -u) leave room for {room} commands at once; running at most {room}").ConfigureAwait(false);
                }

                jobCount = room;
            }

            var entry = EngineRegistry.Default.Resolve(parse.GetValue(engine)!);
            if (entry.Name != "cluster" && cluster.FirstGiven(parse) is { } clusterOption)
            {
                // Accepted and ignored, it ran the items on this machine while the user meant a cluster.
                throw new CliUsageException($"{clusterOption} applies with --engine cluster (this run's engine is {entry.Name}); give --engine cluster, or leave {clusterOption} out");
            }

            var resources = new EngineResources();
            await using var release = resources.ConfigureAwait(false);
            var request = new EngineRequest(jobCount, itemTimeout, retryCount, ForCommands: template is not null, resources, ct => ClusterAsync(resources, cluster, parse, ct));
            entry.Check(request);
            var chosen = await entry.Create(request, cancellationToken).ConfigureAwait(false);
            var inProcess = entry.InProcess;
            var inputPath = parse.GetValue(input)!;
            // --null asks for items split at NUL bytes: it overrules the guess from the name (a list.csv of paths from
            // find -print0 was refused for a --format csv never given; review 50). An explicit --format is still checked.
            var inputFormat = parse.GetValue(nullSeparated) && parse.GetValue(format) == InputFormat.Auto ? InputFormat.Lines : InputReader.Resolve(parse.GetValue(format), inputPath);
            JobWork jobWork = template is not null
                ? new ExecWork(CommandTemplate.Parse(template, inputFormat), itemTimeout, retry, ParseStderrMode(parse.GetValue(stderrMode)!) == StderrMode.Pass ? new CommandStderr(stderr) : null, parse.GetValue(quiet) ? null : stderr.WriteLine)
                : LoadWork(assemblyPath!, workType!, inProcess, retry, itemTimeout);

            var options = new RunJobOptions
            {
                Input = inputPath,
                Format = inputFormat,
                NullSeparated = parse.GetValue(nullSeparated),
                Work = jobWork,
                Engine = chosen,
                Jobs = jobCount,
                Output = parse.GetValue(output)!,
                Failures = parse.GetValue(failures),
                JournalPath = parse.GetValue(journal),
                Resume = parse.GetValue(resume),
                Unordered = parse.GetValue(unordered),
                FailFast = parse.GetValue(failFast),
                StrictInput = parse.GetValue(strictInput),
                ReportPath = parse.GetValue(report),
                TracePath = parse.GetValue(trace),
                Quiet = parse.GetValue(quiet),
                CommandLine = InvokedAs.Command + " " + string.Join(' ', parse.Tokens.Select(tok => CommandTemplate.Quote(tok.Value)).Where(v => v != "--resume")),
            };

            // The process's own stderr (Program gives a run its bytes writer), not a test's writer.
            var interactive = (ReferenceEquals(stderr, Console.Error) || stderr is ByteStdout) && !Console.IsErrorRedirected;
            return await new BatchJob(options, stdout, stderr, interactive).RunAsync(cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    // Apart from the command's action, so that a run on another engine does not load Orleans (its types would be part of the
    // action's state machine).
#if BRIGADE_NATIVE_FRONT
    // Not reached in the native front: the cluster engine runs work types only, which go to the framework-dependent tool.
    private static Task<Engine> ClusterAsync(EngineResources resources, ClusterClientOptions cluster, ParseResult parse, CancellationToken cancellationToken) =>
        throw new NotSupportedException("The native front has no cluster engine.");

    private static JobWork LoadWork(string assemblyPath, string workType, bool inProcess, JobRetry retry, TimeSpan? itemTimeout) =>
        throw new NotSupportedException("The native front loads no work type.");
#else
    private static async Task<Engine> ClusterAsync(EngineResources resources, ClusterClientOptions cluster, ParseResult parse, CancellationToken cancellationToken) =>
        await resources.ClusterAsync(cluster.Connection(parse), cluster.Engine(parse), cancellationToken).ConfigureAwait(false);

    private static JobWork LoadWork(string assemblyPath, string workType, bool inProcess, JobRetry retry, TimeSpan? itemTimeout) =>
        WorkLoader.Load(assemblyPath, workType, inProcess, retry, itemTimeout);
#endif

    /// <summary>Reads a duration such as 30s, 500ms, 2m, 1h or a number of seconds, at most one day.</summary>
    /// <param name="text">The option's value.</param>
    /// <param name="option">The option, for the error.</param>
    /// <param name="allowZero">Whether zero is a valid value.</param>
    /// <exception cref="CliUsageException">The value is not such a duration.</exception>
    internal static TimeSpan ParseDuration(string text, string option = "--timeout", bool allowZero = false)
    {
        var t = text.Trim();
        (string Suffix, double Scale)[] units = [("ms", 0.001), ("s", 1), ("m", 60), ("h", 3600), ("", 1)];
        foreach (var (suffix, scale) in units)
        {
            if (t.EndsWith(suffix, StringComparison.OrdinalIgnoreCase) &&
                double.TryParse(t[..^suffix.Length], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v))
            {
                // A duration, but not one this option takes: said as such, not as "not a duration".
                // Less than a millisecond is no duration a timer keeps: before review 41, --timeout 1e-9s was a timeout of 0
                // that failed every item ("timed out after 0 s").
                return v < 0 || (v == 0 && !allowZero)
                    ? throw new CliUsageException($"{option}: '{text}' must be more than 0{(allowZero ? " (or 0)" : "")}")
                    : v > 0 && v * scale < 0.001
                    ? throw new CliUsageException($"{option}: '{text}' is less than 1ms, the shortest this option takes{(allowZero ? " (or 0)" : "")}")
                    : v * scale > TimeSpan.FromDays(1).TotalSeconds
                    ? throw new CliUsageException($"{option}: '{text}' is more than a day, the longest this option takes")
                    : TimeSpan.FromSeconds(v * scale);
            }
        }

        throw new CliUsageException($"{option}: '{text}' is not a duration (try 30s, 500ms or 2m; at most a day)");
    }

    private static StderrMode? ParseStderrMode(string text) => text.ToUpperInvariant() switch
    {
        "PASS" => StderrMode.Pass,
        "DISCARD" => StderrMode.Discard,
        _ => null,
    };

    private static int? Number(System.CommandLine.Parsing.OptionResult result) =>
        result.Tokens.Count == 1 && int.TryParse(result.Tokens[0].Value, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) ? n : null;
}
