namespace Brigade.Cli;

/// <summary>A file the command reads or writes failed (a full disk, a read-only file system): reported in one line naming the user's path, exit code 1.</summary>
internal sealed class CliIOException(string message, Exception? inner = null) : Exception(message, inner);
