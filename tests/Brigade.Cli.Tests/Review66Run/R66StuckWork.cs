using System.Collections.Concurrent;

namespace Brigade.Cli.Tests.Review66Run;

/// <summary>
/// A synchronous work type whose items named "stuck..." block until the test releases them: a call into a library that
/// never returns (a network read without a timeout, a lock never released), which no token can cancel.
/// </summary>
public sealed class R66StuckWork : IWork<string, string>
{
    private static readonly ConcurrentDictionary<string, ManualResetEventSlim> Gates = new(StringComparer.Ordinal);

    /// <summary>Releases the items named <paramref name="input"/>, so that their blocked threads end with the test.</summary>
    public static void Release(string input) => Gates.GetOrAdd(input, _ => new ManualResetEventSlim()).Set();

    public string Execute(string input)
    {
        if (input.StartsWith("stuck", StringComparison.Ordinal))
        {
            Gates.GetOrAdd(input, _ => new ManualResetEventSlim()).Wait();
        }

        return "done-" + input;
    }
}
