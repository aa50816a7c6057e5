using Brigade.Reporting;

namespace Brigade.Workloads;

/// <summary>One configuration's forecast speedup beside its measured one.</summary>
/// <param name="Label">Such as <c>auto</c> or <c>threads ×64</c>.</param>
/// <param name="Forecast">The forecast (for auto: of the items after the sample).</param>
/// <param name="Speedup">The forecast speedup of the whole job.</param>
/// <param name="Measured">The speedup the median run measured: the items' own time in it over its wall time (<see cref="ForecastComparison.Measured"/>).</param>
/// <param name="Cost">The engine's cost the forecast used.</param>
internal sealed record ForecastRow(string Label, SpeedupForecast Forecast, double Speedup, double Measured, EngineCost Cost)
{
    /// <summary>Gets the forecast's error relative to the measured speedup: 0.1 is 10% above.</summary>
    public double Error => Measured > 0 ? (Speedup / Measured) - 1 : double.PositiveInfinity;

    /// <summary>Gets the median run's wall time (the measured speedup's denominator).</summary>
    public TimeSpan MeasuredWall { get; init; }

    /// <summary>Gets the forecast's estimate of the items' one-at-a-time time over the baseline's (the speedups'
    /// numerators): 1.1 is an estimate 10% high. With <see cref="WallRatio"/>, the two factors of the error:
    /// forecast / measured = <see cref="SequentialRatio"/> × <see cref="WallRatio"/>.</summary>
    public double SequentialRatio => Measured > 0 && MeasuredWall > TimeSpan.Zero
        ? Speedup * Forecast.WallTime.TotalSeconds / (Measured * MeasuredWall.TotalSeconds)
        : double.NaN;

    /// <summary>Gets the measured wall time over the forecast one: 1.1 is a run 10% longer than forecast.</summary>
    public double WallRatio => Forecast.WallTime > TimeSpan.Zero ? MeasuredWall / Forecast.WallTime : double.NaN;
}
