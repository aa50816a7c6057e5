using System.Globalization;

namespace Brigade.Reporting;

/// <content>The "why not faster" section: one bar adding up to 100% of the ideal, useful time first, then each cause.</content>
public static partial class HtmlReport
{
    internal static readonly Dictionary<LossCause, string> LossColors = new()
    {
        [LossCause.StartUp] = "#90a4ae",
        [LossCause.Imbalance] = "#ef6c00",
        [LossCause.Overhead] = "#8e24aa",
        [LossCause.WaitingForCore] = "#c62828",
        [LossCause.GcPauses] = "#6d4c41",
        [LossCause.LockContention] = "#1565c0",
        [LossCause.Blocking] = "#00838f",
        [LossCause.Unexplained] = "#e0e0e0",
        [LossCause.WidthChange] = "#7cb342",
        [LossCause.InputEnd] = "#fbc02d",
        [LossCause.SharedResource] = "#5d4037",
    };

    private static void WriteLosses(Html w, RunReport run)
    {
        var losses = run.Losses;
        if (losses.Ideal <= TimeSpan.Zero)
        {
            return;
        }

        var inv = CultureInfo.InvariantCulture;
        w.Raw("<h3>Why not faster</h3>");
        w.Raw("<p>").Text(string.Create(inv, $"{losses.Efficiency * 100:0}% of the ideal ({losses.Width} workers × {run.WallTime.TotalSeconds:0.000} s) was the items' own work; the rest of the bar is the time lost, by cause.")).Raw("</p>");

        // Shares of the ideal: useful plus the causes (a negative unexplained rest is drawn as zero width).
        var segments = new List<(string Class, string Color, double Share, string Title)>
        {
            ("useful", "#2e7d32", Share(losses.Useful, losses.Ideal), string.Create(inv, $"useful {Share(losses.Useful, losses.Ideal) * 100:0.0}%")),
        };
        foreach (var c in losses.Causes)
        {
            var share = Share(c.Time, losses.Ideal);
            segments.Add((c.Cause.ToString(), LossColors[c.Cause], share, string.Create(inv, $"{LossText.Name(c.Cause)} {share * 100:0.0}%: {c.Description}")));
        }

        w.Raw("<div class=\"losses\">");
        foreach (var s in segments)
        {
            w.Raw(string.Create(inv, $"<div class=\"loss {s.Class}\" data-share=\"{s.Share:0.####}\" style=\"width:{s.Share * 100:0.###}%;background:{s.Color}\" title=\"")).Text(s.Title).Raw("\"></div>");
        }

        w.Raw("</div><ul class=\"causes\">");
        foreach (var s in segments)
        {
            w.Raw($"<li><span class=\"sw\" style=\"background:{s.Color}\"></span>").Text(s.Title).Raw("</li>");
        }

        w.Raw("</ul>");
        foreach (var a in losses.Advice)
        {
            w.Raw("<p class=\"advice\">").Text(a).Raw("</p>");
        }
    }

    private static double Share(TimeSpan part, TimeSpan whole) => Math.Max(0, part / whole);
}
