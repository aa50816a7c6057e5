using Brigade.Doctor.Analysis;

namespace Brigade.Doctor.Tests.Review51;

/// <summary>
/// Review 51: a kernel event held in a local was named "the handle of System.Threading.ManualResetEvent a local of P.Main"
/// (review 50's naming, no comma before the holder); the field and captured-variable forms read right and stay.
/// </summary>
public sealed class AnalysisHandleNameTests
{
    [Fact]
    public void AHandleInALocal_IsSetOffByAComma()
    {
        // Failed before (as the inline format): "… ManualResetEvent a local of P.Main".
        Assert.Equal("the handle of System.Threading.ManualResetEvent, a local of P.Main", HolderFinder.HandleOf("System.Threading.ManualResetEvent", "a local of P.Main"));
    }

    [Theory]
    [InlineData("captured variable 'ready' in Shop")]
    [InlineData("field Shop._ready")]
    public void OtherHolders_KeepTheirForm(string holder)
    {
        Assert.Equal($"the handle of System.Threading.ManualResetEvent {holder}", HolderFinder.HandleOf("System.Threading.ManualResetEvent", holder));
    }
}
