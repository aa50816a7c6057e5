using Brigade.Auto;

namespace Brigade.Tests.Auto;

[Collection(AutoCollection.Name)]
public sealed class PlanCacheTests : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), $"brigade-plan-cache-tests-{Guid.NewGuid():N}");

    public PlanCacheTests() => PlanCache.ResetLoaded();

    public void Dispose()
    {
        PlanCache.ResetLoaded();
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }

    private static PlanCacheEntry Entry(string cls = "Blocking", double perItemNs = 2_000_000, int width = 64) => new()
    {
        Work = "Tests.Work",
        Machine = PlanCache.Machine,
        Class = cls,
        TimePerItemNs = perItemNs,
        CpuPerItemNs = 10_000,
        MeasuredItems = 40,
        Engine = "threads",
        Width = width,
        BatchSize = 1,
        Updated = DateTimeOffset.UtcNow,
    };

    [Fact]
    public void Put_ThenGet_InAnotherProcessLifetime_ReturnsTheEntry()
    {
        new PlanCache(_directory).Put("k", Entry());
        PlanCache.ResetLoaded();

        var entry = new PlanCache(_directory).TryGet("k");

        Assert.NotNull(entry);
        Assert.Equal("Blocking", entry.Class);
        Assert.Equal(WorkloadClass.Blocking, AutoPlanner.Classify(entry.ToSample()));
        Assert.True(File.Exists(Path.Combine(_directory, PlanCache.FileName)));
    }

    [Fact]
    public void Put_RewritesTheFile_OnlyWhenThePlanChangesMaterially()
    {
        var cache = new PlanCache(_directory);

        Assert.True(cache.Put("k", Entry()));
        Assert.False(cache.Put("k", Entry(perItemNs: 2_100_000, width: 70)));
        Assert.True(cache.Put("k", Entry(cls: "CpuBound")));
    }

    [Theory]
    [InlineData("{ not json")]
    [InlineData("")]
    [InlineData("{\"version\": 99, \"plans\": {}}")]
    [InlineData("{\"version\": 1, \"plans\": {\"k\": {\"class\": \"NoSuchClass\"}}}")]
    [InlineData("[1, 2, 3]")]
    public void CorruptFile_IsIgnored_AndReplacedOnTheNextWrite(string content)
    {
        Directory.CreateDirectory(_directory);
        File.WriteAllText(Path.Combine(_directory, PlanCache.FileName), content);
        var cache = new PlanCache(_directory);

        Assert.Null(cache.TryGet("k"));
        Assert.True(cache.Put("k", Entry()));
        PlanCache.ResetLoaded();
        Assert.NotNull(new PlanCache(_directory).TryGet("k"));
    }

    [Fact]
    public void UnwritableDirectory_IsNotAnError()
    {
        var file = Path.Combine(Path.GetTempPath(), $"brigade-not-a-directory-{Guid.NewGuid():N}");
        File.WriteAllText(file, "x");
        try
        {
            Assert.False(new PlanCache(Path.Combine(file, "sub")).Put("k", Entry()));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task SecondRunOfTheSameWork_StartsFromTheCachedPlan()
    {
        var engine = Engine.CreateAuto(new AutoEngineOptions { PlanCacheDirectory = _directory });
        var items = Enumerable.Range(0, 300).ToArray();
        Action<int> work = _ => Thread.Sleep(1); // one lambda, so one work name: plans are remembered per work

        var first = await Runner.ForEachAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(30));
        var second = await Runner.ForEachAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.False(first.Plans[0].FromCache);
        Assert.True(second.Plans[0].FromCache);
        Assert.Equal(WorkloadClass.Blocking, second.Plans[0].Class);
        Assert.Contains("(cached plan)", second.Plans[0].Explanation, StringComparison.Ordinal);
    }

    [Fact]
    public void EnvironmentVariable_TurnsTheCacheOff()
    {
        var options = new AutoEngineOptions();
        var before = Environment.GetEnvironmentVariable(AutoEngineOptions.NoPlanCacheVariable);
        try
        {
            Environment.SetEnvironmentVariable(AutoEngineOptions.NoPlanCacheVariable, "1");
            Assert.False(options.PlanCacheEnabled);
            Environment.SetEnvironmentVariable(AutoEngineOptions.NoPlanCacheVariable, null);
            Assert.True(options.PlanCacheEnabled);
            Assert.False(new AutoEngineOptions { UsePlanCache = false }.PlanCacheEnabled);
        }
        finally
        {
            Environment.SetEnvironmentVariable(AutoEngineOptions.NoPlanCacheVariable, before);
        }
    }

    [Fact]
    public void DefaultDirectory_FollowsXdgCacheHome()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.EndsWith("brigade", PlanCache.DefaultDirectory(), StringComparison.Ordinal);
            return;
        }

        var before = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
        try
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", "/tmp/xdg-test");
            Assert.Equal("/tmp/xdg-test/brigade", PlanCache.DefaultDirectory());
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", null);
            Assert.Equal(Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "brigade"), PlanCache.DefaultDirectory());
        }
        finally
        {
            Environment.SetEnvironmentVariable("XDG_CACHE_HOME", before);
        }
    }
}
