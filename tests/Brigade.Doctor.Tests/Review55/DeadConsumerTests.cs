using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review55;

/// <summary>Review 55: a producer on a full <c>BlockingCollection</c> whose consumer task threw read "no thread is taking from
/// it" and nothing of why, while a bounded channel's dead reader is named with its exception. Now the faulted tasks whose code
/// uses a collection of its type are named the same way (the heap side was checked on a hung program, /tmp/doctor55-hang: the
/// wording is what is tested here, in process).</summary>
public sealed class DeadConsumerTests
{
    private const string Full = "full: 2 items, its bounded capacity 2; " + RuntimeReader.NoTaker;

    [Fact]
    public void AConsumerTaskThatThrew_IsNamedWithItsException_AfterNoTaker()
    {
        var detail = RuntimeReader.WithDeadConsumers(Full, ["a task running Program.<Main>$ (lambda) threw InvalidDataException: bad item 1"]);

        // Failed before (no such step: the detail stayed Full).
        Assert.Equal(Full + "; a task whose code uses a collection of this type ended with an exception (a task running Program.<Main>$ (lambda) threw InvalidDataException: bad item 1)", detail);
        Assert.Contains(RuntimeReader.NoTaker, detail, StringComparison.Ordinal);
    }

    [Fact]
    public void NoFaultedTaskReferringToIt_LeavesTheDetailAsItWas()
    {
        Assert.Equal(Full, RuntimeReader.WithDeadConsumers(Full, []));
    }

    [Fact]
    public void ManyFaultedConsumers_NameThreeAndCountTheRest()
    {
        var detail = RuntimeReader.WithDeadConsumers(Full, ["A threw X", "B threw X", "C threw X", "D threw X", "E threw X"]);

        Assert.EndsWith("(A threw X; B threw X; C threw X; and 2 more)", detail, StringComparison.Ordinal);
    }
}
