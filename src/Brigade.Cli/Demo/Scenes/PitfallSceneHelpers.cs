using Spectre.Console;

namespace Brigade.Cli.Demo.Scenes;

/// <summary>What the pitfall scenes share: dedicated threads they can join, and how a report is shown live.</summary>
internal static class PitfallSceneHelpers
{
    /// <summary>Runs <paramref name="body"/> on a new named background thread; the task completes (asynchronously) when it ends.</summary>
    public static Task RunThread(string name, Action body)
    {
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var thread = new Thread(() =>
        {
            try
            {
                body();
                done.SetResult();
            }
            catch (Exception e)
            {
                done.SetException(e);
            }
        })
        {
            IsBackground = true,
            Name = name,
        };
        thread.Start();
        return done.Task;
    }

    /// <summary>Shows a report's text, indented, in the live output.</summary>
    public static void ShowReport(DemoContext context, string colour, string report)
    {
        foreach (var line in report.Split('\n'))
        {
            context.Live($"    [{colour}]{Markup.Escape(line)}[/]");
        }
    }

    /// <summary>A doctor report without its "Stacks:" section, for the live output (the JSON keeps the whole report).</summary>
    public static string WithoutStacks(string message)
    {
        var stacks = message.IndexOf("\nStacks:", StringComparison.Ordinal);
        return stacks < 0 ? message : message[..stacks];
    }

    public static double Milliseconds(TimeSpan span) => DemoContext.Round(span.TotalMilliseconds, 2);
}
