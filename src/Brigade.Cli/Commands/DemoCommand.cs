using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Brigade.Cli.Demo;
using Brigade.Cli.Demo.Model;
using Brigade.Cli.Demo.Scenes;
using Brigade.Reporting;
using Spectre.Console;

namespace Brigade.Cli.Commands;

/// <summary><c>brigade demo</c>: the classic parallelism experiments, run live and measured on this machine.</summary>
internal static class DemoCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var quick = new Option<bool>("--quick") { Description = "Shorten the long runs (about 45 s on 2 cores instead of 65 s)." };
        var json = new Option<bool>("--json") { Description = "Print the results as one JSON document instead of tables (see README for its shape)." };
        var only = new Option<string[]>("--only")
        {
            Description = "Run only these scenes: comma-separated ids (see --list).",
            AllowMultipleArgumentsPerToken = true,
            HelpName = "ID[,ID]",
        };
        var trace = new Option<FileInfo?>("--trace") { Description = "Write the Chrome trace (Perfetto, chrome://tracing) of every run to FILE.", HelpName = "FILE" };
        var report = new Option<FileInfo?>("--report") { Description = "Write a self-contained HTML report (timelines, utilization, throughput) of every run to FILE.", HelpName = "FILE" };
        var list = new Option<bool>("--list") { Description = "List the scenes and exit." };
        var cluster = new Option<bool>("--cluster") { Description = "Also run the cluster scene: starts two local silo processes and runs the CPU-bound work across them (or uses the cluster named by --membership/--gateway)." };
        var clusterTarget = new ClusterClientOptions(); // --membership, --gateway, --cluster-id, --tls-*: the cluster scene on running silos

        var command = new Command("demo", "Run the classic parallelism experiments live and measure them on this machine.")
        {
            quick, json, only, trace, report, list, cluster,
        };
        clusterTarget.AddTo(command);

        command.SetAction(async (parse, cancellationToken) =>
        {
            if (parse.GetValue(list))
            {
                foreach (var scene in SceneCatalog.All)
                {
                    await stdout.WriteLineAsync($"{scene.Id,-24} {scene.Title}{(scene.RunsByDefault ? "" : " (opt-in)")}").ConfigureAwait(false);
                }

                return ExitCodes.Success;
            }

            // The options naming a running cluster mean nothing without one: before review 59 `--cluster-timeout abc` or a
            // missing --tls-cert file was accepted in silence (and the whole demo ran) unless --membership/--gateway was given.
            if (!clusterTarget.Given(parse) && clusterTarget.FirstGiven(parse) is { } clusterOption)
            {
                throw new CliUsageException($"demo: {clusterOption} goes with a running cluster: give --membership URI or --gateway PORT too (--cluster alone starts two local silos of its own)");
            }

            var existing = clusterTarget.Given(parse) ? clusterTarget.Connection(parse) : null;
            var onlyIds = parse.GetValue(only) ?? [];
            if (parse.GetResult(only) is { Implicit: false } && SceneIds(onlyIds).Count == 0)
            {
                // `--only ""` (an empty variable, a stray comma) ran the whole demo, a minute or more, before review 59.
                throw new CliUsageException($"--only: no scene id given; known scenes: {string.Join(", ", SceneCatalog.All.Select(s => s.Id))}");
            }

            var scenes = SelectScenes(onlyIds, parse.GetValue(cluster) || existing is not null);
            var outputs = new DemoOutputs(CheckWritable(parse.GetValue(trace), "--trace"), CheckWritable(parse.GetValue(report), "--report"));
            try
            {
                return await RunAsync(scenes, parse.GetValue(quick), parse.GetValue(json), outputs, stdout, stderr, existing, cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                outputs.DeleteUnwritten();
            }
        });
        return command;
    }

    // A file the demo cannot write is a usage error before any scene runs: before review 59 `--trace DIR` or `--report
    // /proc/x.html` ran every scene and then failed with an exception's message (exit 1), the trace lost. The file is
    // opened for writing once here; one this check created is removed again if the demo ends without writing it.
    private static OutputFile? CheckWritable(FileInfo? file, string option)
    {
        if (file is null)
        {
            return null;
        }

        if (file.Directory is { Exists: false } dir)
        {
            throw new CliUsageException($"{option}: directory '{dir.FullName}' does not exist");
        }

        if (Directory.Exists(file.FullName))
        {
            throw new CliUsageException($"{option}: '{file.FullName}' is a directory; give a file name");
        }

        var existed = file.Exists;
        try
        {
            using (new FileStream(file.FullName, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete))
            {
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new CliUsageException($"{option}: cannot write '{file.FullName}': {e.Message}");
        }

        return new OutputFile(file, existed);
    }

    private static List<string> SceneIds(string[] only) =>
        only.SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();

    internal static List<IDemoScene> SelectScenes(string[] only, bool cluster = false)
    {
        var ids = SceneIds(only);
        if (ids.Count == 0)
        {
            return SceneCatalog.All.Where(s => s.RunsByDefault || (cluster && s.Id == ClusterScene.SceneId)).ToList();
        }

        if (cluster && !ids.Contains(ClusterScene.SceneId))
        {
            ids.Add(ClusterScene.SceneId);
        }

        var unknown = ids.Where(id => SceneCatalog.All.All(s => s.Id != id)).ToList();
        if (unknown.Count > 0)
        {
            throw new CliUsageException($"--only: unknown scene '{unknown[0]}'; known scenes: {string.Join(", ", SceneCatalog.All.Select(s => s.Id))}");
        }

        return SceneCatalog.All.Where(s => ids.Contains(s.Id)).ToList();
    }

    internal static IAnsiConsole CreateConsole(TextWriter stdout)
    {
        // Only the real console can be a terminal: writers handed in by tests or callers get plain text.
        var console = AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(stdout),
            Ansi = ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected ? AnsiSupport.Detect : AnsiSupport.No,
        });

        // Off a terminal (a pipe, a file, CI logs) there is no width to detect: use one that fits the tables.
        if (!console.Profile.Capabilities.Interactive || console.Profile.Width < 100)
        {
            console.Profile.Width = Math.Max(console.Profile.Width, 132);
        }

        return console;
    }

    private static async Task<int> RunAsync(List<IDemoScene> scenes, bool quick, bool json, DemoOutputs outputs, TextWriter stdout, TextWriter stderr, Brigade.Orleans.ClusterConnectionOptions? cluster, CancellationToken cancellationToken)
    {
        var console = CreateConsole(stdout);
        var context = new DemoContext(quick, json, console) { Cluster = cluster };
        var document = new DemoDocument
        {
            Machine = MachineInfo.Current(),
            Options = new DemoSettings { Quick = quick, Only = scenes.Select(s => s.Id).ToList() },
        };

        if (!json)
        {
            DemoRenderer.Header(console, document.Machine, quick);
        }

        var total = Stopwatch.StartNew();
        var failed = false;
        foreach (var scene in scenes)
        {
            // Where a scene's line would be written: a reader that went away ends the demo (141, CliApp), also when it
            // writes its JSON only at the end (before, every scene ran into a pipe nobody read).
            if (stdout is BrokenPipeWatch pipe && pipe.ReaderGone())
            {
                return ExitCodes.BrokenPipe;
            }

            if (!json)
            {
                DemoRenderer.SceneStart(console, scene);
            }

            var watch = Stopwatch.StartNew();
            var reportsBefore = context.Reports.Count;
            SceneResult result;
            try
            {
                result = await scene.RunAsync(context, cancellationToken).ConfigureAwait(false);
                context.ExplainLosses(result, reportsBefore);
            }
            catch (Exception e) when (e is not OperationCanceledException && !BrokenPipe.Caused(e))
            {
                // One broken scene does not hide the others' results: it is reported and the demo goes on.
                failed = true;
                result = new SceneResult { Id = scene.Id, Title = scene.Title, Conclusion = $"scene failed: {e.GetType().Name}: {e.Message}" };
                await stderr.WriteLineAsync($"brigade: scene '{scene.Id}' failed: {e.GetType().Name}: {e.Message}").ConfigureAwait(false);
            }

            result.Seconds = DemoContext.Round(watch.Elapsed.TotalSeconds);
            document.Scenes.Add(result);
            if (!json)
            {
                DemoRenderer.SceneEnd(console, result);
            }
        }

        document.TotalSeconds = DemoContext.Round(total.Elapsed.TotalSeconds);
        if (json)
        {
            await stdout.WriteLineAsync(JsonSerializer.Serialize(document, DemoJsonContext.Default.DemoDocument)).ConfigureAwait(false);
        }
        else
        {
            console.MarkupLine($"[grey]Demo finished in {document.TotalSeconds:0.0} s.[/]");
        }

        if (outputs.Trace?.File is { } trace)
        {
            ChromeTrace.WriteFile(trace.FullName, context.Reports);
            if (!json)
            {
                console.MarkupLine($"[grey]Trace of {context.Reports.Count} runs written to {Markup.Escape(trace.FullName)} (open it in https://ui.perfetto.dev).[/]");
            }
        }

        if (outputs.Report?.File is { } html)
        {
            HtmlReport.WriteFile(html.FullName, context.Reports, "Brigade demo");
            if (!json)
            {
                console.MarkupLine($"[grey]HTML report of {context.Reports.Count} runs written to {Markup.Escape(html.FullName)}.[/]");
            }
        }

        return failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    private sealed record DemoOutputs(OutputFile? Trace, OutputFile? Report)
    {
        public void DeleteUnwritten()
        {
            Trace?.DeleteIfUnwritten();
            Report?.DeleteIfUnwritten();
        }
    }

    // A --trace or --report file, and whether it was there before the check opened it.
    private sealed record OutputFile(FileInfo File, bool Existed)
    {
        public void DeleteIfUnwritten()
        {
            try
            {
                File.Refresh();
                if (!Existed && File.Exists && File.Length == 0)
                {
                    File.Delete();
                }
            }
            catch (IOException)
            {
                // Best effort: an empty file left behind is no result lost.
            }
        }
    }
}
