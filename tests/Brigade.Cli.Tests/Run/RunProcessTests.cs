namespace Brigade.Cli.Tests.Run;

/// <summary>brigade run as a real process: stdin, and resuming after SIGKILL at many points.</summary>
public sealed class RunProcessTests
{
    [Fact(Timeout = 60_000)]
    public async Task Run_ReadsItemsFromStdin()
    {
        using var dir = new TempDirectory();

        var (code, stdout, stderr) = await CliProcess.RunAsync(dir.Path, "b\na\n\nc\n", "run", "-", "--exec", "echo got {}", "-q", "-j", "2");

        Assert.True(code == 0, stderr);
        Assert.Equal("got b\ngot a\ngot c\n", stdout);
    }

    [Fact(Timeout = 240_000)]
    public async Task Run_KilledWithSigkillAtAnyPoint_ResumesToByteIdenticalOutput()
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        using var dir = new TempDirectory();
        var input = dir.File("in.txt");
        await File.WriteAllLinesAsync(input, Enumerable.Range(1, 120).Select(i => $"item-{i}"));

        // Items take different times so that they finish out of order; one item fails, to cover the failures file.
        const string Command = "case {} in item-77) echo bad >&2; exit 2;; esac; sleep 0.0$(( {#} % 7 )); printf '%s\\n' {} {#}";
        string[] Args(string output) => ["run", input, "--exec", Command, "-o", output, "-j", "6", "-q"];

        var (code, _, stderr) = await CliProcess.RunAsync(dir.Path, null, Args(dir.File("reference.txt")));
        Assert.True(code == 1, stderr);
        var reference = await File.ReadAllBytesAsync(dir.File("reference.txt"));
        var referenceFailures = await File.ReadAllBytesAsync(dir.File("reference.txt.failures.jsonl"));

        var random = new Random(20261125);
        for (var attempt = 0; attempt < 8; attempt++)
        {
            var output = dir.File($"resumed-{attempt}.txt");

            // Kill somewhere between start-up and the end of the run, possibly more than once.
            for (var kill = 0; kill < 2; kill++)
            {
                using var p = CliProcess.Start(dir.Path, kill == 0 ? Args(output) : [.. Args(output), "--resume"]);
                p.StandardInput.Close();
                await Task.Delay(random.Next(150, 1200));
                if (!p.HasExited)
                {
                    p.Kill(entireProcessTree: false);
                }

                await p.WaitForExitAsync();
                if (!File.Exists(output + ".journal"))
                {
                    break; // finished before the kill, or killed before the journal existed
                }
            }

            var resumeArgs = File.Exists(output + ".journal") ? [.. Args(output), "--resume"] : Args(output);
            if (!File.Exists(output + ".journal") && File.Exists(output))
            {
                // The run finished before any kill landed: compare as is.
                Assert.Equal(reference, await File.ReadAllBytesAsync(output));
                continue;
            }

            (code, _, stderr) = await CliProcess.RunAsync(dir.Path, null, resumeArgs);
            Assert.True(code == 1, $"attempt {attempt}: exit {code}: {stderr}");
            Assert.Equal(reference, await File.ReadAllBytesAsync(output));
            Assert.Equal(referenceFailures, await File.ReadAllBytesAsync(output + ".failures.jsonl"));
            Assert.False(File.Exists(output + ".journal"));
        }
    }
}
