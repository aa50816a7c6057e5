namespace Brigade.Cli.Run;

/// <summary>Runs a shell command per item, rendered from a <see cref="CommandTemplate"/>.</summary>
internal sealed class ExecWork(CommandTemplate template, TimeSpan? timeout) : IItemWork
{
    public string Description => "exec:" + template.Text;

    public async ValueTask<byte[]> RunAsync(InputItem item, CancellationToken cancellationToken)
    {
        string command;
        try
        {
            command = template.Render(item);
        }
        catch (FormatException e)
        {
            throw new ExecFailedException($"line {item.Line}: {e.Message}", null, null);
        }

        return await ExecRunner.RunAsync(command, timeout, cancellationToken).ConfigureAwait(false);
    }
}
