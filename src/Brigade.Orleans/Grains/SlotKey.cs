using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Brigade.Orleans.Grains;

/// <summary>
/// The key of a worker grain: <c>{silo}/{run}/{slot}</c> (<c>{slot}.{generation}</c> once a stuck call made the slot take a new grain), where <c>{silo}</c> is the target silo's parsable address and
/// <c>{run}</c> the run's id (or <c>probe</c> for discovery), so a run's slots are its own.
/// <see cref="SlotPlacementDirector"/> reads the silo from the key, so every slot lands on the silo it was made for.
/// </summary>
internal static class SlotKey
{
    public static string Create(SiloAddress silo, string scope, int slot, int generation = 0) =>
        generation == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{silo.ToParsableString()}/{scope}/{slot}")
            : string.Create(CultureInfo.InvariantCulture, $"{silo.ToParsableString()}/{scope}/{slot}.{generation}");

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
