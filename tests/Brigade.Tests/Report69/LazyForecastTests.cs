using Brigade.Reporting;

namespace Brigade.Tests.Report69;

// Review 69: the run's one-line summary computes the losses for its speedup (report69), and the losses made their forecast
// at once, which for a run forecast to last a second or more reads every other process's threads five times (autotail69:
// up to a second on a busy machine). The forecast is now made when first read, once.
public sealed class LazyForecastTests
{
    [Fact]
    public void Forecast_IsMadeWhenFirstRead_AndOnlyOnce()
    {
        var made = 0;
        var losses = new RunLosses { Width = 2, Ideal = TimeSpan.FromSeconds(2), Useful = TimeSpan.FromSeconds(1), ForecastWhenRead = () => { made++; return null; } };

        Assert.Equal(0, made);
        _ = losses.Speedup;
        _ = losses.Causes;
        Assert.Equal(0, made);

        Assert.Null(losses.Forecast);
        Assert.Null(losses.Forecast);
        Assert.Equal(1, made);
    }

    [Fact]
    public void Forecast_GivenAsAValue_IsThatValue()
    {
        var losses = new RunLosses { Width = 1, Ideal = TimeSpan.FromSeconds(1), Useful = TimeSpan.FromSeconds(1), Forecast = null };

        Assert.Null(losses.Forecast);
    }
}
