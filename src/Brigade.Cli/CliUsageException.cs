namespace Brigade.Cli;

/// <summary>Bad input found after parsing (an unknown scene id, a missing file): reported in one line, exit code 2.</summary>
internal sealed class CliUsageException(string message) : Exception(message);
