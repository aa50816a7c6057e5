namespace Brigade.Doctor.Tests;

/// <summary>Processes of another user: root diagnoses them (the dump directory is handed to that user); a user may not diagnose root's.</summary>
public sealed class OtherUserTests
{
    private const string OtherUser = "nobody";

    [Fact]
    public async Task Root_DiagnosesAProcessOfAnotherUser()
    {
        if (!OperatingSystem.IsLinux() || !CanSwitchUser())
        {
            return;   // Needs root and the 'nobody' user (CI runs as root on Debian).
        }

        using var copy = new WorldReadableCopy(AppContext.BaseDirectory, "Brigade.Doctor.Corpus.*");
        await using var child = await ChildProcess.StartAsync(Path.Combine(copy.Path, "Brigade.Doctor.Corpus.dll"), ["abba-lock"], asUser: OtherUser, workingDirectory: copy.Path);

        var diagnosis = await Doctor.DiagnoseProcessAsync(child.ProgramId());

        Assert.Single(diagnosis.Deadlocks);
        Assert.Equal(["abba-1", "abba-2"], diagnosis.Deadlocks[0].Threads.Select(t => t.Name!).Order());
    }

    [Fact]
    public async Task AnotherUser_DiagnosingRootsProcess_GetsPermissionDeniedInOneLineAndExit2()
    {
        if (!OperatingSystem.IsLinux() || !CanSwitchUser())
        {
            return;
        }

        await using var child = await ChildProcess.StartAsync(ChildProcess.CorpusDll, ["twin-idle"]);
        using var cli = new WorldReadableCopy(AppContext.BaseDirectory, "*");

        var (code, stdout, stderr) = await Cli.RunAsAsync(OtherUser, Path.Combine(cli.Path, "Brigade.Cli.dll"), "doctor", "--pid", child.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));

        Assert.True(code == 2, $"exit {code}: {stderr}\n{stdout}");
        Assert.Single(stderr.Trim().Split('\n'));
        Assert.Contains("permission denied", stderr, StringComparison.Ordinal);
        Assert.Contains("runs as root", stderr, StringComparison.Ordinal);
        Assert.Contains("as root", stderr, StringComparison.Ordinal);
    }

    private static bool CanSwitchUser() =>
        OperatingSystem.IsLinux() && Environment.UserName == "root"
        && (File.Exists("/usr/sbin/runuser") || File.Exists("/sbin/runuser"))
        && File.ReadAllText("/etc/passwd").Contains($"\n{OtherUser}:", StringComparison.Ordinal);

    /// <summary>A copy of some build output that another user can read and run (the build output may be under root's home).</summary>
    [System.Runtime.Versioning.SupportedOSPlatform("linux")]
    private sealed class WorldReadableCopy : IDisposable
    {
        public WorldReadableCopy(string from, string pattern)
        {
            Path = System.IO.Path.Combine("/tmp", $"brigade-doctor-user-{Guid.NewGuid():N}");
            Directory.CreateDirectory(Path);
            File.SetUnixFileMode(Path, (UnixFileMode)0b111_101_101);
            foreach (var file in Directory.EnumerateFiles(from, pattern))
            {
                var target = System.IO.Path.Combine(Path, System.IO.Path.GetFileName(file));
                File.Copy(file, target);
                File.SetUnixFileMode(target, (UnixFileMode)0b110_100_100);
            }
        }

        public string Path { get; }

        public void Dispose() => Directory.Delete(Path, recursive: true);
    }
}
