using Orleans.Placement;

namespace Brigade.Orleans.Grains;

/// <summary>Marks a grain class as placed by <see cref="SlotPlacement"/>.</summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
internal sealed class SlotPlacementAttribute() : PlacementAttribute(SlotPlacement.Instance);
