using System.Text;

namespace Brigade.Synchronization;

/// <summary>Formatting shared by the reports.</summary>
internal static class Text
{
    public static string At(AcquisitionSite? site, string prefix = "at ") => site is null ? "" : $" ({prefix}{site})";

    public static void AppendStack(StringBuilder text, string what, AcquisitionSite? site)
    {
        if (site?.StackTrace is { Length: > 0 } stack)
        {
            text.Append('\n').Append("  Stack of ").Append(what).Append(":\n").Append(stack.TrimEnd());
        }
    }
}
