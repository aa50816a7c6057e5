using System.CommandLine;

namespace Brigade.Cli.Commands;

/// <summary>
/// The hidden <c>brigade doctor-demo-child</c>: the stuck process the demo's <c>doctor</c> scene diagnoses from outside.
/// Plain .NET code, no Brigade primitive: two transfers take two <c>lock</c> objects in opposite orders and deadlock,
/// and work items on the thread pool block on async calls whose continuations need the pool.
/// </summary>
/// <remarks>It prints <c>ready</c> once both are in place and exits when its standard input closes.</remarks>
internal static class DoctorDemoChildCommand
{
    public const string Name = "doctor-demo-child";

    private static readonly object Checking = new();
    private static readonly object Savings = new();

    public static Command Create(TextWriter stdout)
    {
        var command = new Command(Name, "The stuck process of the demo's doctor scene (internal).") { Hidden = true };
        command.SetAction(_ => Run(stdout));
        return command;
    }

    private static int Run(TextWriter stdout)
    {
        // Both transfers hold their first lock before asking for the second: the barrier makes the deadlock certain.
        var bothHold = new Barrier(2);
        StartThread("transfer-1", () => Transfer(Checking, Savings, bothHold));
        StartThread("transfer-2", () => Transfer(Savings, Checking, bothHold));

        // A pool of a few threads (as under a container's CPU limit), each blocking on an async call whose continuation
        // must run on the pool: the blocked threads wait for queued work that waits for a free thread.
        ThreadPool.GetMaxThreads(out _, out var io);
        ThreadPool.SetMaxThreads(Environment.ProcessorCount, io);
        for (var i = 0; i < Environment.ProcessorCount * 4; i++)
        {
            ThreadPool.QueueUserWorkItem(_ => LoadCustomerAsync().GetAwaiter().GetResult());
        }

        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((bothHold.CurrentPhaseNumber == 0 || ThreadPool.PendingWorkItemCount == 0) && DateTime.UtcNow < deadline)
        {
            Thread.Sleep(10);
        }

        // Let the two transfers reach their second lock.
        Thread.Sleep(50);
        stdout.WriteLine("ready");
        stdout.Flush();
        Console.In.ReadToEnd();
        return ExitCodes.Success;
    }

    private static void Transfer(object from, object to, Barrier bothHold)
    {
        lock (from)
        {
            bothHold.SignalAndWait();
            lock (to)
            {
                Console.WriteLine("transferred");
            }
        }
    }

    private static async Task<int> LoadCustomerAsync()
    {
        await Task.Delay(10).ConfigureAwait(false);
        return 42;
    }

    private static void StartThread(string name, Action body) => new Thread(() => body()) { IsBackground = true, Name = name }.Start();
}
