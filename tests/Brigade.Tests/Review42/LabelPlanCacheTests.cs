using System.Text.RegularExpressions;
using Brigade.Auto;

namespace Brigade.Tests.Review42;

/// <summary>
/// A service labels each run by its request (<c>order 1</c>, <c>order 2</c>...). The label was part of the plan cache's key,
/// so every request's run was a new entry: the file read and rewritten every run, the machine's real plans evicted after 512.
/// The label names a run; what tells apart runs of one delegate doing different work is the internal plan key
/// (<c>brigade run</c>'s command).
/// </summary>
[Collection(Tests.Auto.AutoCollection.Name)]
public sealed class LabelPlanCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"brigade-review42-labels-{Guid.NewGuid():N}");

    public LabelPlanCacheTests() => PlanCache.ResetLoaded();

    public void Dispose()
    {
        PlanCache.ResetLoaded();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task OneDelegate_LabelledPerRequest_IsOnePlan_WhilePlanKeysTellWorkApart()
    {
        var engine = Engine.CreateAuto(new AutoEngineOptions { PlanCacheDirectory = _directory });
        var items = Enumerable.Range(0, 300).ToArray();
        Action<int> work = _ => Thread.Sleep(1);
        for (var i = 1; i <= 3; i++)
        {
            await Runner.ForEachAsync(items, work, new RunOptions { Engine = engine, Label = $"order {i}" }).WaitAsync(TimeSpan.FromSeconds(60));
        }

        var (count, file) = Entries();
        Assert.True(count == 1, file);

        // The control: brigade run's commands, one delegate, two plan keys, two plans.
        await Runner.ForEachAsync(items, work, new RunOptions { Engine = engine, PlanKey = "brigade run sleep 0.001" }).WaitAsync(TimeSpan.FromSeconds(60));
        (count, file) = Entries();
        Assert.True(count == 2, file);
    }

    private (int Count, string File) Entries()
    {
        PlanCache.ResetLoaded();
        var file = File.ReadAllText(Path.Combine(_directory, PlanCache.FileName));
        return (Regex.Count(file, "\"machine\":"), file);
    }
}
