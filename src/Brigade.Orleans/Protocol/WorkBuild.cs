namespace Brigade.Orleans.Protocol;

/// <summary>
/// Which build of a work type's code runs: its assembly's name and version, and its module's MVID (a new one for every
/// compilation that changes the code; a deterministic build of the same source keeps it). Two silos whose work types agree
/// on names and wire shape (<see cref="WorkShape"/>) may still run different code: a changed method body, a fixed bug.
/// Before review 59 such a silo ran its share of the items with its own code and nothing said so.
/// </summary>
internal static class WorkBuild
{
    /// <summary>Describes the build of <paramref name="type"/>'s code: <c>MyWork 1.0.0.0, MVID 0f8fad5b-...</c>; null when the module has none to give.</summary>
    public static string? Of(Type type)
    {
        ArgumentNullException.ThrowIfNull(type);
        var assembly = type.Assembly;
        try
        {
            return $"{assembly.GetName().Name} {assembly.GetName().Version}, MVID {type.Module.ModuleVersionId}";
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException)
        {
            // A module that cannot say (some dynamic ones): nothing to compare.
            return null;
        }
    }

    /// <summary>Whether two descriptions name different builds; false when either side did not say (an older peer).</summary>
    public static bool Differ(string? silo, string? caller) =>
        silo is not null && caller is not null && !string.Equals(silo, caller, StringComparison.Ordinal);

    /// <summary>The short form of a description for a plan line: the assembly and version, and the MVID's first 8 digits.</summary>
    public static string Short(string build)
    {
        var at = build.LastIndexOf("MVID ", StringComparison.Ordinal);
        return at < 0 || build.Length < at + 13 ? build : build[..(at + 13)];
    }

    /// <summary>The shared reason text for a silo that runs another build.</summary>
    public static string Describe(string workType, string silo, string caller) =>
        $"work type {workType} runs another build of its code on the silo ({Short(silo)} there, {Short(caller)} here): the same names and members, different code";
}
