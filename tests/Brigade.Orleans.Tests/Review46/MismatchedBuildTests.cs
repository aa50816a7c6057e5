using System.Reflection;
using System.Reflection.Emit;

namespace Brigade.Orleans.Tests.Review46;

/// <summary>
/// Review 46: a silo started with another build of the work assembly, whose result type keeps its name but renamed a
/// property, ran the work and its JSON crossed without an error: the caller's build read the unknown member as nothing
/// and left its own at 0 (`brigade run` exit 0, results silently wrong). Silos now compare the members of the input and
/// result types with the caller's and refuse the work, naming the members.
/// </summary>
[Collection("cluster")]
public sealed class MismatchedBuildTests(ClusterFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task ResultTypeWithARenamedMember_IsRefusedBeforeAnyItemRuns_NamingTheMembers()
    {
        // The caller's build: the same type names as the silos' (R46Score, R46Scored) but R46Scored.Points, not .Score.
        var work = EmitOtherBuild();
        var run = typeof(MismatchedBuildTests).GetMethod(nameof(RunAsync), BindingFlags.NonPublic | BindingFlags.Static)!
            .MakeGenericMethod(work.ResultType);

        var failure = await (Task<Exception?>)run.Invoke(null, [work.Work, fixture.Engine])!;

        var rejected = Assert.IsType<ClusterWorkRejectedException>(Assert.IsType<RunFailedException>(failure).InnerException);
        Assert.Equal(typeof(R46Score).FullName, rejected.WorkType);
        Assert.All(rejected.Reasons.Values, r =>
        {
            Assert.Contains($"result {typeof(R46Scored).FullName} differs between the silo and the caller", r, StringComparison.Ordinal);
            Assert.Contains($"{typeof(R46Scored).FullName}.Score: System.Int32", r, StringComparison.Ordinal);
            Assert.Contains($"{typeof(R46Scored).FullName}.Points: System.Int32", r, StringComparison.Ordinal);
        });
    }

    [Fact(Timeout = 30_000)]
    public async Task SameBuild_StillRuns()
    {
        var result = await Runner.MapAsync(Enumerable.Range(0, 20), new R46Score(), new RunOptions { Engine = fixture.Engine });

        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 2), result.Values.Select(v => v.Score));
    }

    private static async Task<Exception?> RunAsync<TOut>(IWork<int, TOut> work, ClusterEngine engine)
    {
        try
        {
            await Runner.MapAsync(Enumerable.Range(0, 20), work, new RunOptions { Engine = engine });
            return null;
        }
        catch (Exception e)
        {
            return e;
        }
    }

    private static (object Work, Type ResultType) EmitOtherBuild()
    {
        var module = AssemblyBuilder.DefineDynamicAssembly(new AssemblyName("Brigade.Orleans.Tests.OtherBuild"), AssemblyBuilderAccess.Run)
            .DefineDynamicModule("OtherBuild");
        var scored = module.DefineType(typeof(R46Scored).FullName!, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        scored.DefineDefaultConstructor(MethodAttributes.Public);
        var setId = Property(scored, "Id");
        var setPoints = Property(scored, "Points");
        var scoredType = scored.CreateType();

        var workInterface = typeof(IWork<,>).MakeGenericType(typeof(int), scoredType);
        var score = module.DefineType(typeof(R46Score).FullName!, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        score.AddInterfaceImplementation(workInterface);
        score.DefineDefaultConstructor(MethodAttributes.Public);
        var execute = score.DefineMethod("Execute", MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot, scoredType, [typeof(int)]);
        var il = execute.GetILGenerator();
        il.Emit(OpCodes.Newobj, scoredType.GetConstructor(Type.EmptyTypes)!);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Callvirt, scoredType.GetMethod(setId.Name)!);
        il.Emit(OpCodes.Dup);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Callvirt, scoredType.GetMethod(setPoints.Name)!);
        il.Emit(OpCodes.Ret);
        score.DefineMethodOverride(execute, workInterface.GetMethod("Execute")!);
        return (Activator.CreateInstance(score.CreateType())!, scoredType);
    }

    // A public int auto-property; returns its setter.
    private static MethodBuilder Property(TypeBuilder type, string name)
    {
        var field = type.DefineField("_" + name, typeof(int), FieldAttributes.Private);
        const MethodAttributes Accessor = MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig;
        var get = type.DefineMethod("get_" + name, Accessor, typeof(int), Type.EmptyTypes);
        var il = get.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        var set = type.DefineMethod("set_" + name, Accessor, null, [typeof(int)]);
        il = set.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, field);
        il.Emit(OpCodes.Ret);
        var property = type.DefineProperty(name, PropertyAttributes.None, typeof(int), null);
        property.SetGetMethod(get);
        property.SetSetMethod(set);
        return set;
    }
}

/// <summary>The silos' build of the work (the test assembly is a work assembly of the "cluster" fixture's silos).</summary>
public sealed class R46Score : IWork<int, R46Scored>
{
    public R46Scored Execute(int input) => new() { Id = input, Score = input * 2 };
}

/// <summary>The silos' build of the result type.</summary>
public sealed class R46Scored
{
    public int Id { get; set; }

    public int Score { get; set; }
}
