using System.Globalization;
using System.Net.Sockets;
using Brigade.Internal;

namespace Brigade.Processes.Tests.Review72Litter;

public sealed record LitterInput(int Value, string Directory);

/// <summary>Item 1 writes its worker's id, start time and runtime files (those in its temporary directory named after
/// both), then hangs past the item timeout; the others return their value.</summary>
public sealed class SaysWhoItIsThenHangs : IWork<LitterInput, int>
{
    public int Execute(LitterInput input)
    {
        if (input.Value != 1)
        {
            return input.Value;
        }

        var pid = Environment.ProcessId;
        var start = RuntimeIpcFiles.StartTime(pid);
        var files = Directory.GetFiles(Path.GetTempPath(), $"*-{pid}-{start}-*").Select(f => Path.GetFileName(f));
        var path = Path.Combine(input.Directory, "worker");
        File.WriteAllLines(path + ".tmp", [pid.ToString(CultureInfo.InvariantCulture), start ?? "", .. files]);
        File.Move(path + ".tmp", path);
        Thread.Sleep(TimeSpan.FromSeconds(60));
        return input.Value;
    }
}

/// <summary>
/// Review 72: a .NET process killed with SIGKILL leaves its runtime's files (two debugger FIFOs and the diagnostics
/// socket) in the temporary directory forever; a worker killed for its item timeout must not.
/// </summary>
public sealed class KilledWorkerLitterTests
{
    // Item 1 hangs for 60 s: the 4 s item timeout kills its worker (FaultTests' ItemTimeout test says why 4 s and one
    // item per batch). The assertions need no clock: the worker's files are looked at once the run has reported the timeout.
    [Fact(Timeout = 150_000)]
    public async Task AWorkerKilledForItsItemTimeout_LeavesNoRuntimeFiles_AndThisProcessKeepsItsOwn()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var directory = Directory.CreateTempSubdirectory("brigade-review72-");
        var self = Environment.ProcessId;
        var ownFiles = Directory.GetFiles(Path.GetTempPath(), $"*-{self}-{RuntimeIpcFiles.StartTime(self)}-*");
        try
        {
            await using (var engine = TestEngines.Create(o => { o.MaxWorkers = 1; o.ItemTimeout = TimeSpan.FromSeconds(4); }))
            {
                var inputs = Enumerable.Range(0, 4).Select(i => new LitterInput(i, directory.FullName)).ToArray();
                var result = await Runner.MapAsync(inputs, new SaysWhoItIsThenHangs(), TestEngines.Run(engine, batchSize: 1));

                var failure = Assert.Single(result.Report.Failures);
                Assert.Equal(1, failure.Index);
                Assert.IsType<TimeoutException>(failure.Exception);
                Assert.Equal(1, engine.GetStatistics().WorkerTimeouts);
            }

            var worker = File.ReadAllLines(Path.Combine(directory.FullName, "worker"));
            var pid = int.Parse(worker[0], CultureInfo.InvariantCulture);
            Assert.False(ProcessList.IsAlive(pid));
            var hadFiles = worker[2..];
            Assert.Contains(RuntimeIpcFiles.SocketName(pid, worker[1]), hadFiles);
            Assert.DoesNotContain(hadFiles, f => File.Exists(Path.Combine(Path.GetTempPath(), f)));
            Assert.All(ownFiles, f => Assert.True(File.Exists(f), $"{f}, this live process's, was removed"));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}

/// <summary>Review 72: <see cref="RuntimeIpcFiles.RemoveAfterKill"/> on files made in a directory of the test's own.</summary>
public sealed class RuntimeIpcFilesTests
{
    [Fact(Timeout = 60_000)]
    public async Task RemoveAfterKill_RemovesExactlyTheDeadProcessesFiles()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var directory = Directory.CreateTempSubdirectory("brigade-review72-");
        try
        {
            using var sleeper = System.Diagnostics.Process.Start("sleep", "60");
            var pid = sleeper.Id;
            var start = RuntimeIpcFiles.StartTime(pid)!;
            Assert.NotNull(start);
            string In(string s) => Path.Combine(directory.FullName, $"clr-debug-pipe-{pid}-{s}-in");
            string Out(string s) => Path.Combine(directory.FullName, $"clr-debug-pipe-{pid}-{s}-out");
            string Sock(string s) => Path.Combine(directory.FullName, RuntimeIpcFiles.SocketName(pid, s));
            var other = (ulong.Parse(start, CultureInfo.InvariantCulture) + 1).ToString(CultureInfo.InvariantCulture);
            await Make("mkfifo", In(start), Out(start), In(other));
            using var socket = Bind(Sock(start));
            using var otherSocket = Bind(Sock(other));
            // A later process given the same id would have another start time; this stands for one that does not.
            File.WriteAllText(Out(other), "a regular file, not a FIFO");
            // The kernel stamps files with a coarse clock: a file made in the last moment counts as newer than a cleanup
            // begun now (RemoveAfterKill), and this one is to be older.
            await Task.Delay(200);

            // Alive: nothing of it is removed.
            Assert.Equal(0, RuntimeIpcFiles.RemoveAfterKill(pid, start, directory.FullName));
            Assert.True(File.Exists(Sock(start)) && File.Exists(In(start)) && File.Exists(Out(start)));

            sleeper.Kill();
            await sleeper.WaitForExitAsync();
            var removed = RuntimeIpcFiles.RemoveAfterKill(pid, start, directory.FullName);

            Assert.Equal(3, removed);
            Assert.False(File.Exists(Sock(start)) || File.Exists(In(start)) || File.Exists(Out(start)));
            Assert.True(File.Exists(Sock(other)) && File.Exists(In(other)) && File.Exists(Out(other)));

            // A file changed after the cleanup began (a new process's) is not removed; nor one that is not a FIFO.
            await Make("mkfifo", In(start));
            File.SetLastWriteTimeUtc(In(start), DateTime.UtcNow.AddMinutes(5));
            File.WriteAllText(Out(start), "a regular file");
            Assert.Equal(0, RuntimeIpcFiles.RemoveAfterKill(pid, start, directory.FullName));
            Assert.True(File.Exists(In(start)) && File.Exists(Out(start)));
            Assert.Equal(0, RuntimeIpcFiles.RemoveAfterKill(pid, null, directory.FullName));
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    private static Socket Bind(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task Make(string program, params string[] arguments)
    {
        using var process = System.Diagnostics.Process.Start(program, arguments);
        await process.WaitForExitAsync();
        Assert.Equal(0, process.ExitCode);
    }
}
