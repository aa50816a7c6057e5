using System.Diagnostics;
using System.IO.Compression;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Brigade.Cli.Tests.Run;

/// <summary>The HTML report opened in headless Chromium (installed by .ci/run from Debian's packages).</summary>
public sealed partial class HtmlReportBrowserTests
{
    private const string Chromium = "/usr/bin/chromium";

    [Fact(Timeout = 120_000)]
    public async Task Report_InHeadlessChromium_HasALanePerWorker_ABarPerBatch_NoConsoleErrors_AndIsNotBlank()
    {
        if (!File.Exists(Chromium))
        {
            Assert.True(Environment.GetEnvironmentVariable("BRIGADE_SKIP_BROWSER_TESTS") == "1",
                "Chromium is not installed at /usr/bin/chromium (run .ci/run, or apt-get install chromium; BRIGADE_SKIP_BROWSER_TESTS=1 skips this test)");
            return;
        }

        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(1, 12).Select(i => i.ToString()));
        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--exec", "sleep 0.05; echo {}", "-o", dir.File("out.txt"), "-e", "threads", "-j", "3",
            "--report", dir.File("report.html"), "--trace", dir.File("trace.json"), "-q");
        Assert.True(code == 0, stderr);

        using var trace = JsonDocument.Parse(await File.ReadAllTextAsync(dir.File("trace.json")));
        var events = trace.RootElement.GetProperty("traceEvents").EnumerateArray().ToList();
        var batches = events.Count(e => e.GetProperty("ph").GetString() == "X");
        var workers = events.Where(e => e.GetProperty("ph").GetString() == "X").Select(e => e.GetProperty("tid").GetInt32()).Distinct().Count();

        // One browser start for both: the DOM after the page's scripts ran, and a screenshot of the same page (a start is
        // seconds of the test on a loaded machine).
        var png = dir.File("shot.png");
        var (dom, log) = await ChromiumAsync(dir, "--dump-dom", $"--screenshot={png}", "--window-size=1280,900", $"file://{dir.File("report.html")}");
        Assert.Equal(workers, LaneRegex().Count(dom));
        Assert.Equal(batches, BarRegex().Count(dom));
        // Three threads at most (the threads engine, -j 3; auto mode would add a lane for each worker a re-plan starts), and
        // at least two of them ran commands (the third may start after the others have taken every line, on a loaded machine).
        Assert.InRange(workers, 2, 3);
        Assert.DoesNotMatch(ConsoleErrorRegex(), log);
        Assert.True(File.Exists(png), "no screenshot was written");
        Assert.True(NonWhiteFraction(await File.ReadAllBytesAsync(png)) > 0.01, "the screenshot is blank");
    }

    private static async Task<(string Stdout, string Stderr)> ChromiumAsync(TempDirectory dir, params string[] args)
    {
        var psi = new ProcessStartInfo(Chromium) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var flag in new[]
        {
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--enable-logging=stderr", "--v=0", $"--user-data-dir={dir.File("chromium-profile")}",
        })
        {
            psi.ArgumentList.Add(flag);
        }

        foreach (var a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await p.WaitForExitAsync(timeout.Token);
        return (await stdout, await stderr);
    }

    /// <summary>Decodes a PNG's pixel data (any filter) and returns the fraction of bytes that are not white.</summary>
    private static double NonWhiteFraction(byte[] png)
    {
        using var idat = new MemoryStream();
        var pos = 8;
        while (pos < png.Length)
        {
            var length = (png[pos] << 24) | (png[pos + 1] << 16) | (png[pos + 2] << 8) | png[pos + 3];
            var type = System.Text.Encoding.ASCII.GetString(png, pos + 4, 4);
            if (type == "IDAT")
            {
                idat.Write(png, pos + 8, length);
            }

            pos += 12 + length;
        }

        idat.Position = 0;
        using var z = new ZLibStream(idat, CompressionMode.Decompress);
        using var raw = new MemoryStream();
        z.CopyTo(raw);
        var bytes = raw.ToArray();
        return bytes.Count(b => b != 0xFF && b != 0x00) / (double)Math.Max(1, bytes.Length);
    }

    [GeneratedRegex("<g class=\"lane\"")]
    private static partial Regex LaneRegex();

    [GeneratedRegex("<rect class=\"bar[ \"]")]
    private static partial Regex BarRegex();

    [GeneratedRegex(@"CONSOLE.*(Uncaught|Error|error)")]
    private static partial Regex ConsoleErrorRegex();
}
