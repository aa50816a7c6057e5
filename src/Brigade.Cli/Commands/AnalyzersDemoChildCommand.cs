using System.CommandLine;
using System.Globalization;
using Brigade.Cli.Demo.Scenes;

namespace Brigade.Cli.Commands;

/// <summary>
/// The hidden <c>brigade analyzers-demo-child</c>: compiles the demo's analyzers snippet with Brigade's analyzers and
/// prints one line per finding (<c>diagnostic TAB id TAB line TAB message</c>), each compiler error
/// (<c>error TAB text</c>) and the time taken (<c>elapsed TAB ms</c>).
/// </summary>
/// <remarks>A process of its own because the demo runs with tiered compilation off (<see cref="MeasuringProcess"/>),
/// which triples the first compilation's JIT time (the compiler is large); the child starts with the runtime's default.</remarks>
internal static class AnalyzersDemoChildCommand
{
    public const string Name = "analyzers-demo-child";

    public static Command Create(TextWriter stdout)
    {
        var command = new Command(Name, "Compiles the demo's analyzers snippet (internal).") { Hidden = true };
        command.SetAction(async (_, cancellationToken) =>
        {
            var (diagnostics, errors, elapsed) = await AnalyzersScene.AnalyzeAsync(AnalyzersScene.Snippet, cancellationToken).ConfigureAwait(false);
            foreach (var d in diagnostics)
            {
                var line = d.Location.GetLineSpan().StartLinePosition.Line + 1;
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"diagnostic\t{d.Id}\t{line}\t{OneLine(d.GetMessage(CultureInfo.InvariantCulture))}")).ConfigureAwait(false);
            }

            foreach (var error in errors)
            {
                await stdout.WriteLineAsync($"error\t{OneLine(error)}").ConfigureAwait(false);
            }

            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"elapsed\t{elapsed.TotalMilliseconds:0.##}")).ConfigureAwait(false);
            await stdout.FlushAsync(cancellationToken).ConfigureAwait(false);
            return ExitCodes.Success;
        });
        return command;
    }

    private static string OneLine(string text) => text.Replace('\t', ' ').Replace('\r', ' ').Replace('\n', ' ');
}
