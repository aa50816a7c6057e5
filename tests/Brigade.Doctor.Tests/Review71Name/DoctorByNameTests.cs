using System.Diagnostics;
using System.Globalization;

namespace Brigade.Doctor.Tests.Review71Name;

/// <summary>
/// Review 71: <c>brigade doctor NAME</c>, as <c>dotnet-dump collect -n NAME</c> and <c>dotnet-trace -n</c> take a process
/// name. Before, a target that was neither a number nor an existing file was always a dump file: "no dump file 'Hangs'"
/// with a process named Hangs running, and "no dump file '-5'". The programs run under a name of their own (a symbolic
/// link to the corpus program's apphost, whose name the kernel gives the process), so no other test's process shares it;
/// only the one-match case takes a dump.
/// </summary>
public sealed class DoctorByNameTests
{
    [Fact]
    public async Task UniqueName_IsDiagnosed_AndTheFirstLineSaysTheNameAndPid()
    {
        using var temp = new TempDirectory();
        var name = UniqueName();
        await using var program = await NamedProgram.StartAsync(temp.Path, name);

        var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", name);

        Assert.True(code == 0, $"exit {code}: {stderr}{stdout}");
        var lines = stdout.Split('\n');
        Assert.Contains($"process '{name}' (pid {program.Id})", lines[0], StringComparison.Ordinal);
        Assert.Contains(lines, l => l.StartsWith($"Process {program.Id} ", StringComparison.Ordinal));
        Assert.False(program.HasExited);
    }

    [Fact]
    public async Task TwoProcessesOfTheName_AreRefusedInOneLineListingBothPids()
    {
        using var temp = new TempDirectory();
        var name = UniqueName();
        await using var first = await NamedProgram.StartAsync(temp.Path, name);
        await using var second = await NamedProgram.StartAsync(temp.Path, name);

        var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", name);

        Assert.True(code == 2, $"exit {code}: {stderr}{stdout}");
        Assert.Equal("", stdout);
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains(first.Id.ToString(CultureInfo.InvariantCulture), stderr, StringComparison.Ordinal);
        Assert.Contains(second.Id.ToString(CultureInfo.InvariantCulture), stderr, StringComparison.Ordinal);
        Assert.Contains($"'{name}'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task NameOfNothing_OrOfAProcessThatIsNotDotNet_GetsTheDumpFileMessageWithTheHint()
    {
        using var temp = new TempDirectory();
        // A process of that name that is not .NET (sleep under a link of the name): not a match.
        var sleeperName = UniqueName();
        var link = Path.Combine(temp.Path, sleeperName);
        File.CreateSymbolicLink(link, "/bin/sleep");
        using var sleeper = Process.Start(new ProcessStartInfo(link, "600") { UseShellExecute = false })!;
        try
        {
            foreach (var name in new[] { UniqueName(), sleeperName })
            {
                var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", name);

                Assert.True(code == 2, $"{name}: exit {code}: {stderr}{stdout}");
                Assert.Equal("", stdout);
                Assert.Single(stderr.Trim().Split('\n'));
                Assert.Contains($"no dump file '{name}'", stderr, StringComparison.Ordinal);
                Assert.Contains("not a running .NET process's name", stderr, StringComparison.Ordinal);
            }
        }
        finally
        {
            sleeper.Kill();
        }
    }

    [Fact]
    public async Task ANegativeOrZeroNumber_IsNotAPid_InOneLine()
    {
        foreach (var given in new[] { "-5", "0" })
        {
            var (code, stdout, stderr) = await Cli.InProcessAsync("doctor", given);

            Assert.True(code == 2, $"{given}: exit {code}: {stderr}{stdout}");
            Assert.Equal("", stdout);
            Assert.Single(stderr.Trim().Split('\n'));
            Assert.Contains("not a pid", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("no dump file", stderr, StringComparison.Ordinal);
        }
    }

    /// <summary>A name no other process has, short enough that the kernel keeps it whole (15 characters).</summary>
    private static string UniqueName() => "rv71" + Guid.NewGuid().ToString("N")[..10];

    /// <summary>The corpus program's idle scenario run as NAME: a symbolic link of that name to its apphost.</summary>
    private sealed class NamedProgram : IAsyncDisposable
    {
        private readonly Process _process;

        private NamedProgram(Process process) => _process = process;

        public int Id => _process.Id;

        public bool HasExited => _process.HasExited;

        public static async Task<NamedProgram> StartAsync(string directory, string name)
        {
            var link = Path.Combine(directory, name);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, Path.Combine(AppContext.BaseDirectory, "Brigade.Doctor.Corpus"));
            }

            var psi = new ProcessStartInfo(link, "twin-idle")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                WorkingDirectory = Path.GetTempPath(),
            };
            // The apphost finds the runtime where the dotnet that runs these tests is.
            psi.Environment["DOTNET_ROOT"] = Path.GetDirectoryName(Path.GetFullPath(ResolvedDotnet()))!;
            var program = new NamedProgram(Process.Start(psi)!);
            _ = program._process.StandardError.ReadToEndAsync();
            using var failsafe = new CancellationTokenSource(ChildProcess.Failsafe);
            while (await program._process.StandardOutput.ReadLineAsync(failsafe.Token) is { } line)
            {
                if (line.Trim() == "ready")
                {
                    return program;
                }
            }

            await program.DisposeAsync();
            throw new InvalidOperationException($"{name} ended before it got ready");
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill();
                    await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
                }
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            _process.Dispose();
        }

        private static string ResolvedDotnet()
        {
            var dotnet = ChildProcess.DotnetPath();
            if (!Path.IsPathRooted(dotnet))
            {
                dotnet = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':')
                    .Select(d => Path.Combine(d, dotnet)).FirstOrDefault(File.Exists) ?? "/usr/share/dotnet/dotnet";
            }

            return new FileInfo(dotnet).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? dotnet;
        }
    }
}
