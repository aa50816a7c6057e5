using System.Collections;
using System.Reflection;
using System.Reflection.Emit;

namespace Brigade.Orleans.Tests.Review48;

/// <summary>
/// Review 48: a rolling upgrade restarts silos one at a time with a rebuilt work assembly while the others, and the
/// caller, still have the old one. A rebuild whose wire shape is the same must be accepted whatever its assembly version;
/// before, the full name of a generic input or result type (<c>List&lt;R48Count&gt;</c>) carried its arguments' assembly
/// version, so a version bump alone refused the run. A changed shape is still refused, naming the member.
/// (The caller's build is emitted: same type names, assembly Brigade.Orleans.Tests at another version.)
/// </summary>
[Collection("cluster")]
public sealed class RollingUpgradeTests(ClusterFixture fixture)
{
    [Fact(Timeout = 30_000)]
    public async Task AnAssemblyVersionBump_WithTheSameShape_IsAccepted_AndItsResultsCross()
    {
        var (work, resultType) = EmitCallerBuild(countType: typeof(int));

        var (values, failure) = await RunAsync(work, resultType);

        Assert.Null(failure);
        Assert.Equal(Enumerable.Range(0, 20).Select(i => i * 3), values!.Select(v => (int)Count(v)));
    }

    [Fact(Timeout = 30_000)]
    public async Task AChangedMemberType_IsRefused_NamingTheMemberAndBothTypes()
    {
        var (work, resultType) = EmitCallerBuild(countType: typeof(long));

        var (_, failure) = await RunAsync(work, resultType);

        var rejected = Assert.IsType<ClusterWorkRejectedException>(Assert.IsType<RunFailedException>(failure).InnerException);
        Assert.All(rejected.Reasons.Values, r => Assert.Contains(
            $"{typeof(R48Count).FullName}.Count: System.Int32 on the silo, System.Int64 on the caller", r, StringComparison.Ordinal));
    }

    private static object Count(object list) => ((IList)list)[0]!.GetType().GetProperty(nameof(R48Count.Count))!.GetValue(((IList)list)[0])!;

    private async Task<(IReadOnlyList<object>? Values, Exception? Failure)> RunAsync(object work, Type resultType)
    {
        var run = typeof(RollingUpgradeTests).GetMethod(nameof(RunTypedAsync), BindingFlags.NonPublic | BindingFlags.Static)!.MakeGenericMethod(resultType);
        return await (Task<(IReadOnlyList<object>?, Exception?)>)run.Invoke(null, [work, fixture.Engine])!;
    }

    private static async Task<(IReadOnlyList<object>?, Exception?)> RunTypedAsync<TOut>(IWork<int, TOut> work, ClusterEngine engine)
    {
        try
        {
            var result = await Runner.MapAsync(Enumerable.Range(0, 20), work, new RunOptions { Engine = engine });
            return ([.. result.Values.Cast<object>()], null);
        }
        catch (Exception e)
        {
            return (null, e);
        }
    }

    // The caller's build: R48Tally returning List<R48Count>, in an assembly of the test assembly's name at another version.
    private static (object Work, Type ResultType) EmitCallerBuild(Type countType)
    {
        var name = new AssemblyName(typeof(R48Count).Assembly.GetName().Name!) { Version = new Version(48, 1, 0, 0) };
        var module = AssemblyBuilder.DefineDynamicAssembly(name, AssemblyBuilderAccess.Run).DefineDynamicModule(name.Name!);
        var count = module.DefineType(typeof(R48Count).FullName!, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        count.DefineDefaultConstructor(MethodAttributes.Public);
        Property(count, nameof(R48Count.Id), typeof(int));
        Property(count, nameof(R48Count.Count), countType);
        var resultType = typeof(List<>).MakeGenericType(count.CreateType());

        var workInterface = typeof(IWork<,>).MakeGenericType(typeof(int), resultType);
        var tally = module.DefineType(typeof(R48Tally).FullName!, TypeAttributes.Public | TypeAttributes.Sealed | TypeAttributes.Class);
        tally.AddInterfaceImplementation(workInterface);
        tally.DefineDefaultConstructor(MethodAttributes.Public);
        var execute = tally.DefineMethod("Execute", MethodAttributes.Public | MethodAttributes.Virtual | MethodAttributes.Final | MethodAttributes.HideBySig | MethodAttributes.NewSlot, resultType, [typeof(int)]);
        var il = execute.GetILGenerator();
        il.Emit(OpCodes.Ldnull); // the caller never runs it: the silos do
        il.Emit(OpCodes.Ret);
        tally.DefineMethodOverride(execute, workInterface.GetMethod("Execute")!);
        return (Activator.CreateInstance(tally.CreateType())!, resultType);
    }

    private static void Property(TypeBuilder type, string name, Type propertyType)
    {
        var field = type.DefineField("_" + name, propertyType, FieldAttributes.Private);
        const MethodAttributes Accessor = MethodAttributes.Public | MethodAttributes.SpecialName | MethodAttributes.HideBySig;
        var get = type.DefineMethod("get_" + name, Accessor, propertyType, Type.EmptyTypes);
        var il = get.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldfld, field);
        il.Emit(OpCodes.Ret);
        var set = type.DefineMethod("set_" + name, Accessor, null, [propertyType]);
        il = set.GetILGenerator();
        il.Emit(OpCodes.Ldarg_0);
        il.Emit(OpCodes.Ldarg_1);
        il.Emit(OpCodes.Stfld, field);
        il.Emit(OpCodes.Ret);
        var property = type.DefineProperty(name, PropertyAttributes.None, propertyType, null);
        property.SetGetMethod(get);
        property.SetSetMethod(set);
    }
}

/// <summary>The silos' build of the work: a generic result type, whose full name carries its argument's assembly version.</summary>
public sealed class R48Tally : IWork<int, List<R48Count>>
{
    public List<R48Count> Execute(int input) => [new() { Id = input, Count = input * 3 }];
}

/// <summary>The silos' build of the result's element type.</summary>
public sealed class R48Count
{
    public int Id { get; set; }

    public int Count { get; set; }
}
