namespace Brigade.Cli.Tests.Review47;

/// <summary>A work type whose static initialization fails, as one reading a setting that the silo's machine lacks.</summary>
public sealed class R47SettingsWork : IWork<int, string>
{
    public const string Reason = "R47: the setting BRIGADE_R47_ROOT is not set";

    private static readonly string Root = Environment.GetEnvironmentVariable("BRIGADE_R47_ROOT") ?? throw new InvalidOperationException(Reason);

    public string Execute(int input) => Root + input;
}
