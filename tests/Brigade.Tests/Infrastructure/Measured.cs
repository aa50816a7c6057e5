using Xunit.Sdk;

namespace Brigade.Tests.Infrastructure;

/// <summary>
/// A test whose assertions read a measurement (a run's wall time against a bound, the class auto mode measured): on a
/// machine at load 30 (four test hosts on two cores) one run in many is slowed past any bound that still tells the bug
/// from the fix, or reads a wait for a core as a wait. Up to three tries, as the measuring tests do (PlanCacheTests'
/// warm run): a bug that is there every time still fails, with every try's failure in the message.
/// </summary>
internal static class Measured
{
    /// <summary>Runs <paramref name="attempt"/> (its argument: the try, from 0) until its assertions pass, at most three times.</summary>
    public static async Task UpToThreeTimesAsync(Func<int, Task> attempt)
    {
        var failures = new List<string>();
        for (var i = 0; ; i++)
        {
            try
            {
                await attempt(i);
                return;
            }
            catch (XunitException e) when (i < 2)
            {
                failures.Add(e.Message);
            }
            catch (XunitException e)
            {
                failures.Add(e.Message);
                throw new XunitException($"failed all three tries:\n{string.Join("\n--- next try ---\n", failures)}");
            }
        }
    }
}
