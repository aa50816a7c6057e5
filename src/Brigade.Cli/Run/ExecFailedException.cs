namespace Brigade.Cli.Run;

/// <summary>An item whose command failed: non-zero exit, a signal, a timeout, or a command that could not start.</summary>
internal sealed class ExecFailedException(string message, int? exitCode, string? stderrTail) : Exception(message)
{
    public int? ExitCode => exitCode;

    public string? StderrTail => stderrTail;
}
