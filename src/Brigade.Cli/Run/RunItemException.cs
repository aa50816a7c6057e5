namespace Brigade.Cli.Run;

/// <summary>An item of <c>brigade run</c> that failed, carrying the item so the failure is reported with its index, line and input.</summary>
internal sealed class RunItemException(InputItem item, string message, Exception? inner = null) : Exception(message, inner)
{
    public InputItem Item => item;
}
