using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review54;

/// <summary>Review 54: an object held by a static field and also in a static collection took whichever name the walk of the
/// statics met first; the field's name is what the code that locks it writes.</summary>
public sealed class StaticNamesTests
{
    [Fact]
    public void AnObjectInAStaticFieldAndInAStaticArray_IsNamedByTheField()
    {
        var direct = new Dictionary<ulong, string> { [0x10] = "static field Shop.Store.Gate", [0x30] = "static field Shop.Store.Stripes" };
        var elements = new Dictionary<ulong, string> { [0x10] = "static field Shop.Store.Stripes[0]", [0x20] = "static field Shop.Store.Stripes[1]" };

        var names = HolderFinder.PreferDirect(direct, elements);

        // Failed before (one dictionary, TryAdd in walk order): Stripes came first, so the gate read "Stripes[0]".
        Assert.Equal("static field Shop.Store.Gate", names[0x10]);
        Assert.Equal("static field Shop.Store.Stripes[1]", names[0x20]);
        Assert.Equal("static field Shop.Store.Stripes", names[0x30]);
    }
}
