using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using Brigade.Cli.Commands;
using Brigade.Cli.Demo.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Spectre.Console;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>
/// The analyzers: a page of ordinary C# with six classic pitfalls (two locks in opposite orders, a lost update in
/// <c>Parallel.For</c>, sync-over-async on the pool, an async lambda to <c>Parallel.ForEach</c>, a <c>Monitor</c> held across
/// <c>await</c>, <c>Task.Factory.StartNew</c> of an async lambda) compiled in this process
/// with Brigade's analyzers, as the compiler runs them in a build: each pitfall flagged at its line, before anything runs.
/// </summary>
internal sealed class AnalyzersScene : IDemoScene
{
    /// <summary>The rules the snippet below is built to trigger, each at least once.</summary>
    internal static readonly string[] Expected = ["BRG2001", "BRG2002", "BRG2003", "BRG2004", "BRG2007", "BRG2008"];

    // Plain C#, no Brigade: what the analyzers meet in an ordinary code base.
    internal const string Snippet = """
        using System.IO;
        using System.Net.Http;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class Bank(HttpClient http)
        {
            private readonly object _checking = new();
            private readonly object _savings = new();
            private long _total;

            public void Transfer() { lock (_checking) { lock (_savings) { _total--; } } }

            public void Audit() { lock (_savings) { lock (_checking) { _total++; } } }

            public long Sum(long[] amounts)
            {
                Parallel.For(0, amounts.Length, i => { _total += amounts[i]; });
                return _total;
            }

            public Task<string> RateAsync(string currency) =>
                Task.Run(() => http.GetStringAsync("https://rates.example/" + currency).Result);

            public void SaveAll(string[] names) =>
                Parallel.ForEach(names, async name => await File.WriteAllTextAsync(name, "saved"));

            public async Task AuditAsync()
            {
                Monitor.Enter(_savings);
                try { await File.AppendAllTextAsync("audit.log", "audited"); } finally { Monitor.Exit(_savings); }
            }

            public Task ExportAsync() =>
                Task.Factory.StartNew(async () => await File.WriteAllTextAsync("export.txt", "exported"));
        }
        """;

    public string Id => "analyzers";

    public string Title => "Analyzers: the same pitfalls flagged at compile time, in plain C#";

    public async Task<SceneResult> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var result = new SceneResult { Id = Id, Title = Title };
        var lines = Snippet.Split('\n');
        context.Live($"  [grey]{lines.Length} lines of plain C# (Bank.cs, no Brigade in it), compiled with Brigade's analyzers BRG2001-BRG2008 as a build runs them:[/]");
        var (findings, errors, elapsed) = await AnalyzeInChildAsync(cancellationToken).ConfigureAwait(false);
        foreach (var (id, line, message) in findings)
        {
            context.Live($"  [yellow]Bank.cs:{line}[/]  {Markup.Escape(lines[line - 1].Trim())}");
            context.Live($"    [red]{id}[/] {Markup.Escape(message)}");
        }

        var found = findings.Select(static f => f.Id).Distinct().Order(StringComparer.Ordinal).ToArray();
        var missing = Expected.Except(found).ToArray();
        result.Detected = missing.Length == 0 && errors.Count == 0;
        result.DetectionMs = PitfallSceneHelpers.Milliseconds(elapsed);
        result.Report = findings.Count == 0 ? null : string.Join("\n", findings.Select(static f => $"Bank.cs:{f.Line}: {f.Id} {f.Message}"));
        result.Conclusion = errors.Count > 0
            ? $"The snippet was not analyzed: {errors[0]}"
            : string.Create(CultureInfo.InvariantCulture, $"The analyzers flagged {findings.Count} places in {lines.Length} lines of plain C# before anything ran ({string.Join(", ", found)}), in {elapsed.TotalSeconds:0.0} s ")
                + "(a compiler loaded cold; in a build they add milliseconds): the lock-order inversion that the deadlock scene hangs on, the lost update of the race scene, "
                + "sync-over-async that starves the pool, async lambdas that Parallel.ForEach never awaits, a Monitor held across an await "
                + "(released on another thread, it throws), and a StartNew whose task ends at the lambda's first await"
                + (missing.Length > 0 ? $"; not flagged this time: {string.Join(", ", missing)}." : ".");
        if (errors.Count > 0)
        {
            context.Live($"  [red]{Markup.Escape(result.Conclusion)}[/]");
        }

        return result;
    }

    // In a child process with the runtime's default tiered compilation (AnalyzersDemoChildCommand says why).
    private static async Task<(List<(string Id, int Line, string Message)> Findings, List<string> Errors, TimeSpan Elapsed)> AnalyzeInChildAsync(CancellationToken cancellationToken)
    {
        using var child = CliChild.Start(AnalyzersDemoChildCommand.Name);
        var findings = new List<(string, int, string)>();
        var errors = new List<string>();
        var elapsed = TimeSpan.Zero;
        try
        {
            var stderr = child.StandardError.ReadToEndAsync(cancellationToken);
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            deadline.CancelAfter(TimeSpan.FromSeconds(120));
            while (await child.StandardOutput.ReadLineAsync(deadline.Token).ConfigureAwait(false) is { } line)
            {
                var parts = line.Split('\t');
                switch (parts)
                {
                    case ["diagnostic", var id, var at, var message] when int.TryParse(at, CultureInfo.InvariantCulture, out var number) && number >= 1 && number <= Snippet.Split('\n').Length:
                        findings.Add((id, number, message));
                        break;
                    case ["error", var text]:
                        errors.Add(text);
                        break;
                    case ["elapsed", var ms] when double.TryParse(ms, CultureInfo.InvariantCulture, out var value):
                        elapsed = TimeSpan.FromMilliseconds(value);
                        break;
                }
            }

            await child.WaitForExitAsync(deadline.Token).ConfigureAwait(false);
            if (child.ExitCode != 0 && errors.Count == 0)
            {
                var why = (await stderr.ConfigureAwait(false)).Trim();
                errors.Add($"the compiling process exited with {child.ExitCode}{(why.Length > 0 ? ": " + why.Split('\n')[0] : "")}");
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            errors.Add("the compiling process did not finish within 120 s");
        }
        finally
        {
            await CliChild.StopAsync(child).ConfigureAwait(false);
        }

        return (findings, errors, elapsed);
    }

    /// <summary>Compiles <paramref name="code"/> against the running framework with every Brigade analyzer.</summary>
    /// <returns>The analyzers' diagnostics in source order, the compiler's errors, and the time taken.</returns>
    internal static async Task<(ImmutableArray<Diagnostic> Diagnostics, string[] Errors, TimeSpan Elapsed)> AnalyzeAsync(string code, CancellationToken cancellationToken)
    {
        var watch = Stopwatch.StartNew();
        var references = ((AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string) ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Where(static p => Path.GetFileName(p) is var name && (name.StartsWith("System.", StringComparison.Ordinal) || name is "netstandard.dll" or "mscorlib.dll"))
            .Select(static p => (MetadataReference)MetadataReference.CreateFromFile(p));
        var compilation = CSharpCompilation.Create(
            "Snippet",
            [CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: "Bank.cs", cancellationToken: cancellationToken)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var errors = compilation.GetDiagnostics(cancellationToken).Where(static d => d.Severity == DiagnosticSeverity.Error).Select(static d => d.ToString()).ToArray();
        var analyzed = await compilation.WithAnalyzers(LoadAnalyzers()).GetAnalyzerDiagnosticsAsync(cancellationToken).ConfigureAwait(false);
        var ordered = analyzed.OrderBy(static d => d.Location.SourceSpan.Start).ThenBy(static d => d.Id, StringComparer.Ordinal).ToImmutableArray();
        return (ordered, errors, watch.Elapsed);
    }

    // The analyzer assembly ships beside the CLI; its analyzers are internal types, created as the compiler creates them.
    private static ImmutableArray<DiagnosticAnalyzer> LoadAnalyzers() =>
    [
        .. Assembly.Load("Brigade.Analyzers").GetTypes()
            .Where(static t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
            .OrderBy(static t => t.Name, StringComparer.Ordinal)
            .Select(static t => (DiagnosticAnalyzer)Activator.CreateInstance(t, nonPublic: true)!),
    ];
}
