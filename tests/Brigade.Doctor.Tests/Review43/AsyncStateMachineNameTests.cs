using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review43;

/// <summary>Review 43: async lambdas and local functions are async flows too. Their state machines are named
/// <c>&lt;&lt;Main&gt;b__0_0&gt;d</c> and <c>&lt;&lt;Main&gt;g__Local|0_0&gt;d</c> (no <c>d__N</c>), the same in Debug
/// (classes) and Release (structs), as the C# compiler of .NET 10 emits them (checked on a program built both ways).</summary>
public sealed class AsyncStateMachineNameTests
{
    [Theory]
    [InlineData("Shop.Orders+<SaveAsync>d__12")]
    [InlineData("Shop.Orders+<>c+<<Main>b__0_0>d")]
    [InlineData("Shop.Orders+<>c__DisplayClass1_0+<<Run>b__1>d")]
    [InlineData("Shop.Orders+<>c__DisplayClass1_0+<<Run>g__ReadUnderLockAsync|0>d")]
    [InlineData("Shop.Orders+<<Main>g__Local|0_0>d")]
    [InlineData("Shop.Orders`1+<>c+<<Run>b__3_0>d")]
    [InlineData("Shop.Orders+VB$StateMachine_3_SaveAsync")]
    public void StateMachineNames_OfMethodsLambdasLocalFunctionsAndVisualBasic_AreRecognized(string typeName)
    {
        Assert.True(AsyncStateMachines.IsStateMachine(typeName));
        Assert.True(AsyncStateMachines.IsMoveNext($"{typeName}.MoveNext"));
    }

    // Reports named an async lambda's flow by its state machine's type ("Shop.Orders+<>c+<<Main>b__0_0>d").
    [Theory]
    [InlineData("Shop.Orders+<>c+<<Main>b__0_0>d", "Shop.Orders.Main (async lambda)")]
    [InlineData("Shop.Orders+<>c__DisplayClass1_0+<<Run>b__1>d", "Shop.Orders.Run (async lambda)")]
    [InlineData("Shop.Orders+<>c__DisplayClass1_0+<<Run>g__ReadUnderLockAsync|0>d", "Shop.Orders.Run (local function ReadUnderLockAsync)")]
    [InlineData("Shop.Orders+<<Main>g__Local|0_0>d", "Shop.Orders.Main (local function Local)")]
    [InlineData("Shop.Sales+Orders+<>c+<<Run>b__3_0>d", "Shop.Sales.Orders.Run (async lambda)")]
    [InlineData("Shop.Orders+<SaveAsync>d__12", null)]
    [InlineData("Shop.Orders+<>c", null)]
    public void LambdasAndLocalFunctions_AreNamedAfterTheirMethod(string typeName, string? expected) =>
        Assert.Equal(expected, AsyncStateMachines.LambdaOrLocalName(typeName));

    [Theory]
    [InlineData("Shop.Orders+<>c")]
    [InlineData("Shop.Orders+<>c__DisplayClass1_0")]
    [InlineData("Shop.Orders+<Items>e__FixedBuffer")]
    [InlineData("Shop.Orders+<GetItems>d")]
    public void OtherCompilerGeneratedTypes_AreNot(string typeName) => Assert.False(AsyncStateMachines.IsStateMachine(typeName));

    [Fact]
    public void AThreadInIoInsideAnAsyncLocalFunction_RunsAnAsyncMethod()
    {
        // Before: only `>d__` names counted, so a dedicated thread blocked in a synchronous read inside an async lambda or
        // local function (holding what it awaited before) did not count as a running flow, and an async hang could be
        // called on a process where that thread will still release its slot.
        var site = new DiagnosedFrame("Shop.Orders+<>c__DisplayClass1_0+<<Run>g__ReadUnderLockAsync|0>d.MoveNext", "Orders.cs", 12, isFramework: false);
        var thread = new DiagnosedThread(4, 4242, "reader", isThreadPoolWorker: false, isIdle: false,
            new ThreadWait(WaitKind.IO, "Stream.Read", target: null, [], task: null, detail: null, site),
            [new DiagnosedFrame("System.IO.Stream.Read", null, null, isFramework: true), site]);
        Assert.True(AsyncFindings.RunsAsyncMethod(thread));
    }
}
