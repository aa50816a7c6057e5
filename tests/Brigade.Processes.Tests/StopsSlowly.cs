using System.Globalization;

namespace Brigade.Processes.Tests;

/// <summary>
/// "hold:MS:DIR" writes DIR/PID.pid, then waits for its token; once cancelled it spends MS milliseconds cleaning up
/// before it honours the token (a cooperative item that is slow to stop). Any other input returns its length.
/// </summary>
public sealed class StopsSlowly : IAsyncWork<string, int>
{
    public async ValueTask<int> ExecuteAsync(string input, CancellationToken cancellationToken)
    {
        if (!input.StartsWith("hold:", StringComparison.Ordinal))
        {
            return input.Length;
        }

        var parts = input.Split(':', 3);
        File.WriteAllText(Path.Combine(parts[2], $"{Environment.ProcessId}.pid"), "");
        try
        {
            await Task.Delay(TimeSpan.FromSeconds(60), cancellationToken);
        }
        catch (OperationCanceledException)
        {
            Thread.Sleep(int.Parse(parts[1], CultureInfo.InvariantCulture));
            throw;
        }

        return input.Length;
    }

    /// <summary>Waits until a holding item has written its pid file in <paramref name="directory"/>.</summary>
    internal static async Task<int> WaitForPidAsync(string directory, Task run)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(40);
        while (DateTime.UtcNow < deadline)
        {
            if (Directory.GetFiles(directory, "*.pid") is [var file, ..])
            {
                return int.Parse(Path.GetFileNameWithoutExtension(file), CultureInfo.InvariantCulture);
            }

            if (run.IsCompleted)
            {
                await run;
                Assert.Fail("The run ended before the holding item started.");
            }

            await Task.Delay(20);
        }

        Assert.Fail("The holding item did not start.");
        return 0;
    }
}
