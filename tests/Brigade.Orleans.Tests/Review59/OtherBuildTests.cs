using System.Reflection;
using System.Reflection.Emit;

namespace Brigade.Orleans.Tests.Review59;

/// <summary>
/// Review 59: a silo started with another build of the work assembly, whose types keep their names and members but whose
/// code differs, ran its share of the items with its own code, and nothing said so (the wire-shape check of review 46
/// passes it by design, for rolling upgrades). The caller now sends its build (assembly, version, module MVID); a silo
/// of another build is named in the run's plan and log, and left out when <see cref="ClusterEngineOptions.SameBuildOnly"/>
/// asks. Uses the "cluster" fixture's silos: 20 items, no silo of its own.
/// </summary>
[Collection("cluster")]
public sealed class OtherBuildTests(ClusterFixture fixture)
{
    [Fact(Timeout = 60_000)]
    public async Task SameNamesAndMembers_OtherCode_RunsButThePlanSaysSo()
    {
        var work = EmitOtherBuild();

        var result = await Runner.MapAsync(Enumerable.Range(0, 20), work, new RunOptions { Engine = fixture.Engine });

        // The silos ran their own code (×2), not the caller's (×3): what the plan now says.
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 2), result.Values);
        Assert.Contains("; another build: ", result.Report.Plan, StringComparison.Ordinal);
        Assert.Contains($"work type {typeof(R59Double).FullName} runs another build of its code on the silo (Brigade.Orleans.Tests ", result.Report.Plan, StringComparison.Ordinal);
        Assert.Contains("here): the same names and members, different code", result.Report.Plan, StringComparison.Ordinal);
    }

    [Fact(Timeout = 60_000)]
    public async Task SameBuildOnly_LeavesOtherBuildsOut_BeforeAnyItemRuns()
    {
        var engine = await ClusterEngine.ConnectAsync(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 1, SameBuildOnly = true });
        var work = EmitOtherBuild();

        var failure = await Assert.ThrowsAsync<RunFailedException>(() => Runner.MapAsync(Enumerable.Range(0, 20), work, new RunOptions { Engine = engine }));

        var rejected = Assert.IsType<ClusterWorkRejectedException>(failure.InnerException);
        Assert.Equal(0, failure.Report.Succeeded);
        Assert.Equal(20, failure.Report.NotRun);
        Assert.NotEmpty(rejected.Reasons);
        Assert.All(rejected.Reasons.Values, r => Assert.Contains("runs another build of its code on the silo", r, StringComparison.Ordinal));
    }

    [Fact(Timeout = 60_000)]
    public async Task TheSameBuild_SaysNothingOfBuilds_EvenWithSameBuildOnly()
    {
        var engine = await ClusterEngine.ConnectAsync(fixture.Cluster.Client, new ClusterEngineOptions { WorkersPerSilo = 1, SameBuildOnly = true });

        var result = await Runner.MapAsync(Enumerable.Range(0, 20), new R59Double(), new RunOptions { Engine = engine });

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 2), result.Values);
        Assert.DoesNotContain("another build", result.Report.Plan, StringComparison.Ordinal);
    }

    // The caller's build: R59Double by name, IWork<int, int> as on the silos, but it triples.
    private static IWork<int, int> EmitOtherBuild()
    {
        var module = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("Brigade.Orleans.Tests.R59OtherBuild"), AssemblyBuilderAccess.Run)
            .DefineDynamicModule("R59OtherBuild");
        var type = module.DefineType(typeof(R59Double).FullName!, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        type.AddInterfaceImplementation(typeof(IWork<int, int>));
        type.DefineDefaultConstructor(MethodAttributes.Public);
        var execute = type.DefineMethod("Execute", MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot, typeof(int), [typeof(int)]);
        var il = execute.GetILGenerator();
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Ldc_I4_3);
        il.Emit(OpCodes.Mul);
        il.Emit(OpCodes.Ret);
        type.DefineMethodOverride(execute, typeof(IWork<int, int>).GetMethod("Execute")!);
        return (IWork<int, int>)Activator.CreateInstance(type.CreateType())!;
    }
}

/// <summary>The silos' build of the work (the test assembly is a work assembly of the "cluster" fixture's silos).</summary>
public sealed class R59Double : IWork<int, int>
{
    public int Execute(int input) => input * 2;
}
