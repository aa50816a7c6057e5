using Brigade.Auto;
using Brigade.Internal;
using Brigade.Tests.Infrastructure;

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
    public async Task CachedPlanForShorterItems_ItemsThatOutlastIt_AreWidenedBeforeAnyFinishes()
    {
        // The same work (one lambda: one cached plan) over other data: waits of 5 ms, then of 1 s (brigade run's `sleep {}`
        // is one command template whatever it sleeps). The cached plan's width repays 2 ms waits; nothing finishes for
        // 1 s, so no window shows the longer waits, and the rest used to queue for whole waves behind the first.
        // The wall time is a measurement: up to three tries (Measured), each with a cache of its own.
        await Measured.UpToThreeTimesAsync(async attempt =>
        {
            var engine = Engine.CreateAuto(new AutoEngineOptions { PlanCacheDirectory = Path.Combine(_directory, $"try{attempt}") });
            var wait = 5;
            var waves = new Waves();
            Func<int, CancellationToken, ValueTask<int>> work = async (i, ct) =>
            {
                waves.Enter();
                // A millisecond of CPU before each wait (a command's start, say): Little's law then repays a few dozen at once.
                var start = System.Diagnostics.Stopwatch.GetTimestamp();
                while (System.Diagnostics.Stopwatch.GetElapsedTime(start) < TimeSpan.FromMilliseconds(1))
                {
                    Thread.SpinWait(100);
                }

                await Task.Delay(wait, ct);
                waves.Leave();
                return i;
            };

            var shortWaits = await Runner.MapAsync(Enumerable.Range(0, 300).ToArray(), work, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(30));
            wait = 1_000;
            waves = new Waves();
            var items = Math.Min(4 * shortWaits.Report.Plans[^1].DegreeOfParallelism, 256);
            var longWaits = await Runner.MapAsync(Enumerable.Range(0, items).ToArray(), work, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(60));

            Assert.True(longWaits.Report.Plans[0].FromCache, longWaits.Report.Plans[0].Explanation);
            Assert.Equal(Enumerable.Range(0, items), longWaits.Values);
            // Widened past the cached plan before any item finished: more items started before the first finished than the
            // cached width let run. An order of events, not the wall time (< 2.5 s), which at load 140 failed three tries in
            // a row: a millisecond of CPU per item is seconds for 256 items there, whatever the plan. (At such a load the
            // short waits' own plan can already cover every item: then this run shows nothing, and passes.)
            var cachedWidth = longWaits.Report.Plans[0].DegreeOfParallelism;
            var beforeFirst = waves.StartedBeforeFinish(1);
            Assert.True(beforeFirst > cachedWidth || cachedWidth >= items, $"{items} items, cached plan ×{cachedWidth}: {beforeFirst} started before the first finished; {longWaits.Report.WallTime.TotalSeconds:0.00} s; {string.Join(" | ", longWaits.Report.Plans.Select(p => p.Explanation))}");
        });
    }

    [Fact]
    public async Task RunStoppedByItsFirstFailure_DoesNotRewriteTheCachedPlan()
    {
        // Batches count whole when the run stops part-way (their items never run included), so a stopped run's time per
        // item is too short: remembered, the next run planned batches of thousands for items of microseconds (review 17 S1).
        Func<int, int> work = static x => x == 0 ? throw new InvalidOperationException("the first item fails") : Spin(3_000) ^ x;
        var key = PlanCache.KeyFor(WorkFunction<int, int>.FromSync(work, "work").Identity);
        var cached = new PlanCacheEntry
        {
            Work = "Tests.Stopped", Machine = PlanCache.Machine, Class = "CpuBound", TimePerItemNs = 5_000, CpuPerItemNs = 5_000,
            MeasuredItems = 2, Engine = "threadpool", Width = 2, BatchSize = 200, Updated = DateTimeOffset.UtcNow,
        };

        // Compiled first (a run that mostly compiled code is not remembered either), and the cached sample small, so that
        // the stopped run's own batches are what it would remember.
        var warm = Engine.CreateAuto(new AutoEngineOptions { UsePlanCache = false });
        _ = await Runner.MapAsync(Enumerable.Range(1, 2_000).ToArray(), work, new RunOptions { Engine = warm }).WaitAsync(TimeSpan.FromSeconds(30));
        var engine = Engine.CreateAuto(new AutoEngineOptions { PlanCacheDirectory = _directory });
        for (var run = 0; run < 5; run++)
        {
            new PlanCache(_directory).Put(key, cached);
            PlanCache.ResetLoaded();
            var stopped = await Runner.MapAsync(Enumerable.Range(0, 5_000).ToArray(), work,
                new RunOptions { Engine = engine, FailureMode = FailureMode.StopOnFirstFailure }).WaitAsync(TimeSpan.FromSeconds(30));
            Assert.True(stopped.Report.Failed == 1 && stopped.Report.Succeeded < 5_000, $"stopped: {stopped.Report.Failed} failed, {stopped.Report.Succeeded} ran");
            PlanCache.ResetLoaded();
            var after = new PlanCache(_directory).TryGet(key);
            Assert.NotNull(after);
            Assert.Equal(cached.TimePerItemNs, after.TimePerItemNs);
            Assert.Equal(cached.MeasuredItems, after.MeasuredItems);
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.NoInlining)]
    private static int Spin(int rounds)
    {
        var h = 2166136261u;
        for (var i = 0; i < rounds; i++)
        {
            h = (h ^ (uint)i) * 16777619u;
        }

        return (int)h;
    }

    [Fact]
    public void WorkIdentity_TwoApplicationsLambdasWithTheSameCompilerGeneratedName_DoNotShareAPlan()
    {
        // What the C# compiler emits for `x => x + 1` in two programs: <>c.<Main>b__0_0 in each, in different assemblies.
        var first = WorkFunction<int, int>.FromSync(EmitLambda("AppOne"), "work");
        var second = WorkFunction<int, int>.FromSync(EmitLambda("AppTwo"), "work");

        Assert.Equal(first.Name, second.Name);
        Assert.NotEqual(first.Identity, second.Identity);
        Assert.Contains("AppOne", first.Identity, StringComparison.Ordinal);

        // The same delegate, or another instance of the same lambda, is the same work.
        Func<int, int> square = x => x * x;
        Assert.Equal(WorkFunction<int, int>.FromSync(square, "work").Identity, WorkFunction<int, int>.FromSync(x => square(x), "work", square).Identity);
        Assert.Contains(typeof(PlanCacheTests).Module.ModuleVersionId.ToString("N"), WorkFunction<int, int>.FromSync(square, "work").Identity, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ColdRunThatMostlyCompiledCode_DoesNotTeachTheNextRunAPlan()
    {
        var engine = Engine.CreateAuto(new AutoEngineOptions { PlanCacheDirectory = _directory });
        var items = Enumerable.Range(0, 200).ToArray();

        // A big method compiled on its first call: the JIT takes far longer than the 200 cheap calls that follow.
        var work = EmitLambda("ColdStart", additions: 30_000);

        var cold = await Runner.MapAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(60));
        Assert.False(cold.Report.Plans[0].FromCache);

        // Whatever the cold run remembered comes from the work, not from compiling it: x + 1 is no blocking I/O and
        // takes nowhere near a millisecond.
        PlanCache.ResetLoaded();
        var key = PlanCache.KeyFor(WorkFunction<int, int>.FromSync(work, "work").Identity);
        if (new PlanCache(_directory).TryGet(key) is { } remembered)
        {
            Assert.True(remembered.TimePerItemNs < 1_000_000 && remembered.Class is not ("Blocking" or "Mixed" or "AsyncIo"),
                $"the cold run taught the cache {remembered.Class}, {remembered.TimePerItemNs / 1e6:0.###} ms per item (cold plan: {cold.Report.Plan})");
        }

        // The warm run's own sample is a measurement: on a machine at load 30 (four test assemblies on 2 cores) a thread
        // waiting for a core read as off the CPU once ("blocking I/O (cpu/wall 0.10)", ci119). Up to three runs, as the
        // other measuring tests do: a run that always reads x + 1 as blocking still fails.
        var plans = new List<string?>();
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var warm = await Runner.MapAsync(items, work, new RunOptions { Engine = engine }).WaitAsync(TimeSpan.FromSeconds(60));
            plans.Add(warm.Report.Plan);
            if (warm.Report.Plans[0].Class is not (WorkloadClass.Blocking or WorkloadClass.Mixed or WorkloadClass.AsyncIo))
            {
                break;
            }

            Assert.True(attempt < 2, string.Join(" | ", plans));
        }

        PlanCache.ResetLoaded();
        Assert.NotNull(new PlanCache(_directory).TryGet(key));
    }

    // An assembly of its own with a class <>c and a method <Main>b__0_0 (int -> int) that returns x + 1, with `additions`
    // operations on a branch no item takes: as long to compile as wanted, as cheap to run as x + 1.
    private static Func<int, int> EmitLambda(string assemblyName, int additions = 1)
    {
        var assembly = System.Reflection.Emit.AssemblyBuilder.DefineDynamicAssembly(new System.Reflection.AssemblyName(assemblyName), System.Reflection.Emit.AssemblyBuilderAccess.RunAndCollect);
        var module = assembly.DefineDynamicModule(assemblyName);
        var type = module.DefineType("<>c", System.Reflection.TypeAttributes.Public | System.Reflection.TypeAttributes.Sealed | System.Reflection.TypeAttributes.Abstract);
        var method = type.DefineMethod("<Main>b__0_0", System.Reflection.MethodAttributes.Public | System.Reflection.MethodAttributes.Static, typeof(int), [typeof(int)]);
        var il = method.GetILGenerator();
        var cheap = il.DefineLabel();

        // if (x != int.MinValue) return x + 1; else { a long computation the JIT compiles but no item runs }
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_0);
        il.Emit(System.Reflection.Emit.OpCodes.Ldc_I4, int.MinValue);
        il.Emit(System.Reflection.Emit.OpCodes.Bne_Un, cheap);
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_0);
        for (var i = 0; i < additions; i++)
        {
            il.Emit(System.Reflection.Emit.OpCodes.Ldc_I4, i);
            il.Emit(i % 2 == 0 ? System.Reflection.Emit.OpCodes.Add : System.Reflection.Emit.OpCodes.Xor);
        }

        il.Emit(System.Reflection.Emit.OpCodes.Ret);
        il.MarkLabel(cheap);
        il.Emit(System.Reflection.Emit.OpCodes.Ldarg_0);
        il.Emit(System.Reflection.Emit.OpCodes.Ldc_I4_1);
        il.Emit(System.Reflection.Emit.OpCodes.Add);
        il.Emit(System.Reflection.Emit.OpCodes.Ret);
        return type.CreateType().GetMethod("<Main>b__0_0")!.CreateDelegate<Func<int, int>>();
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
