namespace Brigade.Cli.Tests;

/// <summary>Runs <c>brigade demo --quick --json --only tiny-tasks --trace FILE</c> once (about a second) for all of <see cref="DemoJsonTests"/>.</summary>
public sealed class TinyTasksDemoFixture : IAsyncLifetime
{
    private static readonly TimeSpan Bound = TimeSpan.FromMinutes(2);

    public string TracePath { get; } = Path.Combine(Path.GetTempPath(), $"brigade-demo-{Guid.NewGuid():N}.trace.json");

    public int ExitCode { get; private set; }

    public string Stdout { get; private set; } = "";

    public string Stderr { get; private set; } = "";

    public async Task InitializeAsync() =>
        (ExitCode, Stdout, Stderr) = await CliRunner.RunAsync("demo", "--quick", "--json", "--only", "tiny-tasks", "--trace", TracePath).WaitAsync(Bound);

    public Task DisposeAsync()
    {
        File.Delete(TracePath);
        return Task.CompletedTask;
    }
}
