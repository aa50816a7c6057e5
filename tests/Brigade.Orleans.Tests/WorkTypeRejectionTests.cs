using System.Reflection;
using System.Reflection.Emit;

namespace Brigade.Orleans.Tests;

[Collection("cluster")]
public sealed class WorkTypeRejectionTests(ClusterFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task UnknownWorkType_IsRejectedBeforeAnyItemRuns()
    {
        // A valid work type defined outside the silos' work assemblies (the test assembly): a dynamic assembly.
        var work = EmitEchoWork();
        var taken = 0;

        var error = Assert.IsType<ClusterWorkRejectedException>((await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(
            Enumerable.Range(0, 100).Select(i => { Interlocked.Increment(ref taken); return i; }),
            work,
            new RunOptions { Engine = fixture.Engine }))).InnerException);

        Assert.Equal(0, taken);
        Assert.Equal("Unknown.EchoWork", error.WorkType);
        Assert.Equal(2, error.Reasons.Count);
        Assert.All(error.Reasons.Values, r => Assert.Contains("not defined in the silo's work assemblies", r, StringComparison.Ordinal));
        Assert.Contains("No silo accepts work type Unknown.EchoWork", error.Message, StringComparison.Ordinal);
        Assert.Contains("Brigade.Orleans.Tests", error.Message, StringComparison.Ordinal);
    }

    private static IWork<int, int> EmitEchoWork()
    {
        var assembly = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("Brigade.Orleans.Tests.Unknown"), AssemblyBuilderAccess.Run);
        var type = assembly.DefineDynamicModule("Unknown").DefineType("Unknown.EchoWork", TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        type.AddInterfaceImplementation(typeof(IWork<int, int>));
        type.DefineDefaultConstructor(MethodAttributes.Public);
        var execute = type.DefineMethod("Execute", MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot, typeof(int), [typeof(int)]);
        var il = execute.GetILGenerator();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ret);
        type.DefineMethodOverride(execute, typeof(IWork<int, int>).GetMethod(nameof(IWork<int, int>.Execute))!);
        return (IWork<int, int>)Activator.CreateInstance(type.CreateType())!;
    }
}
