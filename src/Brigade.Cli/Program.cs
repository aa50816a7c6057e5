using Brigade.Cli;
using Brigade.Cli.Commands;

if (DoctorRelaunch.Applies(args))
{
    return await DoctorRelaunch.RunAsync(args).ConfigureAwait(false);
}

return await CliApp.RunAsync(args, Console.Out, Console.Error, CancellationToken.None).ConfigureAwait(false);
