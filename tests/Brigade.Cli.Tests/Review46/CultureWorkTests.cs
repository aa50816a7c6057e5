using System.Globalization;

namespace Brigade.Cli.Tests.Review46;

/// <summary>
/// Users' work loaded by <c>brigade run --assembly</c> (and <c>brigade silo</c>) ran under the CLI's invariant
/// globalization: a work type that formats with a named culture failed every item with CultureNotFoundException (a
/// Humanizer-based work type did, review 46), though the same code runs in the user's own application and in Brigade's
/// worker processes. The CLI now runs with the machine's globalization, as the worker host does.
/// </summary>
public sealed class CultureWorkTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("threads")]
    [InlineData("processes")]
    public async Task Run_WorkFormattingWithANamedCulture_Succeeds(string engine)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["de-DE", "en-US"]);

        // The real executable with its own runtimeconfig (the test host itself runs invariant, as the repository's
        // executables do, and in-process the CLI and its workers would inherit that).
        using var brigade = CliProcess.Start(dir.Path, "run", dir.File("in.txt"), "--assembly", typeof(FormatInCultureWork).Assembly.Location,
            "--work", typeof(FormatInCultureWork).FullName!, "-e", engine, "-o", dir.File("out.txt"), "-q");
        brigade.StandardInput.Close();
        var stderr = await brigade.StandardError.ReadToEndAsync();
        await brigade.WaitForExitAsync();

        Assert.True(brigade.ExitCode == 0, stderr + (File.Exists(dir.File("out.txt.failures.jsonl")) ? File.ReadAllText(dir.File("out.txt.failures.jsonl")) : ""));
        Assert.Equal(["1.234,5", "1,234.5"], await File.ReadAllLinesAsync(dir.File("out.txt")));
    }

    [Fact(Timeout = 60_000)]
    public async Task UnderAGermanLocale_BrigadesOwnLinesAndTheWorksCurrentCulture_StayInvariant()
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), Enumerable.Range(0, 1500).Select(i => "x"));

        var german = new Dictionary<string, string> { ["LANG"] = "de_DE.UTF-8", ["LC_ALL"] = "de_DE.UTF-8" };
        using var brigade = CliProcess.Start(dir.Path, german, "run", dir.File("in.txt"), "--assembly", typeof(FormatInCultureWork).Assembly.Location,
            "--work", typeof(FormatInCurrentCultureWork).FullName!, "-e", "threads", "-o", dir.File("out.txt"));
        brigade.StandardInput.Close();
        var stderr = await brigade.StandardError.ReadToEndAsync();
        await brigade.WaitForExitAsync();

        Assert.True(brigade.ExitCode == 0, stderr);
        Assert.Contains("1,500 items", stderr, StringComparison.Ordinal);
        Assert.All(await File.ReadAllLinesAsync(dir.File("out.txt")), line => Assert.Equal("1,234.5", line));
    }
}

/// <summary>Formats 1234.5 in the current culture.</summary>
public sealed class FormatInCurrentCultureWork : IWork<string, string>
{
    /// <inheritdoc/>
    public string Execute(string input) => 1234.5.ToString("N1", CultureInfo.CurrentCulture);
}

/// <summary>Formats 1234.5 in the culture the item names.</summary>
public sealed class FormatInCultureWork : IWork<string, string>
{
    /// <inheritdoc/>
    public string Execute(string input) => 1234.5.ToString("N1", CultureInfo.GetCultureInfo(input, predefinedOnly: true));
}
