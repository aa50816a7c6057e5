using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Brigade.Orleans.Grains;

/// <summary>
/// The key of a worker grain: <c>{silo}/{engine}/{slot}</c>, where <c>{silo}</c> is the target silo's parsable address.
/// <see cref="SlotPlacementDirector"/> reads the silo from the key, so every slot lands on the silo it was made for.
/// </summary>
internal static class SlotKey
{
    public static string Create(SiloAddress silo, string engineId, int slot) =>
        string.Create(CultureInfo.InvariantCulture, $"{silo.ToParsableString()}/{engineId}/{slot}");

    public static bool TryGetSilo(string key, [NotNullWhen(true)] out SiloAddress? silo)
    {
        silo = null;
        var end = key.IndexOf('/', StringComparison.Ordinal);
        if (end <= 0)
        {
            return false;
        }

        try
        {
            silo = SiloAddress.FromParsableString(key[..end]);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
