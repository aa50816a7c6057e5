using Brigade.Cli.Commands;

namespace Brigade.Cli.Tests.Review50;

/// <summary>
/// Review 50: <c>brigade advise</c> on a work type whose items are tiny (auto plans sequential, which forecasts no speedup)
/// printed the "Forecast speedup" table with no rows, and its legend. It now says in one line that there is no forecast.
/// </summary>
public sealed class AdviseEmptyForecastTests
{
    [Fact]
    public void NoForecastRows_OneLineSaysSo_NoEmptyTable()
    {
        using var text = new StringWriter();
        var console = DemoCommand.CreateConsole(text);

        // Failed before (as the inline code): the table's header and the legend, no row.
        AdviseCommand.WriteForecast(console, [], []);

        var output = text.ToString();
        Assert.Contains("forecast: none", output, StringComparison.Ordinal);
        Assert.DoesNotContain("Forecast speedup", output, StringComparison.Ordinal);
        Assert.DoesNotContain("speedup: forecast from auto's sample", output, StringComparison.Ordinal);
    }
}
