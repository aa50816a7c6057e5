
namespace Brigade.Orleans.Grains;

/// <summary>Places a worker grain on the silo its key names (see <see cref="SlotKey"/>).</summary>
[GenerateSerializer, Immutable, Alias("brigade.slot-placement.v1")]
internal sealed class SlotPlacement : PlacementStrategy
{
    public static SlotPlacement Instance { get; } = new();
}
