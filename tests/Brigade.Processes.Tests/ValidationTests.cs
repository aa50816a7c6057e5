using System.Reflection;
using System.Reflection.Emit;

namespace Brigade.Processes.Tests;

/// <summary>Work that cannot cross the boundary is refused clearly, before any item runs (and before any worker starts).</summary>
public sealed class ValidationTests
{
    private static readonly int[] Items = [1, 2, 3];

    private static async Task<(TException Error, ProcessEngineStatistics Stats)> FailsBeforeAnyItem<TException, TOut>(Func<ProcessEngine, Task<RunResult<TOut>>> run)
        where TException : Exception
    {
        await using var engine = TestEngines.Create();
        var error = await Assert.ThrowsAsync<TException>(() => run(engine));
        return (error, engine.GetStatistics());
    }

    [Fact(Timeout = 30_000)]
    public async Task Delegate_IsRefused()
    {
        var (error, stats) = await FailsBeforeAnyItem<NotSupportedException, int>(e => Runner.MapAsync(Items, x => x, TestEngines.Run(e)));
        Assert.Contains("work types, not delegates", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stats.WorkersStarted);
    }

    [Fact(Timeout = 30_000)]
    public async Task ShouldRetryDelegate_IsRefused_BeforeAnyItem()
    {
        var (error, stats) = await FailsBeforeAnyItem<NotSupportedException, long>(e =>
        {
            var options = TestEngines.Run(e);
            options.ItemRetry = new ItemRetryOptions { ShouldRetry = _ => true };
            return Runner.MapAsync(Items, new Square(), options);
        });
        Assert.Contains("ShouldRetry", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stats.WorkersStarted);
    }

    [Fact(Timeout = 30_000)]
    public async Task NonSerializableInput_IsRefused()
    {
        await using var engine = TestEngines.Create();
        var error = await Assert.ThrowsAsync<NotSupportedException>(() => Runner.MapAsync(new[] { new Unserializable() }, new TakesCallbacks(), TestEngines.Run(engine)));
        Assert.Contains("input", error.Message, StringComparison.Ordinal);
        Assert.Contains("Callback", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, engine.GetStatistics().WorkersStarted);
    }

    [Fact(Timeout = 30_000)]
    public async Task NonDeserializableResult_IsRefused()
    {
        var (error, stats) = await FailsBeforeAnyItem<NotSupportedException, NoConstructorResult>(e => Runner.MapAsync(Items, new ReturnsOpaque(), TestEngines.Run(e)));
        Assert.Contains("result", error.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(NoConstructorResult), error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stats.WorkersStarted);
    }

    [Fact(Timeout = 30_000)]
    public async Task ObjectResult_IsRefused()
    {
        var (error, _) = await FailsBeforeAnyItem<NotSupportedException, object>(e => Runner.MapAsync(Items, new ReturnsObject(), TestEngines.Run(e)));
        Assert.Contains("would not come back as their real type", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task NoParameterlessConstructor_IsRefused()
    {
        var (error, stats) = await FailsBeforeAnyItem<ArgumentException, int>(e => Runner.MapAsync(Items, new NeedsArgument(2), TestEngines.Run(e)));
        Assert.Contains("parameterless constructor", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stats.WorkersStarted);
    }

    [Fact(Timeout = 30_000)]
    public async Task GenericWorkType_IsRefused()
    {
        var (error, _) = await FailsBeforeAnyItem<ArgumentException, int>(e => Runner.MapAsync(Items, new GenericWork<int>(), TestEngines.Run(e)));
        Assert.Contains("generic", error.Message, StringComparison.Ordinal);
    }

    [Fact(Timeout = 30_000)]
    public async Task WorkTypeInAssemblyWithoutFile_IsNotFound()
    {
        var work = (IWork<int, int>)Activator.CreateInstance(EmitIdentityWork())!;
        Assert.Equal(5, work.Execute(5));

        var (error, stats) = await FailsBeforeAnyItem<ArgumentException, int>(e => Runner.MapAsync(Items, work, TestEngines.Run(e)));
        Assert.Contains("assembly without a file", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, stats.WorkersStarted);
    }

    [Fact(Timeout = 30_000)]
    public async Task WorkTypeMissingFromTheWorkersAssemblies_IsNotFound_BeforeAnyItemRuns()
    {
        await using var engine = TestEngines.Create();
        var launcher = Internal.WorkerLauncher.Resolve(engine.Options);

        // A worker started with the core library only cannot find a type of this test assembly.
        var worker = engine.Pool.Acquire(launcher, typeof(Runner).Assembly.Location, null, out _, CancellationToken.None);
        try
        {
            var error = Assert.Throws<ArgumentException>(() => worker.Prepare(1, Internal.ProcessWork.ForWorkerHost(typeof(Square)), null, Protocol.RunCulture.Current, TimeSpan.FromMilliseconds(50), false, engine.Options, CancellationToken.None));
            Assert.Contains("was not found in the assemblies this worker was started with (Brigade.dll)", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            engine.Pool.Discard(worker);
        }
    }

    [Fact(Timeout = 30_000)]
    public async Task ConstructorThatFailsInTheWorker_FailsTheRunBeforeAnyItemRuns()
    {
        await using var engine = TestEngines.Create(o => o.EnvironmentVariables["BRIGADE_TEST_IN_WORKER"] = "1");
        var calls = CountCalls.Calls;

        var error = Assert.IsType<InvalidOperationException>((await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Items, new FailsInWorker(), TestEngines.Run(engine)))).InnerException);

        Assert.Contains("this work cannot be created here", error.Message, StringComparison.Ordinal);
        Assert.Equal(calls, CountCalls.Calls);
    }

    [Fact(Timeout = 30_000)]
    public async Task WorkerHostNotFound_IsAClearError()
    {
        await using var engine = TestEngines.Create(o => o.WorkerPath = "/nonexistent/Brigade.Processes.Worker.dll");
        var error = Assert.IsType<WorkerStartException>((await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Items, new Square(), TestEngines.Run(engine)))).InnerException);
        Assert.Contains("The worker host was not found at '/nonexistent/Brigade.Processes.Worker.dll'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Options_ValidateInSetters()
    {
        var options = new ProcessEngineOptions();
        // The message names the option and the value (review 29a/29e), not the setter's parameter.
        Assert.StartsWith("ProcessEngineOptions.MaxWorkers must be at least 1 (got 0)", Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxWorkers = 0).Message, StringComparison.Ordinal);
        Assert.StartsWith("ProcessEngineOptions.ItemTimeout must be more than zero", Assert.Throws<ArgumentOutOfRangeException>(() => options.ItemTimeout = TimeSpan.Zero).Message, StringComparison.Ordinal);
        Assert.StartsWith("ProcessEngineOptions.MaxCrashesPerItem must be at least 1 (got 0)", Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxCrashesPerItem = 0).Message, StringComparison.Ordinal);
        options.ItemTimeout = Timeout.InfiniteTimeSpan; // never kill for time (review 30: not null, which has a default limit)
        Assert.Equal(Timeout.InfiniteTimeSpan, options.ItemTimeout);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxItemsPerWorker = 0);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.MaxWorkerMemoryBytes = 1024);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.StartTimeout = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.TargetBatchDuration = TimeSpan.Zero);
        Assert.Throws<ArgumentOutOfRangeException>(() => options.IdleTimeout = TimeSpan.FromSeconds(-1));
        Assert.Throws<ArgumentNullException>(() => options.EnvironmentVariables = null!);
        Assert.Equal(Environment.ProcessorCount, options.MaxWorkers);
        Assert.Equal(2, options.MaxCrashesPerItem);
    }

    // An IWork<int, int> in a dynamic assembly: a type that exists in this process but in no file a worker could load.
    private static Type EmitIdentityWork()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("Brigade.Dynamic"), AssemblyBuilderAccess.Run);
        var module = assembly.DefineDynamicModule("Brigade.Dynamic");
        var type = module.DefineType("Brigade.Dynamic.Identity", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        type.AddInterfaceImplementation(typeof(IWork<int, int>));
        type.DefineDefaultConstructor(MethodAttributes.Public);
        var execute = type.DefineMethod("Execute", MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot, typeof(int), [typeof(int)]);
        var il = execute.GetILGenerator();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ret);
        type.DefineMethodOverride(execute, typeof(IWork<int, int>).GetMethod("Execute")!);
        return type.CreateType();
    }
}
