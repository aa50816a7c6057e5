using System.Linq.Expressions;
using Brigade.Auto;

namespace Brigade.Tests.Soak;

/// <summary>
/// A service that compiles an expression per request hands auto mode a new dynamic method each time (<c>lambda_method1</c>,
/// <c>lambda_method2</c>, ...: a per-process counter, no assembly build nor token). Before, each was remembered in the
/// machine's plan cache: the file was read and rewritten on every such run, and after 512 of them held nothing else (every
/// real plan of every application evicted), while the same names in another process named other work.
/// </summary>
[Collection(Tests.Auto.AutoCollection.Name)]
public sealed class DynamicWorkPlanCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"brigade-soak-plan-cache-{Guid.NewGuid():N}");

    public DynamicWorkPlanCacheTests() => PlanCache.ResetLoaded();

    public void Dispose()
    {
        PlanCache.ResetLoaded();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    [Fact]
    public async Task CompiledExpressionPerRun_IsNotRememberedInThePlanCache_WhileADelegateOfCompiledCodeIs()
    {
        var engine = Engine.CreateAuto(new AutoEngineOptions { PlanCacheDirectory = _directory });
        var items = Enumerable.Range(0, 300).ToArray();
        for (var i = 0; i < 3; i++)
        {
            var input = Expression.Parameter(typeof(int));
            var sleep = Expression.Call(typeof(Thread).GetMethod(nameof(Thread.Sleep), [typeof(int)])!, Expression.Constant(1));
            var work = Expression.Lambda<Action<int>>(sleep, input).Compile();
            await Runner.ForEachAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(60));
        }

        // The control: the same work as compiled code is remembered, so the cache was on and the runs long enough.
        Action<int> compiled = _ => Thread.Sleep(1);
        await Runner.ForEachAsync(items, compiled, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(60));

        var file = File.ReadAllText(Path.Combine(_directory, PlanCache.FileName));
        Assert.DoesNotContain("lambda_method", file, StringComparison.Ordinal);
        Assert.Contains(nameof(CompiledExpressionPerRun_IsNotRememberedInThePlanCache_WhileADelegateOfCompiledCodeIs), file, StringComparison.Ordinal);
    }
}
