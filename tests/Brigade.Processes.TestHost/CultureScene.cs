using System.Globalization;

namespace Brigade.Processes.TestHost;

/// <summary>
/// Usage: Brigade.Processes.TestHost culture WORKER-INVARIANT. Run with globalization (the test gives this host a
/// runtimeconfig without invariant mode): sets de-DE and fr-FR in code, prints what the same work returns on the
/// sequential engine and in a worker process (with invariant globalization forced on the worker when asked), then,
/// on the same engine, under the invariant culture and en-US.
/// </summary>
internal static class CultureScene
{
    public static async Task<int> RunAsync(bool workerInvariant)
    {
        var options = new ProcessEngineOptions { MaxWorkers = 1, ForwardWorkerOutput = true };
        if (workerInvariant)
        {
            options.EnvironmentVariables["DOTNET_SYSTEM_GLOBALIZATION_INVARIANT"] = "1";
        }

        await using var engine = new ProcessEngine(options);

        double[] items = [1234.5, 0.25];
        CultureInfo.CurrentCulture = CultureInfo.GetCultureInfo("de-DE");
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("fr-FR");
        var here = await Runner.MapAsync(items, new FormatInCulture(), new RunOptions { Engine = Engine.Sequential });
        var worker = await Runner.MapAsync(items, new FormatInCulture(), new RunOptions { Engine = engine });
        CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
        CultureInfo.CurrentUICulture = CultureInfo.GetCultureInfo("en-US");
        var again = await Runner.MapAsync(items, new FormatInCulture(), new RunOptions { Engine = engine });
        Console.WriteLine("here|" + string.Join('|', here.Values));
        Console.WriteLine("worker|" + string.Join('|', worker.Values));
        Console.WriteLine("again|" + string.Join('|', again.Values));
        return 0;
    }
}
