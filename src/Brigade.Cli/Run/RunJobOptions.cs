namespace Brigade.Cli.Run;

/// <summary>Everything <c>brigade run</c> was asked to do, validated.</summary>
internal sealed class RunJobOptions
{
    public required string Input { get; init; }

    public InputFormat Format { get; init; } = InputFormat.Auto;

    public required JobWork Work { get; init; }

    public required Engine Engine { get; init; }

    public int? Jobs { get; init; }

    /// <summary>The output file, or <c>-</c> for stdout.</summary>
    public string Output { get; init; } = "-";

    /// <summary>Items end at NUL bytes instead of line ends (<c>--null</c>, like <c>xargs -0</c>).</summary>
    public bool NullSeparated { get; init; }

    /// <summary>The failures file; <see langword="null"/> for the default (beside a regular output file, else JSON lines on stderr).</summary>
    public string? Failures { get; init; }

    /// <summary>The journal; <see langword="null"/> for the default (beside a regular output file, in the state directory for a device or pipe, none for stdout).</summary>
    public string? JournalPath { get; init; }

    public bool Resume { get; init; }

    public bool Unordered { get; init; }

    public bool FailFast { get; init; }

    public bool StrictInput { get; init; }

    public string? ReportPath { get; init; }

    public string? TracePath { get; init; }

    public bool Quiet { get; init; }

    /// <summary>The command line to show in "resume with" hints.</summary>
    public string CommandLine { get; init; } = "brigade run";
}
