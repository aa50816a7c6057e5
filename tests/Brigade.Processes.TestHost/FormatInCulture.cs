using System.Globalization;

namespace Brigade.Processes.TestHost;

/// <summary>Formats a number in the current culture and names both cultures (review 46: a worker runs under the caller's).</summary>
internal sealed class FormatInCulture : IWork<double, string>
{
    public string Execute(double input) =>
        $"{input.ToString("#,##0.##", CultureInfo.CurrentCulture)} {CultureInfo.CurrentCulture.Name} {CultureInfo.CurrentUICulture.Name}";
}
