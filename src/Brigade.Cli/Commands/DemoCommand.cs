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
        var quick = new Option<bool>("--quick") { Description = "Shorten the long runs (the whole demo then takes well under a minute)." };
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

            var existing = clusterTarget.Given(parse) ? clusterTarget.Connection(parse) : null;
            var scenes = SelectScenes(parse.GetValue(only) ?? [], parse.GetValue(cluster) || existing is not null);
            var outputs = new DemoOutputs(CheckDirectory(parse.GetValue(trace), "--trace"), CheckDirectory(parse.GetValue(report), "--report"));
            return await RunAsync(scenes, parse.GetValue(quick), parse.GetValue(json), outputs, stdout, stderr, existing, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }

    private static FileInfo? CheckDirectory(FileInfo? file, string option) =>
        file?.Directory is { Exists: false } dir ? throw new CliUsageException($"{option}: directory '{dir.FullName}' does not exist") : file;

    internal static List<IDemoScene> SelectScenes(string[] only, bool cluster = false)
    {
        var ids = only.SelectMany(o => o.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList();
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

        if (outputs.Trace is { } trace)
        {
            ChromeTrace.WriteFile(trace.FullName, context.Reports);
            if (!json)
            {
                console.MarkupLine($"[grey]Trace of {context.Reports.Count} runs written to {Markup.Escape(trace.FullName)} (open it in https://ui.perfetto.dev).[/]");
            }
        }

        if (outputs.Report is { } html)
        {
            HtmlReport.WriteFile(html.FullName, context.Reports, "Brigade demo");
            if (!json)
            {
                console.MarkupLine($"[grey]HTML report of {context.Reports.Count} runs written to {Markup.Escape(html.FullName)}.[/]");
            }
        }

        return failed ? ExitCodes.Failure : ExitCodes.Success;
    }

    private sealed record DemoOutputs(FileInfo? Trace, FileInfo? Report);
}
