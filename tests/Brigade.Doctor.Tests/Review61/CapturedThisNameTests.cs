using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review61;

/// <summary>
/// Review 61 (/tmp/doctor61-progs waitall: <c>Task.WaitAll</c> under <c>lock (this)</c> for tasks that take it): the lock was
/// named "Shop.Inventory (captured variable '&lt;&gt;4__this' in Shop.Inventory)", the compiler's field for a lambda's captured
/// <c>this</c>, a name the program does not have. Checked on that program's report (after: "this, captured by a lambda in
/// Shop.Inventory"); the wording is tested here, in process.
/// </summary>
public sealed class CapturedThisNameTests
{
    [Fact]
    public void ALambdasCapturedThis_IsNamedThis()
    {
        // Before this change the name was "captured variable '<>4__this' in Shop.Inventory".
        Assert.Equal("this, captured by a lambda in Shop.Inventory", HolderFinder.CapturedName("<>4__this", "Shop.Inventory"));
    }

    [Fact]
    public void AnyOtherCapturedVariable_KeepsItsName()
    {
        Assert.Equal("captured variable 'ledger' in Shop.Program", HolderFinder.CapturedName("ledger", "Shop.Program"));
    }
}
