namespace Brigade.Cli.Run;

/// <summary>What <c>brigade run</c> does with its commands' stderr (<c>--stderr</c>).</summary>
internal enum StderrMode
{
    /// <summary>Each command's stderr reaches brigade's, whole when the command ends (as GNU parallel's <c>--group</c>).</summary>
    Pass,

    /// <summary>Dropped; a failed command's last lines are still in its failure's report.</summary>
    Discard,
}
