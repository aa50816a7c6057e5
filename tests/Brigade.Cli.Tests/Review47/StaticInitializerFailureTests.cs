using System.Text.Json;

namespace Brigade.Cli.Tests.Review47;

/// <summary>
/// Review 47: an item that failed in its work type's static initialization was reported, on every engine, as only
/// "TypeInitializationException: The type initializer for 'X' threw an exception.": the reason (a missing setting, a
/// file the silo's machine lacks) was in the inner exception, which no report showed. Failures now say it, the same in
/// this process and from another one (worker processes and silos send the exception as RemoteWorkException).
/// </summary>
public sealed class StaticInitializerFailureTests
{
    [Theory(Timeout = 60_000)]
    [InlineData("threads")]
    [InlineData("processes")]
    public async Task AnItemFailingInTheWorkTypesStaticInitializer_SaysTheInnerReason(string engine)
    {
        using var dir = new TempDirectory();
        await File.WriteAllLinesAsync(dir.File("in.txt"), ["1", "2"]);

        var (code, _, stderr) = await CliRunner.RunAsync("run", dir.File("in.txt"), "--assembly", typeof(R47SettingsWork).Assembly.Location,
            "--work", typeof(R47SettingsWork).FullName!, "-e", engine, "-o", dir.File("out.txt"), "-q");

        Assert.True(code == 1, stderr);
        var error = JsonDocument.Parse(File.ReadLines(dir.File("out.txt.failures.jsonl")).First()).RootElement.GetProperty("error").GetString();
        Assert.StartsWith($"TypeInitializationException: The type initializer for '{typeof(R47SettingsWork).FullName}' threw an exception. ---> InvalidOperationException: {R47SettingsWork.Reason}", error, StringComparison.Ordinal);
    }
}
