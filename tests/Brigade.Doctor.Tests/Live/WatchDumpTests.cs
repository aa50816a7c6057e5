using System.Diagnostics;
using System.Globalization;
using Brigade.Doctor.Capture;

namespace Brigade.Doctor.Tests.Live;

/// <summary>Review 52: the live watch's dump of its own process. The runtime's createdump printed five
/// <c>[createdump] ...</c> lines on the watched program's standard output per diagnosis (a program writing JSON or a
/// protocol there got them in the middle), and the synchronous dump had no timeout (a createdump that hung kept the watch's
/// thread for good). The watch now starts createdump itself, its output captured, and bounds it.</summary>
public sealed class WatchDumpTests
{
    private static readonly TimeSpan Failsafe = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AWatchedProgramDiagnosed_HasOnlyItsOwnLinesOnItsStandardOutput()
    {
        var start = new ProcessStartInfo(ChildProcess.DotnetPath())
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetTempPath(),
        };
        foreach (var argument in (string[])[ChildProcess.CliDll, "doctor-demo-child", "--watch", "--no-warm-up", "--threshold-ms", "300"])
        {
            start.ArgumentList.Add(argument);
        }

        using var child = Process.Start(start)!;
        var output = new List<string>();
        var errors = new List<string>();
        var reported = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        child.OutputDataReceived += (_, e) =>
        {
            if (e.Data is not { } line)
            {
                reported.TrySetResult();
                return;
            }

            lock (output)
            {
                output.Add(line);
            }

            if (line.Contains("end of report", StringComparison.Ordinal))
            {
                reported.TrySetResult();
            }
        };
        child.ErrorDataReceived += (_, e) =>
        {
            lock (errors)
            {
                errors.Add(e.Data ?? "");
            }
        };
        child.BeginOutputReadLine();
        child.BeginErrorReadLine();
        try
        {
            // Until the report, or the end of its output (it ended): a condition; the failsafe only bounds a hang.
            await reported.Task.WaitAsync(ChildProcess.Failsafe);
            string stdout;
            lock (output)
            {
                stdout = string.Join('\n', output);
            }

            string stderr;
            lock (errors)
            {
                stderr = string.Join('\n', errors);
            }

            Assert.True(stdout.Contains("BRG1001 Deadlock detected", StringComparison.Ordinal), $"no diagnosis:\n{stdout}\nstandard error:\n{stderr}");
            Assert.True(!stdout.Contains("[createdump]", StringComparison.Ordinal), $"createdump wrote on the program's standard output:\n{stdout}");
            Assert.True(!stderr.Contains("[createdump]", StringComparison.Ordinal), $"createdump wrote on the program's standard error:\n{stderr}");
        }
        finally
        {
            try
            {
                child.Kill();
            }
            catch (InvalidOperationException)
            {
                // It ended.
            }

            await child.WaitForExitAsync().WaitAsync(Failsafe);
        }
    }

    [Fact]
    public async Task ACreateDumpThatHangs_IsStopped_AndTheDumpFailsAsNotResponding()
    {
        using var directory = new TempDirectory();
        var pidFile = Path.Combine(directory.Path, "pid");
        var program = Script(directory.Path, $"echo $$ > '{pidFile}'\nexec sleep 600\n");

        // Before: no bound, the capture waited out the sleep (and this, the failsafe).
        var clock = Stopwatch.StartNew();
        var error = await Task.Factory.StartNew(() =>
        {
            CreateDumpChild.ProgramForTests.Value = program;
            return Record.Exception(() => DumpCapture.CaptureUnnamed(Environment.ProcessId, new DoctorOptions { DumpDirectory = directory.Path, DumpTimeout = TimeSpan.FromSeconds(1) }));
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default).WaitAsync(Failsafe);

        var failure = Assert.IsType<DoctorException>(error);
        Assert.Equal(DoctorErrorKind.NotResponding, failure.Kind);
        Assert.Contains("did not finish the dump of process", failure.Message, StringComparison.Ordinal);
        Assert.True(clock.Elapsed >= TimeSpan.FromSeconds(1), $"gave up after {clock.Elapsed}, before its 1 s");

        // The hanging createdump is gone (killed and reaped), and no dump is left.
        var pid = int.Parse(File.ReadAllText(pidFile).Trim(), CultureInfo.InvariantCulture);
        Assert.False(Directory.Exists($"/proc/{pid}"), $"the createdump that hung (process {pid}) was left running");
        Assert.Equal(["createdump", "pid"], Directory.EnumerateFileSystemEntries(directory.Path).Select(Path.GetFileName).Order(StringComparer.Ordinal));
    }

    [Fact]
    public void ACreateDumpThatCannotWriteTheFile_FailsWithItsReason_AndTheRuntimeIsNotAskedAgain()
    {
        using var directory = new TempDirectory();
        var program = Script(directory.Path, "echo \"[createdump] Could not create output file '$2': Read-only file system (30)\" >&2\nexit 1\n");

        CreateDumpChild.ProgramForTests.Value = program;
        try
        {
            // Asked, the runtime would write the dump (this directory is writable): a dump here means it was asked.
            var error = Record.Exception(() => DumpCapture.CaptureUnnamed(Environment.ProcessId, new DoctorOptions { DumpDirectory = directory.Path }));
            var failure = Assert.IsType<DoctorException>(error);
            Assert.Equal(DoctorErrorKind.DumpFailed, failure.Kind);
            Assert.Contains("read-only file system", failure.Message, StringComparison.Ordinal);
        }
        finally
        {
            CreateDumpChild.ProgramForTests.Value = null;
        }
    }

    [Fact]
    public void ACreateDumpThatFailsForAnotherReason_LeavesTheDumpToTheRuntime()
    {
        // As under Yama if createdump attached before it was named this process's tracer: the runtime's own may work.
        using var directory = new TempDirectory();
        var program = Script(directory.Path, "echo '[createdump] Problem with ptrace attach: Operation not permitted (1)' >&2\nexit 1\n");

        CreateDumpChild.ProgramForTests.Value = program;
        try
        {
            var (path, file) = DumpCapture.CaptureUnnamed(Environment.ProcessId, new DoctorOptions { DumpDirectory = directory.Path });
            using (file)
            {
                Assert.True(RandomAccess.GetLength(file) > 0, $"no dump at {path}");
            }
        }
        finally
        {
            CreateDumpChild.ProgramForTests.Value = null;
        }
    }

    /// <summary>An executable shell script named createdump in <paramref name="directory"/>, run with createdump's
    /// arguments (<c>--name PATH --withheap --logtofile /dev/null PID</c>).</summary>
    private static string Script(string directory, string body)
    {
        var path = Path.Combine(directory, "createdump");
        File.WriteAllText(path, "#!/bin/sh\n" + body);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        return path;
    }
}
